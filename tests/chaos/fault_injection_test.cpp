// Fault injection: every fault a real deployment sees, against chat() and stream(), on a
// loopback server scripted per test. Each test asserts the typed outcome, how many attempts
// the server saw, that delays stay within bounds, and that no token is lost or repeated.
// The summary table (fault x mode -> outcome) is printed at the end of the run.

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/curl_transport.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/providers/self_hosted.hpp"
#include "support/client_helpers.hpp"
#include "support/matchers.hpp"
#include "support/test_server.hpp"

#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
#include <httplib.h>
#endif

namespace lemma {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::Reply;
using test::TestServer;

// ---- the summary table ---------------------------------------------------------------------

class Summary : public ::testing::Environment {
 public:
  static Summary& instance() {
    // gtest takes ownership of registered environments and deletes them at exit.
    static Summary* const summary = static_cast<Summary*>(
        ::testing::AddGlobalTestEnvironment(std::make_unique<Summary>().release()));
    return *summary;
  }
  void record(const std::string& fault, const std::string& mode, const std::string& outcome) {
    std::lock_guard<std::mutex> lock(mutex_);
    rows_[fault][mode] = outcome;
  }
  void TearDown() override {
    std::printf("\nFault injection summary (fault x mode -> outcome, attempts the server saw)\n");
    std::printf("%-44s | %-26s | %-26s | %-26s | %-26s\n", "fault", "chat()", "stream()",
                "chat_async()", "stream_async()");
    std::printf("%s\n", std::string(170, '-').c_str());
    for (const auto& [fault, modes] : rows_) {
      auto cell = [&](const char* mode) {
        auto it = modes.find(mode);
        return it == modes.end() ? std::string("n/a") : it->second;
      };
      std::printf("%-44s | %-26s | %-26s | %-26s | %-26s\n", fault.c_str(), cell("chat").c_str(),
                  cell("stream").c_str(), cell("chat_async").c_str(), cell("stream_async").c_str());
    }
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::string>> rows_;
};

const Summary& kRegistered = Summary::instance();

// ---- helpers -------------------------------------------------------------------------------

const char* const kAnswer =
    R"({"choices": [{"message": {"role": "assistant", "content": "\\boxed{4}"}, "finish_reason": "stop"}]})";

std::string event(const std::string& text) {
  nlohmann::json chunk = {{"choices", {{{"index", 0}, {"delta", {{"content", text}}}}}}};
  return "data: " + chunk.dump() + "\n\n";
}

Reply good_stream(int events = 3) {
  Reply reply = Reply::chunked(200);
  for (int i = 0; i < events; ++i) reply.chunk(event("t" + std::to_string(i) + " "));
  return reply.chunk("data: [DONE]\n\n").end_chunks();
}

std::string expected_stream_text(int events = 3) {
  std::string text;
  for (int i = 0; i < events; ++i) text += "t" + std::to_string(i) + " ";
  return text;
}

ChatRequest request() {
  return test::user_request("m", "2+2?");
}

ClientOptions options(int retries = 2) {
  ClientOptions o;
  o.retry.max_retries = retries;
  o.retry.initial_backoff = 10ms;
  o.retry.max_backoff = 40ms;
  o.retry.jitter = false;
  o.stream_idle_timeout = 2s;
  o.timeout = 5s;
  return o;
}

struct Outcome {
  std::optional<Error> error;
  std::string text;  // content delivered (streams: concatenated as delivered)
  std::chrono::milliseconds elapsed{0};

  std::string describe(int server_attempts) const {
    std::string kind = error ? std::string(to_string(error->kind)) : "ok";
    if (error && !error->code.empty()) kind += "/" + error->code;
    return kind + ", " + std::to_string(server_attempts) + " attempt" +
           (server_attempts == 1 ? "" : "s");
  }
};

// One call in `mode`: chat() or stream() (blocking), chat_async() or stream_async() (the
// event loop). `text` is the content as delivered; `response` the accumulated answer.
struct Called {
  std::optional<Error> error;
  std::string text;
  std::optional<Usage> usage;
};

Called call_in_mode(const Client& client, const std::string& mode, const CallOptions& call) {
  Called out;
  if (mode == "chat" || mode == "chat_async") {
    auto result =
        mode == "chat" ? client.chat(request(), call) : client.chat_async(request(), call).get();
    if (result) {
      out.text = result->text();
      out.usage = result->usage;
    } else {
      out.error = result.error();
    }
    return out;
  }
  if (mode == "stream_async") {
    StreamCallbacks callbacks;
    callbacks.on_chunk = [&out](const ChatChunk& chunk) {
      for (const auto& choice : chunk.choices) out.text += choice.delta.content.value_or("");
      return true;
    };
    auto result = client.stream_async(request(), callbacks, call).get();
    if (result) {
      EXPECT_EQ(out.text, result->text()) << "delivered tokens must equal accumulated ones";
      out.usage = result->usage;
    } else {
      out.error = result.error();
    }
    return out;
  }
  ChatStream stream = client.stream(request(), call);
  for (const ChatChunk& chunk : stream) {
    for (const auto& choice : chunk.choices) out.text += choice.delta.content.value_or("");
  }
  out.error = stream.error();
  out.usage = stream.response().usage;
  EXPECT_EQ(out.text, stream.response().text()) << "delivered tokens must equal accumulated ones";
  return out;
}

Outcome run(const std::string& mode, const std::string& base_url, const ClientOptions& o,
            const CallOptions& call = {}) {
  Client client(providers::openai_compatible(base_url, "sk-chaos-key"), o);
  Outcome out;
  const auto start = Clock::now();
  Called called = call_in_mode(client, mode, call);
  out.error = std::move(called.error);
  out.text = std::move(called.text);
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  EXPECT_LT(out.elapsed, 20s) << "no hang";
  return out;
}

class FaultTest : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string& mode() const { return GetParam(); }
  bool streaming() const { return mode() == "stream" || mode() == "stream_async"; }
  void record(const std::string& fault, const Outcome& outcome, int attempts) {
    Summary::instance().record(fault, mode(), outcome.describe(attempts));
  }
};

// A server whose first `failures` requests get `failure`, then `success`.
struct Scripted {
  std::atomic<int> seen{0};
  TestServer server;
  Scripted(int failures, std::function<Reply()> failure, std::function<Reply()> success)
      : server([this, failures, failure, success](const test::RecordedRequest&) {
          return ++seen <= failures ? failure() : success();
        }) {}
};

std::function<Reply()> success_for(bool streaming) {
  return [streaming] { return streaming ? good_stream() : Reply::json(200, kAnswer); };
}

std::string success_text(bool streaming) {
  return streaming ? expected_stream_text() : "\\boxed{4}";
}

// ---- faults --------------------------------------------------------------------------------

TEST_P(FaultTest, RefusedConnectionIsRetriedThenReported) {
  const std::string url = "http://127.0.0.1:" + std::to_string(test::unused_port()) + "/v1";
  const Outcome out = run(mode(), url, options());
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::connection);
  EXPECT_EQ(out.error->attempts, 3);
  record("refused connection", out, out.error->attempts);
}

