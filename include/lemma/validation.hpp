#pragma once

#include <optional>
#include <string>

#include "lemma/chat.hpp"
#include "lemma/error.hpp"
#include "lemma/export.hpp"

namespace lemma {

/// Checks the rules every provider shares: a model name, at least one message, finite numbers,
/// max_tokens >= 1, n >= 1, temperature >= 0, top_k >= 1, top_logprobs >= 0, repetition_penalty
/// >= 0, an object in `extra`, and valid UTF-8 in every string that is sent (model, messages,
/// tool calls, stop, user, and the strings and keys of `response_format` and `extra`). Returns the
/// first violation as an invalid_request Error naming the field, or nullopt.
LEMMA_EXPORT std::optional<Error> validate_chat_request(const ChatRequest& request);

/// An inclusive or exclusive numeric range, for provider-specific parameter checks.
struct LEMMA_EXPORT Range {
  /// Lower bound.
  double min;
  /// Upper bound.
  double max;
  /// Whether `min` itself is allowed.
  bool min_inclusive = true;
  /// Whether `max` itself is allowed.
  bool max_inclusive = true;

  /// True when `value` lies in the range.
  bool contains(double value) const noexcept;
  /// The range in interval notation, e.g. "(0, 1]".
  std::string to_string() const;
};

/// Returns an invalid_request Error when `value` is set and outside `range` (the message names
/// the parameter, the value and the allowed range), else nullopt.
LEMMA_EXPORT std::optional<Error> check_range(const std::string& param,
                                              const std::optional<double>& value,
                                              const Range& range);

}  // namespace lemma
