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

// Returns true when the fast path declined `text` and the DOM parser refuses it too, so the
// user gets the DOM path's error.
bool both_refuse(const std::string& text) {
  ChatChunk fast;
  const bool accepted = detail::decode_chunk_fast(text, fast);
  const auto dom = nlohmann::json::parse(text, nullptr, false);
  return !accepted && dom.is_discarded();
}

TEST(ChunkSaxTest, DecodesStringEscapesAndUnicodeAsTheDomDoes) {
  for (const char* text : {
           R"({"choices":[{"delta":{"content":"a\"b\\c\/d\be\ff\ng\rh\ti"}}]})",
           R"({"choices":[{"delta":{"content":"\u0041\u00e9\u20AC\u0000x"}}]})",
           R"({"choices":[{"delta":{"content":"pair \ud83d\ude00 end \uD834\uDD1E"}}]})",
           R"({"choices":[{"delta":{"content":"\u007f\u0080\u07ff\u0800\uffff"}}]})",
           "{\"choices\":[{\"delta\":{\"content\":\"raw \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
           "\xf4\x8f\xbf\xbf \xed\x9f\xbf\"}}]}",
           R"({"id":"\"quoted\"","model":"m\\n","choices":[{"delta":{"role":"assi\u0073tant"}}]})",
           R"({"choices":[{"delta":{"reasoning_content":"\\(x^2\\) \u2264 1\n"}}]})",
       }) {
    EXPECT_TRUE(agrees_with_dom(text)) << text;
  }
  ChatChunk fast;
  ASSERT_TRUE(detail::decode_chunk_fast(
      R"({"choices":[{"delta":{"content":"\ud83d\ude00\u00e9\n"}}]})", fast));
  ASSERT_EQ(fast.choices.size(), 1u);
  EXPECT_EQ(fast.choices[0].delta.content, std::string("\xf0\x9f\x98\x80\xc3\xa9\n"));
}

TEST(ChunkSaxTest, InvalidStringsAreLeftToTheDomParser) {
  const std::string head = R"({"choices":[{"delta":{"content":")";
  const std::string tail = R"("}}]})";
  for (const std::string& body : {
           std::string(R"(\ud83d)"),         // a lone high surrogate
           std::string(R"(\ude00)"),         // a lone low surrogate
           std::string(R"(\ud83d\u0041)"),   // a high surrogate not followed by a low one
           std::string(R"(\ud83dx)"),        // ... nor by an escape
           std::string(R"(\u12)"),           // short \u
           std::string(R"(\u12g4)"),         // not hex
           std::string(R"(\x)"),             // unknown escape
           std::string("tab\there"),         // a raw control character
           std::string("nul\0x", 5),         // a raw NUL
           std::string("\xc3"),              // truncated sequence
           std::string("\xc0\xaf"),          // overlong
           std::string("\xe0\x80\xaf"),      // overlong (3 bytes)
           std::string("\xed\xa0\x80"),      // an encoded surrogate
           std::string("\xf4\x90\x80\x80"),  // above U+10FFFF
           std::string("\xf5\x80\x80\x80"),  // invalid lead
           std::string("\x80"),              // a lone continuation byte
           std::string("\xe2\x82"),          // truncated 3-byte sequence
       }) {
    EXPECT_TRUE(both_refuse(head + body + tail)) << body;
  }
  // In a skipped member too: the DOM refuses the whole text, so the fast path must not accept.
  EXPECT_TRUE(both_refuse(R"({"x":"\udc00","choices":[]})"));
  EXPECT_TRUE(both_refuse("{\"x\":{\"y\":[\"\xff\"]},\"choices\":[]}"));
  EXPECT_TRUE(both_refuse("{\"k\xc3\":1}"));
}

TEST(ChunkSaxTest, NumbersAtTheEdgesAgreeWithTheDom) {
  for (
      const char* text : {
          R"({"created":0,"choices":[{"index":0,"delta":{}}]})",
          R"({"created":-0,"choices":[]})",
          R"({"created":9223372036854775807,"choices":[]})",
          R"({"created":-9223372036854775808,"choices":[]})",
          R"({"choices":[{"index":4095,"delta":{}}]})",
          R"({"x":1.5e299,"y":-2.2250738585072014e-308,"z":1e-400,"w":0.0,"choices":[]})",
          R"({"x":18446744073709551615,"y":18446744073709551616,"z":-9223372036854775809,"choices":[]})",
          R"({"x":123456789012345678901234567890,"y":0.5E+2,"z":7e-2,"choices":[]})",
      }) {
    EXPECT_TRUE(agrees_with_dom(text)) << text;
  }
  ChatChunk fast;
  // Near DBL_MAX the fast path cannot cheaply tell a finite double from an overflow: it declines
  // and the DOM decoder (which accepts this one) decides.
  const std::string near_max = R"({"x":1.5e308,"choices":[]})";
  EXPECT_FALSE(detail::decode_chunk_fast(near_max, fast));
  EXPECT_TRUE(wire::decode_chat_chunk(nlohmann::json::parse(near_max)).ok());
  ASSERT_TRUE(detail::decode_chunk_fast(R"({"created":-9223372036854775808})", fast));
  EXPECT_EQ(fast.created, std::numeric_limits<std::int64_t>::min());
  // Out of the fast path's types or ranges: declined (the DOM decoder has the message).
  for (const char* text : {
           R"({"created":9223372036854775808})",
           R"({"created":-9223372036854775809})",
           R"({"created":1e3})",
           R"({"choices":[{"index":4096,"delta":{}}]})",
           R"({"choices":[{"index":-1,"delta":{}}]})",
       }) {
    EXPECT_FALSE(detail::decode_chunk_fast(text, fast)) << text;
  }
  // Not numbers to JSON, or overflowing to infinity (which nlohmann refuses): both refuse.
  for (const char* text : {
           R"({"x":01,"choices":[]})",
           R"({"x":1.,"choices":[]})",
           R"({"x":.5,"choices":[]})",
           R"({"x":-,"choices":[]})",
           R"({"x":1e,"choices":[]})",
           R"({"x":+1,"choices":[]})",
           R"({"x":1e400,"choices":[]})",
           R"({"x":-1e99999999999,"choices":[]})",
           R"({"x":0x10,"choices":[]})",
           R"({"x":NaN,"choices":[]})",
       }) {
    EXPECT_TRUE(both_refuse(text)) << text;
  }
}

