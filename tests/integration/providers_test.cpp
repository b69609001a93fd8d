// The hosted providers through Client against loopback servers that speak their wire formats.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/metrics.hpp"
#include "lemma/providers/aimlapi.hpp"
#include "lemma/providers/dataoorts.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "support/client_helpers.hpp"
#include "support/matchers.hpp"
#include "support/stream_fixtures.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::ErrorIs;
using test::ErrorKindIs;
using test::IsOk;
using test::Reply;
using test::single_attempt;
using test::TestServer;
using ::testing::HasSubstr;

constexpr const char* kDataoortsModel = "deepseek-ai/deepseek-math-7b-instruct";

std::shared_ptr<Provider> dataoorts_at(const TestServer& server) {
  providers::DataoortsOptions options;
  options.api_key = "dk-secret";
  options.base_url = "http://127.0.0.1:" + std::to_string(server.port()) + "/api/v1";
  return std::make_shared<providers::DataoortsProvider>(options);
}

ChatRequest dataoorts_request() {
  ChatRequest request;
  request.model = kDataoortsModel;
  request.messages = {Message::user("What is 2+2?")};
  request.sampling.max_tokens = 64;
  return request;
}

TEST(DataoortsLoopbackTest, ChatStreamAndCostThroughTheClient) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::json(200, test::read_fixture("dataoorts_chat.json"));
  });
  auto metrics = std::make_shared<Metrics>();
  ClientOptions options;
  options.observer = metrics;
  Client client(dataoorts_at(server), options);
  auto response = client.chat(dataoorts_request());
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(response->text(), HasSubstr("branch of artificial intelligence"));
  EXPECT_EQ(response->model, kDataoortsModel);  // filled from the request: the envelope has none
  ASSERT_TRUE(response->cost_usd.has_value());
  EXPECT_DOUBLE_EQ(*response->cost_usd, (12 * 0.10 + 321 * 0.11) / 1e6);

  const auto sent = server.requests().at(0);
  EXPECT_EQ(sent.target, "/api/v1");
  EXPECT_EQ(sent.headers.get("Authorization"), "Bearer dk-secret");
  const json body = json::parse(sent.body);
  EXPECT_EQ(body["model"], kDataoortsModel);
  EXPECT_EQ(body["data"]["max_tokens"], 64);
  EXPECT_FALSE(body["data"].contains("stream"));

  // No streaming at Dataoorts: the whole answer arrives as one chunk.
  ChatStream stream = client.stream(dataoorts_request());
  std::size_t chunks = 0;
  for (const ChatChunk& chunk : stream) chunks += !chunk.choices.empty();
  ASSERT_FALSE(stream.error().has_value());
  EXPECT_EQ(chunks, 1u);
  EXPECT_EQ(stream.response().text(), response->text());
  EXPECT_EQ(stream.response().cost_usd, response->cost_usd);
  EXPECT_FALSE(json::parse(server.requests().at(1).body)["data"].contains("stream"));

  const auto snapshot = metrics->snapshot();
  ASSERT_EQ(snapshot.entries.size(), 1u);
  EXPECT_EQ(snapshot.entries[0].provider, "dataoorts");
  EXPECT_NEAR(snapshot.entries[0].cost_usd, 2 * *response->cost_usd, 1e-12);
}

TEST(DataoortsLoopbackTest, EnvelopeErrorsAndHttpStatuses) {
  struct Case {
    int status;
    std::string body;
    ErrorKind kind;
    std::string text;
  };
  const std::vector<Case> cases = {
      {200,
       R"({"errors": [{"code": 5007, "message": "No such model"}], "messages": [], "result": null, "success": false})",
       ErrorKind::provider, "No such model"},
      {200,
       R"({"errors": ["model overloaded"], "messages": [], "result": {"response": ""}, "success": true})",
       ErrorKind::provider, "model overloaded"},
      {401, R"({"errors": [{"code": 10000, "message": "Authentication error"}], "success": false})",
       ErrorKind::authentication, "Authentication error"},
      {429, R"({"errors": [{"code": 971, "message": "Too many requests"}], "success": false})",
       ErrorKind::rate_limited, "Too many requests"},
      {500, "<html>Internal Server Error</html>", ErrorKind::server_error, "HTTP 500"},
  };
  for (const auto& c : cases) {
    TestServer server([&](const test::RecordedRequest&) { return Reply::json(c.status, c.body); });
    auto result = Client(dataoorts_at(server), single_attempt()).chat(dataoorts_request());
    ASSERT_THAT(result, ErrorIs(c.kind, HasSubstr(c.text))) << c.status << " " << c.body;
    EXPECT_EQ(result.error().http_status, c.status);
  }
}

