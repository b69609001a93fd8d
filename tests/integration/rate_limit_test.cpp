// ClientOptions::rate_limit, x-ratelimit-* headers and 429 pauses, through the public API,
// blocking and async alike, on lemma::testing::FakeClock: the tests assert the waits lemma
// asked for instead of spending them.

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/metrics.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/testing/fake_clock.hpp"
#include "support/client_helpers.hpp"
#include "support/matchers.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using namespace std::chrono_literals;
using test::ErrorKindIs;
using test::IsOk;
using test::Reply;
using test::TestServer;
using ::testing::Contains;
using ::testing::Each;
using ::testing::Le;

const char* const kAnswer =
    R"({"choices": [{"message": {"role": "assistant", "content": "4"}, "finish_reason": "stop"}],)"
    R"( "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10}})";

// Records every call's queue time.
class Outcomes : public Observer {
 public:
  void on_call_end(const CallInfo&, const CallOutcome& outcome) override {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_times_.push_back(outcome.queue_time);
  }
  std::vector<std::chrono::milliseconds> queue_times() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return queue_times_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::chrono::milliseconds> queue_times_;
};

// Runs one chat call in the test's mode: "sync" (chat) or "async" (chat_async).
Result<ChatResponse> call(const Client& client, const std::string& mode,
                          const ChatRequest& request = test::user_request("m", "2+2?")) {
  return mode == "sync" ? client.chat(request) : client.chat_async(request).get();
}

class RateLimitTest : public ::testing::TestWithParam<std::string> {
 protected:
  Client make_client(const TestServer& server, ClientOptions options) {
    options.clock = clock_;
    return Client(providers::openai_compatible(server.base_url(), "sk-test-SECRET-rate"),
                  std::move(options));
  }
  std::chrono::milliseconds waited() const { return clock_->slept(); }
  std::shared_ptr<testing::FakeClock> clock_ = std::make_shared<testing::FakeClock>();
};

TEST_P(RateLimitTest, RequestsPerMinuteSpreadTheBurstOverSecondsThenSpaceTheRest) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  ClientOptions options = test::single_attempt();
  // A bucket of 2, refilled one per 30 s, and at most max(1, 2 / 60) = 1 start a second.
  options.rate_limit.requests_per_minute = 2;
  Client client = make_client(server, options);
  ASSERT_THAT(call(client, GetParam()), IsOk());
  ASSERT_THAT(call(client, GetParam()), IsOk());
  EXPECT_EQ(waited(), 1s);  // the burst of 2, one a second
  ASSERT_THAT(call(client, GetParam()), IsOk());
  EXPECT_EQ(waited(), 30s);  // the third waits for the refill: 30 s after the first
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST_P(RateLimitTest, NoSecondHoldsMoreThanAMinutesLimitOverSixty) {
  // Issue 12: --rpm N never starts more than N / 60 requests in any rolling second, nor --tpm
  // more than its sixtieth in estimated tokens. The server notes when (on the fake clock) each
  // request arrives.
  std::mutex mutex;
  std::vector<Clock::time_point> arrivals;
  TestServer server([&](const test::RecordedRequest&) {
    std::lock_guard<std::mutex> lock(mutex);
    arrivals.push_back(clock_->now());
    return Reply::json(200, kAnswer);
  });
  const auto arrived = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<std::chrono::milliseconds> since_first;
    for (const auto& at : arrivals) {
      since_first.push_back(
          std::chrono::duration_cast<std::chrono::milliseconds>(at - arrivals[0]));
    }
    arrivals.clear();
    return since_first;
  };
  using Times = std::vector<std::chrono::milliseconds>;

  // 120 requests a minute: 2 a second, though the bucket would let all 120 through at once.
  ClientOptions by_requests = test::single_attempt();
  by_requests.rate_limit.requests_per_minute = 120;
  Client requests_client = make_client(server, by_requests);
  for (int i = 0; i < 6; ++i) ASSERT_THAT(call(requests_client, GetParam()), IsOk());
  EXPECT_EQ(arrived(), (Times{0s, 0s, 1s, 1s, 2s, 2s}));

  // 600 tokens a minute: 10 a second. Calls estimated at 5 tokens go 2 a second ...
  ClientOptions by_tokens = test::single_attempt();
  by_tokens.rate_limit.tokens_per_minute = 600;
  Client tokens_client = make_client(server, by_tokens);
  ChatRequest small = test::user_request("m", "2+2?");  // 1 prompt token
  small.sampling.max_tokens = 4;
  for (int i = 0; i < 4; ++i) ASSERT_THAT(call(tokens_client, GetParam(), small), IsOk());
  EXPECT_EQ(arrived(), (Times{0s, 0s, 1s, 1s}));
  // ... and one estimated above 10 has its second to itself.
  ChatRequest big = small;
  big.sampling.max_tokens = 20;
  ASSERT_THAT(call(tokens_client, GetParam(), small), IsOk());
  ASSERT_THAT(call(tokens_client, GetParam(), big), IsOk());
  ASSERT_THAT(call(tokens_client, GetParam(), small), IsOk());
  EXPECT_EQ(arrived(), (Times{0s, 1s, 2s}));
}