TEST_P(FaultTest, CloseBeforeHeadersIsRetried) {
  Scripted s(
      2, [] { return Reply().close(); }, success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  EXPECT_FALSE(out.error) << out.error->what();
  EXPECT_EQ(out.text, success_text(streaming()));
  EXPECT_EQ(s.seen.load(), 3);
  record("accept, close before headers (x2)", out, s.seen.load());
}

TEST_P(FaultTest, ResetAfterHeadersIsRetriedOnlyBeforeAStreamsFirstChunk) {
  // chat(): the server has done the work, a retry would repeat it. stream(): nothing reached
  // the caller, so the stream is retried (a proxy cutting a long prefill).
  Scripted s(
      100,
      [this] {
        return streaming() ? Reply::chunked(200).close()
                           : Reply::raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n").close();
      },
      success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  ASSERT_TRUE(out.error);
  EXPECT_TRUE(out.error->kind == ErrorKind::protocol || out.error->kind == ErrorKind::connection)
      << out.error->what();
  EXPECT_EQ(s.seen.load(), streaming() ? 3 : 1);
  EXPECT_EQ(out.error->phase,
            streaming() ? ErrorPhase::before_response : ErrorPhase::response_started);
  EXPECT_TRUE(out.text.empty());
  record("reset after headers", out, s.seen.load());
}

TEST_P(FaultTest, ResetMidBodyKeepsDeliveredTokensOnce) {
  Scripted s(
      100,
      [this] {
        if (streaming()) return Reply::chunked(200).chunk(event("a ")).chunk(event("b ")).close();
        return Reply::raw("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"choices\": [").close();
      },
      success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  ASSERT_TRUE(out.error);
  EXPECT_EQ(s.seen.load(), 1);
  if (streaming()) {
    EXPECT_EQ(out.text, "a b ");
  }
  record("reset mid-body (stream: after 2 events)", out, s.seen.load());
}

TEST_P(FaultTest, RateLimitedWithRetryAfterSeconds) {
  Scripted s(
      1,
      [] {
        return Reply::json(429, R"({"error": {"message": "slow"}})", {{"Retry-After", "1"}});
      },
      success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.text, success_text(streaming()));
  EXPECT_EQ(s.seen.load(), 2);
  EXPECT_GE(out.elapsed, 950ms);
  EXPECT_LT(out.elapsed, 4s);
  record("429 Retry-After: 1", out, s.seen.load());
}

TEST_P(FaultTest, RateLimitedWithRetryAfterMs) {
  Scripted s(
      1,
      [] {
        return Reply::json(429, "{}", {{"retry-after-ms", "250"}});
      },
      success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  EXPECT_FALSE(out.error);
  EXPECT_EQ(s.seen.load(), 2);
  EXPECT_GE(out.elapsed, 240ms);
  EXPECT_LT(out.elapsed, 3s);
  record("429 retry-after-ms: 250", out, s.seen.load());
}

TEST_P(FaultTest, RateLimitedWithHttpDate) {
  Scripted s(
      1,
      [] {
        // Two seconds ahead (HTTP dates have one-second resolution, so expect 1..2 s).
        const std::time_t when = std::time(nullptr) + 2;
        char date[64];
        std::tm tm{};
        gmtime_r(&when, &tm);
        std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        return Reply::json(429, "{}", {{"Retry-After", date}});
      },
      success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  EXPECT_FALSE(out.error);
  EXPECT_EQ(s.seen.load(), 2);
  EXPECT_GE(out.elapsed, 900ms);
  EXPECT_LT(out.elapsed, 4s);
  record("429 Retry-After: <HTTP date +2 s>", out, s.seen.load());
}

TEST_P(FaultTest, ServerErrorBurstsThenSuccess) {
  for (int status : {500, 502, 503, 504}) {
    Scripted s(
        2, [status] { return Reply::json(status, "<html>busy</html>"); }, success_for(streaming()));
    const Outcome out = run(mode(), s.server.base_url(), options());
    EXPECT_FALSE(out.error) << status;
    EXPECT_EQ(out.text, success_text(streaming()));
    EXPECT_EQ(s.seen.load(), 3) << status;
    record(std::to_string(status) + " x2 then success", out, s.seen.load());
  }
}

TEST_P(FaultTest, TruncatedJsonIsProtocolError) {
  Scripted s(
      100,
      [this] {
        return streaming()
                   ? Reply::chunked(200).chunk("data: {\"choices\": [{\"delta\"\n\n").end_chunks()
                   : Reply::json(200, R"({"choices": [{"message": {"content": "4")");
      },
      success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
  EXPECT_EQ(s.seen.load(), 1);
  record("200 with truncated JSON", out, s.seen.load());
}

TEST_P(FaultTest, HtmlBodyIsProtocolError) {
  Scripted s(
      100, [] { return Reply::http(200, "<html><body>Sign in</body></html>", {}, "text/html"); },
      success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
  EXPECT_EQ(s.seen.load(), 1);
  record("200 with HTML", out, s.seen.load());
}

TEST_P(FaultTest, SlowDripWithinTheIdleTimeoutSucceeds) {
  const std::string body = streaming() ? event("slow ") + "data: [DONE]\n\n" : std::string(kAnswer);
  Scripted s(
      0, [] { return Reply(); },
      [&] {
        Reply reply =
            streaming()
                ? Reply::chunked(200)
                : Reply::raw(
                      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n");
        for (std::size_t i = 0; i < std::min<std::size_t>(body.size(), 12); ++i) {
          std::string byte(1, body[i]);
          streaming() ? reply.chunk(byte) : reply.write(byte);
          reply.sleep(100ms);
        }
        streaming() ? reply.chunk(body.substr(12)).end_chunks() : reply.write(body.substr(12));
        return reply;
      });
  ClientOptions o = options();
  o.stream_idle_timeout = 500ms;
  const Outcome out = run(mode(), s.server.base_url(), o);
  EXPECT_FALSE(out.error) << out.error->what();
  EXPECT_EQ(out.text, streaming() ? "slow " : "\\boxed{4}");
  EXPECT_GE(out.elapsed, 1s);
  record("slow drip, 1 byte/100 ms (within limits)", out, s.seen.load());
}

TEST_P(FaultTest, SlowDripBeyondTheLimitTimesOut) {
  Scripted s(
      0, [] { return Reply(); },
      [this] {
        Reply reply = streaming() ? Reply::chunked(200).chunk(event("a "))
                                  : Reply::raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{");
        for (int i = 0; i < 20; ++i) reply.sleep(400ms).write(streaming() ? "1\r\n \r\n" : " ");
        return reply;
      });
  ClientOptions o = options();
  o.stream_idle_timeout = 200ms;  // streams: silence limit between bytes
  o.timeout = 700ms;              // chat: limit on the whole call
  const Outcome out = run(mode(), s.server.base_url(), o);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::timeout);
  EXPECT_EQ(out.error->code, streaming() ? "idle_timeout" : "total_timeout");
  EXPECT_EQ(s.seen.load(), 1);
  EXPECT_LT(out.elapsed, 3s);
  if (streaming()) {
    EXPECT_EQ(out.text, "a ");
  }
  record("slow drip, 1 byte/400 ms (beyond limits)", out, s.seen.load());
}

TEST_P(FaultTest, StallAfterHeadersTimesOut) {
  Scripted s(
      100,
      [this] {
        return (streaming() ? Reply::chunked(200)
                            : Reply::raw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"))
            .stall();
      },
      success_for(streaming()));
  ClientOptions o = options();
  o.stream_idle_timeout = 300ms;
  o.timeout = 300ms;
  const Outcome out = run(mode(), s.server.base_url(), o);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::timeout);
  // A stream that stalls before its first chunk delivered nothing: retried like a timeout
  // before the response.
  EXPECT_EQ(s.seen.load(), streaming() ? 3 : 1);
  EXPECT_LT(out.elapsed, 3s);
  record("stall after headers", out, s.seen.load());
}

TEST_P(FaultTest, EndlessResponseIsCancelled) {
  Scripted s(
      0, [] { return Reply(); },
      [this] {
        Reply reply = streaming()
                          ? Reply::chunked(200)
                          : Reply::raw("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n");
        for (int i = 0; i < 1000; ++i) {
          streaming() ? reply.chunk(": keep-alive\n\n") : reply.write(" ");
          reply.sleep(20ms);
        }
        return reply;
      });
  auto token = std::make_shared<CancellationToken>();
  CallOptions call;
  call.cancellation = token;
  std::thread canceller([token] {
    std::this_thread::sleep_for(300ms);
    token->cancel();
  });
  ClientOptions o = options();
  o.max_response_bytes = 200 * 1024 * 1024;
  // Streams honour the token through the transport, like chat().
  const Outcome out = run(mode(), s.server.base_url(), o, call);
  canceller.join();
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::cancelled);
  EXPECT_LT(out.elapsed, 3s);
  record("endless response, cancelled at 300 ms", out, s.seen.load());
}

TEST_P(FaultTest, BodyOverTheLimitIsProtocolError) {
  const std::string big(300 * 1024, 'x');
  Scripted s(
      100, [&] { return streaming() ? Reply::json(503, big) : Reply::json(200, big); },
      success_for(streaming()));
  ClientOptions o = options(0);
  o.max_response_bytes = 100 * 1024;
  const Outcome out = run(mode(), s.server.base_url(), o);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
  record("body over max_response_bytes", out, s.seen.load());
}

TEST_P(FaultTest, SseLineOverTheLimitIsProtocolError) {
  if (!streaming()) GTEST_SKIP() << "SSE limits apply to streams";
  Scripted s(
      100,
      [] {
        return Reply::chunked(200).chunk("data: " + std::string(100 * 1024, 'y')).end_chunks();
      },
      success_for(true));
  ClientOptions o = options();
  o.sse.max_line_bytes = 32 * 1024;
  const Outcome out = run(mode(), s.server.base_url(), o);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
  record("SSE line over max_line_bytes", out, s.seen.load());
}

TEST_P(FaultTest, InvalidUtf8IsProtocolError) {
  const std::string bad = "\xC3\x28 \xFF";
  Scripted s(
      100,
      [&] {
        return streaming() ? Reply::chunked(200)
                                 .chunk(event("ok "))
                                 .chunk("data: {\"choices\": [{\"delta\": {\"content\": \"" + bad +
                                        "\"}}]}\n\n")
                                 .end_chunks()
                           : Reply::json(200, "{\"choices\": [{\"message\": {\"content\": \"" +
                                                  bad + "\"}}]}");
      },
      success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
  EXPECT_EQ(s.seen.load(), 1);
  if (streaming()) {
    EXPECT_EQ(out.text, "ok ");
  }
  record("invalid UTF-8 in content", out, s.seen.load());
}

TEST_P(FaultTest, WrongContentTypeIsProtocolError) {
  Scripted s(
      100, [] { return Reply::http(200, "hello", {}, "text/plain"); }, success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
  record("wrong content type (text/plain)", out, s.seen.load());
}

TEST_P(FaultTest, RedirectIsNotFollowed) {
  Scripted s(
      100,
      [] {
        return Reply::http(307, "", {{"Location", "http://127.0.0.1:1/v1/chat/completions"}}, "");
      },
      success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
  EXPECT_EQ(out.error->http_status, 307);
  EXPECT_EQ(s.seen.load(), 1);
  record("307 redirect (never followed)", out, s.seen.load());
}

// ---- hostile servers and callers (issue 15, part B) ----------------------------------------

// What a call produced, with everything lemma handed out on the way: log lines (debug and up)
// and the errors the observer saw.
struct Observed : Outcome {
  std::optional<Usage> usage;
  std::vector<std::string> texts;  // what(), fields, log lines and observer errors
};

class TextCollector : public Observer {
 public:
  void add(std::string text) {
    std::lock_guard<std::mutex> lock(mutex_);
    texts_.push_back(std::move(text));
  }
  void add(const Error& error) {
    for (const std::string& text :
         {error.what(), error.message, error.provider_message, error.body_excerpt, error.code,
          error.type, error.param, error.request_id}) {
      add(text);
    }
    for (const auto& attempt : error.history) add(attempt.message);
  }
  void on_attempt_end(const CallInfo&, const AttemptInfo& attempt) override {
    if (attempt.error) add(*attempt.error);
  }
  void on_call_end(const CallInfo&, const CallOutcome& outcome) override {
    if (outcome.error) add(*outcome.error);
  }
  std::vector<std::string> texts() {
    std::lock_guard<std::mutex> lock(mutex_);
    return texts_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> texts_;
};

Observed run_provider(const std::string& mode, std::shared_ptr<Provider> provider, ClientOptions o,
                      const CallOptions& call = {}) {
  auto collector = std::make_shared<TextCollector>();
  o.observer = collector;
  o.log_level = LogLevel::debug;
  o.log_sink = [collector](LogLevel, std::string_view line) { collector->add(std::string(line)); };
  Client client(std::move(provider), o);
  Observed out;
  const auto start = Clock::now();
  Called called = call_in_mode(client, mode, call);
  out.error = std::move(called.error);
  out.text = std::move(called.text);
  out.usage = called.usage;
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  out.texts = collector->texts();
  if (out.error) collector->add(*out.error);
  out.texts = collector->texts();
  return out;
}

Observed run_key(const std::string& mode, const std::string& base_url, const std::string& key,
                 const ClientOptions& o = options(), const CallOptions& call = {}) {
  return run_provider(mode, providers::openai_compatible(base_url, key), o, call);
}

bool has_control_or_invalid_byte(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F || c == 0xFF || c == 0xFE) return true;
  }
  return false;
}

TEST_P(FaultTest, AbsurdRetryHintsAreReturnedAtOnceWithoutRetrying) {
  const std::vector<std::pair<std::string, Headers>> hints = {
      {"429 retry-after-ms: 1e300", {{"retry-after-ms", "1e300"}}},
      {"429 Retry-After: 1e30", {{"Retry-After", "1e30"}}},
      {"429 Retry-After: <HTTP date in 2300>", {{"Retry-After", "Mon, 01 Jan 2300 00:00:00 GMT"}}}};
  for (const auto& [fault, headers] : hints) {
    Scripted s(
        100,
        [h = headers] { return Reply::json(429, R"({"error": {"message": "slow down"}})", h); },
        success_for(streaming()));
    const Outcome out = run(mode(), s.server.base_url(), options());
    ASSERT_TRUE(out.error) << fault;
    EXPECT_EQ(out.error->kind, ErrorKind::rate_limited) << fault;
    EXPECT_EQ(s.seen.load(), 1) << fault << ": a hint beyond max_retry_after is not retried";
    ASSERT_TRUE(out.error->retry_after) << fault;
    EXPECT_GT(*out.error->retry_after, options().retry.max_retry_after) << fault;
    EXPECT_LT(out.elapsed, 3s) << fault;
    record(fault, out, s.seen.load());
  }
}

std::string with_usage(bool streaming, const std::string& usage) {
  if (streaming) {
    return event("4") + "data: {\"choices\": [], \"usage\": " + usage + "}\n\ndata: [DONE]\n\n";
  }
  return R"({"choices": [{"message": {"role": "assistant", "content": "4"}}], "usage": )" + usage +
         "}";
}

Reply usage_reply(bool streaming, const std::string& usage) {
  if (!streaming) return Reply::json(200, with_usage(false, usage));
  return Reply::chunked(200).chunk(with_usage(true, usage)).end_chunks();
}

TEST_P(FaultTest, TokenCountsNearInt64MaxSaturate) {
  const std::string max = std::to_string(std::numeric_limits<std::int64_t>::max());
  const std::string usage =
      R"({"prompt_tokens": )" + max + R"(, "completion_tokens": )" + max + "}";
  Scripted s(
      100, [&] { return usage_reply(streaming(), usage); }, success_for(streaming()));
  const Observed out = run_key(mode(), s.server.base_url(), "sk-chaos-key");
  ASSERT_FALSE(out.error) << out.error->what();
  ASSERT_TRUE(out.usage);
  EXPECT_EQ(out.usage->prompt_tokens, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(out.usage->total_tokens, std::numeric_limits<std::int64_t>::max());
  record("usage: INT64_MAX + INT64_MAX, no total", out, s.seen.load());
}

TEST_P(FaultTest, NegativeTokenCountsAreProtocolErrors) {
  Scripted s(
      100,
      [&] { return usage_reply(streaming(), R"({"prompt_tokens": -5, "completion_tokens": 3})"); },
      success_for(streaming()));
  const Observed out = run_key(mode(), s.server.base_url(), "sk-chaos-key");
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
  EXPECT_THAT(out.error->message, ::testing::HasSubstr("prompt_tokens"));
  EXPECT_EQ(s.seen.load(), 1);
  if (streaming()) {
    EXPECT_EQ(out.text, "4") << "what arrived before is kept";
  }
  record("usage: prompt_tokens -5", out, s.seen.load());
}

TEST_P(FaultTest, ChunkWithChoicesAndErrorEndsTheStreamWithTheServersError) {
  if (!streaming()) GTEST_SKIP() << "a stream-only shape";
  // OpenRouter, mid-stream: an error object next to choices, then [DONE].
  const std::string error_chunk =
      R"({"id": "gen-1", "object": "chat.completion.chunk", "error": {"code": 400, "message": )"
      R"("Token limit reached"}, "choices": [{"index": 0, "delta": {"content": ""}, )"
      R"("finish_reason": "error"}]})";
  Scripted s(
      100,
      [&] {
        return Reply::chunked(200)
            .chunk(event("t0 "))
            .chunk("data: " + error_chunk + "\n\n")
            .chunk("data: [DONE]\n\n")
            .end_chunks();
      },
      success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  ASSERT_TRUE(out.error) << "must not end as a success";
  EXPECT_EQ(out.error->kind, ErrorKind::invalid_request);
  EXPECT_EQ(out.error->provider_message, "Token limit reached");
  EXPECT_EQ(out.text, "t0 ") << "what arrived before is kept";
  EXPECT_EQ(s.seen.load(), 1);
  record("chunk with choices and error (OpenRouter)", out, s.seen.load());
}

TEST_P(FaultTest, LlamaCppErrorFieldIsSurfaced) {
  if (!streaming()) GTEST_SKIP() << "a stream-only shape";
  // llama.cpp (2025 builds): an `error:` field, not a data line, then [DONE].
  Scripted s(
      100,
      [] {
        return Reply::chunked(200)
            .chunk(
                "error: {\"code\": 400, \"message\": \"the request exceeds the available "
                "context size, try increasing it\", \"type\": \"exceed_context_size_error\"}"
                "\n\n")
            .chunk("data: [DONE]\n\n")
            .end_chunks();
      },
      success_for(streaming()));
  const Observed out = run_provider(
      mode(), providers::self_hosted(s.server.base_url(), providers::Flavour::llama_cpp),
      options());
  ASSERT_TRUE(out.error) << "must not be an empty success";
  EXPECT_EQ(out.error->kind, ErrorKind::invalid_request);
  EXPECT_THAT(out.error->provider_message,
              ::testing::HasSubstr("exceeds the available context size"));
  EXPECT_EQ(out.error->type, "exceed_context_size_error");
  EXPECT_EQ(s.seen.load(), 1);
  record("llama.cpp `error:` line, then [DONE]", out, s.seen.load());
}

TEST_P(FaultTest, DoneWithoutAnyChunkIsNotASuccess) {
  if (!streaming()) GTEST_SKIP() << "a stream-only shape";
  Scripted s(
      100, [] { return Reply::chunked(200).chunk("data: [DONE]\n\n").end_chunks(); },
      success_for(streaming()));
  const Outcome out = run(mode(), s.server.base_url(), options());
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
  EXPECT_EQ(out.error->code, "empty_stream");
  EXPECT_EQ(s.seen.load(), 1);
  record("[DONE] with no chunk before it", out, s.seen.load());
}

TEST_P(FaultTest, CallerFramingHeadersAreRefusedBeforeAnyIo) {
  for (const char* name : {"Content-Length", "Transfer-Encoding", "Host", "Connection"}) {
    Scripted s(
        0, [] { return Reply(); }, success_for(streaming()));
    CallOptions call;
    call.headers.set(name, "5");
    const Outcome out = run(mode(), s.server.base_url(), options(), call);
    ASSERT_TRUE(out.error) << name;
    EXPECT_EQ(out.error->kind, ErrorKind::invalid_request) << name;
    EXPECT_THAT(out.error->message, ::testing::HasSubstr(name));
    EXPECT_EQ(s.server.requests().size(), 0u) << name << ": nothing may be sent";
    record(std::string("caller header ") + name + ": 5", out, s.seen.load());
  }
  // The same from ClientOptions::default_headers.
  Scripted s(
      0, [] { return Reply(); }, success_for(streaming()));
  ClientOptions o = options();
  o.default_headers.set("content-length", "5");
  const Outcome out = run(mode(), s.server.base_url(), o);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::invalid_request);
  EXPECT_EQ(s.server.requests().size(), 0u);
}

TEST_P(FaultTest, UserAgentOptionIsSentAndCannotInjectHeaders) {
  Scripted ok(
      0, [] { return Reply(); }, success_for(streaming()));
  ClientOptions o = options();
  o.curl.user_agent = "prover-farm/2.1";
  const Outcome sent = run(mode(), ok.server.base_url(), o);
  ASSERT_FALSE(sent.error) << sent.error->what();
  ASSERT_EQ(ok.server.requests().size(), 1u);
  EXPECT_EQ(ok.server.requests()[0].headers.get("User-Agent"), "prover-farm/2.1");
  record("CurlTransportOptions::user_agent set", sent, ok.seen.load());

  Scripted s(
      0, [] { return Reply(); }, success_for(streaming()));
  o.curl.user_agent = "lemma\r\nX-Injected: 1";
  const Outcome out = run(mode(), s.server.base_url(), o);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::invalid_request);
  EXPECT_EQ(s.server.requests().size(), 0u) << "refused before any I/O";
  record("CR/LF in CurlTransportOptions::user_agent", out, s.seen.load());

  // A transport the caller built and passed in: its user agent applies too.
  Scripted given(
      0, [] { return Reply(); }, success_for(streaming()));
  CurlTransportOptions curl;
  curl.user_agent = "own-transport/1";
  ClientOptions with_transport = options();
  with_transport.transport = std::make_shared<CurlTransport>(curl);
  ASSERT_FALSE(run(mode(), given.server.base_url(), with_transport).error);
  EXPECT_EQ(given.server.requests()[0].headers.get("User-Agent"), "own-transport/1");
}

TEST_P(FaultTest, PerCallAuthorizationNeverReplacesTheProvidersKey) {
  Scripted s(
      0, [] { return Reply(); }, success_for(streaming()));
  CallOptions call;
  call.headers.set("Authorization", "Bearer someone-elses-key");
  call.headers.set("X-Trace", "t1");
  const Outcome out = run(mode(), s.server.base_url(), options(), call);
  ASSERT_FALSE(out.error) << out.error->what();
  ASSERT_EQ(s.server.requests().size(), 1u);
  EXPECT_EQ(s.server.requests()[0].headers.get("Authorization"), "Bearer sk-chaos-key");
  EXPECT_EQ(s.server.requests()[0].headers.get("X-Trace"), "t1");
  record("per-call Authorization header", out, s.seen.load());

  // With no key given to the provider, the caller's own Authorization is what is sent.
  Scripted keyless(
      0, [] { return Reply(); }, success_for(streaming()));
  const Observed sent = run_key(mode(), keyless.server.base_url(), "", options(), call);
  ASSERT_FALSE(sent.error) << sent.error->what();
  EXPECT_EQ(keyless.server.requests()[0].headers.get("Authorization"), "Bearer someone-elses-key");
}

// A body that echoes `key` so that the cut at `cut` bytes falls `inside` bytes into it.
std::string echo_cut_key(const std::string& key, std::size_t cut, std::size_t inside) {
  return std::string(cut - inside, 'x') + key + " and more text after the key";
}

void expect_no_key_prefix(const Observed& out, const std::string& key) {
  const std::string prefix = key.substr(0, 8);
  for (const std::string& text : out.texts) {
    EXPECT_EQ(text.find(prefix), std::string::npos) << "key prefix leaked in: " << text;
  }
}

TEST_P(FaultTest, KeyCutByAnExcerptIsScrubbed) {
  const std::string key = "sk-live-0123456789abcdefghijklmnopqrstuv";
  // The 1,024-byte body excerpt of an error body (not JSON: a proxy's page).
  Scripted excerpt(
      100,
      [&] {
        return Reply::http(401, echo_cut_key(key, Error::kMaxBodyExcerpt, 20), {}, "text/plain");
      },
      success_for(streaming()));
  const Observed cut_1024 = run_key(mode(), excerpt.server.base_url(), key);
  ASSERT_TRUE(cut_1024.error);
  EXPECT_EQ(cut_1024.error->kind, ErrorKind::authentication);
  expect_no_key_prefix(cut_1024, key);
  record("error body echoes the key across byte 1,024", cut_1024, excerpt.seen.load());

  // The 120-byte excerpt in a "not valid JSON" message.
  Scripted message(
      100, [&] { return Reply::json(200, echo_cut_key(key, 120, 20)); }, success_for(streaming()));
  const Observed cut_120 = run_key(mode(), message.server.base_url(), key);
  ASSERT_TRUE(cut_120.error);
  EXPECT_EQ(cut_120.error->kind, ErrorKind::protocol);
  EXPECT_THAT(cut_120.error->message, ::testing::HasSubstr("not valid JSON"));
  expect_no_key_prefix(cut_120, key);
  record("200 non-JSON echoes the key across byte 120", cut_120, message.seen.load());
}

TEST_P(FaultTest, ShortKeysAreScrubbedAsTokensAndMessagesStayReadable) {
  struct Case {
    std::string key;
    std::string server_message;
    std::string expected;
  };
  const std::vector<Case> cases = {{"1234", "Check your key 1234: 12345 tokens were refused.",
                                    "Check your key [REDACTED]: 12345 tokens were refused."},
                                   {"k", "Check the key k.", "Check the key [REDACTED]."},
                                   {"Chec", "Check the key.", "Check the key."}};
  for (const Case& c : cases) {
    Scripted s(
        100,
        [&] {
          return Reply::json(401,
                             nlohmann::json{{"error", {{"message", c.server_message}}}}.dump());
        },
        success_for(streaming()));
    const Observed out = run_key(mode(), s.server.base_url(), c.key);
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->provider_message, c.expected) << "key " << c.key;
    EXPECT_THAT(out.error->what(), ::testing::HasSubstr(c.expected));
    if (c.key == "1234") record("401 echoing a 4-character key", out, s.seen.load());
  }
}

TEST_P(FaultTest, BaseUrlCredentialsAndQueryAreNeverEchoed) {
  const std::string url = "http://alice:hunter2-pass@127.0.0.1:1/v1?api_key=q-secret-77";
  const Observed out = run_key(mode(), url, "sk-chaos-key");
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::invalid_request);
  EXPECT_THAT(out.error->message, ::testing::HasSubstr("credentials"));
  ASSERT_FALSE(out.texts.empty());
  for (const std::string& text : out.texts) {
    EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
    EXPECT_EQ(text.find("alice"), std::string::npos) << text;
    EXPECT_EQ(text.find("q-secret"), std::string::npos) << text;
  }
  record("base URL with user:password@ and ?query", out, 0);
}

TEST_P(FaultTest, BaseUrlPasswordWithQueryOrFragmentCharactersIsNeverEchoed) {
  // A password may hold '?', '#' or '/': they must not end the userinfo when it is hidden.
  for (const std::string url :
       {"http://alice:hunter?2x@127.0.0.1:1/v1", "http://alice:hunter#2x@127.0.0.1:1/v1",
        "http://alice:hun/ter?2x@127.0.0.1:1/v1"}) {
    const Observed out = run_key(mode(), url, "sk-chaos-key");
    ASSERT_TRUE(out.error) << url;
    EXPECT_EQ(out.error->kind, ErrorKind::invalid_request) << url;
    ASSERT_FALSE(out.texts.empty());
    for (const std::string& text : out.texts) {
      EXPECT_EQ(text.find("hun"), std::string::npos) << text;
      EXPECT_EQ(text.find("2x"), std::string::npos) << text;
      EXPECT_EQ(text.find("alice"), std::string::npos) << text;
    }
    if (url == "http://alice:hunter?2x@127.0.0.1:1/v1") {
      record("base URL password holding '?', '#' or '/'", out, 0);
    }
  }
}

TEST_P(FaultTest, ControlCharactersFromTheServerAreEscaped) {
  const std::string message = "bad\nlemma info call 99 succeeded\r\x1b[2J\x07 end \xe6\x95\xb0";
  Scripted s(
      100,
      [&] {
        // The message as JSON (its escapes decode to real control characters), pretty-printed
        // (new lines in the body excerpt), and a request id with ESC and a byte that is not
        // UTF-8.
        return Reply::json(400, nlohmann::json{{"error", {{"message", message}}}}.dump(2),
                           {{"x-request-id", "req-\x1b[2J-\xff"}});
      },
      success_for(streaming()));
  const Observed out = run_key(mode(), s.server.base_url(), "sk-chaos-key");
  ASSERT_TRUE(out.error);
  const std::string what = out.error->what();
  EXPECT_THAT(what, ::testing::HasSubstr("bad\\nlemma info call 99 succeeded\\r\\x1b[2J\\x07"));
  EXPECT_THAT(what, ::testing::HasSubstr("\xe6\x95\xb0")) << "valid UTF-8 is kept";
  EXPECT_THAT(what, ::testing::HasSubstr("[request id req-\\x1b[2J-\\xff]"));
  ASSERT_FALSE(out.texts.empty());
  for (const std::string& text : out.texts) {
    EXPECT_FALSE(has_control_or_invalid_byte(text)) << "raw control byte in: " << text;
  }
  record("control chars in message, request id, body", out, s.seen.load());

  // A body that is not JSON at all (a proxy's page) with raw control bytes and invalid UTF-8.
  Scripted raw(
      100,
      [] {
        return Reply::http(403, std::string("denied\n\x1b[31m\xff\0\n", 15), {}, "text/plain");
      },
      success_for(streaming()));
  const Observed page = run_key(mode(), raw.server.base_url(), "sk-chaos-key");
  ASSERT_TRUE(page.error);
  EXPECT_EQ(page.error->body_excerpt, "denied\\n\\x1b[31m\\xff\\x00\\n");
  for (const std::string& text : page.texts) {
    EXPECT_FALSE(has_control_or_invalid_byte(text)) << "raw control byte in: " << text;
  }
}

// ---- hostile servers (issue 15): depth, memory, error kinds ------------------------------

std::string deep_json(std::size_t depth = 100000) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(LEMMA_TEST_FIXTURES_DIR) + "/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A reply carrying 100,000-deep JSON at one place a hostile server can put it.
enum class DeepPlace { error_message, error_event, tool_arguments, logprobs, unknown_member };

Reply deep_reply(DeepPlace place, bool streaming) {
  const std::string deep = deep_json();
  if (place == DeepPlace::error_message) {
    return Reply::json(400, R"({"error": {"message": )" + deep + "}}");
  }
  if (place == DeepPlace::error_event) {
    return Reply::chunked(200)
        .chunk(event("a "))
        .chunk("event: error\ndata: " + deep + "\n\n")
        .chunk("data: [DONE]\n\n")
        .end_chunks();
  }
  std::string choice;
  std::string root_extra;
  if (place == DeepPlace::tool_arguments) {
    const std::string call =
        R"({"index": 0, "id": "c1", "type": "function", "function": {"name": "f", "arguments": )" +
        deep + "}}";
    choice = streaming ? R"({"index": 0, "delta": {"tool_calls": [)" + call + "]}}"
                       : R"({"index": 0, "message": {"role": "assistant", "content": null, )"
                         R"("tool_calls": [)" +
                             call + R"(]}, "finish_reason": "tool_calls"})";
  } else if (place == DeepPlace::logprobs) {
    choice = streaming ? R"({"index": 0, "delta": {"content": "b"}, "logprobs": )" + deep + "}"
                       : R"({"index": 0, "message": {"role": "assistant", "content": "b"}, )"
                         R"("finish_reason": "stop", "logprobs": )" +
                             deep + "}";
  } else {
    root_extra = R"("vendor_extension": )" + deep + ", ";
    choice = streaming ? R"({"index": 0, "delta": {"content": "b"}})"
                       : R"({"index": 0, "message": {"role": "assistant", "content": "b"}})";
  }
  const std::string body = "{" + root_extra + R"("choices": [)" + choice + "]}";
  if (!streaming) return Reply::json(200, body);
  return Reply::chunked(200)
      .chunk(event("a "))
      .chunk("data: " + body + "\n\n")
      .chunk("data: [DONE]\n\n")
      .end_chunks();
}

TEST_P(FaultTest, DeeplyNestedJsonIsProtocolErrorNamingTheLimit) {
  const std::vector<std::pair<DeepPlace, std::string>> places = {
      {DeepPlace::error_message, "100k-deep JSON in 400 error.message"},
      {DeepPlace::error_event, "100k-deep JSON in an `event: error`"},
      {DeepPlace::tool_arguments, "100k-deep JSON in tool-call arguments"},
      {DeepPlace::logprobs, "100k-deep JSON in logprobs"},
      {DeepPlace::unknown_member, "100k-deep JSON in an unknown member"},
  };
  for (const auto& [place, fault] : places) {
    if (place == DeepPlace::error_event && !streaming()) continue;  // streams only
    Scripted s(
        100, [&, p = place] { return deep_reply(p, streaming()); }, success_for(streaming()));
    const Outcome out = run(mode(), s.server.base_url(), options());
    ASSERT_TRUE(out.error) << fault;
    EXPECT_EQ(out.error->kind, ErrorKind::protocol) << fault << ": " << out.error->what();
    EXPECT_THAT(out.error->message, ::testing::HasSubstr("deeper than 256 levels")) << fault;
    EXPECT_THAT(out.error->message, ::testing::HasSubstr("max_json_depth")) << fault;
    EXPECT_EQ(s.seen.load(), 1) << fault;
    if (streaming() && place != DeepPlace::error_message) {
      EXPECT_EQ(out.text, "a ") << fault << ": tokens before the bad event are kept";
    }
    record(fault, out, s.seen.load());
  }
}

TEST_P(FaultTest, DeeplyNestedModelsEntryIsProtocolError) {
  if (streaming()) GTEST_SKIP() << "models() has no stream form";
  TestServer server([](const test::RecordedRequest&) {
    return Reply::json(200,
                       R"({"object": "list", "data": [{"id": "m", "meta": )" + deep_json() + "}]}");
  });
  Client client(providers::openai_compatible(server.base_url(), "sk-chaos-key"), options());
  Outcome out;
  auto models = client.models();
  ASSERT_FALSE(models);
  out.error = models.error();
  EXPECT_EQ(out.error->kind, ErrorKind::protocol) << out.error->what();
  EXPECT_THAT(out.error->message, ::testing::HasSubstr("deeper than 256 levels"));
  EXPECT_EQ(server.requests().size(), 1u);
  record("100k-deep JSON in a /models entry (models())", out,
         static_cast<int>(server.requests().size()));
}

TEST_P(FaultTest, JsonDepthLimitIsAKnob) {
  // 300 levels: over the default, accepted when the provider's max_json_depth allows it.
  const std::string body = R"({"choices": [{"index": 0, "message": {"role": "assistant", )"
                           R"("content": "ok"}, "logprobs": )" +
                           deep_json(300) + "}]}";
  Scripted s(
      0, [] { return Reply(); },
      [&] {
        return streaming() ? Reply::chunked(200)
                                 .chunk("data: " + std::string(R"({"choices": [{"index": 0, )") +
                                        R"("delta": {"content": "ok"}, "logprobs": )" +
                                        deep_json(300) + "}]}\n\n")
                                 .chunk("data: [DONE]\n\n")
                                 .end_chunks()
                           : Reply::json(200, body);
      });
  providers::OpenAICompatibleOptions raised;
  raised.base_url = s.server.base_url();
  raised.max_json_depth = 400;
  Client client(std::make_shared<providers::OpenAICompatibleProvider>(raised), options());
  if (streaming()) {
    ChatStream stream = client.stream(request());
    for (const ChatChunk& chunk : stream) (void)chunk;
    EXPECT_FALSE(stream.error()) << stream.error()->what();
    EXPECT_EQ(stream.response().text(), "ok");
  } else {
    auto answer = client.chat(request());
    ASSERT_TRUE(answer) << answer.error().what();
    EXPECT_EQ(answer->text(), "ok");
  }
  // And the same body is refused at the default limit.
  const Outcome refused = run(mode(), s.server.base_url(), options());
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->kind, ErrorKind::protocol);
}

TEST_P(FaultTest, AutoDetectionSurvivesAMistypedOwnedBy) {
  if (streaming()) GTEST_SKIP() << "detection is the same for both; chat() covers it";
  TestServer server([](const test::RecordedRequest& req) {
    if (req.target == "/v1/models") {
      return Reply::json(200, R"({"object": "list", "data": [{"id": "m", "owned_by": 5}]})");
    }
    if (req.target == "/v1/chat/completions") return Reply::json(200, kAnswer);
    return Reply::json(404, R"({"error": "not found"})");
  });
  Client client(providers::self_hosted(server.base_url(), providers::Flavour::auto_detect),
                options());
  Outcome out;
  auto answer = client.chat(request());  // threw json::type_error before
  if (answer) {
    out.text = answer->text();
  } else {
    out.error = answer.error();
  }
  ASSERT_FALSE(out.error) << out.error->what();
  EXPECT_EQ(out.text, "\\boxed{4}");
  record("auto-detect, /models \"owned_by\": 5", out, 1);
}

TEST_P(FaultTest, HugeSseIdIsProtocolErrorNotGigabytes) {
  if (!streaming()) GTEST_SKIP() << "SSE only";
  // 4 MiB id, then 100,000 tiny events: each event used to carry a copy of the id.
  const std::string tiny = "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n";
  Scripted s(
      100,
      [&] {
        Reply reply = Reply::chunked(200);
        reply.chunk("id: " + std::string(4 * 1024 * 1024, 'i') + "\n");
        std::string batch;
        for (int i = 0; i < 1000; ++i) batch += tiny;
        for (int i = 0; i < 100; ++i) reply.chunk(batch);
        return reply.chunk("data: [DONE]\n\n").end_chunks();
      },
      success_for(true));
  const Outcome out = run(mode(), s.server.base_url(), options());
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
  EXPECT_THAT(out.error->message, ::testing::HasSubstr("max_id_bytes"));
  EXPECT_EQ(s.seen.load(), 1);
  record("SSE `id:` of 4 MiB + 100k tiny events", out, s.seen.load());
}

TEST_P(FaultTest, ManyTinyEventsWithALongIdAllArrive) {
  if (!streaming()) GTEST_SKIP() << "SSE only";
  // An id at the limit and 50,000 one-token events in few reads: decoded as they are parsed,
  // every token arrives once.
  const std::string tiny = "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n";
  Scripted s(
      0, [] { return Reply(); },
      [&] {
        Reply reply = Reply::chunked(200);
        reply.chunk("id: " + std::string(1024, 'i') + "\n");
        std::string batch;
        for (int i = 0; i < 5000; ++i) batch += tiny;
        for (int i = 0; i < 10; ++i) reply.chunk(batch);
        return reply.chunk("data: [DONE]\n\n").end_chunks();
      });
  const Outcome out = run(mode(), s.server.base_url(), options());
  ASSERT_FALSE(out.error) << out.error->what();
  EXPECT_EQ(out.text, std::string(50000, 'x'));
  record("SSE 1 KiB id + 50k tiny events", out, s.seen.load());
}

TEST_P(FaultTest, EndlessStreamStopsAtMaxStreamBytesKeepingTokens) {
  if (!streaming()) GTEST_SKIP() << "whole bodies: BodyOverTheLimitIsProtocolError";
  Scripted s(
      100,
      [] {
        Reply reply = Reply::chunked(200);
        std::string batch;
        for (int i = 0; i < 1000; ++i) batch += event("t ");
        for (int i = 0; i < 64; ++i) reply.chunk(batch);  // ~4 MiB, never [DONE]
        return reply.end_chunks();
      },
      success_for(true));
  ClientOptions o = options();
  o.max_stream_bytes = 256 * 1024;
  const Outcome out = run(mode(), s.server.base_url(), o);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
  EXPECT_THAT(out.error->message, ::testing::HasSubstr("max_stream_bytes"));
  EXPECT_FALSE(out.text.empty()) << "tokens before the limit are kept";
  EXPECT_LT(out.text.size(), 256u * 1024u);
  EXPECT_EQ(s.seen.load(), 1);
  record("endless stream over max_stream_bytes", out, s.seen.load());
}

TEST_P(FaultTest, GzipTransferEncodingBombStopsAtTheLimit) {
  const std::string bomb =
      read_fixture(streaming() ? "bombs/sse_16MiB.gz" : "bombs/spaces_16MiB.gz");
  ASSERT_FALSE(bomb.empty());
  Scripted s(
      100,
      [&] {
        return Reply::raw(std::string("HTTP/1.1 200 OK\r\nContent-Type: ") +
                          (streaming() ? "text/event-stream" : "application/json") +
                          "\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
            .chunk(bomb)
            .end_chunks();
      },
      success_for(streaming()));
  ClientOptions o = options();
  o.max_response_bytes = 1024 * 1024;
  o.max_stream_bytes = 1024 * 1024;
  const Outcome out = run(mode(), s.server.base_url(), o);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol) << out.error->what();
  EXPECT_THAT(out.error->message, ::testing::HasSubstr("exceeds the limit of 1048576 bytes"));
  EXPECT_EQ(s.seen.load(), 1);
  if (streaming()) {
    EXPECT_FALSE(out.text.empty()) << "tokens before the limit are kept";
  }
  record("gzip TE bomb (16 MiB inflated, limit 1 MiB)", out, s.seen.load());
}

TEST_P(FaultTest, ServerProtocolViolationsAreProtocolAndNotRetried) {
  const std::string content_type = streaming() ? "text/event-stream" : "application/json";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"endless status line (2 MiB)", "HTTP/1.1 200 " + std::string(2 * 1024 * 1024, 'x')},
      {"2 MiB header line",
       "HTTP/1.1 200 OK\r\nX-Big: " + std::string(2 * 1024 * 1024, 'h') + "\r\n\r\n"},
      {"bogus chunk size", "HTTP/1.1 200 OK\r\nContent-Type: " + content_type +
                               "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"},
  };
  for (const auto& [fault, bytes] : cases) {
    Scripted s(
        100, [&, b = bytes] { return Reply::raw(b).close(); }, success_for(streaming()));
    const Outcome out = run(mode(), s.server.base_url(), options());
    ASSERT_TRUE(out.error) << fault;
    EXPECT_EQ(out.error->kind, ErrorKind::protocol) << fault << ": " << out.error->what();
    EXPECT_EQ(s.seen.load(), 1) << fault << ": a server's violation is not retried";
    EXPECT_THAT(out.error->message, ::testing::Not(::testing::HasSubstr("Out of memory")));
    record(fault, out, s.seen.load());
  }
}

#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
// A TLS server with a certificate made for this test by the openssl command.
class TlsServer {
 public:
  /// `names`: the certificate's subjectAltName (the default names the loopback address).
  explicit TlsServer(const std::filesystem::path& dir,
                     const std::string& names = "IP:127.0.0.1,DNS:localhost") {
    cert_ = (dir / "cert.pem").string();
    const std::string key = (dir / "key.pem").string();
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
        "-addext subjectAltName=" +
        names + " -keyout " + key + " -out " + cert_ + " >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) return;
    server_ = std::make_unique<httplib::SSLServer>(cert_.c_str(), key.c_str());
    server_->Post("/v1/chat/completions", [](const httplib::Request& req, httplib::Response& res) {
      if (req.body.find("\"stream\":true") != std::string::npos) {
        res.set_content(event("tls ") + "data: [DONE]\n\n", "text/event-stream");
      } else {
        res.set_content(kAnswer, "application/json");
      }
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
  }
  ~TlsServer() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  bool ok() const { return port_ > 0; }
  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  const std::string& ca_bundle() const { return cert_; }

 private:
  std::string cert_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = -1;
};

TEST_P(FaultTest, SelfSignedTlsIsRefusedByDefaultAndTrustedWithItsCa) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("lemma-tls-" + std::to_string(::getpid()) + "-" + mode());
  std::filesystem::create_directories(dir);
  {
    TlsServer server(dir);
    if (!server.ok()) GTEST_SKIP() << "openssl is not available to make a test certificate";
    const Outcome refused = run(mode(), server.base_url(), options(0));
    ASSERT_TRUE(refused.error);
    EXPECT_EQ(refused.error->kind, ErrorKind::connection);
    EXPECT_THAT(refused.error->message, ::testing::HasSubstr("ca_bundle_path"));
    record("TLS self-signed, default verification", refused, 1);

    ClientOptions trusted = options(0);
    trusted.curl.ca_bundle_path = server.ca_bundle();
    const Outcome ok = run(mode(), server.base_url(), trusted);
    EXPECT_FALSE(ok.error) << ok.error->what();
    EXPECT_EQ(ok.text, streaming() ? "tls " : "\\boxed{4}");
    record("TLS self-signed, its CA configured", ok, 1);
  }
  std::filesystem::remove_all(dir);
}

TEST_P(FaultTest, TlsHostNameMismatchSaysSo) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("lemma-tls-name-" + std::to_string(::getpid()) + "-" + mode());
  std::filesystem::create_directories(dir);
  {
    TlsServer server(dir, "DNS:other.example");  // trusted CA, wrong name
    if (!server.ok()) GTEST_SKIP() << "openssl is not available to make a test certificate";
    ClientOptions o = options(0);
    o.curl.ca_bundle_path = server.ca_bundle();
    const Outcome out = run(mode(), server.base_url(), o);
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->kind, ErrorKind::connection);
    EXPECT_EQ(out.error->code, "tls_hostname_mismatch") << out.error->what();
    EXPECT_THAT(out.error->message, ::testing::HasSubstr("not issued for the host name"));
    EXPECT_THAT(
        out.error->message,
        ::testing::Not(::testing::HasSubstr("Configure CurlTransportOptions::ca_bundle_path")));
    record("TLS certificate for another host name", out, 1);
  }
  std::filesystem::remove_all(dir);
}
#endif

INSTANTIATE_TEST_SUITE_P(Modes, FaultTest,
                         ::testing::Values("chat", "stream", "chat_async", "stream_async"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace lemma
