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

TEST(RateLimiterTest, ABurstGoesRPerSixtyASecondUntilTheBucketIsEmptyThenOnePerSixtyOverR) {
  // R = 6: a bucket of 6 refilled one per 10 s, and at most max(1, 6 / 60) = 1 start a second.
  RateLimiter limiter(limit(6, 0));
  EXPECT_TRUE(limiter.active());
  const auto starts = reserve_many(limiter, 9, t0);
  // The burst of 6 is spread one a second (the bucket gains 0.1 a second meanwhile) ...
  for (int i = 0; i < 6; ++i) EXPECT_EQ(starts[i], t0 + i * 1s) << i;
  // ... and leaves 0.5 at 5 s: the 7th waits until the bucket holds 1 again, then one per 10 s.
  EXPECT_EQ(starts[6], t0 + 10s);
  EXPECT_EQ(starts[7], t0 + 20s);
  EXPECT_EQ(starts[8], t0 + 30s);

  // R = 600: a burst of 600 goes 10 a second (the window binds; the bucket never empties).
  RateLimiter big(limit(600, 0));
  const auto big_starts = reserve_many(big, 25, t0);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(big_starts[i], t0 + (i / 10) * 1s) << i;
}

TEST(RateLimiterTest, AnySixtySecondWindowHoldsAtMostTwoRMinusOneAndRAfterTheFirstBurst) {
  constexpr int kR = 6;
  RateLimiter limiter(limit(kR, 0));
  const auto starts = reserve_many(limiter, 40, t0);
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto in_window = std::count_if(starts.begin(), starts.end(), [&](time_point s) {
      return s >= starts[i] && s < starts[i] + 60s;
    });
    // The first burst (one a second) plus a minute of refill; once it is over, R.
    EXPECT_LE(in_window, i < kR ? 2 * kR - 1 : kR) << "window from start " << i;
  }
  EXPECT_EQ(std::count_if(starts.begin(), starts.end(), [](time_point s) { return s < t0 + 60s; }),
            2 * kR - 1);  // the bound is reached: 0..5 s, then 10, 20, ..., 50 s
  EXPECT_EQ(starts.back(), t0 + (40 - kR) * 10s);  // long run: R per minute
}

