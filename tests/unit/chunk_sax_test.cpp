// White-box: the SAX fast path must decode exactly what the DOM decoder decodes, or decline.

#include "wire/openai/chunk_sax_private.hpp"

#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/wire.hpp"
#include "support/matchers.hpp"
#include "support/stream_fixtures.hpp"

namespace lemma {
namespace {

// Returns true when the fast path accepted `text` (and checks it agrees with the DOM decoder).
bool agrees_with_dom(const std::string& text) {
  ChatChunk fast;
  const bool accepted = detail::decode_chunk_fast(text, fast);
  const auto dom = nlohmann::json::parse(text, nullptr, false);
  if (!accepted) return false;
  EXPECT_FALSE(dom.is_discarded()) << text;
  auto slow = wire::decode_chat_chunk(dom);
  EXPECT_TRUE(slow.ok()) << text << "\n" << slow.error().what();
  if (slow.ok()) {
    EXPECT_TRUE(fast == *slow) << text;
  }
  return true;
}

TEST(ChunkSaxTest, AgreesWithDomDecoderOnEveryFixtureEvent) {
  std::size_t accepted = 0, total = 0;
  for (const auto& name : test::stream_fixture_names()) {
    for (const auto& event :
         test::parse_in_pieces({test::read_fixture("streams/" + name + ".sse")})) {
      if (event.data.rfind("[DONE]", 0) == 0) continue;
      ++total;
      accepted += agrees_with_dom(event.data);
    }
  }
  EXPECT_EQ(accepted, total);  // the real servers' shapes all take the fast path
}

TEST(ChunkSaxTest, DeclinesWhatOnlyTheDomDecoderHandles) {
  for (const char* text : {
           R"({"error": {"message": "x"}})",
           R"({"choices": [{"delta": {"content": [{"type": "text", "text": "a"}]}}]})",
           R"({"choices": [{"delta": {"content": "a"}, "logprobs": {"content": []}}]})",
           R"({"choices": [{"message": {"content": "a"}}]})",
           R"({"choices": [{"delta": {"content": 5}}]})",
           R"({"choices": [null]})",
           R"({"choices": [{"delta": {"content": "a"}, "delta": {"content": "b"}}]})",
           R"({"choices": [{"delta": {"content": "a", "content": null}}]})",  // found by fuzzing
           R"({"id": "a", "id": "b"})",
           R"({"created": 1.5})",
           R"({"usage": {"prompt_tokens": null}})",
           R"({"choices": [{"delta": {"tool_calls": [{"function": {"arguments": {"a": 1}}}]}}]})",
           R"([1, 2])",
           R"({"choices": [)",
       }) {
    EXPECT_FALSE(agrees_with_dom(text)) << text;
  }
}

TEST(ChunkSaxTest, AcceptsTheCommonShapesAndSkipsUnknownMembers) {
  for (
      const char* text : {
          R"({})",
          R"({"id": null, "choices": []})",
          R"({"choices": [{"index": 1, "delta": {"reasoning": "r"}, "finish_reason": null}]})",
          R"({"choices": [{"delta": {"reasoning": "alias", "reasoning_content": "wins"}}]})",
          R"({"timings": {"a": [1, {"b": [2]}]}, "choices": [{"delta": {"x": {"y": 1}, "content": "c"}}]})",
          R"({"choices": [{"delta": {"tool_calls": [{"id": "t", "function": {"name": "f", "arguments": "{}"}}, {"index": 4}]}}]})",
          R"({"usage": {"prompt_tokens": 1, "completion_tokens": 2, "prompt_tokens_details": {"cached_tokens": 1, "audio": 0}}})",
      }) {
    EXPECT_TRUE(agrees_with_dom(text)) << text;
  }
}

TEST(ChunkSaxTest, UsageCountsFollowTheDomDecodersRule) {
  const std::string max = std::to_string(std::numeric_limits<std::int64_t>::max());
  // Saturated the same way on both paths.
  EXPECT_TRUE(agrees_with_dom(R"({"choices":[],"usage":{"prompt_tokens":)" + max +
                              R"(,"completion_tokens":)" + max + "}}"));
  // Negative counts: the fast path declines, the DOM decoder reports a protocol error.
  for (const std::string& text :
       {std::string(R"({"choices":[],"usage":{"prompt_tokens":-1,"completion_tokens":2}})"),
        std::string(R"({"choices":[],"usage":{"prompt_tokens_details":{"cached_tokens":-3}}})")}) {
    ChatChunk fast;
    EXPECT_FALSE(detail::decode_chunk_fast(text, fast)) << text;
    EXPECT_THAT(wire::decode_chat_chunk(nlohmann::json::parse(text)),
                test::ErrorKindIs(ErrorKind::protocol))
        << text;
  }
  // A chunk carrying an error is left to the DOM decoder.
  ChatChunk fast;
  EXPECT_FALSE(detail::decode_chunk_fast(
      R"({"error":{"message":"x"},"choices":[{"index":0,"delta":{"content":"a"}}]})", fast));
}

}  // namespace
}  // namespace lemma
