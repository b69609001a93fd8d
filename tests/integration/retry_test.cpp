// The retry loop end to end: a loopback server fails in scripted ways, the Client retries.

#include <atomic>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/testing/fake_clock.hpp"
#include "support/matchers.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using namespace std::chrono_literals;
using test::ErrorIs;
using test::ErrorKindIs;
using test::IsOk;
using test::Reply;
using test::TestServer;
using ::testing::HasSubstr;

const char* const kAnswer =
    R"({"choices": [{"message": {"role": "assistant", "content": "\\boxed{4}"}, "finish_reason": "stop"}]})";

ChatRequest math_request() {
  ChatRequest request;
  request.model = "m";
  request.messages = {Message::user("2+2?")};
  return request;
}

// Small backoff without jitter, so the waits asked for are exact. Tests inject a FakeClock
// (make_client) and assert the waits instead of sleeping through them.
RetryPolicy fast_policy(int retries = 2) {
  RetryPolicy policy;
  policy.max_retries = retries;
  policy.initial_backoff = 20ms;
  policy.max_backoff = 80ms;
  policy.jitter = false;
  return policy;
}

Client make_client(const TestServer& server, RetryPolicy policy = fast_policy(),
                   std::shared_ptr<const Clock> clock = std::make_shared<testing::FakeClock>()) {
  ClientOptions options;
  options.retry = policy;
  options.clock = std::move(clock);
  return Client(providers::openai_compatible(server.base_url(), "k"), options);
}

using Waits = std::vector<std::chrono::milliseconds>;

// Fails the first `failures` requests with `failure`, then answers.
struct FlakyServer {
  std::atomic<int> seen{0};
  TestServer server;
  FlakyServer(int failures, std::function<Reply()> failure)
      : server([this, failures, failure](const test::RecordedRequest&) {
          return ++seen <= failures ? failure() : Reply::json(200, kAnswer);
        }) {}
};

TEST(RetryTest, ServerErrorsThenSuccess) {
  for (int status : {500, 502, 503, 504, 408, 409}) {
    FlakyServer flaky(
        2, [status] { return Reply::json(status, R"({"error": {"message": "busy"}})"); });
    auto response = make_client(flaky.server).chat(math_request());
    ASSERT_THAT(response, IsOk()) << status;
    EXPECT_EQ(flaky.seen.load(), 3) << status;
  }
}

TEST(RetryTest, ExhaustedRetriesReportAttemptsAndHistory) {
  FlakyServer flaky(100,
                    [] { return Reply::json(503, R"({"error": {"message": "overloaded"}})"); });
  auto clock = std::make_shared<testing::FakeClock>();
  auto result = make_client(flaky.server, fast_policy(), clock).chat(math_request());
  ASSERT_THAT(result, ErrorIs(ErrorKind::server_error, HasSubstr("gave up after 3 attempts")));
  EXPECT_EQ(flaky.seen.load(), 3);
  const Error& e = result.error();
  EXPECT_EQ(e.attempts, 3);
  ASSERT_EQ(e.history.size(), 3u);
  EXPECT_EQ(e.history[0].delay, 20ms);
  EXPECT_EQ(e.history[1].delay, 40ms);
  EXPECT_EQ(e.history[2].delay, 0ms);
  EXPECT_EQ(e.history[2].http_status, 503);
  EXPECT_EQ(clock->sleeps(), (Waits{20ms, 40ms}));
  EXPECT_EQ(e.give_up, GiveUpReason::attempts_exhausted);
  EXPECT_EQ(e.phase, ErrorPhase::response_started);
}

