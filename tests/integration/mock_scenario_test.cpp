// The mock endpoint's scripted answers (scenarios) through lemma's Client, the path a user's
// offline test takes: answers, streams, n > 1, request ranges, captures, HTTP errors with
// Retry-After, and each fault as the typed error a user sees.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "lemma/client.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/testing/fake_clock.hpp"
#include "mock_server/mock_endpoint.hpp"
#include "mock_server/scenario.hpp"
#include "support/matchers.hpp"

namespace lemma {
namespace {

using namespace std::chrono_literals;
using test::ErrorIs;
using test::ErrorKindIs;
using test::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::shared_ptr<const tools::Scenario> scenario(const std::string& text) {
  Result<tools::Scenario> parsed = tools::parse_scenario(text, "test.json");
  EXPECT_THAT(parsed, IsOk());
  return std::make_shared<const tools::Scenario>(parsed ? std::move(*parsed) : tools::Scenario{});
}

// An endpoint playing `text`, and Clients for it.
struct Scripted {
  tools::MockEndpoint endpoint;
  explicit Scripted(const std::string& text) : endpoint(options(text)) {
    EXPECT_GT(endpoint.start(), 0);
  }
  static tools::MockEndpointOptions options(const std::string& text) {
    tools::MockEndpointOptions options;
    options.scenario = scenario(text);
    return options;
  }
  // No retries unless asked; a FakeClock so Retry-After waits are recorded, not spent.
  Client client(int retries = 0,
                std::shared_ptr<const Clock> clock = std::make_shared<testing::FakeClock>()) const {
    ClientOptions options;
    options.retry.max_retries = retries;
    options.retry.jitter = false;
    options.clock = std::move(clock);
    return Client(providers::openai_compatible(endpoint.base_url()), options);
  }
};

ChatRequest ask(const std::string& text, const std::string& model = "lemma-mock-math") {
  ChatRequest request;
  request.model = model;
  request.messages = {Message::user(text)};
  return request;
}

std::vector<std::string> texts(const ChatResponse& response) {
  std::vector<std::string> out;
  for (const auto& choice : response.choices) out.push_back(choice.message.text());
  return out;
}

TEST(MockScenarioTest, AnswersAMatchingRuleWithCapturesReasoningFinishReasonAndUsage) {
  Scripted mock(R"({"rules": [
    {"match": {"model": "lemma-mock-math", "user": "What is (\\d+) squared"},
     "respond": {"content": "It is \\boxed{$1^2}.", "reasoning": "Squaring $1.",
                 "finish_reason": "length",
                 "usage": {"prompt_tokens": 11, "completion_tokens": 22, "reasoning_tokens": 5}}}
  ]})");
  auto response = mock.client().chat(ask("What is 12 squared?"));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->text(), "It is \\boxed{12^2}.");
  EXPECT_EQ(response->reasoning(), "Squaring 12.");
  EXPECT_EQ(response->choices.at(0).finish_reason, "length");
  ASSERT_TRUE(response->usage.has_value());
  EXPECT_EQ(response->usage->prompt_tokens, 11);
  EXPECT_EQ(response->usage->completion_tokens, 22);
  EXPECT_EQ(response->usage->total_tokens, 33);
  EXPECT_EQ(response->usage->reasoning_tokens, 5);

  // Another model, or a question the rule does not match: the built-in answerer.
  auto other_model = mock.client().chat(ask("What is 12 squared?", "another-model"));
  ASSERT_THAT(other_model, IsOk());
  EXPECT_THAT(other_model->text(), HasSubstr("lemma mock endpoint"));
  auto arithmetic = mock.client().chat(ask("What is 2 + 3?"));
  ASSERT_THAT(arithmetic, IsOk());
  EXPECT_THAT(arithmetic->text(), HasSubstr("\\boxed{5}"));
}

