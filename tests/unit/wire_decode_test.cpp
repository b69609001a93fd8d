#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/wire.hpp"
#include "support/matchers.hpp"

namespace lemma {
namespace {

using nlohmann::json;
using test::ErrorIs;
using test::IsOk;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Result<ChatResponse> decode(const std::string& text) {
  auto body = wire::parse_json(text, "chat completion");
  if (!body) return body.error();
  return wire::decode_chat_response(std::move(*body));
}

TEST(DecodeChatResponseTest, SeedAimlApiBodyDecodesVerbatim) {
  const std::string text = test::read_fixture("aimlapi_chat.json");
  auto response = decode(text);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->id, "gen-1747126732-rD70SgJEEBVBXPHmKlNJ");
  EXPECT_EQ(response->object, "chat.completion");
  EXPECT_EQ(response->created, 1747126732);
  EXPECT_EQ(response->model, "deepseek/deepseek-prover-v2");
  EXPECT_FALSE(response->system_fingerprint.has_value());
  ASSERT_EQ(response->choices.size(), 1u);
  const Choice& choice = response->choices[0];
  EXPECT_EQ(choice.index, 0);
  EXPECT_EQ(choice.finish_reason, "stop");
  EXPECT_TRUE(choice.logprobs.is_null());
  EXPECT_EQ(choice.message.role, "assistant");
  EXPECT_THAT(response->text(), StartsWith("Hello there! As a virtual assistant"));
  EXPECT_THAT(response->text(), HasSubstr("10. Help you practice a language by conversing in it."));
  EXPECT_EQ(response->text(),
            json::parse(text)["choices"][0]["message"]["content"].get<std::string>());
  EXPECT_FALSE(choice.message.reasoning_content.has_value());
  EXPECT_FALSE(choice.message.refusal.has_value());
  ASSERT_TRUE(response->usage.has_value());
  EXPECT_EQ(response->usage->prompt_tokens, 15);
  EXPECT_EQ(response->usage->completion_tokens, 1021);
  EXPECT_EQ(response->usage->total_tokens, 1036);
  EXPECT_FALSE(response->usage->cached_tokens.has_value());  // prompt_tokens_details: null
  EXPECT_EQ(response->raw, json::parse(text));
}

TEST(DecodeChatResponseTest, ReasoningRefusalAndTokenDetails) {
  auto response = decode(R"({
    "id": "x", "object": "chat.completion", "created": 1, "model": "deepseek-math-v2",
    "system_fingerprint": "fp_1",
    "choices": [{"index": 0, "finish_reason": "length",
                 "message": {"role": "assistant", "content": "\\boxed{2}",
                             "reasoning_content": "1+1 is 2", "refusal": null}}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30,
              "prompt_tokens_details": {"cached_tokens": 8},
              "completion_tokens_details": {"reasoning_tokens": 12}}})");
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->reasoning(), "1+1 is 2");
  EXPECT_EQ(response->text(), "\\boxed{2}");
  EXPECT_EQ(response->system_fingerprint, "fp_1");
  EXPECT_EQ(response->choices[0].finish_reason, "length");
  EXPECT_EQ(response->usage->cached_tokens, 8);
  EXPECT_EQ(response->usage->reasoning_tokens, 12);
}

TEST(DecodeChatResponseTest, NullContentWithToolCalls) {
  auto response = decode(R"({"choices": [{"message": {"role": "assistant", "content": null,
    "tool_calls": [{"id": "c1", "type": "function",
                    "function": {"name": "check", "arguments": "{\"n\":1}"}}]},
    "finish_reason": "tool_calls"}]})");
  ASSERT_THAT(response, IsOk());
  EXPECT_FALSE(response->choices[0].message.content.has_value());
  EXPECT_EQ(response->text(), "");
  ASSERT_EQ(response->choices[0].message.tool_calls.size(), 1u);
  EXPECT_EQ(response->choices[0].message.tool_calls[0],
            (ToolCall{"c1", "function", "check", R"({"n":1})"}));
}

TEST(DecodeChatResponseTest, MissingUsageIsAbsent) {
  auto response = decode(R"({"choices": [{"message": {"role": "assistant", "content": "4"}}]})");
  ASSERT_THAT(response, IsOk());
  EXPECT_FALSE(response->usage.has_value());
  EXPECT_EQ(response->text(), "4");
}

TEST(DecodeChatResponseTest, UnknownFieldsAreIgnoredAndKeptInRaw) {
  auto response = decode(R"({"choices": [{"message": {"role": "assistant", "content": "4",
    "future_field": [1, 2]}, "stop_reason": 100015}], "prompt_logprobs": null,
    "kv_transfer_params": {"a": 1}})");
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->raw["kv_transfer_params"]["a"], 1);
}

TEST(DecodeChatResponseTest, SeveralChoicesKeepTheirOrderAndIndex) {
  auto response = decode(R"({"choices": [
    {"index": 0, "message": {"role": "assistant", "content": "a"}, "finish_reason": "stop"},
    {"index": 1, "message": {"role": "assistant", "content": "b"}, "finish_reason": "length"},
    {"index": 2, "message": {"role": "assistant", "content": "c"}, "finish_reason": "stop"}]})");
  ASSERT_THAT(response, IsOk());
  ASSERT_EQ(response->choices.size(), 3u);
  EXPECT_EQ(response->choices[1].index, 1);
  EXPECT_EQ(response->choices[1].message.text(), "b");
  EXPECT_EQ(response->choices[1].finish_reason, "length");
  EXPECT_EQ(response->text(), "a");
}

TEST(DecodeChatResponseTest, ReasoningFieldNamedReasoningIsAccepted) {
  auto response = decode(R"({"choices": [{"message": {"content": "x", "reasoning": "think"}}]})");
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->reasoning(), "think");
}

