#include "lemma/wire.hpp"

namespace lemma::wire {

using nlohmann::json;

json encode_message(const Message& message) {
  json out = json::object();
  out["role"] = message.role;
  // A null content is meaningful (assistant turn with only tool calls); send it explicitly.
  out["content"] = message.content ? json(*message.content) : json(nullptr);
  if (message.name) out["name"] = *message.name;
  if (message.tool_call_id) out["tool_call_id"] = *message.tool_call_id;
  if (!message.tool_calls.empty()) {
    json calls = json::array();
    for (const auto& call : message.tool_calls) {
      calls.push_back(
          {{"id", call.id},
           {"type", call.type},
           {"function", {{"name", call.function_name}, {"arguments", call.arguments}}}});
    }
    out["tool_calls"] = std::move(calls);
  }
  // reasoning_content is deliberately not sent back: DeepSeek's API rejects it in input
  // messages, and other servers ignore it.
  return out;
}

json encode_chat_body(const ChatRequest& request) {
  json body = json::object();
  body["model"] = request.model;
  json messages = json::array();
  for (const auto& message : request.messages) messages.push_back(encode_message(message));
  body["messages"] = std::move(messages);
  if (request.stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", request.stream_options.include_usage}};
  }

  const SamplingParams& s = request.sampling;
  auto put = [&body](const char* key, const auto& field) {
    if (field) body[key] = *field;
  };
  put("temperature", s.temperature);
  put("top_p", s.top_p);
  put("top_k", s.top_k);
  put("min_p", s.min_p);
  put("max_tokens", s.max_tokens);
  put("seed", s.seed);
  put("stop", s.stop);
  put("n", s.n);
  put("presence_penalty", s.presence_penalty);
  put("frequency_penalty", s.frequency_penalty);
  put("repetition_penalty", s.repetition_penalty);
  put("logprobs", s.logprobs);
  put("top_logprobs", s.top_logprobs);
  put("response_format", s.response_format);
  put("user", s.user);

  merge_extra(body, s.extra);
  return body;
}

void merge_extra(json& body, const json& extra) {
  if (!extra.is_object()) return;
  for (const auto& [key, value] : extra.items()) {
    if (value.is_null()) {
      body.erase(key);
    } else {
      body[key] = value;
    }
  }
}

}  // namespace lemma::wire
