#pragma once

// Reading one answer: normalise the text (latex_normalize), then parse it into a Node
// (latex_parser). Also the hook grade() uses to ask "is this whole text an answer?".

#include <optional>
#include <string>
#include <string_view>

#include "budget.hpp"
#include "expr.hpp"
#include "lemma/math/compare.hpp"

namespace lemma::math::detail {

/// What normalisation noticed while cleaning an answer.
struct NormalizeInfo {
  std::string unit;  // the unit a dropped unit word named ("cm" for "5 centimeters"), or ""
};

/// Canonical text of an answer: delimiters ($, \(, \boxed) unwrapped, \left/\right and spacing
/// removed, \text{} units, degrees, dollars and percent dropped, thousands separators joined.
std::string normalize_answer(std::string_view text, const CompareOptions& options, Budget& budget,
                             NormalizeInfo& info);

/// Result of parsing: the tree, or why there is none.
struct ParseResult {
  std::optional<Node> node;
  std::string error;
};

/// Parses normalised answer text (LaTeX or plain) into a Node.
ParseResult parse_normalized(std::string_view normalized, const CompareOptions& options,
                             Budget& budget);

/// normalize_answer then parse_normalized.
ParseResult read_answer(std::string_view text, const CompareOptions& options, Budget& budget,
                        NormalizeInfo& info);

}  // namespace lemma::math::detail
