// The API key must never appear in an error, exception, log line, observer event or dump,
// even when a server echoes it back in every way it can. Every failure path runs here with
// full debug logging, and everything produced is searched for the key.

#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "support/matchers.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using namespace std::chrono_literals;
using test::Reply;
using test::TestServer;

constexpr const char* kKey = "sk-lemma-SECRET-4f9c2a71d0";

// Collects every text lemma hands out.
class Collector : public Observer {
 public:
  void add(std::string text) {
    std::lock_guard<std::mutex> lock(mutex_);
    texts_.push_back(std::move(text));
  }
  void add(const Error& error) {
    add(error.what());
    add(error.message);
    add(error.provider_message);
    add(error.body_excerpt);
    add(error.code + error.type + error.param + error.request_id);
    for (const auto& record : error.history) add(record.message);
    try {
      throw Exception(error);
    } catch (const Exception& e) {
      add(e.what());
    }
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

TEST(SecretsTest, KeyNeverAppearsInAnythingLemmaProduces) {
  const std::string echo =
      std::string("Incorrect API key provided: ") + kKey + " (Bearer " + kKey + ")";
  const nlohmann::json openai_error = {
      {"error", {{"message", echo}, {"type", kKey}, {"code", kKey}, {"param", kKey}}}};
  TestServer server([&](const test::RecordedRequest& r) {
    const std::string scenario = nlohmann::json::parse(r.body)["messages"][0]["content"];
    if (scenario == "401") return Reply::json(401, openai_error.dump(), {{"x-request-id", kKey}});
    if (scenario == "500") return Reply::json(500, echo, {{"Retry-After", "0"}});
    if (scenario == "html") return Reply::http(200, "<html>" + echo + "</html>", {}, "text/html");
    if (scenario == "bad-json") return Reply::json(200, "{\"choices\": [" + echo);
    if (scenario == "error-200") return Reply::json(200, openai_error.dump());
    if (scenario == "stream-error") {
      return Reply::chunked(200)
          .chunk("data: {\"choices\": [{\"delta\": {\"content\": \"x\"}}]}\n\n")
          .chunk("data: " + openai_error.dump() + "\n\n")
          .end_chunks();
    }
    if (scenario == "stream-bad")
      return Reply::chunked(200).chunk("data: {" + echo + "\n\n").end_chunks();
    if (scenario == "stall") return Reply().stall();
    return Reply::json(200, R"({"choices": [{"message": {"content": "ok"}}]})");
  });

  auto collector = std::make_shared<Collector>();
  ClientOptions options;
  options.observer = collector;
  options.log_level = LogLevel::debug;
  options.log_sink = [&](LogLevel, std::string_view line) { collector->add(std::string(line)); };
  options.retry.initial_backoff = 1ms;
  options.timeout = 300ms;
  options.stream_idle_timeout = 300ms;
  options.default_headers.set("X-Api-Key", kKey);
  const Client client(providers::openai_compatible(server.base_url(), kKey), options);

  for (const char* scenario : {"401", "500", "html", "bad-json", "error-200", "stall", "ok"}) {
    ChatRequest request;
    request.model = "m";
    request.messages = {Message::user(scenario)};
    auto result = client.chat(request);
    if (!result) collector->add(result.error());
  }
  for (const char* scenario : {"401", "stream-error", "stream-bad", "stall", "ok"}) {
    ChatRequest request;
    request.model = "m";
    request.messages = {Message::user(scenario)};
    ChatStream stream = client.stream(request);
    for (const ChatChunk& chunk : stream) (void)chunk;
    if (stream.error()) collector->add(*stream.error());
  }
  // Caller mistakes and a malformed URL that contains the key.
  ChatRequest empty;
  auto refused = client.chat(empty);
  ASSERT_FALSE(refused.ok());
  collector->add(refused.error());
  auto bad_url =
      Client(providers::openai_compatible(std::string("http://host/") + kKey + " v1", kKey))
          .models();
  ASSERT_FALSE(bad_url.ok());
  collector->add(bad_url.error());

  HttpRequest dump;
  dump.url = server.base_url();
  dump.headers.set("Authorization", std::string("Bearer ") + kKey);
  dump.headers.set("api-key", kKey);
  collector->add(dump.to_redacted_string());

  const auto texts = collector->texts();
  EXPECT_GT(texts.size(), 40u);  // the sweep really produced errors and logs
  std::size_t redactions = 0;
  for (const auto& text : texts) {
    EXPECT_EQ(text.find(kKey), std::string::npos) << "the key leaked in: " << text.substr(0, 300);
    redactions += text.find("[REDACTED]") != std::string::npos;
  }
  EXPECT_GT(redactions, 5u);  // echoed keys were replaced, not dropped silently
}

}  // namespace
}  // namespace lemma