TEST(DecodeChatResponseTest, MalformedBodiesAreProtocolErrors) {
  EXPECT_THAT(decode("<html>502 Bad Gateway</html>"),
              ErrorIs(ErrorKind::protocol, HasSubstr("not valid JSON at byte")));
  EXPECT_THAT(decode(R"({"choices": [{"message": {"content": "x"}})"),
              ErrorIs(ErrorKind::protocol, HasSubstr("not valid JSON")));
  EXPECT_THAT(decode(R"([1, 2])"), ErrorIs(ErrorKind::protocol, HasSubstr("should be an object")));
  EXPECT_THAT(decode(R"({"id": "x"})"), ErrorIs(ErrorKind::protocol, HasSubstr("no \"choices\"")));
  EXPECT_THAT(decode(R"({"choices": {}})"),
              ErrorIs(ErrorKind::protocol, HasSubstr("choices is object but should be an array")));
  EXPECT_THAT(decode(R"({"choices": [{"message": {"content": 5}}]})"),
              ErrorIs(ErrorKind::protocol, HasSubstr("choices[0].message.content is number")));
  EXPECT_THAT(decode(R"({"choices": [], "usage": {"prompt_tokens": "ten"}})"),
              ErrorIs(ErrorKind::protocol, HasSubstr("usage.prompt_tokens is string")));
  EXPECT_THAT(decode(""), ErrorIs(ErrorKind::protocol, HasSubstr("0 bytes")));
}

TEST(DecodeChatResponseTest, ErrorObjectInsteadOfChoicesIsATypedError) {
  auto response = decode(R"({"error": {"message": "model overloaded", "code": 503}})");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::provider);
  EXPECT_EQ(response.error().provider_message, "model overloaded");
  EXPECT_EQ(response.error().code, "503");
}

TEST(DecodeModelsResponseTest, OpenAiVllmAndLlamaCppShapes) {
  auto models = wire::decode_models_response(json::parse(R"({"object": "list", "data": [
    {"id": "deepseek-ai/DeepSeek-Math-V2", "object": "model", "created": 5, "owned_by": "vllm",
     "max_model_len": 163840},
    {"id": "ggml-model.gguf", "object": "model", "meta": {"n_ctx_train": 4096}},
    {"id": "plain"}]})"));
  ASSERT_THAT(models, IsOk());
  ASSERT_EQ(models->size(), 3u);
  EXPECT_EQ((*models)[0].id, "deepseek-ai/DeepSeek-Math-V2");
  EXPECT_EQ((*models)[0].owned_by, "vllm");
  EXPECT_EQ((*models)[0].context_length, 163840);
  EXPECT_EQ((*models)[1].context_length, 4096);
  EXPECT_FALSE((*models)[2].context_length.has_value());
  EXPECT_THAT(wire::decode_models_response(json::parse(R"({"models": 3})")),
              ErrorIs(ErrorKind::protocol, HasSubstr("should be an array")));
}

TEST(BodyExcerptTest, BoundedAndCutAtCharacterBoundary) {
  std::string body(Error::kMaxBodyExcerpt - 1, 'a');
  body += "\xC3\xA9";  // 'é' straddles the limit
  body += std::string(100, 'b');
  const std::string excerpt = wire::body_excerpt(body);
  EXPECT_EQ(excerpt, std::string(Error::kMaxBodyExcerpt - 1, 'a') + "...");
  EXPECT_EQ(wire::body_excerpt("short"), "short");
}

TEST(DecodeChatResponseTest, ErrorObjectNextToChoicesIsATypedError) {
  auto decoded = wire::decode_chat_response(json::parse(
      R"({"error": {"code": 400, "message": "Token limit reached"},)"
      R"( "choices": [{"index": 0, "message": {"role": "assistant", "content": ""}}]})"));
  ASSERT_THAT(decoded, ErrorIs(ErrorKind::provider, HasSubstr("Token limit reached")));
  EXPECT_EQ(decoded.error().code, "400");
}

TEST(ParseJsonTest, DepthIsBoundedAtTheLimitExactly) {
  auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_THAT(wire::parse_json(nested(wire::kDefaultMaxJsonDepth), "body"), IsOk());
  EXPECT_THAT(wire::parse_json(nested(wire::kDefaultMaxJsonDepth + 1), "body"),
              ErrorIs(ErrorKind::protocol, HasSubstr("deeper than 256 levels")));
  EXPECT_THAT(wire::parse_json(nested(11), "body", 10),
              ErrorIs(ErrorKind::protocol, HasSubstr("deeper than 10 levels")));
  // Objects count like arrays; invalid JSON still names the byte where it broke.
  EXPECT_THAT(wire::parse_json(R"({"a": {"b": {"c": 1}}})", "body", 2),
              ErrorIs(ErrorKind::protocol, HasSubstr("max_json_depth")));
  EXPECT_THAT(wire::parse_json(R"({"a": tru})", "body"),
              ErrorIs(ErrorKind::protocol, HasSubstr("not valid JSON at byte 10")));
}

TEST(ParseJsonTest, DeepErrorBodyIsProtocolKeepingTheStatus) {
  HttpResponse response;
  response.status = 503;
  response.body =
      R"({"error": {"message": )" + std::string(100000, '[') + std::string(100000, ']') + "}}";
  const Error error = wire::decode_error_response(response);
  EXPECT_EQ(error.kind, ErrorKind::protocol);
  EXPECT_EQ(error.http_status, 503);
  EXPECT_THAT(error.message, HasSubstr("deeper than 256 levels"));
}

}  // namespace
}  // namespace lemma