TEST(ChunkSaxTest, WhitespaceAnywhereAndUnknownMembersOfEveryType) {
  for (const char* text : {
           " \t\r\n{ \"id\" : \"a\" , \"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\""
           " : \"x\" } , \"finish_reason\" : null } ] , \"usage\" : { \"prompt_tokens\" : 1 } }"
           " \n",
           R"({"u1":true,"u2":false,"u3":null,"u4":-1.25e-3,"u5":"s\u00e9","u6":[],"u7":{},)"
           R"("u8":[[[{"a":[null,{"b":"\"}"}]}]]],"u9":{"c":{"d":{"e":[1,"]",{"f":"{"}]}}},)"
           R"("choices":[{"delta":{"content":"c","u":[{"x":[]}]},"u":{"y":{}},"index":0}]})",
           R"({"choices":[{"delta":{"content":"a"},"logprobs":null,"finish_reason":"stop"}],)"
           R"("system_fingerprint":"fp","object":"chat.completion.chunk","created":1,"model":"m"})",
           R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,)"
           R"("completion_tokens_details":{"reasoning_tokens":2,"x":[1]},"y":{"z":null}}})",
       }) {
    EXPECT_TRUE(agrees_with_dom(text)) << text;
  }
  // Malformed structure anywhere, skipped members included: both refuse.
  for (const char* text : {
           R"({"x":[1,],"choices":[]})",
           R"({"x":{"a":1,},"choices":[]})",
           R"({"x":{"a"},"choices":[]})",
           R"({"x":[1 2],"choices":[]})",
           R"({"x":tru,"choices":[]})",
           R"({"x":{1:2},"choices":[]})",
           R"({"x":[}]})",
           R"({"choices":[]} x)",
           R"({"choices":[]}})",
           R"({"choices":[],})",
           R"({,})",
           R"({"choices":[{"delta":{"content":"a"}]})",
           "{\"x\":\"unterminated}",
           R"({"x":1 "y":2})",
           R"({"x" 1})",
           "",
           "   ",
       }) {
    EXPECT_TRUE(both_refuse(text)) << text;
  }
}

TEST(ChunkSaxTest, DepthLimitCountsSkippedMembers) {
  // Four levels open at the innermost array: accepted under a limit of 4, declined under 3,
  // as the DOM decoder's limit counts every level.
  const std::string text = R"({"x":{"y":[[]]},"choices":[]})";
  ChatChunk fast;
  EXPECT_TRUE(detail::decode_chunk_fast(text, fast, 4));
  EXPECT_FALSE(detail::decode_chunk_fast(text, fast, 3));
  std::string deep = R"({"x":)";
  for (int i = 0; i < 300; ++i) deep += '[';
  for (int i = 0; i < 300; ++i) deep += ']';
  deep += "}";
  EXPECT_FALSE(detail::decode_chunk_fast(deep, fast));
  EXPECT_TRUE(detail::decode_chunk_fast(deep, fast, 400));
}

TEST(ChunkSaxTest, EscapedKeysAndByteOrderMarksGoToTheDomDecoder) {
  ChatChunk fast;
  const std::string escaped_key = R"({"ch\u006fices":[{"delta":{"content":"a"}}]})";
  EXPECT_FALSE(detail::decode_chunk_fast(escaped_key, fast));
  // Through the public decoder the user still gets the chunk, from the DOM path.
  SseEvent event;
  event.data = escaped_key;
  auto decoded = wire::decode_stream_event(event);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->chunk.choices.size(), 1u);
  EXPECT_EQ(decoded->chunk.choices[0].delta.content, std::string("a"));
  EXPECT_FALSE(detail::decode_chunk_fast("\xef\xbb\xbf{}", fast));
}

}  // namespace
}  // namespace lemma
