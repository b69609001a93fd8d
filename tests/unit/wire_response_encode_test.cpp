// The OpenAI response/chunk encoder: every recorded server shape survives decode -> encode ->
// decode unchanged, so typed mocks and output files say exactly what the server said.

#include <gtest/gtest.h>

#include "lemma/wire.hpp"
#include "support/stream_fixtures.hpp"

namespace lemma {
namespace {

ChatResponse decoded(const nlohmann::json& body) {
  auto response = wire::decode_chat_response(body);
  EXPECT_TRUE(response.ok()) << response.error().what();
  return response.ok() ? *response : ChatResponse{};
}

void expect_same_typed_fields(const ChatResponse& a, const ChatResponse& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.object, b.object);
  EXPECT_EQ(a.created, b.created);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.system_fingerprint, b.system_fingerprint);
  ASSERT_EQ(a.choices.size(), b.choices.size());
  for (std::size_t i = 0; i < a.choices.size(); ++i) {
    EXPECT_EQ(a.choices[i].index, b.choices[i].index);
    EXPECT_EQ(a.choices[i].message, b.choices[i].message);
    EXPECT_EQ(a.choices[i].finish_reason, b.choices[i].finish_reason);
    EXPECT_EQ(a.choices[i].logprobs, b.choices[i].logprobs);
  }
  EXPECT_EQ(a.usage, b.usage);
}

TEST(WireResponseEncodeTest, EveryRecordedResponseRoundTrips) {
  for (const std::string& name : test::stream_fixture_names()) {
    SCOPED_TRACE(name);
    const auto body = nlohmann::json::parse(test::read_fixture("streams/" + name + ".json"));
    const ChatResponse first = decoded(body);
    const nlohmann::json encoded = wire::encode_chat_response(first);
    EXPECT_EQ(encoded["object"], "chat.completion");
    expect_same_typed_fields(decoded(encoded), first);
  }
}

TEST(WireResponseEncodeTest, EveryRecordedChunkRoundTripsAndTheStreamReplaysToTheSameAnswer) {
  for (const std::string& name : test::stream_fixture_names()) {
    SCOPED_TRACE(name);
    std::vector<ChatChunk> chunks;
    for (const SseEvent& event :
         test::parse_in_pieces({test::read_fixture("streams/" + name + ".sse")})) {
      auto decoded_event = wire::decode_stream_event(event);
      ASSERT_TRUE(decoded_event.ok()) << decoded_event.error().what();
      if (decoded_event->kind == StreamEvent::Kind::done) break;
      if (decoded_event->kind != StreamEvent::Kind::chunk) continue;
      auto again = wire::decode_chat_chunk(wire::encode_chat_chunk(decoded_event->chunk));
      ASSERT_TRUE(again.ok()) << again.error().what();
      EXPECT_EQ(*again, decoded_event->chunk);
      chunks.push_back(decoded_event->chunk);
    }
    const std::string replay = wire::encode_sse_stream(chunks);
    EXPECT_EQ(replay.substr(replay.size() - 14), "data: [DONE]\n\n");
    const ChatResponse replayed = test::accumulate(test::parse_in_pieces({replay}));
    const ChatResponse original =
        test::accumulate(test::parse_in_pieces({test::read_fixture("streams/" + name + ".sse")}));
    expect_same_typed_fields(replayed, original);
  }
}

TEST(WireResponseEncodeTest, ResponseMessageKeepsReasoningAndRefusalButRequestsDoNot) {
  Message message = Message::assistant("42");
  message.reasoning_content = "6 * 7";
  message.refusal = "no";
  const auto response_side = wire::encode_response_message(message);
  EXPECT_EQ(response_side["reasoning_content"], "6 * 7");
  EXPECT_EQ(response_side["refusal"], "no");
  const auto request_side = wire::encode_message(message);
  EXPECT_FALSE(request_side.contains("reasoning_content"));
}

TEST(WireResponseEncodeTest, EmptyFinishReasonIsNullAndUsageDetailsOnlyWhenSet) {
  ChatResponse response;
  response.id = "r";
  response.model = "m";
  Choice choice;
  choice.message = Message::assistant("x");
  response.choices.push_back(choice);
  Usage usage;
  usage.prompt_tokens = 3;
  usage.completion_tokens = 4;
  usage.total_tokens = 7;
  response.usage = usage;
  auto encoded = wire::encode_chat_response(response);
  EXPECT_TRUE(encoded["choices"][0]["finish_reason"].is_null());
  EXPECT_FALSE(encoded["usage"].contains("prompt_tokens_details"));
  usage.reasoning_tokens = 2;
  response.usage = usage;
  encoded = wire::encode_chat_response(response);
  EXPECT_EQ(encoded["usage"]["completion_tokens_details"]["reasoning_tokens"], 2);
}

}  // namespace
}  // namespace lemma