TEST(RetryTest, PermanentErrorsAreNotRetried) {
  for (const auto& [status, body] : std::vector<std::pair<int, std::string>>{
           {400, R"({"error": {"message": "bad"}})"},
           {401, R"({"error": {"message": "key"}})"},
           {403, R"({"error": {"message": "no"}})"},
           {404, R"({"error": {"message": "model"}})"},
           {422, R"({"detail": "bad"})"},
           {429, R"({"error": {"message": "quota", "code": "insufficient_quota"}})"}}) {
    FlakyServer flaky(100, [&] { return Reply::json(status, body); });
    auto result = make_client(flaky.server).chat(math_request());
    EXPECT_FALSE(result.ok()) << status;
    EXPECT_EQ(flaky.seen.load(), 1) << status;
    EXPECT_EQ(result.error().attempts, 1);
    EXPECT_EQ(result.error().give_up, GiveUpReason::not_retryable) << status;
    EXPECT_EQ(result.error().phase, ErrorPhase::response_started) << status;
  }
}

TEST(RetryTest, ShouldRetryHeaderOverridesTheStatus) {
  FlakyServer no(100, [] { return Reply::json(503, "{}", {{"x-should-retry", "false"}}); });
  EXPECT_FALSE(make_client(no.server).chat(math_request()).ok());
  EXPECT_EQ(no.seen.load(), 1);
  FlakyServer yes(1, [] { return Reply::json(400, "{}", {{"x-should-retry", "true"}}); });
  EXPECT_THAT(make_client(yes.server).chat(math_request()), IsOk());
  EXPECT_EQ(yes.seen.load(), 2);
}

TEST(RetryTest, RetryAfterSecondsIsObeyed) {
  FlakyServer flaky(1, [] {
    return Reply::json(429, R"({"error": {"message": "slow"}})", {{"Retry-After", "1"}});
  });
  auto clock = std::make_shared<testing::FakeClock>();
  ASSERT_THAT(make_client(flaky.server, fast_policy(), clock).chat(math_request()), IsOk());
  EXPECT_EQ(clock->sleeps(), (Waits{1000ms})) << "the server's hint wins over the backoff";
}

TEST(RetryTest, RetryAfterMsAndHttpDateAreObeyed) {
  FlakyServer ms(1, [] {
    return Reply::json(429, "{}", {{"retry-after-ms", "150"}, {"Retry-After", "30"}});
  });
  auto clock = std::make_shared<testing::FakeClock>();
  ASSERT_THAT(make_client(ms.server, fast_policy(), clock).chat(math_request()), IsOk());
  EXPECT_EQ(clock->sleeps(), (Waits{150ms})) << "retry-after-ms wins over Retry-After";

  FlakyServer date(1, [] {
    // An HTTP date in the past means "now".
    return Reply::json(503, "{}", {{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}});
  });
  clock = std::make_shared<testing::FakeClock>();
  ASSERT_THAT(make_client(date.server, fast_policy(), clock).chat(math_request()), IsOk());
  EXPECT_EQ(date.seen.load(), 2);
  EXPECT_EQ(clock->sleeps(), (Waits{0ms}));
}

TEST(RetryTest, RetryAfterBeyondTheCapReturnsTheRateLimitAtOnce) {
  FlakyServer flaky(100, [] {
    return Reply::json(429, R"({"error": {"message": "later"}})", {{"Retry-After", "3600"}});
  });
  auto clock = std::make_shared<testing::FakeClock>();
  auto result = make_client(flaky.server, fast_policy(), clock).chat(math_request());
  EXPECT_TRUE(clock->sleeps().empty()) << "returned at once, without waiting";
  ASSERT_THAT(result, ErrorKindIs(ErrorKind::rate_limited));
  EXPECT_EQ(result.error().retry_after, std::chrono::milliseconds(3600 * 1000));
  EXPECT_EQ(result.error().give_up, GiveUpReason::retry_after_too_long);
  EXPECT_EQ(flaky.seen.load(), 1);
}

TEST(RetryTest, ConnectionFailuresAreRetried) {
  ClientOptions options;
  options.retry = fast_policy(3);
  Client client(providers::openai_compatible(
                    "http://127.0.0.1:" + std::to_string(test::unused_port()) + "/v1"),
                options);
  auto result = client.chat(math_request());
  ASSERT_THAT(result, ErrorKindIs(ErrorKind::connection));
  EXPECT_EQ(result.error().attempts, 4);
  EXPECT_EQ(result.error().history.size(), 4u);
  EXPECT_EQ(result.error().phase, ErrorPhase::before_response);
  EXPECT_EQ(result.error().give_up, GiveUpReason::attempts_exhausted);
}

