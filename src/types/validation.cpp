#include "lemma/validation.hpp"

#include <cmath>
#include <sstream>
#include <utility>
#include <vector>

#include "core/error_text_private.hpp"

namespace lemma {

namespace {

std::string number_text(double value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

std::optional<Error> require_finite(const char* param, const std::optional<double>& value) {
  if (value && !std::isfinite(*value)) {
    return invalid_request_error(
        param, std::string(param) + " is " + number_text(*value) + "; it must be a finite number.");
  }
  return std::nullopt;
}

std::optional<Error> require_at_least(const char* param, const std::optional<std::int64_t>& value,
                                      std::int64_t minimum) {
  if (value && *value < minimum) {
    return invalid_request_error(param, std::string(param) + " is " + std::to_string(*value) +
                                            "; it must be at least " + std::to_string(minimum) +
                                            ".");
  }
  return std::nullopt;
}

// Every string lemma sends is JSON, which must be UTF-8: a caller's invalid bytes are refused
// here, naming the field, rather than failing (or being silently replaced) when the body is built.
std::optional<Error> require_utf8(const std::string& param, std::string_view text) {
  const std::size_t at = detail::first_invalid_utf8(text);
  if (at == std::string_view::npos) return std::nullopt;
  return invalid_request_error(param, param + " is not valid UTF-8 (byte " + std::to_string(at) +
                                          " of " + std::to_string(text.size()) +
                                          "); convert the text to UTF-8 before sending it.");
}

std::optional<Error> require_utf8_if_set(const std::string& param,
                                         const std::optional<std::string>& text) {
  return text ? require_utf8(param, *text) : std::nullopt;
}

// Every string and object key in a caller's JSON (`extra`, `response_format`), walked with an
// explicit stack so a deeply nested value cannot overflow the call stack here.
std::optional<Error> require_utf8_json(const std::string& param, const nlohmann::json& root) {
  std::vector<std::pair<const nlohmann::json*, std::string>> pending{{&root, param}};
  while (!pending.empty()) {
    auto [value, path] = std::move(pending.back());
    pending.pop_back();
    if (value->is_string()) {
      if (auto e = require_utf8(path, value->get_ref<const std::string&>())) return e;
    } else if (value->is_object()) {
      for (auto it = value->begin(); it != value->end(); ++it) {
        if (auto e = require_utf8(path + " (a key)", it.key())) return e;
        if (it->is_structured() || it->is_string())
          pending.emplace_back(&*it, path + "." + it.key());
      }
    } else if (value->is_array()) {
      for (std::size_t i = 0; i < value->size(); ++i) {
        const nlohmann::json& item = (*value)[i];
        if (item.is_structured() || item.is_string()) {
          pending.emplace_back(&item, path + "[" + std::to_string(i) + "]");
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<Error> require_utf8_message(const std::string& where, const Message& message) {
  for (const auto& [field, text] :
       {std::pair<const char*, const std::optional<std::string>*>{"content", &message.content},
        {"name", &message.name},
        {"tool_call_id", &message.tool_call_id},
        {"reasoning_content", &message.reasoning_content},
        {"refusal", &message.refusal}}) {
    if (auto e = require_utf8_if_set(where + "." + field, *text)) return e;
  }
  if (auto e = require_utf8(where + ".role", message.role)) return e;
  for (std::size_t k = 0; k < message.tool_calls.size(); ++k) {
    const ToolCall& call = message.tool_calls[k];
    const std::string at = where + ".tool_calls[" + std::to_string(k) + "]";
    if (auto e = require_utf8(at + ".id", call.id)) return e;
    if (auto e = require_utf8(at + ".type", call.type)) return e;
    if (auto e = require_utf8(at + ".function.name", call.function_name)) return e;
    if (auto e = require_utf8(at + ".arguments", call.arguments)) return e;
  }
  return std::nullopt;
}

}  // namespace

bool Range::contains(double value) const noexcept {
  const bool above = min_inclusive ? value >= min : value > min;
  const bool below = max_inclusive ? value <= max : value < max;
  return above && below;
}

std::string Range::to_string() const {
  return std::string(min_inclusive ? "[" : "(") + number_text(min) + ", " + number_text(max) +
         (max_inclusive ? "]" : ")");
}

std::optional<Error> check_range(const std::string& param, const std::optional<double>& value,
                                 const Range& range) {
  if (!value || range.contains(*value)) return std::nullopt;
  return invalid_request_error(param, param + " is " + number_text(*value) +
                                          "; this provider accepts " + range.to_string() + ".");
}

std::optional<Error> validate_chat_request(const ChatRequest& request) {
  if (request.model.empty()) {
    return invalid_request_error("model",
                                 "model is empty; set ChatRequest::model to the model's "
                                 "name, e.g. \"deepseek/deepseek-prover-v2\".");
  }
  if (request.messages.empty()) {
    return invalid_request_error("messages",
                                 "messages is empty; add at least one message, e.g. "
                                 "lemma::Message::user(\"Prove that ...\").");
  }
  if (auto e = require_utf8("model", request.model)) return e;
  for (std::size_t i = 0; i < request.messages.size(); ++i) {
    const Message& message = request.messages[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (auto e = require_utf8_message(where, message)) return e;
    if (message.role.empty()) {
      return invalid_request_error(where + ".role", where +
                                                        ".role is empty; use \"system\", "
                                                        "\"user\", \"assistant\" or \"tool\".");
    }
    if (!message.content && message.tool_calls.empty()) {
      return invalid_request_error(where + ".content",
                                   where +
                                       ".content is missing and the message "
                                       "has no tool calls; give it some content.");
    }
  }
  const SamplingParams& s = request.sampling;
  for (const auto& [name, value] :
       {std::pair<const char*, const std::optional<double>&>{"temperature", s.temperature},
        {"top_p", s.top_p},
        {"min_p", s.min_p},
        {"presence_penalty", s.presence_penalty},
        {"frequency_penalty", s.frequency_penalty},
        {"repetition_penalty", s.repetition_penalty}}) {
    if (auto error = require_finite(name, value)) return error;
  }
  if (auto e = require_at_least("max_tokens", s.max_tokens, 1)) return e;
  if (auto e = require_at_least("n", s.n, 1)) return e;
  if (auto e = require_at_least("top_k", s.top_k, 1)) return e;
  if (auto e = require_at_least("top_logprobs", s.top_logprobs, 0)) return e;
  if (auto e = check_range("temperature", s.temperature, Range{0, HUGE_VAL})) return e;
  if (auto e = check_range("min_p", s.min_p, Range{0, 1})) return e;
  if (auto e = check_range("repetition_penalty", s.repetition_penalty, Range{0, HUGE_VAL})) {
    return e;
  }
  if (s.stop) {
    for (std::size_t i = 0; i < s.stop->size(); ++i) {
      const std::string& stop = (*s.stop)[i];
      if (stop.empty())
        return invalid_request_error("stop", "stop contains an empty string; remove it.");
      if (auto e = require_utf8("stop[" + std::to_string(i) + "]", stop)) return e;
    }
  }
  if (auto e = require_utf8_if_set("user", s.user)) return e;
  if (s.response_format) {
    if (auto e = require_utf8_json("response_format", *s.response_format)) return e;
  }
  if (!s.extra.is_object()) {
    return invalid_request_error("extra",
                                 "sampling.extra must be a JSON object (it is merged "
                                 "into the request body), not " +
                                     std::string(s.extra.type_name()) + ".");
  }
  if (auto e = require_utf8_json("extra", s.extra)) return e;
  return std::nullopt;
}

}  // namespace lemma
