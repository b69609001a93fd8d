// The OpenAI streaming format: chunks, the [DONE] marker and errors reported mid-stream.

#include <algorithm>
#include <cctype>

#include "lemma/wire.hpp"
#include "wire/openai/chunk_sax_private.hpp"
#include "wire/openai/json_reader_private.hpp"
#include "wire/openai/wire_decode_private.hpp"

namespace lemma::wire {

using detail::JsonPath;
using detail::JsonReader;
using nlohmann::json;

namespace {

// The chunk decoder runs once per token, so it walks each object once (no per-key lookups)
// and moves strings out of the parsed document instead of copying them.

bool is_null(const json& value) {
  return value.is_null();
}

void take_string(JsonReader& reader, json& value, std::optional<std::string>& out,
                 const JsonPath& path) {
  if (value.is_string()) {
    out = std::move(value.get_ref<std::string&>());
  } else if (!is_null(value)) {
    reader.mistyped(path, "a string", value);
  }
}

void take_string(JsonReader& reader, json& value, std::string& out, const JsonPath& path) {
  if (value.is_string()) {
    out = std::move(value.get_ref<std::string&>());
  } else if (!is_null(value)) {
    reader.mistyped(path, "a string", value);
  }
}

std::int64_t int_value(JsonReader& reader, json& parent, std::string_view key, const JsonPath& path,
                       std::int64_t fallback) {
  return reader.int_or(parent, key, path, fallback);
}

std::vector<ToolCallDelta> decode_tool_call_deltas(JsonReader& reader, json& list,
                                                   const JsonPath& list_path) {
  std::vector<ToolCallDelta> out;
  if (!list.is_array()) {
    if (!is_null(list)) reader.mistyped(list_path, "an array", list);
    return out;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    json& item = list[i];
    const JsonPath where = list_path.at(i);
    ToolCallDelta call;
    call.index = int_value(reader, item, "index", where, static_cast<std::int64_t>(i));
    if (!item.is_object()) {
      reader.mistyped(where, "an object", item);
      break;
    }
    if (auto it = item.find("id"); it != item.end())
      take_string(reader, *it, call.id, where.field("id"));
    if (auto it = item.find("type"); it != item.end()) {
      take_string(reader, *it, call.type, where.field("type"));
    }
    if (auto f = item.find("function"); f != item.end() && f->is_object()) {
      const JsonPath function_path = where.field("function");
      if (auto it = f->find("name"); it != f->end()) {
        take_string(reader, *it, call.function_name, function_path.field("name"));
      }
      if (auto it = f->find("arguments"); it != f->end() && !it->is_null()) {
        if (it->is_string()) {
          call.arguments = std::move(it->get_ref<std::string&>());
        } else {
          call.arguments = detail::dump_json(*it);  // some servers send an object
        }
      }
    }
    out.push_back(std::move(call));
  }
  return out;
}

ChunkDelta decode_delta(JsonReader& reader, json& delta, const JsonPath& path) {
  ChunkDelta out;
  if (!delta.is_object()) {
    reader.mistyped(path, "an object", delta);
    return out;
  }
  std::optional<std::string> reasoning_alias;
  for (auto& [key, value] : delta.get_ref<json::object_t&>()) {
    if (key == "content") {
      if (value.is_array()) {
        out.content = detail_decode::decode_content(reader, delta, path);
      } else {
        take_string(reader, value, out.content, path.field(key));
      }
    } else if (key == "reasoning_content") {
      take_string(reader, value, out.reasoning_content, path.field(key));
    } else if (key == "reasoning") {
      take_string(reader, value, reasoning_alias, path.field(key));  // newer vLLM, Ollama
    } else if (key == "role") {
      take_string(reader, value, out.role, path.field(key));
    } else if (key == "refusal") {
      take_string(reader, value, out.refusal, path.field(key));
    } else if (key == "tool_calls") {
      out.tool_calls = decode_tool_call_deltas(reader, value, path.field(key));
    }
  }
  if (!out.reasoning_content) out.reasoning_content = std::move(reasoning_alias);
  return out;
}

void decode_chunk_choices(JsonReader& reader, json& choices, const JsonPath& choices_path,
                          std::vector<ChunkChoice>& out) {
  if (!choices.is_array()) {
    if (!is_null(choices)) reader.mistyped(choices_path, "an array", choices);
    return;
  }
  out.reserve(choices.size());
  for (std::size_t i = 0; i < choices.size(); ++i) {
    json& item = choices[i];
    const JsonPath where = choices_path.at(i);
    if (!item.is_object()) {
      reader.mistyped(where, "an object", item);
      return;
    }
    ChunkChoice choice;
    choice.index = static_cast<std::int64_t>(i);
    bool have_delta = false;
    for (auto& [key, value] : item.get_ref<json::object_t&>()) {
      if (key == "delta") {
        if (!value.is_null()) choice.delta = decode_delta(reader, value, where.field(key));
        have_delta = have_delta || !value.is_null();
      } else if (key == "index") {
        choice.index = reader.int_or(item, "index", where, choice.index);
        if (choice.index < 0 || choice.index > kMaxChoiceIndex) {
          reader.fail(where.field(key).str() + " is " + std::to_string(choice.index) +
                      " but a choice index must be between 0 and " +
                      std::to_string(kMaxChoiceIndex));
          return;
        }
      } else if (key == "finish_reason") {
        take_string(reader, value, choice.finish_reason, where.field(key));
      } else if (key == "logprobs") {
        choice.logprobs = std::move(value);
      } else if (key == "message" && !have_delta && !value.is_null()) {
        // A few servers put a whole message in the last chunk.
        choice.delta = decode_delta(reader, value, where.field(key));
      }
    }
    out.push_back(std::move(choice));
  }
}

Result<ChatChunk> decode_owned_chunk(json& chunk) {
  JsonReader reader("stream chunk");
  const JsonPath root;
  if (!chunk.is_object()) {
    reader.mistyped(root, "an object", chunk);
    return *reader.error();
  }
  ChatChunk out;
  for (auto& [key, value] : chunk.get_ref<json::object_t&>()) {
    if (key == "choices") {
      decode_chunk_choices(reader, value, root.field(key), out.choices);
    } else if (key == "id") {
      take_string(reader, value, out.id, root.field(key));
    } else if (key == "model") {
      take_string(reader, value, out.model, root.field(key));
    } else if (key == "object") {
      take_string(reader, value, out.object, root.field(key));
    } else if (key == "created") {
      out.created = reader.int_or(chunk, "created", root, 0);
    } else if (key == "system_fingerprint") {
      take_string(reader, value, out.system_fingerprint, root.field(key));
    } else if (key == "usage" && !value.is_null()) {
      out.usage = detail_decode::decode_usage_with(reader, value, root.field(key));
    }
  }
  if (!reader.ok()) return *reader.error();
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
      std::all_of(error.code.begin(), error.code.end(),
                  [](char c) { return c >= '0' && c <= '9'; }) &&
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
  json owned = chunk;
  return decode_owned_chunk(owned);
}

Error decode_stream_error(const nlohmann::json& payload) {
  HttpResponse as_response;
  as_response.status = 200;
  as_response.body = payload.is_string() ? payload.get<std::string>() : detail::dump_json(payload);
  Error error = decode_error_response(as_response);
  error.http_status = 0;
  if (error.provider_message.empty() && payload.is_string()) {
    error.provider_message = payload.get<std::string>();
  }
  error.kind = kind_for_stream_error(error);
  error.message =
      "The server reported an error in the middle of the stream: " +
      (error.provider_message.empty() ? std::string("(no message)") : error.provider_message) +
      (error.type.empty() ? "" : " [type " + error.type + "]") +
      (error.code.empty() ? "" : " [code " + error.code + "]") +
      ". The answer received so far is incomplete.";
  return error;
}

Result<StreamEvent> decode_stream_event(const SseEvent& event, std::size_t max_depth) {
  const std::string_view data = event.data;
  if (event.type == "error" || !event.error.empty()) {
    // `event: error` + data (OpenAI, TGI), or llama.cpp's own `error: {...}` line.
    const std::string_view text = event.error.empty() ? data : std::string_view(event.error);
    detail::BoundedParse parsed = detail::parse_bounded(text, max_depth);
    if (parsed.status == detail::BoundedParse::Status::too_deep) {
      return protocol_error("The stream's error event at byte " + std::to_string(event.offset) +
                            ": " + detail::too_deep_message("error event", max_depth));
    }
    return decode_stream_error(
        parsed.status == detail::BoundedParse::Status::ok ? parsed.value : json(std::string(text)));
  }
  if (data.rfind("[DONE]", 0) == 0) return StreamEvent::done();
  if (data.find_first_not_of(" \t") == std::string_view::npos) return StreamEvent::ignore();
  if (!event.type.empty() && event.type != "message" && event.type != "completion" &&
      event.type != "chunk") {
    return StreamEvent::ignore();  // e.g. "ping" events some gateways interleave
  }
  {
    ChatChunk fast;
    if (lemma::detail::decode_chunk_fast(data, fast, max_depth)) {
      return StreamEvent::of(std::move(fast));
    }
  }
  // The general path: a DOM, for errors, unusual shapes and precise messages.
  detail::BoundedParse parsed = detail::parse_bounded(data, max_depth);
  if (parsed.status != detail::BoundedParse::Status::ok) {
    Error error = parse_json(data, "stream event", max_depth).error();
    error.message =
        "The stream's event at byte " + std::to_string(event.offset) +
        (parsed.status == detail::BoundedParse::Status::too_deep ? ": " : " is not valid JSON: ") +
        error.message;
    return error;
  }
  json& payload = parsed.value;
  // An error object with or without choices: OpenRouter sends {"error": {...}, "choices":
  // [...]} mid-stream, and delivering its choices would end the stream as a success.
  if (detail_decode::carries_error(payload)) return decode_stream_error(payload);
  auto chunk = decode_owned_chunk(payload);
  if (!chunk) {
    Error error = chunk.error();
    error.message =
        "The stream's event at byte " + std::to_string(event.offset) + ": " + error.message;
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