TEST(MockScenarioTest, DefaultAnswersWhatNoRuleMatchesAndSystemRegexSelects) {
  Scripted mock(R"({"rules": [
    {"match": {"system": "terse"}, "respond": {"content": "\\boxed{1}", "usage": null}}],
    "default": {"content": "default answer"}})");
  ChatRequest terse = ask("anything");
  terse.messages.insert(terse.messages.begin(), Message::system("Be terse."));
  auto scripted = mock.client().chat(terse);
  ASSERT_THAT(scripted, IsOk());
  EXPECT_EQ(scripted->text(), "\\boxed{1}");
  EXPECT_FALSE(scripted->usage.has_value());
  EXPECT_TRUE(scripted->reasoning().empty());

  auto fallback = mock.client().chat(ask("anything"));  // no system message
  ASSERT_THAT(fallback, IsOk());
  EXPECT_EQ(fallback->text(), "default answer");
  ASSERT_TRUE(fallback->usage.has_value());  // "auto": estimated from the texts
  EXPECT_EQ(fallback->usage->completion_tokens, 2);
  EXPECT_GT(fallback->usage->prompt_tokens, 0);
}

TEST(MockScenarioTest, RequestRangesCountEachRulesOwnMatches) {
  Scripted mock(R"({"rules": [
    {"match": {"user": "^q", "request": [2, 3]}, "respond": [{"content": "A"}, {"content": "B"}]},
    {"match": {"user": "^q"}, "respond": {"content": "rest"}}
  ]})");
  const Client client = mock.client();
  std::vector<std::string> answers;
  for (int i = 0; i < 5; ++i) {
    auto response = client.chat(ask("q" + std::to_string(i)));
    ASSERT_THAT(response, IsOk());
    answers.push_back(response->text());
  }
  EXPECT_THAT(answers, ElementsAre("rest", "A", "B", "rest", "rest"));
}

TEST(MockScenarioTest, EachOfNChoicesConsumesTheNextMatch) {
  Scripted mock(R"({"rules": [{"match": {"user": "sample"}, "respond": [
    {"content": "\\boxed{1}", "finish_reason": "stop"},
    {"content": "\\boxed{2}", "finish_reason": "length"},
    {"content": "\\boxed{3}"},
    {"content": "no answer"}]}]})");
  ChatRequest request = ask("sample me");
  request.sampling.n = 4;
  auto four = mock.client().chat(request);
  ASSERT_THAT(four, IsOk());
  EXPECT_THAT(texts(*four), ElementsAre("\\boxed{1}", "\\boxed{2}", "\\boxed{3}", "no answer"));
  EXPECT_EQ(four->choices.at(1).finish_reason, "length");
  EXPECT_EQ(four->choices.at(3).index, 3);
  // The list is cycled: the next single request starts over.
  auto next = mock.client().chat(ask("sample again"));
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->text(), "\\boxed{1}");

  // Streamed, the n choices arrive as their own indexes and accumulate the same way.
  request.sampling.n = 2;
  ChatStream stream = mock.client().stream(request);
  for (const ChatChunk& chunk : stream) (void)chunk;
  ASSERT_FALSE(stream.error().has_value()) << stream.error()->what();
  EXPECT_THAT(texts(stream.response()), ElementsAre("\\boxed{2}", "\\boxed{3}"));
}

TEST(MockScenarioTest, StreamsReasoningFirstInChunksOfChunkChars) {
  Scripted mock(R"({"rules": [{"respond": {"content": "Thus \\boxed{\\frac{1}{2}}, é.",
    "reasoning": "Half of one is one half.", "chunk_chars": 4, "chunk_delay_ms": 1}}]})");
  std::vector<std::string> reasoning, content;
  StreamCallbacks callbacks;
  callbacks.on_reasoning = [&](std::string_view piece) {
    EXPECT_TRUE(content.empty()) << "reasoning after content";
    reasoning.emplace_back(piece);
  };
  callbacks.on_content = [&](std::string_view piece) { content.emplace_back(piece); };
  const Client client = mock.client();
  auto streamed = client.stream(ask("half?"), callbacks);
  ASSERT_THAT(streamed, IsOk());
  EXPECT_EQ(streamed->reasoning(), "Half of one is one half.");
  EXPECT_EQ(streamed->text(), "Thus \\boxed{\\frac{1}{2}}, é.");
  EXPECT_EQ(reasoning.size(), 6u);  // 24 characters in pieces of 4
  EXPECT_EQ(reasoning.front(), "Half");
  EXPECT_EQ(content.back(), ", é.");  // 4 characters, 5 bytes: UTF-8 is never split
  ASSERT_TRUE(streamed->usage.has_value());

  auto whole = client.chat(ask("half?"));
  ASSERT_THAT(whole, IsOk());
  EXPECT_EQ(whole->text(), streamed->text());
  EXPECT_EQ(whole->reasoning(), streamed->reasoning());
  EXPECT_EQ(whole->usage, streamed->usage);
}

