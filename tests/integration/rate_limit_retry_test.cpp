// A retry is a request too: under ClientOptions::rate_limit it takes a start slot of its own,
// so a 503 storm cannot push a batch past --rpm. Blocking and async, on a FakeClock.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "lemma/client.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/testing/fake_clock.hpp"
#include "support/client_helpers.hpp"
#include "support/matchers.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using namespace std::chrono_literals;
using test::IsOk;
using test::Reply;
using test::TestServer;

const char* const kAnswer =
    R"({"choices": [{"message": {"role": "assistant", "content": "4"}, "finish_reason": "stop"}]})";

class RateLimitRetryTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RateLimitRetryTest, ARetryWaitsForItsOwnStartSlot) {
  std::atomic<int> seen{0};
  TestServer server([&seen](const test::RecordedRequest&) {
    return seen++ == 0 ? Reply::json(503, R"({"error": {"message": "busy"}})")
                       : Reply::json(200, kAnswer);
  });
  auto clock = std::make_shared<testing::FakeClock>();
  ClientOptions options;
  options.clock = clock;
  options.rate_limit.requests_per_minute = 60;  // one start in any rolling second
  options.retry.max_retries = 1;
  options.retry.initial_backoff = 10ms;
  options.retry.jitter = false;
  Client client(providers::openai_compatible(server.base_url(), "sk-test-SECRET-retry"), options);
  const ChatRequest request = test::user_request("m", "2+2?");

  auto response = GetParam() == "sync" ? client.chat(request) : client.chat_async(request).get();
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(seen.load(), 2);
  // The first attempt started at 0; its retry could go after 10 ms of backoff, but the window
  // holds it until the second after the first start.
  EXPECT_EQ(clock->slept(), 1000ms);
}

TEST_P(RateLimitRetryTest, WithoutLimitsARetryWaitsOnlyItsBackoff) {
  std::atomic<int> seen{0};
  TestServer server([&seen](const test::RecordedRequest&) {
    return seen++ == 0 ? Reply::json(503, R"({"error": {"message": "busy"}})")
                       : Reply::json(200, kAnswer);
  });
  auto clock = std::make_shared<testing::FakeClock>();
  ClientOptions options;
  options.clock = clock;
  options.retry.max_retries = 1;
  options.retry.initial_backoff = 10ms;
  options.retry.jitter = false;
  Client client(providers::openai_compatible(server.base_url(), "sk-test-SECRET-retry"), options);
  const ChatRequest request = test::user_request("m", "2+2?");

  auto response = GetParam() == "sync" ? client.chat(request) : client.chat_async(request).get();
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(clock->slept(), 10ms);
}

INSTANTIATE_TEST_SUITE_P(Modes, RateLimitRetryTest, ::testing::Values("sync", "async"));

}  // namespace
}  // namespace lemma
