// Observer events, lemma::Metrics and the log sink, through real calls on loopback.

#include <atomic>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/metrics.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/testing/fake_clock.hpp"
#include "support/matchers.hpp"
#include "support/stream_fixtures.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using namespace std::chrono_literals;
using test::IsOk;
using test::Reply;
using test::TestServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const char* const kAnswer = R"({"choices": [{"message": {"role": "assistant", "content": "4"}}],
  "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15,
            "completion_tokens_details": {"reasoning_tokens": 3}}})";

ChatRequest request_for(const std::string& model, const std::string& text = "q") {
  ChatRequest request;
  request.model = model;
  request.messages = {Message::user(text)};
  return request;
}

RetryPolicy fast_retry() {
  RetryPolicy policy;
  policy.initial_backoff = 5ms;
  policy.jitter = false;
  return policy;
}

// Records every event as a line.
class RecordingObserver : public Observer {
 public:
  void on_call_start(const CallInfo& call) override {
    add("start " + call.operation + " " + call.model);
  }
  void on_attempt_end(const CallInfo&, const AttemptInfo& attempt) override {
    add("attempt " + std::to_string(attempt.attempt) + (attempt.will_retry ? " retry" : "") +
        (attempt.error ? " " + std::string(to_string(attempt.error->kind)) : " ok"));
  }
  void on_first_token(const CallInfo&, std::chrono::milliseconds) override { add("first_token"); }
  void on_chunk(const CallInfo&, const ChatChunk&) override { ++chunks; }
  void on_call_end(const CallInfo&, const CallOutcome& outcome) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      last_error_ = outcome.error;
    }
    add(std::string("end ") + (outcome.error ? std::string(to_string(outcome.error->kind)) : "ok") +
        " attempts=" + std::to_string(outcome.attempts) +
        (outcome.usage ? " tokens=" + std::to_string(outcome.usage->total_tokens) : ""));
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }
  std::optional<Error> last_error() {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_error_;
  }
  std::atomic<int> chunks{0};

 private:
  void add(std::string line) {
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.push_back(std::move(line));
  }
  std::mutex mutex_;
  std::vector<std::string> lines_;
  std::optional<Error> last_error_;
};

TEST(ObserverTest, ChatWithOneRetryReportsEachStep) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    return ++seen == 1 ? Reply::json(503, "{}") : Reply::json(200, kAnswer);
  });
  auto observer = std::make_shared<RecordingObserver>();
  ClientOptions options;
  options.observer = observer;
  options.retry = fast_retry();
  ASSERT_THAT(
      Client(providers::openai_compatible(server.base_url()), options).chat(request_for("m")),
      IsOk());
  EXPECT_THAT(observer->lines(), ElementsAre("start chat m", "attempt 1 retry server_error",
                                             "attempt 2 ok", "end ok attempts=2 tokens=15"));
}

TEST(ObserverTest, AttemptsReportConnectTimeAndReuse) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  struct ConnectTimes : Observer {
    std::vector<std::optional<std::chrono::milliseconds>> times;
    void on_attempt_end(const CallInfo&, const AttemptInfo& attempt) override {
      times.push_back(attempt.connect_time);
    }
  };
  auto observer = std::make_shared<ConnectTimes>();
  ClientOptions options;
  options.observer = observer;
  Client client(providers::openai_compatible(server.base_url()), options);
  ASSERT_THAT(client.chat(request_for("m")), IsOk());
  ASSERT_THAT(client.chat(request_for("m")), IsOk());
  ASSERT_EQ(observer->times.size(), 2u);
  ASSERT_TRUE(observer->times[0].has_value());
  ASSERT_TRUE(observer->times[1].has_value());
  EXPECT_EQ(*observer->times[1], 0ms);  // the pooled connection was reused
  EXPECT_EQ(server.connection_count(), 1);
}

