// lemma::testing's typed helpers, used as a user's own test would: queue typed values, call the
// Client, get the same typed values back, with no hand-written JSON or SSE.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/testing/mock_transport.hpp"
#include "support/client_helpers.hpp"
#include "support/matchers.hpp"

namespace lemma {
namespace {

using test::ErrorIs;
using ::testing::HasSubstr;

struct Fixture {
  std::shared_ptr<testing::MockTransport> mock = std::make_shared<testing::MockTransport>();
  Client client = make();

  Client make() {
    ClientOptions options = test::single_attempt();
    options.transport = mock;
    return Client(providers::openai_compatible("https://api.example.com/v1"), options);
  }
};

ChatRequest request() {
  return test::user_request("mock-model", "What is 6 * 7?");
}

TEST(TypedMockTest, QueuedResponseComesBackFromChatUnchanged) {
  Fixture f;
  const ChatResponse queued = testing::answer("\\boxed{42}", "6 * 7 = 42");
  f.mock->enqueue_response(queued);
  auto response = f.client.chat(request());
  ASSERT_TRUE(response.ok()) << response.error().what();
  EXPECT_EQ(response->text(), "\\boxed{42}");
  EXPECT_EQ(response->reasoning(), "6 * 7 = 42");
  EXPECT_EQ(response->choices[0].finish_reason, "stop");
  EXPECT_EQ(response->usage, queued.usage);
  EXPECT_EQ(response->model, "mock-model");
}

TEST(TypedMockTest, QueuedChunksStreamInOrderAndAccumulateToTheResponse) {
  Fixture f;
  // Multi-byte characters must never be cut: pieces of 3 bytes over Chinese and a π.
  const ChatResponse queued = testing::answer("答案是 \\boxed{π}", "先算 6 × 7");
  const std::vector<ChatChunk> chunks = testing::chunks_of(queued, 3);
  f.mock->enqueue_stream(chunks);
  std::vector<ChatChunk> received;
  std::string content;
  ChatStream stream = f.client.stream(request());
  for (const ChatChunk& chunk : stream) {
    received.push_back(chunk);
    for (const auto& choice : chunk.choices) content += choice.delta.content.value_or("");
  }
  ASSERT_FALSE(stream.error()) << stream.error()->what();
  EXPECT_EQ(received, chunks);
  EXPECT_EQ(content, "答案是 \\boxed{π}");
  EXPECT_EQ(stream.response().text(), queued.text());
  EXPECT_EQ(stream.response().reasoning(), queued.reasoning());
  EXPECT_EQ(stream.response().usage, queued.usage);
  EXPECT_EQ(stream.response().choices[0].finish_reason, "stop");
}

TEST(TypedMockTest, ChunksOfKeepsToolCallsRefusalsAndEveryChoice) {
  ChatResponse response = testing::answer("first");
  Choice second;
  second.index = 1;
  second.message = Message::assistant("");
  second.message.refusal = "I cannot help with that.";
  second.message.tool_calls.push_back({"call_1", "function", "lean_check", R"({"code":"rfl"})"});
  second.finish_reason = "tool_calls";
  response.choices.push_back(second);

  StreamAccumulator accumulator;
  for (const ChatChunk& chunk : testing::chunks_of(response, 2)) accumulator.add(chunk);
  const ChatResponse& back = accumulator.response();
  ASSERT_EQ(back.choices.size(), 2u);
  EXPECT_EQ(back.choices[0].message.content, "first");
  EXPECT_EQ(back.choices[1].message.content, "");
  EXPECT_EQ(back.choices[1].message.refusal, "I cannot help with that.");
  EXPECT_EQ(back.choices[1].message.tool_calls, second.message.tool_calls);
  EXPECT_EQ(back.choices[1].finish_reason, "tool_calls");
  EXPECT_EQ(back.usage, response.usage);
}

TEST(TypedMockTest, QueuedErrorResponseIsTheTypedErrorAServerWouldCause) {
  Fixture f;
  f.mock->enqueue_error_response(429, "Rate limit reached for requests", "requests",
                                 "rate_limit_exceeded");
  auto response = f.client.chat(request());
  ASSERT_THAT(response, ErrorIs(ErrorKind::rate_limited, HasSubstr("Rate limit reached")));
  EXPECT_EQ(response.error().http_status, 429);
  EXPECT_EQ(response.error().code, "rate_limit_exceeded");
}

}  // namespace
}  // namespace lemma
