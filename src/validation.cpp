#include "lemma/validation.hpp"

#include <cmath>
#include <sstream>

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
  for (std::size_t i = 0; i < request.messages.size(); ++i) {
    const Message& message = request.messages[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
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
    for (const auto& stop : *s.stop) {
      if (stop.empty())
        return invalid_request_error("stop", "stop contains an empty string; remove it.");
    }
  }
  if (!s.extra.is_object()) {
    return invalid_request_error("extra",
                                 "sampling.extra must be a JSON object (it is merged "
                                 "into the request body), not " +
                                     std::string(s.extra.type_name()) + ".");
  }
  return std::nullopt;
}

}  // namespace lemma
