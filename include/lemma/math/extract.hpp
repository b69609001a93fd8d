#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lemma/math_export.hpp"

namespace lemma::math {

/// An answer found in a text, and the rule that found it.
struct Extracted {
  /// The answer text, e.g. "\frac{1}{2}".
  std::string text;
  /// Which rule found it, e.g. "boxed", "minerva", "answer_is", "gsm8k", "bold", "math_span".
  std::string rule;
};

/// Which extraction rules are on; every field has a documented default.
struct ExtractOptions {
  // The extraction helper adds the documented option fields here.
};

/// Finds the final answer in a model's text by the documented rules; std::nullopt when none
/// applies (never a guess).
LEMMA_MATH_EXPORT std::optional<Extracted> extract_answer(std::string_view text,
                                                          const ExtractOptions& options = {});

}  // namespace lemma::math