TEST(MockScenarioTest, RateLimitWithRetryAfterIsHonouredByTheClientsRetry) {
  Scripted mock(R"({"rules": [
    {"match": {"request": [1, 2]}, "respond": {"status": 429, "headers": {"retry-after": "3"},
     "error": {"message": "Slow down.", "type": "requests", "code": "rate_limit_exceeded"}}},
    {"respond": {"content": "\\boxed{7}"}}]})");
  auto clock = std::make_shared<testing::FakeClock>();
  auto response = mock.client(2, clock).chat(ask("x"));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->text(), "\\boxed{7}");
  EXPECT_THAT(clock->sleeps(), ElementsAre(3000ms, 3000ms));
  EXPECT_EQ(mock.endpoint.chat_requests(), 3);
}

TEST(MockScenarioTest, ClientErrorIsTypedAndNotRetried) {
  Scripted mock(R"({"rules": [{"respond": {"status": 400,
    "error": {"message": "This model's maximum context length is 4096 tokens.",
              "type": "invalid_request_error", "code": "context_length_exceeded",
              "param": "messages"}}}]})");
  auto response = mock.client(3).chat(ask("x"));
  ASSERT_THAT(response, ErrorIs(ErrorKind::invalid_request, HasSubstr("maximum context length")));
  EXPECT_EQ(response.error().http_status, 400);
  EXPECT_EQ(response.error().code, "context_length_exceeded");
  EXPECT_EQ(response.error().param, "messages");
  EXPECT_EQ(mock.endpoint.chat_requests(), 1);
}

TEST(MockScenarioTest, ServerErrorWithoutErrorObjectGetsADefaultMessage) {
  Scripted mock(R"({"rules": [{"respond": {"status": 503}}]})");
  auto response = mock.client().chat(ask("x"));
  ASSERT_THAT(response, ErrorIs(ErrorKind::server_error, HasSubstr("scripted HTTP 503")));
}

TEST(MockScenarioTest, ResetIsAConnectionErrorThatTheClientRetries) {
  Scripted mock(R"({"rules": [
    {"match": {"request": 1}, "respond": {"fault": "reset"}},
    {"respond": {"content": "\\boxed{9}"}}]})");
  auto failed = mock.client(0).chat(ask("x"));
  ASSERT_THAT(failed, ErrorKindIs(ErrorKind::connection));
  EXPECT_EQ(failed.error().phase, ErrorPhase::before_response);
  EXPECT_EQ(failed.error().http_status, 0);
  ChatStream stream = mock.client(0).stream(ask("x"));  // the rule's second match: an answer
  for (const ChatChunk& chunk : stream) (void)chunk;
  ASSERT_FALSE(stream.error().has_value());
  EXPECT_EQ(stream.response().text(), "\\boxed{9}");

  Scripted streamed(R"({"rules": [{"respond": {"fault": "reset"}}]})");
  ChatStream reset = streamed.client(0).stream(ask("x"));
  for (const ChatChunk& chunk : reset) (void)chunk;
  ASSERT_TRUE(reset.error().has_value());
  EXPECT_EQ(reset.error()->kind, ErrorKind::connection) << reset.error()->what();
  EXPECT_EQ(reset.error()->phase, ErrorPhase::before_response);

  Scripted retried(R"({"rules": [
    {"match": {"request": 1}, "respond": {"fault": "reset"}},
    {"respond": {"content": "\\boxed{9}"}}]})");
  auto response = retried.client(1).chat(ask("x"));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->text(), "\\boxed{9}");
  EXPECT_EQ(retried.endpoint.chat_requests(), 2);
}

