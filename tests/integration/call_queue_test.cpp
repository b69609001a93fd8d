// ClientOptions::max_concurrent_calls: calls beyond the limit wait their turn, the wait is
// reported, streams hold their place until they end, and waiting honours timeout and
// cancellation.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/metrics.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "support/client_helpers.hpp"
#include "support/matchers.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using std::chrono::milliseconds;
using test::ErrorIs;
using test::IsOk;
using test::Reply;
using ::testing::HasSubstr;

constexpr const char* kAnswer =
    R"({"choices": [{"message": {"role": "assistant", "content": "42"}, "finish_reason": "stop"}]})";
constexpr const char* kFirstEvent =
    "data: {\"choices\": [{\"index\": 0, \"delta\": {\"content\": \"4\"}}]}\n\n";

ChatRequest question(bool stream = false) {
  return test::user_request("m", "6*7?", stream);
}

bool is_stream(const test::RecordedRequest& r) {
  return nlohmann::json::parse(r.body).value("stream", false);
}

class QueueTimes : public Observer {
 public:
  void on_call_end(const CallInfo&, const CallOutcome& outcome) override {
    std::lock_guard<std::mutex> lock(mutex_);
    times_.push_back(outcome.queue_time);
  }
  std::vector<milliseconds> times() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return times_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<milliseconds> times_;
};

// A server whose every answer takes 150 ms and that records how many it answered at once.
struct SlowServer {
  std::atomic<int> in_flight{0};
  std::atomic<int> most{0};
  test::TestServer server{[this](const test::RecordedRequest&) {
    const int now = ++in_flight;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(milliseconds(150));
    --in_flight;
    return Reply::json(200, kAnswer);
  }};
};

// Runs `n` chat calls on `client` at once; returns how many succeeded.
int chat_at_once(const Client& client, int n) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&] { ok += client.chat(question()).ok() ? 1 : 0; });
  }
  for (auto& thread : threads) thread.join();
  return ok.load();
}

TEST(CallQueueTest, LimitsCallsInFlightAndReportsTheWait) {
  SlowServer slow;
  test::TestServer& server = slow.server;
  auto times = std::make_shared<QueueTimes>();
  auto metrics = std::make_shared<Metrics>();
  ClientOptions options;
  options.max_concurrent_calls = 2;
  options.observer = times;
  const Client client(providers::openai_compatible(server.base_url()), options);
  ClientOptions metered = options;
  metered.observer = metrics;
  const Client metered_client(providers::openai_compatible(server.base_url()), metered);

  EXPECT_EQ(chat_at_once(client, 6), 6);
  EXPECT_EQ(slow.most.load(), 2);
  const auto waited = times->times();
  ASSERT_EQ(waited.size(), 6u);
  // Six calls of 150 ms, two at a time: two go at once, the others wait for a place.
  std::vector<milliseconds> sorted = waited;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_LT(sorted[1], milliseconds(100));
  EXPECT_GE(sorted[2], milliseconds(100));
  EXPECT_GE(sorted[5], milliseconds(250));

  // The built-in Metrics keeps queue-time percentiles.
  EXPECT_EQ(chat_at_once(metered_client, 4), 4);
  const MetricsSnapshot snapshot = metrics->snapshot();
  ASSERT_EQ(snapshot.entries.size(), 1u);
  EXPECT_EQ(snapshot.entries[0].queue_time.count, 4u);
  EXPECT_GE(snapshot.entries[0].queue_time.max_ms, 100.0);
  EXPECT_TRUE(snapshot.to_json()["entries"][0].contains("queue_time"));
  EXPECT_THAT(snapshot.to_text(), HasSubstr("queue_p90"));
}