TEST(RetryTest, CloseBeforeHeadersThenSuccess) {
  FlakyServer flaky(1, [] { return Reply().close(); });
  ASSERT_THAT(make_client(flaky.server).chat(math_request()), IsOk());
  EXPECT_EQ(flaky.seen.load(), 2);
}

TEST(RetryTest, IdempotencyKeyIsTheSameOnEveryAttemptAndNewPerCall) {
  FlakyServer flaky(2, [] { return Reply::json(503, "{}"); });
  RetryPolicy policy = fast_policy();
  policy.idempotency_key = true;
  Client client = make_client(flaky.server, policy);
  ASSERT_THAT(client.chat(math_request()), IsOk());
  ASSERT_THAT(client.chat(math_request()), IsOk());
  const auto requests = flaky.server.requests();
  ASSERT_EQ(requests.size(), 4u);
  const auto key = requests[0].headers.get("Idempotency-Key");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(requests[1].headers.get("Idempotency-Key"), key);
  EXPECT_EQ(requests[2].headers.get("Idempotency-Key"), key);
  EXPECT_NE(requests[3].headers.get("Idempotency-Key"), key);
  FlakyServer plain(0, [] { return Reply(); });
  ASSERT_THAT(make_client(plain.server).chat(math_request()), IsOk());
  EXPECT_FALSE(plain.server.requests()[0].headers.contains("Idempotency-Key"));
}

TEST(RetryTest, TotalDeadlineStopsRetrying) {
  FlakyServer flaky(100, [] { return Reply::json(503, "{}"); });
  RetryPolicy policy = fast_policy(100);
  policy.initial_backoff = 100ms;
  policy.max_backoff = 100ms;
  policy.total_deadline = 350ms;
  auto clock = std::make_shared<testing::FakeClock>();
  auto result = make_client(flaky.server, policy, clock).chat(math_request());
  ASSERT_THAT(result, ErrorIs(ErrorKind::server_error, HasSubstr("total_deadline")));
  // 100 + 100 + 100 ms of waits; a fourth would end past 350 ms.
  EXPECT_EQ(clock->sleeps(), (Waits{100ms, 100ms, 100ms}));
  EXPECT_EQ(flaky.seen.load(), 4);
  EXPECT_EQ(result.error().give_up, GiveUpReason::deadline);
}

TEST(RetryTest, CancellationDuringAnAttemptGivesUpAsCancelled) {
  // The token is cancelled while the first attempt is answered with a retryable 503: however
  // far the transfer got, the call ends cancelled, on the fake clock, without a second attempt.
  auto token = std::make_shared<CancellationToken>();
  FlakyServer flaky(100, [token] {
    token->cancel();
    return Reply::json(503, "{}");
  });
  CallOptions call;
  call.cancellation = token;
  auto clock = std::make_shared<testing::FakeClock>();
  auto result = make_client(flaky.server, fast_policy(), clock).chat(math_request(), call);
  ASSERT_THAT(result, ErrorKindIs(ErrorKind::cancelled));
  EXPECT_EQ(result.error().give_up, GiveUpReason::cancelled);
  EXPECT_EQ(flaky.seen.load(), 1);
  EXPECT_EQ(clock->slept(), 0ms);
}

TEST(RetryTest, InvalidRequestIsRefusedBeforeSendingWithoutGivingUp) {
  FlakyServer flaky(0, [] { return Reply(); });
  ChatRequest bad = math_request();
  bad.messages.clear();
  auto result = make_client(flaky.server).chat(bad);
  ASSERT_THAT(result, ErrorKindIs(ErrorKind::invalid_request));
  EXPECT_EQ(result.error().phase, ErrorPhase::before_send);
  EXPECT_FALSE(result.error().is_retryable());
  EXPECT_EQ(flaky.seen.load(), 0);
}

