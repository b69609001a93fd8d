#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/wire.hpp"
#include "support/matchers.hpp"

namespace lemma {
namespace {

using nlohmann::json;

TEST(EncodeChatBodyTest, SendsOnlyFieldsThatAreSet) {
  ChatRequest request;
  request.model = "deepseek/deepseek-prover-v2";
  request.messages = {Message::user("Hello! What can you do?")};
  // Exactly the seed's minimal request: nothing lemma adds on its own.
  EXPECT_EQ(wire::encode_chat_body(request),
            json::parse(test::read_fixture("aimlapi_request.json")));

  request.sampling.temperature = 0.0;
  const json body = wire::encode_chat_body(request);
  EXPECT_EQ(body.at("temperature"), 0.0);  // zero is a value, not "unset"
  EXPECT_FALSE(body.contains("top_p"));
  EXPECT_FALSE(body.contains("stream"));
}

TEST(EncodeChatBodyTest, FullRequestEncodesExactly) {
  ChatRequest request;
  request.model = "deepseek-ai/DeepSeek-Math-V2";
  request.messages = {Message::system("You are a careful prover."), Message::user("Prove 1+1=2.")};
  Message earlier = Message::assistant("Earlier answer");
  earlier.reasoning_content = "never sent back";
  earlier.name = "prover";
  request.messages.push_back(earlier);
  request.messages.push_back(Message::tool("42", "call_1"));
  request.stream = true;
  SamplingParams& s = request.sampling;
  s.temperature = 0.6;
  s.top_p = 0.95;
  s.top_k = 40;
  s.min_p = 0.05;
  s.max_tokens = 4096;
  s.seed = 1234;
  s.stop = std::vector<std::string>{"</proof>", "QED"};
  s.n = 2;
  s.presence_penalty = 0.5;
  s.frequency_penalty = -0.5;
  s.repetition_penalty = 1.1;
  s.logprobs = true;
  s.top_logprobs = 5;
  s.response_format = json{{"type", "json_object"}};
  s.user = "user-7";

  const json expected = json::parse(R"({
    "model": "deepseek-ai/DeepSeek-Math-V2",
    "messages": [
      {"role": "system", "content": "You are a careful prover."},
      {"role": "user", "content": "Prove 1+1=2."},
      {"role": "assistant", "content": "Earlier answer", "name": "prover"},
      {"role": "tool", "content": "42", "tool_call_id": "call_1"}
    ],
    "stream": true, "stream_options": {"include_usage": true},
    "temperature": 0.6, "top_p": 0.95, "top_k": 40, "min_p": 0.05, "max_tokens": 4096,
    "seed": 1234, "stop": ["</proof>", "QED"], "n": 2, "presence_penalty": 0.5,
    "frequency_penalty": -0.5, "repetition_penalty": 1.1, "logprobs": true, "top_logprobs": 5,
    "response_format": {"type": "json_object"}, "user": "user-7"
  })");
  EXPECT_EQ(wire::encode_chat_body(request), expected);
}

TEST(EncodeChatBodyTest, ExtraMergesLastOverridesAndRemoves) {
  ChatRequest request;
  request.model = "m";
  request.messages = {Message::user("x")};
  request.sampling.temperature = 0.2;
  request.sampling.seed = 1;
  request.sampling.extra = {
      {"chat_template_kwargs", {{"thinking", true}}}, {"temperature", 0.9}, {"seed", nullptr}};
  const json body = wire::encode_chat_body(request);
  EXPECT_EQ(body.at("chat_template_kwargs"), (json{{"thinking", true}}));
  EXPECT_EQ(body.at("temperature"), 0.9);
  EXPECT_FALSE(body.contains("seed"));
}

TEST(EncodeMessageTest, AssistantToolCallsWithNullContent) {
  Message message;
  message.role = "assistant";
  message.tool_calls = {ToolCall{"call_1", "function", "lean_check", R"({"proof":"rfl"})"}};
  EXPECT_EQ(wire::encode_message(message), json::parse(R"({
    "role": "assistant", "content": null,
    "tool_calls": [{"id": "call_1", "type": "function",
                    "function": {"name": "lean_check", "arguments": "{\"proof\":\"rfl\"}"}}]
  })"));
}

}  // namespace
}  // namespace lemma