TEST(CallQueueTest, AStreamHoldsItsPlaceUntilItEnds) {
  test::TestServer server([](const test::RecordedRequest& r) {
    if (!is_stream(r)) return Reply::json(200, kAnswer);
    if (r.body.find("endless") != std::string::npos) {
      return Reply::chunked(200).chunk(kFirstEvent).stall();
    }
    return Reply::chunked(200).chunk(kFirstEvent).chunk("data: [DONE]\n\n").end_chunks();
  });
  ClientOptions options;
  options.max_concurrent_calls = 1;
  options.queue_timeout = milliseconds(200);
  const Client client(providers::openai_compatible(server.base_url()), options);
  {
    ChatRequest endless = question(true);
    endless.messages = {Message::user("endless")};
    ChatStream stream = client.stream(endless);
    ASSERT_NE(stream.next(), nullptr);
    const auto start = std::chrono::steady_clock::now();
    auto refused = client.chat(question());
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
    ASSERT_THAT(refused, ErrorIs(ErrorKind::timeout, HasSubstr("max_concurrent_calls")));
    EXPECT_EQ(refused.error().code, "queue_timeout");
    EXPECT_EQ(server.requests().size(), 1u);  // nothing was sent for the refused call
  }                                           // destroying the stream gives its place up
  EXPECT_THAT(client.chat(question()), IsOk());

  // A stream that ended gives its place up even while the ChatStream object lives on.
  ChatStream finished = client.stream(question(true));
  while (finished.next() != nullptr) {
  }
  ASSERT_FALSE(finished.error().has_value()) << finished.error()->what();
  EXPECT_THAT(client.chat(question()), IsOk());
}

TEST(CallQueueTest, CancellationEndsTheWait) {
  test::TestServer server(
      [](const test::RecordedRequest&) { return Reply::chunked(200).chunk(kFirstEvent).stall(); });
  ClientOptions options;
  options.max_concurrent_calls = 1;
  options.queue_timeout = milliseconds(0);  // wait as long as it takes
  const Client client(providers::openai_compatible(server.base_url()), options);
  ChatStream holder = client.stream(question(true));
  ASSERT_NE(holder.next(), nullptr);

  CallOptions call;
  auto token = std::make_shared<CancellationToken>();
  call.cancellation = token;
  std::thread canceller([token] {
    std::this_thread::sleep_for(milliseconds(100));
    token->cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  auto waited = client.chat(question(), call);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  canceller.join();
  EXPECT_THAT(waited, ErrorIs(ErrorKind::cancelled, HasSubstr("waiting")));
  EXPECT_GE(elapsed, milliseconds(90));
  EXPECT_LT(elapsed, milliseconds(2000));
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(CallQueueTest, WithoutALimitNothingWaits) {
  SlowServer slow;
  auto times = std::make_shared<QueueTimes>();
  ClientOptions options;  // max_concurrent_calls = 0 by default
  options.observer = times;
  const Client client(providers::openai_compatible(slow.server.base_url()), options);
  EXPECT_EQ(chat_at_once(client, 3), 3);
  EXPECT_EQ(slow.most.load(), 3);
  ASSERT_EQ(times->times().size(), 3u);
  for (milliseconds waited : times->times()) EXPECT_EQ(waited, milliseconds(0));
}

TEST(CallQueueTest, QueueTimeoutOutOfRangeIsTypedNotAHang) {
  test::TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  ClientOptions options;
  options.max_concurrent_calls = 1;
  options.queue_timeout = milliseconds(-5);
  auto refused = Client(providers::openai_compatible(server.base_url()), options).chat(question());
  ASSERT_THAT(refused, ErrorIs(ErrorKind::invalid_request, HasSubstr("queue_timeout")));
  EXPECT_EQ(refused.error().param, "queue_timeout");
  // The same for an async call, and with no limit on calls in flight.
  options.max_concurrent_calls = 0;
  EXPECT_THAT(
      Client(providers::openai_compatible(server.base_url()), options).chat_async(question()).get(),
      ErrorIs(ErrorKind::invalid_request, HasSubstr("queue_timeout")));
  options.max_concurrent_calls = 1;
  EXPECT_TRUE(server.requests().empty());
  // milliseconds::max() means "no limit" (it must not overflow the clock into an instant
  // timeout).
  options.queue_timeout = milliseconds::max();
  EXPECT_THAT(Client(providers::openai_compatible(server.base_url()), options).chat(question()),
              IsOk());
}

}  // namespace
}  // namespace lemma