TEST(RetryTest, CancellationInterruptsTheBackoffAtOnce) {
  FlakyServer flaky(100, [] { return Reply::json(503, "{}"); });
  RetryPolicy policy = fast_policy();
  policy.initial_backoff = 10s;
  policy.max_backoff = 10s;
  auto token = std::make_shared<CancellationToken>();
  CallOptions call;
  call.cancellation = token;
  // The real clock: a 10 s backoff that cancellation from another thread must cut short. The
  // canceller starts once the first attempt has been answered (no sleeping to guess when).
  std::thread canceller([token, &flaky] {
    while (flaky.seen.load() == 0) std::this_thread::yield();
    token->cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  auto result = make_client(flaky.server, policy, Clock::steady()).chat(math_request(), call);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_THAT(result, ErrorKindIs(ErrorKind::cancelled));
  EXPECT_EQ(result.error().history.size(), 1u);
  EXPECT_EQ(flaky.seen.load(), 1);
}

TEST(RetryTest, PerCallPolicyOverridesTheClients) {
  FlakyServer flaky(100, [] { return Reply::json(500, "{}"); });
  CallOptions call;
  call.retry = RetryPolicy::none();
  EXPECT_FALSE(make_client(flaky.server).chat(math_request(), call).ok());
  EXPECT_EQ(flaky.seen.load(), 1);
}

TEST(RetryTest, StreamsAreRetriedBeforeTheFirstEvent) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    if (++seen == 1) return Reply::json(503, R"({"error": {"message": "warming up"}})");
    return Reply::chunked(200)
        .chunk(R"(data: {"choices": [{"index": 0, "delta": {"content": "4"}}]})"
               "\n\n")
        .chunk("data: [DONE]\n\n")
        .end_chunks();
  });
  ChatStream stream = make_client(server).stream(math_request());
  std::string content;
  for (const ChatChunk& chunk : stream) content += chunk.choices[0].delta.content.value_or("");
  EXPECT_FALSE(stream.error().has_value());
  EXPECT_EQ(content, "4");
  EXPECT_EQ(seen.load(), 2);
}

TEST(RetryTest, StreamsAreNotRetriedOnceATokenWasDelivered) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    ++seen;
    return Reply::chunked(200)
        .chunk(R"(data: {"choices": [{"index": 0, "delta": {"content": "partial"}}]})"
               "\n\n")
        .close();
  });
  ChatStream stream = make_client(server).stream(math_request());
  std::string content;
  for (const ChatChunk& chunk : stream) content += chunk.choices[0].delta.content.value_or("");
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(content, "partial");  // delivered once, never repeated
  EXPECT_EQ(seen.load(), 1);
  EXPECT_EQ(stream.error()->phase, ErrorPhase::mid_stream);
  EXPECT_FALSE(stream.error()->is_retryable());
  EXPECT_EQ(stream.error()->attempts, 1);
}

const char* const kGoodStream =
    "data: {\"choices\": [{\"index\": 0, \"delta\": {\"content\": \"4\"}}]}\n\n"
    "data: {\"choices\": [{\"index\": 0, \"delta\": {\"content\": \"2\"}, "
    "\"finish_reason\": \"stop\"}]}\n\n"
    "data: [DONE]\n\n";

// Each content token as delivered, in order.
std::vector<std::string> tokens_of(ChatStream& stream) {
  std::vector<std::string> tokens;
  for (const ChatChunk& chunk : stream) {
    for (const ChunkChoice& choice : chunk.choices) {
      if (choice.delta.content) tokens.push_back(*choice.delta.content);
    }
  }
  return tokens;
}

