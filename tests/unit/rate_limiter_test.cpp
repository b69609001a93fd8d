// The rate limiter on plain time_points (no clock, no sleeping): the reset-header parser, the
// token estimate, the two token buckets, first-come-first-served order, settle/release, server
// headers and pauses, and concurrent reservations (run under TSan by .ci/run).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include "core/rate_limiter_private.hpp"

namespace lemma::detail {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using time_point = RateLimiter::time_point;

const time_point t0 = time_point{} + 1000h;

RateLimit limit(std::int64_t requests_per_minute, std::int64_t tokens_per_minute) {
  RateLimit result;
  result.requests_per_minute = requests_per_minute;
  result.tokens_per_minute = tokens_per_minute;
  return result;
}

// The starts of `count` calls of `tokens` each, all asking at `now`.
std::vector<time_point> reserve_many(RateLimiter& limiter, int count, time_point now,
                                     std::int64_t tokens = 0) {
  std::vector<time_point> starts;
  for (int i = 0; i < count; ++i) starts.push_back(limiter.reserve(now, tokens).first);
  return starts;
}

// ---- parse_reset_duration -------------------------------------------------------------------

struct DurationCase {
  const char* text;
  std::optional<milliseconds> expected;
};

TEST(ParseResetDurationTest, ReadsOpenAiFormatsAndRejectsTheRest) {
  const DurationCase cases[] = {
      {"6m0s", 360'000ms},
      {"1m30.5s", 90'500ms},
      {"12ms", 12ms},
      {"0.5s", 500ms},
      {"1.5s", 1'500ms},
      {"1h", 3'600'000ms},
      {"1h2m3.5s", 3'723'500ms},
      {"20", 20'000ms},  // a bare number is seconds
      {"1.5", 1'500ms},
      {"0s", 0ms},
      {"0", 0ms},
      {".5s", 500ms},
      {"2.s", 2'000ms},
      {"500us", 1ms},  // below a millisecond rounds up: never wake too early
      {"3\xC2\xB5s", 1ms},
      {"3\xCE\xBCs", 1ms},
      {"1500000ns", 2ms},
      {"1000000ns", 1ms},
      {"0.0001s", 1ms},
      {"1.0000000001s", 1'000ms},  // digits beyond nanoseconds are ignored
      {" 7s\t", 7'000ms},
      {"2562047h", milliseconds(2'562'047LL * 3'600'000)},  // the largest whole hour Go holds
      {"", std::nullopt},
      {"   ", std::nullopt},
      {"abc", std::nullopt},
      {"-1s", std::nullopt},
      {"+1s", std::nullopt},
      {"5x", std::nullopt},
      {"s", std::nullopt},
      {".s", std::nullopt},
      {"1..5s", std::nullopt},
      {"1m30", std::nullopt},  // a bare number only as the whole text
      {"1h 2m", std::nullopt},
      {"1e3s", std::nullopt},
      {"1S", std::nullopt},
      {"2562048h", std::nullopt},  // beyond int64 nanoseconds
      {"99999999999999999999h", std::nullopt},
      {"99999999999999999999", std::nullopt},
      {"9223372036854775807ns9223372036854775807ns", std::nullopt},
      {"2562047h47m16.854775808s", std::nullopt},  // one nanosecond too many
  };
  for (const DurationCase& c : cases) {
    EXPECT_EQ(parse_reset_duration(c.text), c.expected) << '"' << c.text << '"';
  }
}

// ---- estimate_tokens ------------------------------------------------------------------------

TEST(EstimateTokensTest, PromptBytesOverFourRoundedUpPlusMaxTokensTimesN) {
  ChatRequest request;
  request.messages = {Message::system("abcd"), Message::user("abcde")};  // 9 bytes -> 3
  EXPECT_EQ(estimate_tokens(request), 3);
  request.sampling.max_tokens = 100;
  EXPECT_EQ(estimate_tokens(request), 103);
  request.sampling.n = 4;
  EXPECT_EQ(estimate_tokens(request), 403);
}

TEST(EstimateTokensTest, CountsEveryTextOfEveryMessage) {
  ChatRequest request;
  Message assistant = Message::assistant("1234");
  assistant.reasoning_content = std::string(8, 'r');
  assistant.tool_calls.push_back(ToolCall{"id", "function", "eval", "{\"x\":1}"});  // 4 + 7
  request.messages = {assistant, Message::tool("12345678", "id")};
  EXPECT_EQ(estimate_tokens(request), (4 + 8 + 4 + 7 + 8 + 3) / 4);
}

TEST(EstimateTokensTest, EmptyRequestIsZeroAndHugeValuesSaturate) {
  ChatRequest request;
  EXPECT_EQ(estimate_tokens(request), 0);
  request.sampling.max_tokens = -5;  // invalid, refused elsewhere; counts as nothing here
  request.sampling.n = 0;
  EXPECT_EQ(estimate_tokens(request), 0);
  request.messages = {Message::user("x")};
  request.sampling.max_tokens = std::numeric_limits<std::int64_t>::max();
  request.sampling.n = 2;
  EXPECT_EQ(estimate_tokens(request), std::numeric_limits<std::int64_t>::max());
}

// ---- check ----------------------------------------------------------------------------------

TEST(RateLimiterCheckTest, NegativeValuesAreInvalidRequestsNamingTheField) {
  EXPECT_FALSE(RateLimiter::check(limit(0, 0)));
  EXPECT_FALSE(RateLimiter::check(limit(500, 30'000)));
  const auto requests = RateLimiter::check(limit(-1, 0));
  ASSERT_TRUE(requests);
  EXPECT_EQ(requests->kind, ErrorKind::invalid_request);
  EXPECT_EQ(requests->param, "rate_limit.requests_per_minute");
  EXPECT_THAT(requests->message, ::testing::HasSubstr("is negative (-1); use 0 for no limit"));
  const auto tokens = RateLimiter::check(limit(10, -7));
  ASSERT_TRUE(tokens);
  EXPECT_EQ(tokens->param, "rate_limit.tokens_per_minute");
}

// ---- requests_per_minute --------------------------------------------------------------------

TEST(RateLimiterTest, WithoutLimitsItIsInactiveAndEveryCallStartsAtOnce) {
  RateLimiter limiter(limit(0, 0));
  EXPECT_FALSE(limiter.active());
  for (int i = 0; i < 1000; ++i) {
    const auto [start, ticket] = limiter.reserve(t0, 1'000'000);
    ASSERT_EQ(start, t0);
    EXPECT_EQ(ticket.id, 0u);
  }
  EXPECT_EQ(limiter.paused_until(), time_point{});
}

TEST(RateLimiterTest, RequestsBurstUpToTheLimitThenOnePerSixtyOverRSeconds) {
  RateLimiter limiter(limit(60, 0));
  EXPECT_TRUE(limiter.active());
  const auto starts = reserve_many(limiter, 63, t0);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(starts[i], t0) << i;
  EXPECT_EQ(starts[60], t0 + 1s);
  EXPECT_EQ(starts[61], t0 + 2s);
  EXPECT_EQ(starts[62], t0 + 3s);
}

TEST(RateLimiterTest, AnySixtySecondWindowHoldsAtMostTwoRMinusOneAndRAfterTheFirstBurst) {
  constexpr int kR = 6;
  RateLimiter limiter(limit(kR, 0));
  const auto starts = reserve_many(limiter, 40, t0);
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto in_window = std::count_if(starts.begin(), starts.end(), [&](time_point s) {
      return s >= starts[i] && s < starts[i] + 60s;
    });
    EXPECT_LE(in_window, starts[i] == t0 ? 2 * kR - 1 : kR) << "window from start " << i;
  }
  EXPECT_EQ(starts.back(), t0 + (40 - kR) * 10s);  // long run: R per minute
}

TEST(RateLimiterTest, AnIdleBucketRefillsSmoothly) {
  RateLimiter limiter(limit(60, 0));
  reserve_many(limiter, 60, t0);
  const auto later = reserve_many(limiter, 31, t0 + 30s);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(later[i], t0 + 30s) << i;
  EXPECT_EQ(later[30], t0 + 31s);
  // Never more than a full bucket, however long the pause.
  const auto after_idle = reserve_many(limiter, 61, t0 + 1h);
  EXPECT_EQ(after_idle[59], t0 + 1h);
  EXPECT_EQ(after_idle[60], t0 + 1h + 1s);
}

// ---- tokens_per_minute ----------------------------------------------------------------------

TEST(RateLimiterTest, TokensWaitForTheBucketToRefill) {
  RateLimiter limiter(limit(0, 600));  // 10 tokens a second
  EXPECT_EQ(limiter.reserve(t0, 400).first, t0);
  const auto [start, ticket] = limiter.reserve(t0, 400);
  EXPECT_EQ(start, t0 + 20s);  // 200 left, 200 missing
  EXPECT_EQ(ticket.tokens, 400);
  EXPECT_EQ(limiter.reserve(t0, 0).first, t0 + 20s);  // nothing to wait for, but in order
}

TEST(RateLimiterTest, AnEstimateBeyondTheLimitStartsAloneOnAFullBucket) {
  RateLimiter limiter(limit(0, 600));
  EXPECT_EQ(limiter.reserve(t0, 100).first, t0);
  const auto [start, ticket] = limiter.reserve(t0, 5'000);
  EXPECT_EQ(start, t0 + 10s);     // waits until the bucket is full again ...
  EXPECT_EQ(ticket.tokens, 600);  // ... and takes all of it
  EXPECT_EQ(limiter.reserve(t0, 1).first, t0 + 10s + 100ms);
  // Even on an empty bucket: a finite wait, never stuck.
  EXPECT_EQ(limiter.reserve(t0, std::numeric_limits<std::int64_t>::max()).first,
            t0 + 10s + 100ms + 60s);
}

TEST(RateLimiterTest, BothLimitsApplyAndTheLaterOneWins) {
  RateLimiter limiter(limit(2, 600));  // one request per 30 s, 10 tokens per second
  EXPECT_EQ(limiter.reserve(t0, 100).first, t0);
  EXPECT_EQ(limiter.reserve(t0, 600).first, t0 + 10s);  // tokens bind: 100 missing
  EXPECT_EQ(limiter.reserve(t0, 0).first, t0 + 30s);    // requests bind: 2 in the first 30 s
}

// ---- first come, first served ---------------------------------------------------------------

TEST(RateLimiterTest, ALaterSmallCallNeverOvertakesAnEarlierBigOne) {
  RateLimiter limiter(limit(0, 600));
  EXPECT_EQ(limiter.reserve(t0, 300).first, t0);
  EXPECT_EQ(limiter.reserve(t0, 600).first, t0 + 30s);
  // 10 tokens alone would fit earlier than 30 s; it still goes after the big call.
  EXPECT_EQ(limiter.reserve(t0, 10).first, t0 + 31s);
}

TEST(RateLimiterTest, TimesNeverDecreaseInCallOrderEvenWhenCallersClocksDisagree) {
  RateLimiter limiter(limit(60, 6'000));
  time_point previous{};
  for (int i = 0; i < 200; ++i) {
    // Callers read the clock before taking the lock: "now" may arrive out of order.
    const time_point now = t0 + milliseconds((i * 7919) % 500);
    const auto [start, ticket] = limiter.reserve(now, 50 + (i * 31) % 200);
    EXPECT_GE(start, previous) << i;
    EXPECT_GE(start, now) << i;
    previous = start;
  }
}

// ---- settle and release ---------------------------------------------------------------------

TEST(RateLimiterTest, SettlingBelowTheEstimateGivesTokensBack) {
  RateLimiter limiter(limit(0, 600));
  const auto [start, ticket] = limiter.reserve(t0, 600);
  limiter.settle(ticket, 100, t0 + 1s);
  EXPECT_EQ(limiter.reserve(t0 + 1s, 500).first, t0 + 1s);

  RateLimiter unsettled(limit(0, 600));
  unsettled.reserve(t0, 600);
  EXPECT_EQ(unsettled.reserve(t0 + 1s, 500).first, t0 + 50s);
}

TEST(RateLimiterTest, SettlingAboveTheEstimateDelaysLaterCalls) {
  RateLimiter limiter(limit(0, 600));
  const auto [start, ticket] = limiter.reserve(t0, 100);
  limiter.settle(ticket, 700, t0);  // 600 more than booked: 500 - 600 = -100
  EXPECT_EQ(limiter.reserve(t0, 100).first, t0 + 20s);
}

TEST(RateLimiterTest, AnAbsurdUsageReportCostsAtMostAnHourOfTokens) {
  RateLimiter limiter(limit(0, 600));
  const auto [start, ticket] = limiter.reserve(t0, 600);
  limiter.settle(ticket, std::numeric_limits<std::int64_t>::max(), t0);
  const time_point next = limiter.reserve(t0, 1).first;
  EXPECT_EQ(next, t0 + 60min + 100ms);  // from the debt floor of 60 minutes' tokens
}

TEST(RateLimiterTest, ATicketEndsOnceAndUnknownTicketsAreIgnored) {
  RateLimiter limiter(limit(0, 600));
  const auto [start, ticket] = limiter.reserve(t0, 600);
  limiter.settle(ticket, -1, t0);  // unreadable usage: the estimate stands
  limiter.settle(ticket, 0, t0);   // already settled: ignored
  limiter.release(ticket, t0);     // likewise
  limiter.settle(RateLimiter::Ticket{600, 12345}, 0, t0);
  limiter.release(RateLimiter::Ticket{600, 0}, t0);
  EXPECT_EQ(limiter.reserve(t0, 600).first, t0 + 60s);
}

TEST(RateLimiterTest, ReleasingAReservationLetsTheNextCallerTakeItsSlot) {
  RateLimiter limiter(limit(60, 0));
  reserve_many(limiter, 60, t0);
  const auto [start, ticket] = limiter.reserve(t0, 0);
  EXPECT_EQ(start, t0 + 1s);
  limiter.release(ticket, t0 + 500ms);  // cancelled while waiting
  limiter.release(ticket, t0 + 500ms);  // twice: no second refund
  EXPECT_EQ(limiter.reserve(t0 + 500ms, 0).first, t0 + 1s);
  EXPECT_EQ(limiter.reserve(t0 + 500ms, 0).first, t0 + 2s);
}

TEST(RateLimiterTest, ReleasingGivesTheTokensBack) {
  RateLimiter limiter(limit(0, 600));
  limiter.reserve(t0, 600);
  const auto [start, ticket] = limiter.reserve(t0, 600);
  EXPECT_EQ(start, t0 + 60s);
  limiter.release(ticket, t0 + 1s);
  EXPECT_EQ(limiter.reserve(t0 + 1s, 600).first, t0 + 60s);  // not t0 + 120 s
}

// ---- pauses ---------------------------------------------------------------------------------

TEST(RateLimiterTest, APauseHoldsNewAndAlreadyReservedCalls) {
  RateLimiter limiter(limit(0, 0));
  EXPECT_FALSE(limiter.active());
  const time_point reserved = limiter.reserve(t0, 0).first;
  EXPECT_EQ(limiter.may_start_at(reserved), t0);

  limiter.pause_until(t0 + 5s);  // a 429 with Retry-After: 5
  EXPECT_TRUE(limiter.active());
  EXPECT_EQ(limiter.paused_until(), t0 + 5s);
  // The call reserved before the 429 re-checks when its time comes, and waits.
  EXPECT_EQ(limiter.may_start_at(reserved), t0 + 5s);
  EXPECT_EQ(limiter.reserve(t0 + 1s, 0).first, t0 + 5s);
  // A reservation already later than the pause keeps its time.
  EXPECT_EQ(limiter.may_start_at(t0 + 9s), t0 + 9s);
  // An earlier pause does not shorten the current one.
  limiter.pause_until(t0 + 2s);
  EXPECT_EQ(limiter.paused_until(), t0 + 5s);
}

TEST(RateLimiterTest, APauseAlsoDelaysLimitedCalls) {
  RateLimiter limiter(limit(60, 0));
  const time_point first = limiter.reserve(t0, 0).first;
  limiter.pause_until(t0 + 10s);
  EXPECT_EQ(limiter.may_start_at(first), t0 + 10s);
  const auto after = reserve_many(limiter, 61, t0 + 1s);
  EXPECT_EQ(after.front(), t0 + 10s);
  EXPECT_EQ(after[59], t0 + 10s);  // the bucket refilled during the pause, not beyond full
  EXPECT_EQ(after[60], t0 + 11s);
}

// ---- server headers -------------------------------------------------------------------------

TEST(RateLimiterTest, NoRateLimitHeadersLeaveItInactive) {
  RateLimiter limiter(limit(0, 0));
  limiter.observe(Headers{{"content-type", "application/json"}, {"x-request-id", "r1"}}, t0);
  limiter.observe(Headers{{"x-ratelimit-remaining-requests", "junk"}}, t0);
  EXPECT_FALSE(limiter.active());
  EXPECT_EQ(limiter.reserve(t0, 10).first, t0);
}

TEST(RateLimiterTest, ARemainingOfZeroPausesUntilItsReset) {
  RateLimiter limiter(limit(0, 0));
  limiter.observe(Headers{{"X-RateLimit-Limit-Requests", "60"},
                          {"X-RateLimit-Remaining-Requests", "0"},
                          {"X-RateLimit-Reset-Requests", "6m0s"},
                          {"x-ratelimit-remaining-tokens", "149984"},
                          {"x-ratelimit-reset-tokens", "6ms"}},
                  t0);
  EXPECT_TRUE(limiter.active());
  EXPECT_EQ(limiter.paused_until(), t0 + 6min);
  EXPECT_EQ(limiter.reserve(t0 + 1s, 0).first, t0 + 6min);
}

TEST(RateLimiterTest, ARemainingOfZeroTokensPausesToo) {
  RateLimiter limiter(limit(0, 0));
  limiter.observe(Headers{{"x-ratelimit-remaining-requests", "59"},
                          {"x-ratelimit-reset-requests", "1s"},
                          {"x-ratelimit-remaining-tokens", "0"},
                          {"x-ratelimit-reset-tokens", "1.5s"}},
                  t0);
  EXPECT_EQ(limiter.paused_until(), t0 + 1500ms);
}

TEST(RateLimiterTest, ARemainingOfZeroWithoutAReadableResetDoesNotPause) {
  RateLimiter limiter(limit(0, 0));
  limiter.observe(
      Headers{{"x-ratelimit-remaining-requests", "0"}, {"x-ratelimit-reset-requests", "soon"}}, t0);
  EXPECT_TRUE(limiter.active());  // the server does send rate-limit headers
  EXPECT_EQ(limiter.paused_until(), time_point{});
  EXPECT_EQ(limiter.reserve(t0, 0).first, t0);
}

TEST(RateLimiterTest, AHugeResetIsClampedToAYear) {
  RateLimiter limiter(limit(0, 0));
  limiter.observe(
      Headers{{"x-ratelimit-remaining-tokens", "0"}, {"x-ratelimit-reset-tokens", "2000000h"}}, t0);
  EXPECT_EQ(limiter.paused_until(), t0 + RateLimiter::kMaxReset);
}

TEST(RateLimiterTest, TheServersRemainingLowersAConfiguredBucket) {
  RateLimiter limiter(limit(60, 600));
  // Another client of the same key used most of the quota.
  limiter.observe(Headers{{"x-ratelimit-remaining-requests", "5"},
                          {"x-ratelimit-reset-requests", "55s"},
                          {"x-ratelimit-remaining-tokens", "1000000"}},
                  t0);
  const auto starts = reserve_many(limiter, 6, t0);
  EXPECT_EQ(starts[4], t0);
  EXPECT_EQ(starts[5], t0 + 1s);
  // A remaining above what the bucket holds does not raise it.
  limiter.observe(Headers{{"x-ratelimit-remaining-requests", "50"}}, t0 + 1s);
  EXPECT_EQ(limiter.reserve(t0 + 1s, 0).first, t0 + 2s);
}

// ---- threads --------------------------------------------------------------------------------

TEST(RateLimiterTest, ConcurrentReservationsAreGrantedInOrderWithoutLosingAny) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  constexpr int kPerMinute = 600;  // a burst of 600, then one per 100 ms
  RateLimiter limiter(limit(kPerMinute, 0));
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t, time_point>> granted;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<std::pair<std::uint64_t, time_point>> mine;
      for (int i = 0; i < kPerThread; ++i) {
        const auto [start, ticket] = limiter.reserve(t0, 1);
        mine.emplace_back(ticket.id, start);
        if (i % 10 == 0) limiter.observe(Headers{{"x-ratelimit-remaining-tokens", "9999"}}, t0);
        (void)limiter.paused_until();
      }
      std::lock_guard<std::mutex> lock(mutex);
      granted.insert(granted.end(), mine.begin(), mine.end());
    });
  }
  for (std::thread& thread : threads) thread.join();

  ASSERT_EQ(granted.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::sort(granted.begin(), granted.end());
  for (std::size_t i = 0; i < granted.size(); ++i) {
    ASSERT_EQ(granted[i].first, i + 1) << "ids are unique and consecutive";
    const auto expected = i < kPerMinute ? t0 : t0 + (static_cast<int>(i) - kPerMinute + 1) * 100ms;
    // In id (= call) order the times follow the bucket exactly, to float rounding.
    EXPECT_NEAR(std::chrono::duration<double>(granted[i].second - expected).count(), 0.0, 1e-6)
        << i;
    if (i > 0) {
      EXPECT_GE(granted[i].second, granted[i - 1].second) << i;
    }
  }
}

}  // namespace
}  // namespace lemma::detail