TEST(MockScenarioTest, FaultsAfterTheHeadersAreTypedErrors) {
  struct Case {
    const char* fault;
    ErrorKind whole;
    ErrorKind streamed;
  };
  // A stream cut before its first chunk delivered nothing: the Client reports (and would
  // retry) it as a broken connection. Cut later, what arrived stays in response().
  for (const Case& c : {Case{"reset_after_headers", ErrorKind::protocol, ErrorKind::connection},
                        Case{"cut", ErrorKind::protocol, ErrorKind::protocol},
                        Case{"malformed_json", ErrorKind::protocol, ErrorKind::protocol}}) {
    SCOPED_TRACE(c.fault);
    Scripted mock(std::string(R"({"rules": [{"respond": {"content": "The answer is \\boxed{42}.",
      "reasoning": "Six times seven.", "chunk_chars": 3, "fault": ")") +
                  c.fault + R"("}}]})");
    const Client client = mock.client();
    auto whole = client.chat(ask("x"));
    ASSERT_FALSE(whole.ok());
    EXPECT_EQ(whole.error().kind, c.whole) << whole.error().what();
    EXPECT_EQ(whole.error().http_status, 200);

    ChatStream stream = client.stream(ask("x"));
    for (const ChatChunk& chunk : stream) (void)chunk;
    ASSERT_TRUE(stream.error().has_value());
    EXPECT_EQ(stream.error()->kind, c.streamed) << stream.error()->what();
    if (std::string(c.fault) == "cut") {
      EXPECT_EQ(stream.error()->code, "truncated");
      EXPECT_EQ(stream.error()->phase, ErrorPhase::mid_stream);
      EXPECT_EQ(stream.response().reasoning(), "Six times seven.");
      EXPECT_FALSE(stream.response().text().empty());
      EXPECT_THAT("The answer is \\boxed{42}.", ::testing::StartsWith(stream.response().text()));
      EXPECT_NE(stream.response().text(), "The answer is \\boxed{42}.");
    }
  }
}

TEST(MockScenarioTest, StallEndsWithTheClientsTimeoutAndFreesTheServer) {
  tools::MockEndpointOptions options = Scripted::options(R"({"rules": [
    {"match": {"user": "stall"}, "respond": {"fault": "stall"}}]})");
  options.threads = 1;  // a stall that outlived its client would block the next request
  tools::MockEndpoint endpoint(options);
  ASSERT_GT(endpoint.start(), 0);
  ClientOptions client_options;
  client_options.retry.max_retries = 0;
  client_options.timeout = 300ms;
  const Client client(providers::openai_compatible(endpoint.base_url()), client_options);
  auto stalled = client.chat(ask("stall"));
  ASSERT_THAT(stalled, ErrorKindIs(ErrorKind::timeout));
  EXPECT_EQ(stalled.error().code, "total_timeout");
  auto next = client.chat(ask("What is 1 + 1?"));
  ASSERT_THAT(next, IsOk());
  EXPECT_THAT(next->text(), HasSubstr("\\boxed{2}"));
}

TEST(MockScenarioTest, StopDoesNotWaitForAStalledOrSlowRequest) {
  for (const char* respond : {R"({"fault": "stall"})", R"({"latency_ms": 600000})"}) {
    SCOPED_TRACE(respond);
    auto endpoint = std::make_unique<tools::MockEndpoint>(
        Scripted::options(std::string(R"({"rules": [{"respond": )") + respond + "}]}"));
    ASSERT_GT(endpoint->start(), 0);
    ClientOptions options;
    options.retry.max_retries = 0;
    const Client client(providers::openai_compatible(endpoint->base_url()), options);
    auto pending = client.chat_async(ask("x"));
    // The request reaching the server is an event in another thread: wait for it, bounded.
    ASSERT_TRUE(endpoint->wait_for_chat_requests(1, 10s));
    ASSERT_EQ(endpoint->chat_requests(), 1);
    const auto before = std::chrono::steady_clock::now();
    endpoint->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
    ASSERT_TRUE(pending.wait_for(10s));
    EXPECT_FALSE(pending.get().ok());
  }
}

TEST(MockScenarioTest, LatencyDelaysTheAnswer) {
  Scripted mock(R"({"rules": [{"respond": {"content": "late", "latency_ms": 150}}]})");
  const auto before = std::chrono::steady_clock::now();
  auto response = mock.client().chat(ask("x"));
  ASSERT_THAT(response, IsOk());
  EXPECT_GE(std::chrono::steady_clock::now() - before, 150ms);
}

}  // namespace
}  // namespace lemma
