// Stream chunks: decoding, accumulation (equal to the non-streaming body) and mid-stream errors.

#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/wire.hpp"
#include "support/matchers.hpp"
#include "support/stream_fixtures.hpp"

namespace lemma {
namespace {

using test::ErrorIs;
using test::IsOk;
using ::testing::HasSubstr;

class StreamFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StreamFixtureTest, AccumulatedStreamEqualsNonStreamingResponse) {
  const auto events = test::parse_in_pieces({test::read_fixture("streams/" + GetParam() + ".sse")});
  auto whole = wire::parse_json(test::read_fixture("streams/" + GetParam() + ".json"), "fixture");
  ASSERT_THAT(whole, IsOk());
  auto decoded = wire::decode_chat_response(*whole);
  ASSERT_THAT(decoded, IsOk());
  const ChatResponse streamed = test::accumulate(events);
  test::expect_same_response(streamed, *decoded);
  EXPECT_FALSE(streamed.text().empty() && streamed.choices[0].message.tool_calls.empty());
}

TEST_P(StreamFixtureTest, EndsWithDone) {
  const auto events = test::parse_in_pieces({test::read_fixture("streams/" + GetParam() + ".sse")});
  ASSERT_FALSE(events.empty());
  auto last = wire::decode_stream_event(events.back());
  ASSERT_THAT(last, IsOk());
  EXPECT_EQ(last->kind, StreamEvent::Kind::done);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, StreamFixtureTest,
                         ::testing::ValuesIn(test::stream_fixture_names()),
                         [](const auto& param_info) { return param_info.param; });

SseEvent data_event(std::string data, std::string type = "") {
  SseEvent event;
  event.data = std::move(data);
  event.type = std::move(type);
  event.offset = 1234;
  return event;
}

TEST(DecodeStreamEventTest, ReasoningContentAndUsageChunk) {
  auto chunk = wire::decode_stream_event(data_event(
      R"({"id":"x","choices":[{"index":0,"delta":{"reasoning_content":"think"},"finish_reason":null}]})"));
  ASSERT_THAT(chunk, IsOk());
  ASSERT_EQ(chunk->kind, StreamEvent::Kind::chunk);
  EXPECT_EQ(chunk->chunk.choices[0].delta.reasoning_content, "think");
  auto usage = wire::decode_stream_event(data_event(
      R"({"id":"x","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,
          "completion_tokens_details":{"reasoning_tokens":1}}})"));
  ASSERT_THAT(usage, IsOk());
  EXPECT_TRUE(usage->chunk.choices.empty());
  ASSERT_TRUE(usage->chunk.usage.has_value());
  EXPECT_EQ(usage->chunk.usage->reasoning_tokens, 1);
}

TEST(DecodeStreamEventTest, ChoiceIndexOutOfRangeIsProtocolOnBothDecoders) {
  // The SAX fast path declines it; the DOM decoder names the limit.
  for (const char* index : {"4096", "-1", "9223372036854775807"}) {
    EXPECT_THAT(wire::decode_stream_event(data_event(std::string(R"({"choices":[{"index":)") +
                                                     index + R"(,"delta":{"content":"a"}}]})")),
                ErrorIs(ErrorKind::protocol, HasSubstr("between 0 and 4095")))
        << index;
  }
  auto last = wire::decode_stream_event(
      data_event(R"({"choices":[{"index":4095,"delta":{"content":"a"}}]})"));
  ASSERT_THAT(last, IsOk());
  EXPECT_EQ(last->chunk.choices[0].index, 4095);
}

TEST(DecodeStreamEventTest, AccumulatingEveryIndexInReverseStaysOrdered) {
  // A hostile server's worst order for the accumulator, at the limit: it must stay cheap.
  StreamAccumulator accumulator;
  for (std::int64_t i = wire::kMaxChoiceIndex; i >= 0; --i) {
    auto event = wire::decode_stream_event(data_event(
        R"({"choices":[{"index":)" + std::to_string(i) + R"(,"delta":{"content":"x"}}]})"));
    ASSERT_THAT(event, IsOk());
    accumulator.add(event->chunk);
  }
  const auto& choices = accumulator.response().choices;
  ASSERT_EQ(choices.size(), static_cast<std::size_t>(wire::kMaxChoiceIndex + 1));
  EXPECT_EQ(choices.front().index, 0);
  EXPECT_EQ(choices.back().index, wire::kMaxChoiceIndex);
}

TEST(DecodeStreamEventTest, DoneEmptyAndPingEvents) {
  EXPECT_EQ(wire::decode_stream_event(data_event("[DONE]"))->kind, StreamEvent::Kind::done);
  EXPECT_EQ(wire::decode_stream_event(data_event(""))->kind, StreamEvent::Kind::ignore);
  EXPECT_EQ(wire::decode_stream_event(data_event("{}", "ping"))->kind, StreamEvent::Kind::ignore);
}

TEST(DecodeStreamEventTest, InvalidJsonNamesTheOffset) {
  EXPECT_THAT(wire::decode_stream_event(data_event(R"({"choices": [)")),
              ErrorIs(ErrorKind::protocol, HasSubstr("byte 1234")));
  EXPECT_THAT(wire::decode_stream_event(data_event(R"({"choices": {}})")),
              ErrorIs(ErrorKind::protocol, HasSubstr("choices is object")));
}

