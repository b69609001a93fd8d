// The retry state machine through a Client on an injected clock: the waits it asks for, with
// and without jitter, and cancellation while waiting. No real sleeping.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "lemma/client.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/testing/fake_clock.hpp"
#include "lemma/testing/mock_transport.hpp"
#include "support/client_helpers.hpp"
#include "support/matchers.hpp"

namespace lemma {
namespace {

using namespace std::chrono_literals;
using test::ErrorKindIs;
using Waits = std::vector<std::chrono::milliseconds>;

struct Fixture {
  std::shared_ptr<testing::MockTransport> mock = std::make_shared<testing::MockTransport>();
  std::shared_ptr<testing::FakeClock> clock = std::make_shared<testing::FakeClock>();

  Client client(RetryPolicy policy) const {
    ClientOptions options;
    options.transport = mock;
    options.clock = clock;
    options.retry = policy;
    return Client(providers::openai_compatible("https://api.example.com/v1"), options);
  }
};

ChatRequest request() {
  return test::user_request("m", "1+1?");
}

TEST(RetryClockTest, DefaultPolicyWithoutJitterWaitsHalfASecondThenOne) {
  Fixture f;
  for (int i = 0; i < 2; ++i) f.mock->enqueue_error_response(503, "overloaded");
  f.mock->enqueue_response(testing::answer("2"));
  RetryPolicy policy;  // the documented defaults: 2 retries, 0.5 s doubling
  policy.jitter = false;
  ASSERT_TRUE(f.client(policy).chat(request()).ok());
  EXPECT_EQ(f.clock->sleeps(), (Waits{500ms, 1000ms}));
}

TEST(RetryClockTest, FullJitterWaitsAtMostTheBackoffAndVariesAcrossCalls) {
  Fixture f;
  RetryPolicy policy;
  policy.max_retries = 5;
  policy.max_backoff = 8s;
  const Client client = f.client(policy);
  for (int call = 0; call < 20; ++call) {
    for (int i = 0; i < 5; ++i) f.mock->enqueue_error_response(500, "boom");
    f.mock->enqueue_response(testing::answer("2"));
    ASSERT_TRUE(client.chat(request()).ok());
  }
  const Waits waits = f.clock->sleeps();
  ASSERT_EQ(waits.size(), 100u);
  const Waits caps = {500ms, 1000ms, 2000ms, 4000ms, 8000ms};
  std::set<std::int64_t> distinct;
  for (std::size_t i = 0; i < waits.size(); ++i) {
    EXPECT_GE(waits[i], 0ms);
    EXPECT_LE(waits[i], caps[i % 5]) << "wait " << i;
    distinct.insert(waits[i].count());
  }
  EXPECT_GT(distinct.size(), 50u) << "jitter must differ between calls";
}

TEST(RetryClockTest, CancelledCallStopsBeforeWaitingAndKeepsItsHistory) {
  Fixture f;
  f.mock->enqueue_error_response(503, "overloaded");
  auto token = std::make_shared<CancellationToken>();
  CallOptions call;
  call.cancellation = token;
  token->cancel();  // cancelled while the first attempt was in flight
  auto result = f.client(RetryPolicy{}).chat(request(), call);
  ASSERT_THAT(result, ErrorKindIs(ErrorKind::cancelled));
  EXPECT_EQ(result.error().history.size(), 1u);
  EXPECT_TRUE(f.clock->sleeps().empty());
}

}  // namespace
}  // namespace lemma