TEST(DataoortsLoopbackTest, InvalidParametersAndModelsNeverReachTheServer) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, "{}"); });
  Client client(dataoorts_at(server));
  ChatRequest request = dataoorts_request();
  request.sampling.top_k = 99;
  EXPECT_THAT(client.chat(request), ErrorIs(ErrorKind::invalid_request, HasSubstr("top_k is 99")));
  EXPECT_THAT(client.models(), ErrorKindIs(ErrorKind::invalid_request));
  EXPECT_EQ(server.connection_count(), 0);
}

TEST(AimlApiLoopbackTest, ChatStreamAndModels) {
  TestServer server([](const test::RecordedRequest& r) {
    if (r.target == "/v1/models") {
      return Reply::json(
          200,
          R"({"object": "list", "data": [{"id": "deepseek/deepseek-prover-v2", "object": "model"}]})");
    }
    if (json::parse(r.body).value("stream", false)) {
      return Reply::chunked(200).chunk(test::read_fixture("streams/openai.sse")).end_chunks();
    }
    return Reply::json(200, test::read_fixture("aimlapi_chat.json"));
  });
  Client client(providers::aimlapi("ak-secret", server.base_url()));
  ChatRequest request;
  request.model = "deepseek/deepseek-prover-v2";
  request.messages = {Message::user("Hello! What can you do?")};
  auto response = client.chat(request);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->usage->total_tokens, 1036);
  EXPECT_FALSE(response->cost_usd.has_value());  // AIML API publishes no price on the seed page
  ChatStream stream = client.stream(request);
  for (const ChatChunk& chunk : stream) (void)chunk;
  EXPECT_FALSE(stream.error().has_value());
  EXPECT_THAT(stream.response().text(), HasSubstr("boxed{4}"));
  auto models = client.models();
  ASSERT_THAT(models, IsOk());
  EXPECT_EQ(models->at(0).id, "deepseek/deepseek-prover-v2");
  EXPECT_EQ(server.requests().at(0).headers.get("Authorization"), "Bearer ak-secret");
}

TEST(AimlApiLoopbackTest, OutOfCreditsIsQuotaExceededAndNotRetried) {
  int seen = 0;
  TestServer server([&](const test::RecordedRequest&) {
    ++seen;
    return Reply::json(
        403,
        R"({"statusCode": 403, "message": "You've run out of credits. Please top up your balance.", "error": "Forbidden"})");
  });
  ChatRequest request;
  request.model = "deepseek/deepseek-prover-v2";
  request.messages = {Message::user("x")};
  auto result = Client(providers::aimlapi("ak", server.base_url())).chat(request);
  ASSERT_THAT(result, ErrorIs(ErrorKind::quota_exceeded, HasSubstr("run out of credits")));
  EXPECT_EQ(seen, 1);
}

TEST(ThinkTagsLoopbackTest, StreamWithTagsSplitAcrossChunksEndsWithHeldBackText) {
  auto chunk = [](const std::string& text) {
    return "data: " + json{{"choices", {{{"index", 0}, {"delta", {{"content", text}}}}}}}.dump() +
           "\n\n";
  };
  TestServer server([&](const test::RecordedRequest&) {
    return Reply::chunked(200)
        .chunk(chunk("<thi"))
        .chunk(chunk("nk>try n=1</th"))
        .chunk(chunk("ink>\nProved. Note: x <"))
        .chunk("data: [DONE]\n\n")
        .end_chunks();
  });
  providers::OpenAICompatibleOptions options;
  options.base_url = server.base_url();
  options.split_think_tags = true;
  Client client(std::make_shared<providers::OpenAICompatibleProvider>(options));
  ChatRequest request;
  request.model = "tgi";
  request.messages = {Message::user("prove")};
  std::string delivered;
  StreamCallbacks callbacks;
  callbacks.on_content = [&](std::string_view text) { delivered += text; };
  auto response = client.stream(request, callbacks);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->reasoning(), "try n=1");
  EXPECT_EQ(response->text(), "Proved. Note: x <");  // the held-back "<" arrives at the end
  EXPECT_EQ(delivered, response->text());
}

}  // namespace
}  // namespace lemma