TEST_P(RateLimitTest, TokensPerMinuteCountTheEstimateThenTheReportedUsage) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  ClientOptions options = test::single_attempt();
  options.rate_limit.tokens_per_minute = 600;  // 10 tokens per second
  Client client = make_client(server, options);
  ChatRequest big = test::user_request("m", "2+2?");
  big.sampling.max_tokens = 580;  // plus a prompt token or two: most of the bucket
  ASSERT_THAT(call(client, GetParam(), big), IsOk());
  // The server reported 10 tokens: the rest of the estimate came back, so a second call of
  // the same size waits only for the first one's second to pass (a claim above 600 / 60 = 10
  // tokens starts alone in its second), not 56 s for the bucket.
  ASSERT_THAT(call(client, GetParam(), big), IsOk());
  EXPECT_EQ(waited(), 1s);
  // Likewise a call estimated at nearly the whole bucket: the 9 tokens it misses come within
  // its second's wait (without the correction: about a minute).
  big.sampling.max_tokens = 598;
  ASSERT_THAT(call(client, GetParam(), big), IsOk());
  EXPECT_EQ(waited(), 2s);
}

TEST_P(RateLimitTest, A429PausesTheWholeClientForItsRetryAfter) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    if (seen++ == 0) {
      Headers headers;
      headers.set("Retry-After", "7");
      return Reply::json(429, R"({"error": {"message": "slow down"}})", headers);
    }
    return Reply::json(200, kAnswer);
  });
  ClientOptions options = test::single_attempt();  // the first call gives up at once
  Client client = make_client(server, options);
  EXPECT_THAT(call(client, GetParam()), ErrorKindIs(ErrorKind::rate_limited));
  // Another call of the same Client waits out the pause before it sends anything.
  ASSERT_THAT(call(client, GetParam()), IsOk());
  EXPECT_THAT(clock_->sleeps(), Contains(7s));
  EXPECT_EQ(seen.load(), 2);
}

TEST_P(RateLimitTest, RemainingZeroWaitsForTheResetTheServerNamed) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    Headers headers;
    if (seen++ == 0) {
      headers.set("x-ratelimit-remaining-requests", "0");
      headers.set("x-ratelimit-reset-requests", "6m0s");
    }
    return Reply::json(200, kAnswer, headers);
  });
  Client client = make_client(server, test::single_attempt());
  ASSERT_THAT(call(client, GetParam()), IsOk());
  ASSERT_THAT(call(client, GetParam()), IsOk());
  EXPECT_EQ(waited(), 6min);
}

TEST_P(RateLimitTest, ServersWithoutHeadersAndNoLimitNeverWait) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  Client client = make_client(server, test::single_attempt());
  for (int i = 0; i < 5; ++i) ASSERT_THAT(call(client, GetParam()), IsOk());
  EXPECT_EQ(waited(), 0ms);
}

TEST_P(RateLimitTest, NegativeLimitsAreACallerMistakeBeforeAnyIo) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  ClientOptions options = test::single_attempt();
  options.rate_limit.tokens_per_minute = -1;
  Client client = make_client(server, options);
  EXPECT_THAT(call(client, GetParam()), ErrorKindIs(ErrorKind::invalid_request));
  EXPECT_TRUE(server.requests().empty());
}

INSTANTIATE_TEST_SUITE_P(Modes, RateLimitTest, ::testing::Values("sync", "async"),
                         [](const auto& param_info) { return param_info.param; });

TEST(RateLimitAsyncTest, CallsWaitInLineFirstComeFirstServedAndQueueTimeIsReported) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  auto clock = std::make_shared<testing::FakeClock>();
  ClientOptions options = test::single_attempt();
  options.clock = clock;
  options.rate_limit.requests_per_minute = 1;  // one now, then one a minute
  options.max_concurrent_calls = 1;            // one at a time: the server sees the order sent
  auto outcomes = std::make_shared<Outcomes>();
  options.observer = outcomes;
  Client client(providers::openai_compatible(server.base_url(), "sk-test-SECRET-rate"), options);
  std::vector<Future<Result<ChatResponse>>> futures;
  for (int i = 0; i < 4; ++i) {
    futures.push_back(client.chat_async(test::user_request("m", std::to_string(i))));
  }
  for (auto& future : futures) ASSERT_THAT(future.get(), IsOk());
  // Three waits of a minute each, one per call after the first.
  EXPECT_EQ(clock->slept(), 3min);
  // The wait is queue time, not part of any timeout: the first call waited for nothing, each
  // later one for its minute (plus its real time in line).
  const auto queued = outcomes->queue_times();  // in the order the calls ended
  ASSERT_EQ(queued.size(), 4u);
  EXPECT_LT(queued[0], 1min);
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_GE(queued[i], 1min);
    EXPECT_LT(queued[i], 2min);
  }
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(
        nlohmann::json::parse(requests[static_cast<std::size_t>(i)].body)["messages"][0]["content"],
        std::to_string(i));  // in the order they were made
  }
}

TEST(RateLimitAsyncTest, CancellingACallWaitingForTheLimitEndsItAtOnce) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  ClientOptions options = test::single_attempt();
  options.rate_limit.requests_per_minute = 1;
  Client client(providers::openai_compatible(server.base_url(), "sk-test-SECRET-rate"), options);
  ASSERT_THAT(client.chat_async(test::user_request("m", "1")).get(), IsOk());
  Future<Result<ChatResponse>> waiting = client.chat_async(test::user_request("m", "2"));
  EXPECT_FALSE(waiting.wait_for(50ms));  // a minute to go on the real clock
  waiting.cancel();
  ASSERT_TRUE(waiting.wait_for(10s));
  Result<ChatResponse> result = waiting.get();
  ASSERT_THAT(result, ErrorKindIs(ErrorKind::cancelled));
  EXPECT_EQ(result.error().phase, ErrorPhase::before_send);
  EXPECT_EQ(server.requests().size(), 1u);
}

}  // namespace
}  // namespace lemma
