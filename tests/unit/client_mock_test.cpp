// The Client through the public MockTransport seam: what a user's own unit tests look like.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/providers/dataoorts.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/testing/mock_transport.hpp"
#include "lemma/wire.hpp"
#include "support/matchers.hpp"

namespace lemma {
namespace {

using test::ErrorIs;
using test::ErrorKindIs;
using test::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kKey = "sk-test-SECRET-0123456789";

struct Fixture {
  std::shared_ptr<testing::MockTransport> mock = std::make_shared<testing::MockTransport>();
  Client client;

  explicit Fixture(std::string base_url = "https://api.example.com/v1", ClientOptions options = {})
      : client(make(std::move(base_url), std::move(options))) {}

  Client make(std::string base_url, ClientOptions options) {
    options.transport = mock;
    options.retry = RetryPolicy::none();  // retries are tested in retry_test.cpp
    return Client(providers::openai_compatible(std::move(base_url), kKey), std::move(options));
  }
};

ChatRequest math_request() {
  ChatRequest request;
  request.model = "deepseek/deepseek-prover-v2";
  request.messages = {Message::user("What is 2+2?")};
  return request;
}

TEST(ClientMockTest, ChatSendsOpenAiRequestAndDecodesAnswer) {
  Fixture f;
  f.mock->enqueue_json(200, test::read_fixture("aimlapi_chat.json"));
  auto response = f.client.chat(math_request());
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->usage->total_tokens, 1036);