TEST(DecodeStreamEventTest, MidStreamErrorsAreTyped) {
  // vLLM / OpenAI: an error object in a data line.
  auto vllm = wire::decode_stream_event(data_event(
      R"({"error":{"object":"error","message":"CUDA out of memory","type":"InternalServerError","code":500}})"));
  ASSERT_THAT(vllm, ErrorIs(ErrorKind::server_error, HasSubstr("CUDA out of memory")));
  EXPECT_EQ(vllm.error().code, "500");
  // TGI: {"error": "...", "error_type": "..."}.
  auto tgi = wire::decode_stream_event(data_event(
      R"({"error":"Request failed during generation: Server error: out of memory","error_type":"generation"})"));
  ASSERT_THAT(tgi, ErrorIs(ErrorKind::server_error, HasSubstr("Request failed during generation")));
  EXPECT_EQ(tgi.error().type, "generation");
  // An SSE "error" event, JSON or plain text.
  EXPECT_THAT(wire::decode_stream_event(
                  data_event(R"({"message":"rate limit hit","type":"rate_limit_error"})", "error")),
              ErrorIs(ErrorKind::rate_limited, HasSubstr("rate limit hit")));
  EXPECT_THAT(wire::decode_stream_event(data_event("upstream went away", "error")),
              ErrorIs(ErrorKind::server_error, HasSubstr("upstream went away")));
  EXPECT_THAT(wire::decode_stream_event(
                  data_event(R"({"error":{"message":"bad","type":"invalid_request_error"}})")),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("middle of the stream")));
}

TEST(StreamAccumulatorTest, InterleavedChoicesKeepIndexOrder) {
  StreamAccumulator accumulator;
  ChatChunk first;
  first.choices.resize(1);
  first.choices[0].index = 1;
  first.choices[0].delta.content = "b";
  ChatChunk second;
  second.choices.resize(2);
  second.choices[0].index = 0;
  second.choices[0].delta.content = "a";
  second.choices[1].index = 1;
  second.choices[1].delta.content = "c";
  second.choices[1].finish_reason = "length";
  accumulator.add(first);
  accumulator.add(second);
  const ChatResponse& r = accumulator.response();
  ASSERT_EQ(r.choices.size(), 2u);
  EXPECT_EQ(r.choices[0].index, 0);
  EXPECT_EQ(r.choices[0].message.text(), "a");
  EXPECT_EQ(r.choices[1].message.text(), "bc");
  EXPECT_EQ(r.choices[1].finish_reason, "length");
  EXPECT_EQ(accumulator.chunk_count(), 2u);
}

TEST(StreamAccumulatorTest, LogprobsContentListsAreConcatenated) {
  StreamAccumulator accumulator;
  for (const char* token : {"a", "b"}) {
    ChatChunk chunk;
    chunk.choices.resize(1);
    chunk.choices[0].logprobs = {{"content", {{{"token", token}, {"logprob", -0.1}}}}};
    accumulator.add(chunk);
  }
  const auto& logprobs = accumulator.response().choices[0].logprobs;
  ASSERT_EQ(logprobs["content"].size(), 2u);
  EXPECT_EQ(logprobs["content"][1]["token"], "b");
}

TEST(ChunkFromResponseTest, RoundTripsThroughTheAccumulator) {
  auto whole = wire::decode_chat_response(
      nlohmann::json::parse(test::read_fixture("streams/openai_tool_calls.json")));
  ASSERT_THAT(whole, IsOk());
  StreamAccumulator accumulator;
  accumulator.add(wire::chunk_from_response(*whole));
  test::expect_same_response(accumulator.response(), *whole);
}

TEST(DecodeStreamEventTest, ChunkWithChoicesAndErrorIsAnError) {
  auto openrouter = wire::decode_stream_event(
      data_event(R"({"id":"gen-1","error":{"code":400,"message":"Token limit reached"},)"
                 R"("choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]})"));
  ASSERT_THAT(openrouter, ErrorIs(ErrorKind::invalid_request, HasSubstr("Token limit reached")));
  EXPECT_EQ(openrouter.error().provider_message, "Token limit reached");
  // A null error member is no error.
  auto fine = wire::decode_stream_event(
      data_event(R"({"error":null,"choices":[{"index":0,"delta":{"content":"x"}}]})"));
  ASSERT_THAT(fine, IsOk());
  EXPECT_EQ(fine->kind, StreamEvent::Kind::chunk);
}

TEST(DecodeStreamEventTest, LlamaCppErrorFieldIsTheServersError) {
  SseEvent event;
  event.error =
      R"({"code":400,"message":"the request exceeds the available context size","type":"exceed_context_size_error"})";
  auto decoded = wire::decode_stream_event(event);
  ASSERT_THAT(decoded, ErrorIs(ErrorKind::invalid_request, HasSubstr("available context size")));
  EXPECT_EQ(decoded.error().type, "exceed_context_size_error");
}

TEST(DecodeUsageTest, CountsSaturateAndNegativeOnesAreRefused) {
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  auto huge = wire::decode_usage({{"prompt_tokens", max}, {"completion_tokens", max}});
  ASSERT_THAT(huge, IsOk());
  EXPECT_EQ(huge->total_tokens, max);
  EXPECT_THAT(wire::decode_usage({{"prompt_tokens", -1}, {"completion_tokens", 2}}),
              ErrorIs(ErrorKind::protocol, HasSubstr("prompt_tokens")));
  EXPECT_THAT(wire::decode_usage({{"prompt_tokens", 1},
                                  {"completion_tokens_details", {{"reasoning_tokens", -2}}}}),
              ErrorIs(ErrorKind::protocol, HasSubstr("reasoning_tokens")));
}

}  // namespace
}  // namespace lemma