TEST(RetryTest, StreamCutAfterItsHeadersBeforeTheFirstChunkIsRetried) {
  // A proxy that gives up during a long prefill: "200" and headers, then the connection closes
  // (without the last chunk, or after a keep-alive comment, or cleanly without [DONE]). Nothing
  // reached the caller, so the stream is retried by the same policy.
  const std::vector<std::function<Reply()>> cuts = {
      [] { return Reply::chunked(200).close(); },
      [] { return Reply::chunked(200).chunk(": keep-alive\n\n").close(); },
      [] { return Reply::chunked(200).chunk(": keep-alive\n\n").end_chunks(); },
  };
  for (std::size_t i = 0; i < cuts.size(); ++i) {
    std::atomic<int> seen{0};
    TestServer server([&](const test::RecordedRequest&) {
      if (++seen == 1) return cuts[i]();
      return Reply::chunked(200).chunk(kGoodStream).end_chunks();
    });
    auto clock = std::make_shared<testing::FakeClock>();
    ChatStream stream = make_client(server, fast_policy(), clock).stream(math_request());
    EXPECT_EQ(tokens_of(stream), (std::vector<std::string>{"4", "2"})) << "cut " << i;
    EXPECT_FALSE(stream.error().has_value()) << "cut " << i << ": " << stream.error()->what();
    EXPECT_EQ(seen.load(), 2) << "cut " << i;
    EXPECT_EQ(clock->sleeps(), (Waits{20ms})) << "cut " << i;
    EXPECT_EQ(stream.response().text(), "42");
  }
}

TEST(RetryTest, StreamCutBeforeItsFirstChunkEveryTimeGivesUpAsAConnectionFailure) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    ++seen;
    return Reply::chunked(200).close();
  });
  auto clock = std::make_shared<testing::FakeClock>();
  ChatStream stream = make_client(server, fast_policy(), clock).stream(math_request());
  EXPECT_EQ(stream.next(), nullptr);
  ASSERT_TRUE(stream.error().has_value());
  const Error& e = *stream.error();
  EXPECT_EQ(e.kind, ErrorKind::connection) << e.what();
  EXPECT_EQ(e.phase, ErrorPhase::before_response);
  EXPECT_EQ(e.http_status, 200) << "the status received, for information";
  EXPECT_EQ(e.give_up, GiveUpReason::attempts_exhausted);
  EXPECT_EQ(e.attempts, 3);
  EXPECT_EQ(seen.load(), 3);
  EXPECT_EQ(clock->sleeps(), (Waits{20ms, 40ms}));
}

TEST(RetryTest, ServerErrorEventBeforeTheFirstChunkIsRetried) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    if (++seen == 1) {
      return Reply::chunked(200)
          .chunk("data: {\"error\": {\"message\": \"overloaded\", \"type\": \"server_error\"}}\n\n")
          .end_chunks();
    }
    return Reply::chunked(200).chunk(kGoodStream).end_chunks();
  });
  ChatStream stream = make_client(server).stream(math_request());
  EXPECT_EQ(tokens_of(stream), (std::vector<std::string>{"4", "2"}));
  EXPECT_FALSE(stream.error().has_value());
  EXPECT_EQ(seen.load(), 2);
}

TEST(RetryTest, ProtocolErrorBeforeTheFirstChunkIsNotRetried) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    ++seen;
    return Reply::chunked(200).chunk("data: {\"choices\": [\n\n").end_chunks();
  });
  ChatStream stream = make_client(server).stream(math_request());
  EXPECT_EQ(stream.next(), nullptr);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->kind, ErrorKind::protocol);
  EXPECT_EQ(stream.error()->phase, ErrorPhase::response_started);
  EXPECT_EQ(stream.error()->give_up, GiveUpReason::not_retryable);
  EXPECT_EQ(seen.load(), 1);
}

TEST(RetryTest, StreamCallbacksSeeEachTokenOnceAcrossARetry) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    if (++seen == 1) return Reply::chunked(200).close();
    return Reply::chunked(200).chunk(kGoodStream).end_chunks();
  });
  std::string content;
  int calls = 0;
  StreamCallbacks callbacks;
  callbacks.on_content = [&](std::string_view text) {
    content += text;
    ++calls;
  };
  auto result = make_client(server).stream(math_request(), callbacks);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(content, "42");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(result->text(), "42");
  EXPECT_EQ(seen.load(), 2);
}

}  // namespace
}  // namespace lemma