  ASSERT_EQ(f.mock->request_count(), 1u);
  const HttpRequest sent = f.mock->requests()[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "https://api.example.com/v1/chat/completions");
  EXPECT_EQ(sent.headers.get("Authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(sent.headers.get("Content-Type"), "application/json");
  EXPECT_THAT(sent.headers.get("User-Agent").value_or(""), HasSubstr("lemma/"));
  EXPECT_EQ(nlohmann::json::parse(sent.body)["model"], "deepseek/deepseek-prover-v2");
}

TEST(ClientMockTest, ChatNeverAsksForAStream) {
  Fixture f;
  f.mock->enqueue_json(200, R"({"choices": [{"message": {"content": "4"}}]})");
  ChatRequest request = math_request();
  request.stream = true;
  ASSERT_THAT(f.client.chat(request), IsOk());
  EXPECT_FALSE(nlohmann::json::parse(f.mock->requests()[0].body).contains("stream"));
}

TEST(ClientMockTest, BaseUrlRule) {
  for (const auto& [base, expected] : std::vector<std::pair<std::string, std::string>>{
           {"http://localhost:8000", "http://localhost:8000/v1/chat/completions"},
           {"http://localhost:8000/", "http://localhost:8000/v1/chat/completions"},
           {"http://localhost:8000/v1/", "http://localhost:8000/v1/chat/completions"},
           {"https://cloud.example.com/api/v1",
            "https://cloud.example.com/api/v1/chat/completions"}}) {
    Fixture f(base);
    f.mock->enqueue_json(200, R"({"choices": []})");
    ASSERT_THAT(f.client.chat(math_request()), IsOk());
    EXPECT_EQ(f.mock->requests()[0].url, expected) << base;
  }
}

TEST(ClientMockTest, InvalidRequestsAreRefusedBeforeAnyIo) {
  Fixture f;
  ChatRequest no_model = math_request();
  no_model.model.clear();
  EXPECT_THAT(f.client.chat(no_model), ErrorIs(ErrorKind::invalid_request, HasSubstr("model")));
  ChatRequest no_messages = math_request();
  no_messages.messages.clear();
  EXPECT_THAT(f.client.chat(no_messages), ErrorKindIs(ErrorKind::invalid_request));
  ChatRequest bad_top_p = math_request();
  bad_top_p.sampling.top_p = 1.5;
  auto result = f.client.chat(bad_top_p);
  ASSERT_THAT(result, ErrorIs(ErrorKind::invalid_request, HasSubstr("top_p is 1.5")));
  EXPECT_EQ(result.error().param, "top_p");
  ChatRequest hot = math_request();
  hot.sampling.temperature = 2.5;
  EXPECT_THAT(f.client.chat(hot), ErrorIs(ErrorKind::invalid_request, HasSubstr("temperature")));
  EXPECT_EQ(f.mock->request_count(), 0u);
}

// A caller's string that is not UTF-8 cannot be sent as JSON: it is the caller's mistake, refused
// before any I/O and naming the field, never a json::type_error thrown out of chat() or stream().
TEST(ClientMockTest, InvalidUtf8FromTheCallerIsRefusedBeforeAnyIo) {
  const std::string bad = "2+2=\xff\xfe?";
  const std::vector<std::pair<std::string, void (*)(ChatRequest&, const std::string&)>> cases = {
      {"messages[0].content",
       [](ChatRequest& r, const std::string& b) { r.messages[0].content = b; }},
      {"messages[0].name", [](ChatRequest& r, const std::string& b) { r.messages[0].name = b; }},
      {"messages[1].tool_calls[0].arguments",
       [](ChatRequest& r, const std::string& b) {
         Message call = Message::assistant("");
         call.tool_calls.push_back(ToolCall{"call_1", "function", "f", b});
         r.messages.push_back(call);
       }},
      {"model", [](ChatRequest& r, const std::string& b) { r.model = b; }},
      {"stop[0]",
       [](ChatRequest& r, const std::string& b) { r.sampling.stop = std::vector<std::string>{b}; }},
      {"user", [](ChatRequest& r, const std::string& b) { r.sampling.user = b; }},
      {"extra.chat_template_kwargs.note", [](ChatRequest& r, const std::string& b) {
         r.sampling.extra = {{"chat_template_kwargs", {{"note", b}}}};
       }}};
  for (const bool dataoorts : {false, true}) {
    auto mock = std::make_shared<testing::MockTransport>();
    ClientOptions options;
    options.transport = mock;
    options.retry = RetryPolicy::none();
    Client client(dataoorts ? providers::dataoorts(kKey)
                            : providers::openai_compatible("https://api.example.com/v1", kKey),
                  options);
    for (const auto& [field, mutate] : cases) {
      ChatRequest request = math_request();
      mutate(request, bad);
      EXPECT_THAT(client.chat(request), ErrorIs(ErrorKind::invalid_request, HasSubstr(field)))
          << field << (dataoorts ? " (dataoorts)" : "");
      ChatStream stream = client.stream(request);
      EXPECT_EQ(stream.next(), nullptr);
      ASSERT_TRUE(stream.error()) << field;
      EXPECT_EQ(stream.error()->kind, ErrorKind::invalid_request) << field;
      EXPECT_THAT(stream.error()->message, HasSubstr(field));
    }
    EXPECT_EQ(mock->request_count(), 0u);
  }
}

// The test helpers that encode what a mock server sends never throw on a caller's bad bytes:
// invalid UTF-8 is sent as U+FFFD, as a lenient server would echo it.
TEST(ClientMockTest, MockEncodersReplaceInvalidUtf8InsteadOfThrowing) {
  Fixture f;
  ChatResponse response = testing::answer("4 \xff");
  EXPECT_NO_THROW(f.mock->enqueue_response(response));
  EXPECT_NO_THROW(f.mock->enqueue_stream(testing::chunks_of(response)));
  EXPECT_NO_THROW(f.mock->enqueue_error_response(400, "bad \xc3"));
  std::string sse;
  EXPECT_NO_THROW(sse = wire::encode_sse_stream(testing::chunks_of(response)));
  EXPECT_THAT(sse, HasSubstr("4 \xef\xbf\xbd"));
  auto answer = f.client.chat(math_request());
  ASSERT_THAT(answer, IsOk());
  EXPECT_EQ(answer->text(), "4 \xef\xbf\xbd");
}

TEST(ClientMockTest, MalformedBaseUrlIsInvalidRequestBeforeAnyIo) {
  Fixture f("localhost:8000");
  EXPECT_THAT(f.client.chat(math_request()),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("base_url")));
  EXPECT_THAT(f.client.models(), ErrorKindIs(ErrorKind::invalid_request));
  EXPECT_EQ(f.mock->request_count(), 0u);
}

TEST(ClientMockTest, TransportErrorsPassThroughTyped) {
  Fixture f;
  f.mock->enqueue_error(make_error(ErrorKind::connection, "refused"));
  EXPECT_THAT(f.client.chat(math_request()), ErrorIs(ErrorKind::connection, HasSubstr("refused")));
}

TEST(ClientMockTest, ApiKeyEchoedByServerIsRedactedEverywhere) {
  Fixture f;
  const std::string echoed =
      std::string(R"({"error": {"message": "Incorrect API key provided: )") + kKey + R"("}})";
  f.mock->enqueue_json(401, echoed);
  auto result = f.client.chat(math_request());
  ASSERT_THAT(result, ErrorKindIs(ErrorKind::authentication));
  const Error& e = result.error();
  for (const std::string& text : {e.message, e.provider_message, e.body_excerpt, e.what()}) {
    EXPECT_THAT(text, Not(HasSubstr(kKey)));
  }
  EXPECT_THAT(e.provider_message, HasSubstr("[REDACTED]"));
  try {
    (void)result.value();
  } catch (const Exception& ex) {
    EXPECT_THAT(ex.what(), Not(HasSubstr(kKey)));
  }
  HttpRequest sent = f.mock->requests()[0];
  EXPECT_THAT(sent.to_redacted_string(), Not(HasSubstr(kKey)));
  EXPECT_THAT(sent.to_redacted_string(), HasSubstr("Authorization: [REDACTED]"));
  std::ostringstream os;
  os << ApiKey(kKey);
  EXPECT_EQ(os.str(), "[REDACTED]");
}

TEST(ClientMockTest, DefaultAndPerCallHeadersAndTimeout) {
  ClientOptions options;
  options.default_headers.set("X-Team", "algebra");
  options.default_headers.set("Authorization", "must not override the provider's");
  options.timeout = std::chrono::seconds(42);
  Fixture f("https://api.example.com/v1", options);
  f.mock->enqueue_json(200, R"({"choices": []})");
  CallOptions call;
  call.headers.set("X-Trace", "t1");
  call.timeout = std::chrono::seconds(5);
  ASSERT_THAT(f.client.chat(math_request(), call), IsOk());
  const HttpRequest sent = f.mock->requests()[0];
  EXPECT_EQ(sent.headers.get("X-Team"), "algebra");
  EXPECT_EQ(sent.headers.get("X-Trace"), "t1");
  EXPECT_EQ(sent.headers.get("Authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(sent.timeout, std::chrono::seconds(5));
  EXPECT_EQ(sent.connect_timeout, std::chrono::seconds(10));
}

TEST(ClientMockTest, ModelsListsAndSendsGet) {
  Fixture f;
  f.mock->enqueue_json(200,
                       R"({"data": [{"id": "deepseek/deepseek-prover-v2", "object": "model"}]})");
  auto models = f.client.models();
  ASSERT_THAT(models, IsOk());
  ASSERT_EQ(models->size(), 1u);
  EXPECT_EQ((*models)[0].id, "deepseek/deepseek-prover-v2");
  EXPECT_EQ(f.mock->requests()[0].method, "GET");
  EXPECT_EQ(f.mock->requests()[0].url, "https://api.example.com/v1/models");
  EXPECT_TRUE(f.mock->requests()[0].body.empty());
}

TEST(ClientMockTest, DecodeErrorKeepsStatusAndRequestId) {
  Fixture f;
  HttpResponse r;
  r.status = 200;
  r.headers.set("x-request-id", "abc");
  r.body = "not json";
  f.mock->enqueue(r);
  auto result = f.client.chat(math_request());
  ASSERT_THAT(result, ErrorKindIs(ErrorKind::protocol));
  EXPECT_EQ(result.error().http_status, 200);
  EXPECT_EQ(result.error().request_id, "abc");
}

TEST(ClientMockTest, EmptyQueueIsAConnectionErrorThatSaysWhatToDo) {
  Fixture f;
  EXPECT_THAT(f.client.chat(math_request()), ErrorIs(ErrorKind::connection, HasSubstr("enqueue")));
}

TEST(ClientMockTest, NullProviderIsInvalidRequest) {
  ClientOptions options;
  options.transport = std::make_shared<testing::MockTransport>();
  Client client(nullptr, options);
  EXPECT_THAT(client.chat(math_request()),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("provider")));
}

}  // namespace
}  // namespace lemma