TEST(ObserverTest, StreamReportsFirstTokenChunksAndEnd) {
  const std::string sse = test::read_fixture("streams/vllm.sse");
  TestServer server(
      [&](const test::RecordedRequest&) { return Reply::chunked(200).chunk(sse).end_chunks(); });
  auto observer = std::make_shared<RecordingObserver>();
  ClientOptions options;
  options.observer = observer;
  Client client(providers::openai_compatible(server.base_url()), options);
  {
    ChatStream stream = client.stream(request_for("math"));
    for (const ChatChunk& chunk : stream) (void)chunk;
    ASSERT_FALSE(stream.error().has_value());
  }
  EXPECT_THAT(observer->lines(), ElementsAre("start stream math", "attempt 1 ok", "first_token",
                                             "end ok attempts=1 tokens=71"));
  EXPECT_EQ(observer->chunks.load(), 40);
}

TEST(ObserverTest, AbandonedStreamIsStillReported) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::chunked(200)
        .chunk(R"(data: {"choices": [{"delta": {"content": "x"}}]})"
               "\n\n")
        .stall();
  });
  auto observer = std::make_shared<RecordingObserver>();
  ClientOptions options;
  options.observer = observer;
  Client client(providers::openai_compatible(server.base_url()), options);
  {
    ChatStream stream = client.stream(request_for("m"));
    ASSERT_NE(stream.next(), nullptr);
  }  // destroyed mid-stream
  EXPECT_EQ(observer->lines().back(), "end cancelled attempts=1");
  ASSERT_TRUE(observer->last_error().has_value());
  EXPECT_EQ(observer->last_error()->phase, ErrorPhase::mid_stream);
}

TEST(ObserverTest, StreamCutBeforeItsFirstChunkIsAFailedAttemptThatIsRetried) {
  const std::string sse = test::read_fixture("streams/vllm.sse");
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    if (++seen == 1) return Reply::chunked(200).close();  // headers, then nothing
    return Reply::chunked(200).chunk(sse).end_chunks();
  });
  auto observer = std::make_shared<RecordingObserver>();
  ClientOptions options;
  options.observer = observer;
  options.clock = std::make_shared<testing::FakeClock>();
  Client client(providers::openai_compatible(server.base_url()), options);
  {
    ChatStream stream = client.stream(request_for("math"));
    for (const ChatChunk& chunk : stream) (void)chunk;
    ASSERT_FALSE(stream.error().has_value()) << stream.error()->what();
  }
  EXPECT_THAT(observer->lines(),
              ElementsAre("start stream math", "attempt 1 retry connection", "attempt 2 ok",
                          "first_token", "end ok attempts=2 tokens=71"));
  EXPECT_EQ(observer->chunks.load(), 40) << "each chunk once";
}

