#include "lemma/wire.hpp"

#include "wire/openai/json_reader_private.hpp"
#include "wire/openai/token_counts_private.hpp"
#include "wire/openai/wire_decode_private.hpp"

namespace lemma::wire {

using detail::JsonPath;
using detail::JsonReader;
using nlohmann::json;

namespace detail_decode {

std::optional<std::string> decode_content(JsonReader& reader, const json& message,
                                          const JsonPath& path) {
  const json* content = JsonReader::member(message, "content");
  if (!content) return std::nullopt;
  if (content->is_string()) return content->get_ref<const std::string&>();
  if (content->is_array()) {
    // Some servers send content as typed parts: join their text.
    std::string text;
    for (const auto& part : *content) {
      if (part.is_string()) {
        text += part.get_ref<const std::string&>();
      } else if (const json* t = JsonReader::member(part, "text"); t && t->is_string()) {
        text += t->get_ref<const std::string&>();
      }
    }
    return text;
  }
  reader.mistyped(path.field("content"), "a string or null", *content);
  return std::nullopt;
}

std::optional<std::string> decode_reasoning(JsonReader& reader, const json& message,
                                            const JsonPath& path) {
  auto reasoning = reader.optional_string(message, "reasoning_content", path);
  // Newer vLLM and some gateways name the field "reasoning".
  if (!reasoning) reasoning = reader.optional_string(message, "reasoning", path);
  return reasoning;
}

}  // namespace detail_decode

namespace {

using detail_decode::decode_content;
using detail_decode::decode_reasoning;

std::vector<ToolCall> decode_tool_calls(JsonReader& reader, const json& message,
                                        const JsonPath& path) {
  std::vector<ToolCall> calls;
  const json* list = JsonReader::member(message, "tool_calls");
  if (!list) return calls;
  const JsonPath list_path = path.field("tool_calls");
  if (!list->is_array()) {
    reader.mistyped(list_path, "an array", *list);
    return calls;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    const JsonPath where = list_path.at(i);
    ToolCall call;
    call.id = reader.string_or_empty(item, "id", where);
    call.type = reader.optional_string(item, "type", where).value_or("function");
    if (const json* function = JsonReader::member(item, "function")) {
      const JsonPath function_path = where.field("function");
      call.function_name = reader.string_or_empty(*function, "name", function_path);
      if (const json* args = JsonReader::member(*function, "arguments")) {
        // Some servers send arguments as an object instead of a JSON string.
        call.arguments = args->is_string() ? args->get<std::string>() : detail::dump_json(*args);
      }
    }
    calls.push_back(std::move(call));
  }
  return calls;
}

Message decode_message_with(JsonReader& reader, const json& message, const JsonPath& path) {
  Message out;
  if (!message.is_object()) {
    reader.mistyped(path, "an object", message);
    return out;
  }
  out.role = reader.optional_string(message, "role", path).value_or("assistant");
  out.content = decode_content(reader, message, path);
  out.name = reader.optional_string(message, "name", path);
  out.tool_call_id = reader.optional_string(message, "tool_call_id", path);
  out.reasoning_content = decode_reasoning(reader, message, path);
  out.refusal = reader.optional_string(message, "refusal", path);
  out.tool_calls = decode_tool_calls(reader, message, path);
  return out;
}

}  // namespace

namespace detail_decode {

bool carries_error(const json& body) {
  const json* error = JsonReader::member(body, "error");
  return error != nullptr &&
         (error->is_object() ||
          (error->is_string() && !error->get_ref<const std::string&>().empty()));
}

std::optional<Usage> decode_usage_with(JsonReader& reader, const json& usage,
                                       const JsonPath& path) {
  if (!usage.is_object()) {
    reader.mistyped(path, "an object", usage);
    return std::nullopt;
  }
  Usage out;
  out.prompt_tokens = reader.count_or(usage, "prompt_tokens", path, 0);
  out.completion_tokens = reader.count_or(usage, "completion_tokens", path, 0);
  out.total_tokens =
      reader.count_or(usage, "total_tokens", path,
                      lemma::detail::total_tokens_of(out.prompt_tokens, out.completion_tokens));
  if (const json* details = JsonReader::member(usage, "prompt_tokens_details")) {
    out.cached_tokens =
        reader.optional_count(*details, "cached_tokens", path.field("prompt_tokens_details"));
  }
  if (const json* details = JsonReader::member(usage, "completion_tokens_details")) {
    out.reasoning_tokens = reader.optional_count(*details, "reasoning_tokens",
                                                 path.field("completion_tokens_details"));
  }
  return out;
}

}  // namespace detail_decode

using detail_decode::decode_usage_with;

namespace {

// The first 120 bytes of `body` for a message, cut at a UTF-8 boundary and marked "..." when
// cut (redaction recognises the mark: a key cut there is still scrubbed).
std::string short_excerpt(std::string_view body) {
  constexpr std::size_t kLength = 120;
  if (body.size() <= kLength) return std::string(body);
  std::size_t end = kLength;
  while (end > 0 && (static_cast<unsigned char>(body[end]) & 0xC0) == 0x80) --end;
  return std::string(body.substr(0, end)) + "...";
}

}  // namespace

Result<nlohmann::json> parse_json(std::string_view body, std::string_view what,
                                  std::size_t max_depth) {
  detail::BoundedParse parsed = detail::parse_bounded(body, max_depth);
  if (parsed.status == detail::BoundedParse::Status::ok) return std::move(parsed.value);
  if (parsed.status == detail::BoundedParse::Status::too_deep) {
    Error error = protocol_error(detail::too_deep_message(what, max_depth));
    error.body_excerpt = body_excerpt(body);
    return error;
  }
  const std::string where = " at byte " + std::to_string(parsed.error_byte);
  std::string message = "The server's " + std::string(what) + " is not valid JSON" + where + " (" +
                        std::to_string(body.size()) + " bytes";
  if (!body.empty()) message += ", starting \"" + short_excerpt(body) + "\"";
  message +=
      "). It may come from a proxy or a server that is not OpenAI-compatible; check the "
      "base URL.";
  Error error = protocol_error(std::move(message));
  error.body_excerpt = body_excerpt(body);
  return error;
}

Result<Message> decode_message(const nlohmann::json& message, std::string_view path) {
  JsonReader reader("message");
  Message out = decode_message_with(reader, message, JsonPath{nullptr, path});
  if (!reader.ok()) return *reader.error();
  return out;
}

Result<Usage> decode_usage(const nlohmann::json& usage) {
  JsonReader reader("usage");
  auto out = decode_usage_with(reader, usage, JsonPath{nullptr, "usage"});
  if (!reader.ok()) return *reader.error();
  return *out;
}

Result<ChatResponse> decode_chat_response(nlohmann::json body) {
  JsonReader reader("chat completion");
  const JsonPath root;
  if (!body.is_object()) {
    reader.mistyped(root, "an object", body);
    return *reader.error();
  }
  const json* choices = JsonReader::member(body, "choices");
  if (!choices || detail_decode::carries_error(body)) {
    if (JsonReader::member(body, "error")) {
      // Some gateways answer 200 with an error object; report the provider's error.
      HttpResponse as_error;
      as_error.status = 200;
      as_error.body = detail::dump_json(body);
      return decode_error_response(as_error);
    }
    reader.fail("it has no \"choices\" array");
    return *reader.error();
  }
  const JsonPath choices_path = root.field("choices");
  if (!choices->is_array()) {
    reader.mistyped(choices_path, "an array", *choices);
    return *reader.error();
  }

  ChatResponse out;
  out.id = reader.string_or_empty(body, "id", root);
  out.object = reader.string_or_empty(body, "object", root);
  out.created = reader.int_or(body, "created", root, 0);
  out.model = reader.string_or_empty(body, "model", root);
  out.system_fingerprint = reader.optional_string(body, "system_fingerprint", root);
  for (std::size_t i = 0; i < choices->size(); ++i) {
    const json& item = (*choices)[i];
    const JsonPath where = choices_path.at(i);
    if (!item.is_object()) {
      reader.mistyped(where, "an object", item);
      break;
    }
    Choice choice;
    choice.index = reader.int_or(item, "index", where, static_cast<std::int64_t>(i));
    if (const json* message = JsonReader::member(item, "message")) {
      choice.message = decode_message_with(reader, *message, where.field("message"));
    } else if (const json* text = JsonReader::member(item, "text"); text && text->is_string()) {
      // Legacy completions shape, still sent by a few self-hosted wrappers.
      choice.message.role = "assistant";
      choice.message.content = text->get<std::string>();
    } else {
      reader.fail(where.str() + " has no \"message\"");
    }
    choice.finish_reason = reader.string_or_empty(item, "finish_reason", where);
    if (auto it = item.find("logprobs"); it != item.end()) choice.logprobs = *it;
    out.choices.push_back(std::move(choice));
  }
  if (const json* usage = JsonReader::member(body, "usage")) {
    out.usage = decode_usage_with(reader, *usage, root.field("usage"));
  }
  if (!reader.ok()) return *reader.error();
  out.raw = std::move(body);
  return out;
}

Result<std::vector<ModelInfo>> decode_models_response(const nlohmann::json& body) {
  JsonReader reader("model list");
  const JsonPath root;
  const json* list = &body;
  if (body.is_object()) {
    list = JsonReader::member(body, "data");
    if (!list) list = JsonReader::member(body, "models");  // Ollama's native shape
    if (!list) {
      reader.fail("it has no \"data\" array");
      return *reader.error();
    }
  }
  const JsonPath data_path = root.field("data");
  if (!list->is_array()) {
    reader.mistyped(data_path, "an array", *list);
    return *reader.error();
  }
  std::vector<ModelInfo> models;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    const JsonPath where = data_path.at(i);
    if (!item.is_object()) {
      reader.mistyped(where, "an object", item);
      break;
    }
    ModelInfo model;
    model.id = reader.optional_string(item, "id", where)
                   .value_or(reader.string_or_empty(item, "name", where));
    model.object = reader.string_or_empty(item, "object", where);
    model.created = reader.int_or(item, "created", where, 0);
    model.owned_by = reader.string_or_empty(item, "owned_by", where);
    for (const char* key : {"max_model_len", "context_length", "context_window"}) {
      if (!model.context_length) model.context_length = reader.optional_int(item, key, where);
    }
    if (const json* meta = JsonReader::member(item, "meta"); meta && !model.context_length) {
      model.context_length = reader.optional_int(*meta, "n_ctx_train", where.field("meta"));
    }
    model.raw = item;
    models.push_back(std::move(model));
  }
  if (!reader.ok()) return *reader.error();
  return models;
}

std::string body_excerpt(std::string_view body) {
  if (body.size() <= Error::kMaxBodyExcerpt) return std::string(body);
  std::size_t end = Error::kMaxBodyExcerpt;
  // Step back over UTF-8 continuation bytes so the excerpt never ends mid-character.
  while (end > 0 && (static_cast<unsigned char>(body[end]) & 0xC0) == 0x80) --end;
  return std::string(body.substr(0, end)) + "...";
}

}  // namespace lemma::wire
