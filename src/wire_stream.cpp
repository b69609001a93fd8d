// The OpenAI streaming format: chunks, the [DONE] marker and errors reported mid-stream.

#include <algorithm>
#include <cctype>

#include "json_reader_private.hpp"
#include "lemma/wire.hpp"
#include "wire_decode_private.hpp"

namespace lemma::wire {

using detail::JsonPath;
using detail::JsonReader;
using nlohmann::json;

namespace {

std::vector<ToolCallDelta> decode_tool_call_deltas(JsonReader& reader, const json& delta,
                                                   const JsonPath& path) {
  std::vector<ToolCallDelta> out;
  const json* list = JsonReader::member(delta, "tool_calls");
  if (!list) return out;
  const JsonPath list_path = path.field("tool_calls");
  if (!list->is_array()) {
    reader.mistyped(list_path, "an array", *list);
    return out;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    const JsonPath where = list_path.at(i);
    ToolCallDelta call;
    call.index = reader.int_or(item, "index", where, static_cast<std::int64_t>(i));
    call.id = reader.optional_string(item, "id", where);
    call.type = reader.optional_string(item, "type", where);
    if (const json* function = JsonReader::member(item, "function")) {
      const JsonPath function_path = where.field("function");
      call.function_name = reader.optional_string(*function, "name", function_path);
      if (const json* args = JsonReader::member(*function, "arguments")) {
        call.arguments = args->is_string() ? args->get<std::string>() : args->dump();
      }
    }
    out.push_back(std::move(call));
  }
  return out;
}

ChunkDelta decode_delta(JsonReader& reader, const json& delta, const JsonPath& path) {
  ChunkDelta out;
  if (!delta.is_object()) {
    reader.mistyped(path, "an object", delta);
    return out;
  }
  out.role = reader.optional_string(delta, "role", path);
  out.content = detail_decode::decode_content(reader, delta, path);
  out.reasoning_content = detail_decode::decode_reasoning(reader, delta, path);
  out.refusal = reader.optional_string(delta, "refusal", path);
  out.tool_calls = decode_tool_call_deltas(reader, delta, path);
  return out;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Errors inside a 200 stream carry no HTTP status: infer the kind from the code and type.
ErrorKind kind_for_stream_error(const Error& error) {
  if (!error.code.empty() &&
      std::all_of(error.code.begin(), error.code.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      error.code.size() == 3) {
    return error_kind_for_status(std::stoi(error.code));
  }
  const std::string hint = lower(error.code + " " + error.type);
  if (hint.find("quota") != std::string::npos) return ErrorKind::quota_exceeded;
  if (hint.find("rate") != std::string::npos) return ErrorKind::rate_limited;
  if (hint.find("auth") != std::string::npos) return ErrorKind::authentication;
  if (hint.find("invalid") != std::string::npos || hint.find("validation") != std::string::npos) {
    return ErrorKind::invalid_request;
  }
  if (hint.find("timeout") != std::string::npos) return ErrorKind::timeout;
  // A failure during generation (TGI "generation", "overloaded", vLLM internal errors) is the
  // server's.
  return ErrorKind::server_error;
}

}  // namespace

Result<ChatChunk> decode_chat_chunk(const nlohmann::json& chunk) {
  JsonReader reader("stream chunk");
  const JsonPath root;
  if (!chunk.is_object()) {
    reader.mistyped(root, "an object", chunk);
    return *reader.error();
  }
  ChatChunk out;
  out.id = reader.string_or_empty(chunk, "id", root);
  out.object = reader.string_or_empty(chunk, "object", root);
  out.created = reader.int_or(chunk, "created", root, 0);
  out.model = reader.string_or_empty(chunk, "model", root);
  out.system_fingerprint = reader.optional_string(chunk, "system_fingerprint", root);
  if (const json* choices = JsonReader::member(chunk, "choices")) {
    const JsonPath choices_path = root.field("choices");
    if (!choices->is_array()) {
      reader.mistyped(choices_path, "an array", *choices);
      return *reader.error();
    }
    out.choices.reserve(choices->size());
    for (std::size_t i = 0; i < choices->size(); ++i) {
      const json& item = (*choices)[i];
      const JsonPath where = choices_path.at(i);
      if (!item.is_object()) {
        reader.mistyped(where, "an object", item);
        break;
      }
      ChunkChoice choice;
      choice.index = reader.int_or(item, "index", where, static_cast<std::int64_t>(i));
      if (const json* delta = JsonReader::member(item, "delta")) {
        choice.delta = decode_delta(reader, *delta, where.field("delta"));
      } else if (const json* message = JsonReader::member(item, "message")) {
        // A few servers put a whole message in the last chunk.
        choice.delta = decode_delta(reader, *message, where.field("message"));
      }
      choice.finish_reason = reader.string_or_empty(item, "finish_reason", where);
      if (auto it = item.find("logprobs"); it != item.end()) choice.logprobs = *it;
      out.choices.push_back(std::move(choice));
    }
  }
  if (const json* usage = JsonReader::member(chunk, "usage")) {
    out.usage = detail_decode::decode_usage_with(reader, *usage, root.field("usage"));
  }
  if (!reader.ok()) return *reader.error();
  return out;
}

Error decode_stream_error(const nlohmann::json& payload) {
  HttpResponse as_response;
  as_response.status = 200;
  as_response.body = payload.is_string() ? payload.get<std::string>() : payload.dump();
  Error error = decode_error_response(as_response);
  error.http_status = 0;
  if (error.provider_message.empty() && payload.is_string()) {
    error.provider_message = payload.get<std::string>();
  }
  error.kind = kind_for_stream_error(error);
  error.message = "The server reported an error in the middle of the stream: " +
                  (error.provider_message.empty() ? std::string("(no message)")
                                                  : error.provider_message) +
                  (error.type.empty() ? "" : " [type " + error.type + "]") +
                  (error.code.empty() ? "" : " [code " + error.code + "]") +
                  ". The answer received so far is incomplete.";
  return error;
}

Result<StreamEvent> decode_stream_event(const SseEvent& event) {
  const std::string_view data = event.data;
  if (event.type == "error") {
    json payload = json::parse(data, nullptr, false);
    return decode_stream_error(payload.is_discarded() ? json(std::string(data)) : payload);
  }
  if (data.rfind("[DONE]", 0) == 0) return StreamEvent::done();
  if (data.find_first_not_of(" \t") == std::string_view::npos) return StreamEvent::ignore();
  if (!event.type.empty() && event.type != "message" && event.type != "completion" &&
      event.type != "chunk") {
    return StreamEvent::ignore();  // e.g. "ping" events some gateways interleave
  }
  json payload = json::parse(data, nullptr, false);
  if (payload.is_discarded()) {
    auto parsed = parse_json(data, "stream event");
    Error error = parsed.error();
    error.message = "The stream's event at byte " + std::to_string(event.offset) +
                    " is not valid JSON: " + error.message;
    return error;
  }
  if (payload.is_object() && payload.contains("error") && !payload.contains("choices")) {
    return decode_stream_error(payload);
  }
  auto chunk = decode_chat_chunk(payload);
  if (!chunk) {
    Error error = chunk.error();
    error.message = "The stream's event at byte " + std::to_string(event.offset) + ": " + error.message;
    return error;
  }
  return StreamEvent::of(std::move(*chunk));
}

ChatChunk chunk_from_response(const ChatResponse& response) {
  ChatChunk chunk;
  chunk.id = response.id;
  chunk.object = "chat.completion.chunk";
  chunk.created = response.created;
  chunk.model = response.model;
  chunk.system_fingerprint = response.system_fingerprint;
  chunk.usage = response.usage;
  for (const Choice& choice : response.choices) {
    ChunkChoice part;
    part.index = choice.index;
    part.delta.role = choice.message.role;
    part.delta.content = choice.message.content;
    part.delta.reasoning_content = choice.message.reasoning_content;
    part.delta.refusal = choice.message.refusal;
    for (std::size_t i = 0; i < choice.message.tool_calls.size(); ++i) {
      const ToolCall& call = choice.message.tool_calls[i];
      part.delta.tool_calls.push_back(
          {static_cast<std::int64_t>(i), call.id, call.type, call.function_name, call.arguments});
    }
    part.finish_reason = choice.finish_reason;
    part.logprobs = choice.logprobs;
    chunk.choices.push_back(std::move(part));
  }
  return chunk;
}

}  // namespace lemma::wire