TEST(MetricsTest, CountsSuccessRateRetriesTokensAndLatency) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest& r) {
    ++seen;
    if (r.body.find("bad") != std::string::npos)
      return Reply::json(400, R"({"error": {"message": "no"}})");
    if (r.body.find("flaky") != std::string::npos && seen % 2 == 1) return Reply::json(503, "{}");
    return Reply::json(200, kAnswer);
  });
  auto metrics = std::make_shared<Metrics>();
  ClientOptions options;
  options.observer = metrics;
  options.retry = fast_retry();
  Client client(providers::openai_compatible(server.base_url()), options);
  for (int i = 0; i < 3; ++i) ASSERT_THAT(client.chat(request_for("prover")), IsOk());
  EXPECT_FALSE(client.chat(request_for("prover", "bad")).ok());
  ASSERT_THAT(client.chat(request_for("prover", "flaky")), IsOk());
  ASSERT_THAT(client.chat(request_for("other")), IsOk());

  const MetricsSnapshot snapshot = metrics->snapshot();
  ASSERT_EQ(snapshot.entries.size(), 2u);
  const MetricsEntry& prover = snapshot.entries[1];
  EXPECT_EQ(prover.model, "prover");
  EXPECT_EQ(prover.provider, "openai_compatible");
  EXPECT_EQ(prover.calls, 5u);
  EXPECT_EQ(prover.successes, 4u);
  EXPECT_EQ(prover.failures, 1u);
  EXPECT_DOUBLE_EQ(prover.success_rate(), 0.8);
  EXPECT_EQ(prover.retries, 1u);
  EXPECT_EQ(prover.errors_by_kind.at("invalid_request"), 1u);
  EXPECT_EQ(prover.prompt_tokens, 40u);
  EXPECT_EQ(prover.completion_tokens, 20u);
  EXPECT_EQ(prover.reasoning_tokens, 12u);
  EXPECT_EQ(prover.latency.count, 5u);
  EXPECT_GE(prover.latency.p99_ms, prover.latency.p50_ms);
  EXPECT_EQ(snapshot.entries[0].calls, 1u);

  EXPECT_THAT(snapshot.to_text(), HasSubstr("prover"));
  EXPECT_THAT(snapshot.to_text(), HasSubstr("80.0%"));
  EXPECT_THAT(snapshot.to_text(), HasSubstr("invalid_request: 1"));
  const auto json = snapshot.to_json();
  EXPECT_EQ(json["entries"][1]["calls"], 5);
  EXPECT_EQ(json["entries"][1]["latency"]["count"], 5);
  metrics->reset();
  EXPECT_TRUE(metrics->snapshot().entries.empty());
}

TEST(MetricsTest, IsThreadSafeAcrossClientsAndThreads) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  auto metrics = std::make_shared<Metrics>();
  ClientOptions options;
  options.observer = metrics;
  const Client client(providers::openai_compatible(server.base_url()), options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) (void)client.chat(request_for("m"));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(metrics->snapshot().entries.at(0).calls, 40u);
}

TEST(MetricsHistogramTest, PercentilesAreBucketBoundsNeverAboveTheMax) {
  Metrics::Histogram histogram;
  for (int i = 1; i <= 100; ++i) histogram.add(std::chrono::milliseconds(i));
  const LatencySummary s = histogram.summary();
  EXPECT_EQ(s.count, 100u);
  EXPECT_GE(s.p50_ms, 50);
  EXPECT_LE(s.p50_ms, 50 * 1.19 + 1);
  EXPECT_GE(s.p90_ms, 90);
  EXPECT_LE(s.p90_ms, 100);
  EXPECT_GE(s.p99_ms, 99);
  EXPECT_EQ(s.max_ms, 100);
  EXPECT_EQ(Metrics::Histogram().summary().count, 0u);
}

TEST(LogSinkTest, RespectsTheLevelAndExplainsRetries) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    return ++seen == 1 ? Reply::json(500, "{}") : Reply::json(200, kAnswer);
  });
  std::vector<std::pair<LogLevel, std::string>> lines;
  ClientOptions options;
  options.retry = fast_retry();
  options.log_level = LogLevel::warning;
  options.log_sink = [&](LogLevel level, std::string_view line) {
    lines.emplace_back(level, line);
  };
  ASSERT_THAT(
      Client(providers::openai_compatible(server.base_url(), "k"), options).chat(request_for("m")),
      IsOk());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].first, LogLevel::warning);
  EXPECT_THAT(lines[0].second, HasSubstr("attempt 1 failed"));
  EXPECT_THAT(lines[0].second, HasSubstr("retrying in 5 ms"));

  lines.clear();
  options.log_level = LogLevel::debug;
  ASSERT_THAT(
      Client(providers::openai_compatible(server.base_url(), "k"), options).chat(request_for("m")),
      IsOk());
  ASSERT_GE(lines.size(), 2u);
  EXPECT_THAT(lines[0].second, HasSubstr("POST http://127.0.0.1"));
  EXPECT_THAT(lines[0].second, HasSubstr("Authorization: [REDACTED]"));
}

}  // namespace
}  // namespace lemma
