// The server side of the OpenAI wire format: typed responses and chunks back to JSON. Used by
// lemma::testing (typed mocks) and by anything that writes OpenAI-format output files.

#include "lemma/stream.hpp"
#include "lemma/wire.hpp"
#include "wire/openai/json_reader_private.hpp"

namespace lemma::wire {

using nlohmann::json;

namespace {

// Fields every OpenAI object of a completion carries, in OpenAI's order.
void put_header(json& out, const std::string& id, const char* object_type,
                const std::string& object, std::int64_t created, const std::string& model,
                const std::optional<std::string>& system_fingerprint) {
  out["id"] = id;
  out["object"] = object.empty() ? object_type : object;
  out["created"] = created;
  out["model"] = model;
  if (system_fingerprint) out["system_fingerprint"] = *system_fingerprint;
}

json finish_reason_of(const std::string& reason) {
  return reason.empty() ? json(nullptr) : json(reason);
}

}  // namespace

json encode_usage(const Usage& usage) {
  json out = {{"prompt_tokens", usage.prompt_tokens},
              {"completion_tokens", usage.completion_tokens},
              {"total_tokens", usage.total_tokens}};
  if (usage.cached_tokens) out["prompt_tokens_details"] = {{"cached_tokens", *usage.cached_tokens}};
  if (usage.reasoning_tokens) {
    out["completion_tokens_details"] = {{"reasoning_tokens", *usage.reasoning_tokens}};
  }
  return out;
}

json encode_response_message(const Message& message) {
  json out = encode_message(message);
  // Unlike a request, a response carries the reasoning (DeepSeek's `reasoning_content`).
  if (message.reasoning_content) out["reasoning_content"] = *message.reasoning_content;
  if (message.refusal) out["refusal"] = *message.refusal;
  return out;
}

json encode_chat_response(const ChatResponse& response) {
  json out = json::object();
  put_header(out, response.id, "chat.completion", response.object, response.created, response.model,
             response.system_fingerprint);
  json choices = json::array();
  for (const Choice& choice : response.choices) {
    choices.push_back({{"index", choice.index},
                       {"message", encode_response_message(choice.message)},
                       {"logprobs", choice.logprobs},
                       {"finish_reason", finish_reason_of(choice.finish_reason)}});
  }
  out["choices"] = std::move(choices);
  if (response.usage) out["usage"] = encode_usage(*response.usage);
  return out;
}

json encode_chat_chunk(const ChatChunk& chunk) {
  json out = json::object();
  put_header(out, chunk.id, "chat.completion.chunk", chunk.object, chunk.created, chunk.model,
             chunk.system_fingerprint);
  json choices = json::array();
  for (const ChunkChoice& choice : chunk.choices) {
    const ChunkDelta& d = choice.delta;
    json delta = json::object();
    if (d.role) delta["role"] = *d.role;
    if (d.content) delta["content"] = *d.content;
    if (d.reasoning_content) delta["reasoning_content"] = *d.reasoning_content;
    if (d.refusal) delta["refusal"] = *d.refusal;
    if (!d.tool_calls.empty()) {
      json calls = json::array();
      for (const ToolCallDelta& call : d.tool_calls) {
        json item = {{"index", call.index}};
        if (call.id) item["id"] = *call.id;
        if (call.type) item["type"] = *call.type;
        json function = json::object();
        if (call.function_name) function["name"] = *call.function_name;
        if (call.arguments) function["arguments"] = *call.arguments;
        if (!function.empty()) item["function"] = std::move(function);
        calls.push_back(std::move(item));
      }
      delta["tool_calls"] = std::move(calls);
    }
    choices.push_back({{"index", choice.index},
                       {"delta", std::move(delta)},
                       {"logprobs", choice.logprobs},
                       {"finish_reason", finish_reason_of(choice.finish_reason)}});
  }
  out["choices"] = std::move(choices);
  if (chunk.usage) out["usage"] = encode_usage(*chunk.usage);
  return out;
}

std::string encode_sse_stream(const std::vector<ChatChunk>& chunks) {
  std::string out;
  for (const ChatChunk& chunk : chunks) {
    out += "data: ";
    out += detail::dump_json(encode_chat_chunk(chunk));
    out += "\n\n";
  }
  out += "data: [DONE]\n\n";
  return out;
}

}  // namespace lemma::wire