TEST(RateLimiterTest, AnIdleBucketRefillsSmoothly) {
  RateLimiter limiter(limit(6, 0));  // refilled one per 10 s; one start a second at most
  reserve_many(limiter, 6, t0);      // 0 .. 5 s: the bucket holds 0.5 at 5 s, 3 at 30 s
  const auto later = reserve_many(limiter, 4, t0 + 30s);
  EXPECT_EQ(later[0], t0 + 30s);
  EXPECT_EQ(later[1], t0 + 31s);
  EXPECT_EQ(later[2], t0 + 32s);  // 3 refilled starts, 0.2 left plus 0.1 a second ...
  EXPECT_EQ(later[3], t0 + 40s);  // ... so the 4th waits 8 s for its whole one
  // Never more than a full bucket, however long the pause.
  const auto after_idle = reserve_many(limiter, 7, t0 + 1h);
  EXPECT_EQ(after_idle[5], t0 + 1h + 5s);
  EXPECT_EQ(after_idle[6], t0 + 1h + 10s);  // an over-full bucket would give 1 h + 6 s
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
  // Its bucket has the 1 token after 100 ms, but the big call has its second to itself.
  EXPECT_EQ(limiter.reserve(t0, 1).first, t0 + 11s);
  // Even on an empty bucket: a finite wait, never stuck (9 tokens at 11 s, 591 to go).
  EXPECT_EQ(limiter.reserve(t0, std::numeric_limits<std::int64_t>::max()).first,
            t0 + 11s + 59s + 100ms);
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
  RateLimiter limiter(limit(6, 0));
  reserve_many(limiter, 6, t0);  // 0 .. 5 s, leaving the bucket empty at 10 s
  const auto [start, ticket] = limiter.reserve(t0, 0);
  EXPECT_EQ(start, t0 + 10s);
  limiter.release(ticket, t0 + 500ms);  // cancelled while waiting
  limiter.release(ticket, t0 + 500ms);  // twice: no second refund
  // Its request back in the bucket and its second free again: the next caller starts at 10 s
  // (not 20 s, the bucket's next, nor 11 s, the window's) ...
  EXPECT_EQ(limiter.reserve(t0 + 500ms, 0).first, t0 + 10s);
  // ... and the one after it at 20 s (a second refund would have given it 11 s).
  EXPECT_EQ(limiter.reserve(t0 + 500ms, 0).first, t0 + 20s);
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

TEST(RateLimiterTest, CallsAPauseHeldUpAreBookedAgainBehindItThroughTheWindow) {
  RateLimiter limiter(limit(600, 0));  // at most 10 starts in any second
  std::vector<std::pair<time_point, RateLimiter::Ticket>> booked;
  for (int i = 0; i < 30; ++i) booked.push_back(limiter.reserve(t0, 0));  // seconds 0, 1, 2
  // A 429 half a second in pauses everything until t0 + 5 s; 30 more calls arrive meanwhile.
  const time_point now = t0 + 500ms;
  limiter.pause_until(t0 + 5s);
  for (int i = 0; i < 30; ++i) booked.push_back(limiter.reserve(now, 0));
  std::vector<time_point> starts;
  for (auto& [at, ticket] : booked) {
    if (at <= now) {  // started before the pause
      starts.push_back(at);
      continue;
    }
    const auto [again, again_ticket] = limiter.rebook_after_pause(at, ticket, 0, now);
    EXPECT_GE(again, t0 + 5s);
    // Booked again once: a second look changes nothing.
    EXPECT_EQ(limiter.rebook_after_pause(again, again_ticket, 0, now).first, again);
    starts.push_back(again);
  }
  std::sort(starts.begin(), starts.end());
  for (const time_point s : starts) {
    const auto in_second = std::count_if(starts.begin(), starts.end(),
                                         [s](time_point x) { return x > s - 1s && x <= s; });
    EXPECT_LE(in_second, 10) << "at t0 + " << (s - t0).count();
  }
}

TEST(RateLimiterTest, WithoutAPauseABookingIsKept) {
  RateLimiter limiter(limit(60, 0));
  const auto [first_at, first] = limiter.reserve(t0, 0);
  const auto [at, ticket] = limiter.reserve(t0, 0);
  const auto kept = limiter.rebook_after_pause(at, ticket, 0, t0);
  EXPECT_EQ(kept.first, at);
  EXPECT_EQ(kept.second.id, ticket.id);
  (void)first_at;
  (void)first;
}

TEST(RateLimiterTest, APauseAlsoDelaysLimitedCalls) {
  RateLimiter limiter(limit(6, 0));  // refilled one per 10 s; one start a second at most
  const time_point first = limiter.reserve(t0, 0).first;
  limiter.pause_until(t0 + 30s);
  EXPECT_EQ(limiter.may_start_at(first), t0 + 30s);
  const auto after = reserve_many(limiter, 8, t0 + 1s);
  EXPECT_EQ(after.front(), t0 + 30s);
  // The bucket refilled during the pause, not beyond full: 6 starts, one a second ...
  EXPECT_EQ(after[5], t0 + 35s);
  // ... then 0.5 left at 35 s: 5 s for the 7th (an over-full bucket would give 36 s).
  EXPECT_EQ(after[6], t0 + 40s);
  EXPECT_EQ(after[7], t0 + 50s);
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
  RateLimiter limiter(limit(6, 600));  // refilled one per 10 s; one start a second at most
  // Another client of the same key used most of the quota.
  limiter.observe(Headers{{"x-ratelimit-remaining-requests", "2"},
                          {"x-ratelimit-reset-requests", "55s"},
                          {"x-ratelimit-remaining-tokens", "1000000"}},
                  t0);
  const auto starts = reserve_many(limiter, 3, t0);
  EXPECT_EQ(starts[0], t0);
  EXPECT_EQ(starts[1], t0 + 1s);
  EXPECT_EQ(starts[2], t0 + 10s);  // 0.1 left at 1 s: not 2 s, as a full bucket would give
  // A remaining above what the bucket holds does not raise it.
  limiter.observe(Headers{{"x-ratelimit-remaining-requests", "50"}}, t0 + 1s);
  EXPECT_EQ(limiter.reserve(t0 + 1s, 0).first, t0 + 20s);
}

// ---- the one-second window ------------------------------------------------------------------

// What one rolling second may hold under a per-minute limit: max(1, floor(per_minute / 60)).
std::int64_t per_second(std::int64_t per_minute) {
  return std::max<std::int64_t>(1, per_minute / 60);
}

// One granted reservation.
struct Granted {
  time_point start;
  std::int64_t claim = 0;   // the estimate asked for
  std::int64_t tokens = 0;  // as booked: the claim clamped to tokens_per_minute
};

// Calls claiming `claims[i]` tokens each, all reserved at `now`, in call order.
std::vector<Granted> reserve_claims(RateLimiter& limiter, const std::vector<std::int64_t>& claims,
                                    time_point now) {
  std::vector<Granted> granted;
  for (const std::int64_t claim : claims) {
    const auto [start, ticket] = limiter.reserve(now, claim);
    granted.push_back({start, claim, ticket.tokens});
  }
  return granted;
}

std::vector<Granted> reserve_claims(RateLimiter& limiter, std::size_t count, std::int64_t claim,
                                    time_point now) {
  return reserve_claims(limiter, std::vector<std::int64_t>(count, claim), now);
}

// Calls check(s, first, last) for every start s with the calls in the rolling second
// (s - 1 s, s] as indices [first, last) into `granted`, which must be in start order.
template <typename Check>
void for_each_rolling_second(const std::vector<Granted>& granted, Check check) {
  const auto by_start = [](time_point t, const Granted& g) { return t < g.start; };
  for (std::size_t last = 0; last < granted.size();) {
    const time_point s = granted[last].start;
    while (last < granted.size() && granted[last].start == s) ++last;
    const auto first = std::upper_bound(granted.begin(), granted.end(), s - 1s, by_start);
    check(s, static_cast<std::size_t>(first - granted.begin()), last);
  }
}

// The documented schedule in closed form: when the n-th (from 0) of many calls claiming `claim`
// each (1 for requests), all reserved at once on a fresh limiter of `per_minute`, may start, in
// seconds from then. It is the later of
//  - the window's time, floor(n / k) s, where k calls fit in a second (per_second / claim, or 1
//    for a claim above per_second, which starts alone), and
//  - the bucket's time, (claim x (n + 1) - per_minute) x 60 / per_minute s: a full bucket, then
//    per_minute per minute.
// The two do not interact: either k x claim a second is within the refill (per_minute >= 60 and
// claim <= per_second) and the bucket never runs dry, or the window's pace outruns the refill
// and the bucket, once below capacity, never fills up again.
double expected_start(std::int64_t per_minute, std::int64_t claim, std::int64_t n) {
  claim = std::min(claim, per_minute);  // a claim is clamped to the bucket
  const std::int64_t window = per_second(per_minute);
  const std::int64_t k = claim <= window ? window / claim : 1;
  const double window_time = static_cast<double>(n / k);
  const double bucket_time =
      static_cast<double>(claim * (n + 1) - per_minute) * 60.0 / static_cast<double>(per_minute);
  return std::max({0.0, window_time, bucket_time});
}

double seconds_since(time_point start, time_point origin) {
  return std::chrono::duration<double>(start - origin).count();
}

// Calls reserved per case: enough to reach the long-run pace (R = 59 runs one a second for
// 3,480 calls before its bucket binds; R = 60,000 needs more than a minute's worth).
std::size_t calls_for(std::int64_t per_minute) {
  return per_minute == 59 ? 4'000
                          : static_cast<std::size_t>(std::max<std::int64_t>(
                                200, per_minute + 10 * per_second(per_minute)));
}

class RateLimiterWindowTest : public ::testing::TestWithParam<std::int64_t> {};

TEST_P(RateLimiterWindowTest, NoRollingSecondHoldsMoreThanRPerSixtyStarts) {
  const std::int64_t r = GetParam();
  const std::int64_t window = per_second(r);
  RateLimiter limiter(limit(r, 0));
  const auto granted = reserve_claims(limiter, calls_for(r), 0, t0);
  ASSERT_TRUE(std::is_sorted(granted.begin(), granted.end(),
                             [](const auto& a, const auto& b) { return a.start < b.start; }));
  std::int64_t fullest = 0;
  for_each_rolling_second(granted, [&](time_point s, std::size_t first, std::size_t last) {
    const auto held = static_cast<std::int64_t>(last - first);
    EXPECT_LE(held, window) << "the second up to " << seconds_since(s, t0) << " s";
    fullest = std::max(fullest, held);
  });
  EXPECT_EQ(fullest, window);  // the window is used to the full, not only respected
}

TEST_P(RateLimiterWindowTest, StartsFollowTheScheduleAndTheLongRunIsRPerMinute) {
  const std::int64_t r = GetParam();
  RateLimiter limiter(limit(r, 0));
  const auto granted = reserve_claims(limiter, calls_for(r), 0, t0);
  for (std::size_t n = 0; n < granted.size(); ++n) {
    // Bucket times are whole microseconds, rounded up.
    ASSERT_NEAR(seconds_since(granted[n].start, t0),
                expected_start(r, 1, static_cast<std::int64_t>(n)), 1e-5)
        << "start " << n;
  }
  // The last minute's worth of calls took a minute: R per minute, except that a window of
  // one a second caps R = 61 .. 119 at 60 per minute (floor(R / 60) x 60 for larger R).
  const auto per_minute = static_cast<std::size_t>(std::min(r, 60 * per_second(r)));
  ASSERT_GT(granted.size(), per_minute);
  EXPECT_NEAR(seconds_since(granted.back().start, granted[granted.size() - 1 - per_minute].start),
              60.0, 1e-5);
}

TEST_P(RateLimiterWindowTest, ReleaseGivesTheStartsSlotInItsSecondBack) {
  const std::int64_t r = GetParam();
  const std::int64_t window = per_second(r);
  RateLimiter limiter(limit(r, 0));
  RateLimiter::Ticket last;
  for (std::int64_t i = 0; i < window; ++i) {
    const auto [start, ticket] = limiter.reserve(t0, 0);
    ASSERT_EQ(start, t0) << i;  // a fresh limiter fills the first second at once
    last = ticket;
  }
  limiter.release(last, t0);
  limiter.release(last, t0);  // a second release gives nothing more back
  // As if the released call had never been made: the next takes its place in the first second.
  const auto again = reserve_claims(limiter, 2, 0, t0);
  EXPECT_NEAR(seconds_since(again[0].start, t0), expected_start(r, 1, window - 1), 1e-5);
  EXPECT_EQ(again[0].start, t0);
  EXPECT_NEAR(seconds_since(again[1].start, t0), expected_start(r, 1, window), 1e-5);
  EXPECT_GT(again[1].start, t0);
}

TEST_P(RateLimiterWindowTest, NoRollingSecondHoldsMoreThanTPerSixtyTokensAndBigClaimsStartAlone) {
  const std::int64_t t = GetParam();
  const std::int64_t window = per_second(t);
  // Claims below, at and above the window, up to beyond the whole bucket, interleaved.
  const std::vector<std::int64_t> sizes = {1,
                                           window / 2 + 1,
                                           window,
                                           1,
                                           window + 1,
                                           3 * window,
                                           1,
                                           t,
                                           2,
                                           10 * t,
                                           window - 1 > 0 ? window - 1 : 1};
  std::vector<std::int64_t> claims;
  for (int i = 0; i < 200; ++i) claims.insert(claims.end(), sizes.begin(), sizes.end());
  RateLimiter limiter(limit(0, t));
  const auto granted = reserve_claims(limiter, claims, t0);
  ASSERT_TRUE(std::is_sorted(granted.begin(), granted.end(),
                             [](const auto& a, const auto& b) { return a.start < b.start; }));
  int alone = 0;
  int shared = 0;
  for_each_rolling_second(granted, [&](time_point s, std::size_t first, std::size_t last) {
    std::int64_t tokens = 0;
    for (std::size_t i = first; i < last; ++i) tokens += granted[i].tokens;
    if (last - first == 1) {
      alone += granted[first].claim > window ? 1 : 0;
      return;
    }
    ++shared;
    // Several calls in one second: together within the window, and none of them above it.
    EXPECT_LE(tokens, window) << "the second up to " << seconds_since(s, t0) << " s";
    for (std::size_t i = first; i < last; ++i) {
      EXPECT_LE(granted[i].claim, window) << "call " << i << " shares its second";
    }
  });
  EXPECT_GT(alone, 0);  // the big claims were seen, alone
  if (window > 1) {
    EXPECT_GT(shared, 0);  // and small ones shared their seconds
  }
}

TEST_P(RateLimiterWindowTest, TokenStartsFollowTheScheduleAndTheLongRunIsTPerMinute) {
  const std::int64_t t = GetParam();
  const std::int64_t window = per_second(t);
  for (const std::int64_t claim : {std::int64_t{1}, window + 1}) {
    SCOPED_TRACE(::testing::Message() << "claims of " << claim);
    RateLimiter limiter(limit(0, t));
    const auto granted = reserve_claims(limiter, calls_for(t), claim, t0);
    for (std::size_t n = 0; n < granted.size(); ++n) {
      ASSERT_NEAR(seconds_since(granted[n].start, t0),
                  expected_start(t, claim, static_cast<std::int64_t>(n)), 1e-5)
          << "start " << n;
    }
  }
  // One-token claims: the last minute's worth took a minute (60 a minute for T = 61).
  RateLimiter limiter(limit(0, t));
  const auto granted = reserve_claims(limiter, calls_for(t), 1, t0);
  const auto per_minute = static_cast<std::size_t>(std::min(t, 60 * window));
  ASSERT_GT(granted.size(), per_minute);
  EXPECT_NEAR(seconds_since(granted.back().start, granted[granted.size() - 1 - per_minute].start),
              60.0, 1e-5);
}

TEST_P(RateLimiterWindowTest, ReleaseGivesAClaimsTokensInItsSecondBack) {
  const std::int64_t t = GetParam();
  const std::int64_t window = per_second(t);
  RateLimiter limiter(limit(0, t));
  const auto [big_start, big] = limiter.reserve(t0, 10 * t);  // alone in its second
  ASSERT_EQ(big_start, t0);
  limiter.release(big, t0);
  const auto [full_start, full] = limiter.reserve(t0, window);  // fills its second
  EXPECT_EQ(full_start, t0);
  limiter.release(full, t0);
  limiter.release(full, t0);  // a second release gives nothing more back
  // As if neither call had been made.
  const auto again = reserve_claims(limiter, 2, window, t0);
  EXPECT_EQ(again[0].start, t0);
  EXPECT_NEAR(seconds_since(again[1].start, t0), expected_start(t, window, 1), 1e-5);
  EXPECT_GE(again[1].start, t0 + 1s);
}

INSTANTIATE_TEST_SUITE_P(PerMinute, RateLimiterWindowTest,
                         ::testing::Values(1, 59, 60, 61, 600, 60'000),
                         [](const auto& param_info) { return std::to_string(param_info.param); });

TEST(RateLimiterTest, ABigClaimHasItsSecondToItselfAndSmallOnesShareTheirs) {
  RateLimiter limiter(limit(0, 600));  // 10 tokens a second
  EXPECT_EQ(limiter.reserve(t0, 4).first, t0);
  EXPECT_EQ(limiter.reserve(t0, 6).first, t0);        // 10: the second is full
  EXPECT_EQ(limiter.reserve(t0, 11).first, t0 + 1s);  // above 10: alone ...
  EXPECT_EQ(limiter.reserve(t0, 1).first, t0 + 2s);   // ... so even 1 token waits it out
  EXPECT_EQ(limiter.reserve(t0, 9).first, t0 + 2s);
  EXPECT_EQ(limiter.reserve(t0, 1).first, t0 + 3s);
}

TEST(RateLimiterTest, BothWindowsApplyAndTheTighterOneWins) {
  // 10 requests and 10 tokens a second: calls of 3 tokens go 3 a second (the token window) ...
  RateLimiter tokens_bind(limit(600, 600));
  const auto by_tokens = reserve_claims(tokens_bind, 10, 3, t0);
  for (int n = 0; n < 10; ++n) EXPECT_EQ(by_tokens[n].start, t0 + (n / 3) * 1s) << n;
  // ... and with 2 requests a second, calls of 1 token go 2 a second (the request window).
  RateLimiter requests_bind(limit(120, 600));
  const auto by_requests = reserve_claims(requests_bind, 10, 1, t0);
  for (int n = 0; n < 10; ++n) EXPECT_EQ(by_requests[n].start, t0 + (n / 2) * 1s) << n;
}

// ---- threads --------------------------------------------------------------------------------

TEST(RateLimiterTest, ConcurrentReservationsAreGrantedInOrderWithoutLosingAny) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  // A bucket of 30 refilled one per 2 s, one start a second: the n-th start (from 0) is at n s
  // until the bucket runs dry (it holds 30 - n / 2 before the n-th), then one per 2 s.
  constexpr int kPerMinute = 30;
  constexpr int kLastOnePerSecond = 58;
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
    const int n = static_cast<int>(i);
    const auto expected = t0 + (n <= kLastOnePerSecond ? n : 2 * n - kLastOnePerSecond) * 1s;
    // In id (= call) order the times follow the window and the bucket exactly (halves are
    // exact in binary floating point).
    EXPECT_EQ(granted[i].second, expected) << i;
    if (i > 0) {
      EXPECT_GE(granted[i].second, granted[i - 1].second) << i;
    }
  }
}

}  // namespace
}  // namespace lemma::detail
