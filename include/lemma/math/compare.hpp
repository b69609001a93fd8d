#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "lemma/math_export.hpp"

namespace lemma::math {

/// The outcome of comparing two answers: three-way, with the rule that decided and why.
struct LEMMA_MATH_EXPORT Verdict {
  /// equal, not_equal, or undecided (the grader could not tell: never a silent not_equal).
  enum class Result { equal, not_equal, undecided };
  /// The decision.
  Result result = Result::undecided;
  /// The stage that decided, e.g. "string", "numeric_exact", "symbolic", "no_answer", "budget".
  std::string rule;
  /// A one-line human explanation of the decision.
  std::string explanation;
  /// The answer read from the predicted side (grade() fills it; compare() leaves it empty).
  std::optional<std::string> extracted;

  /// True when result == Result::equal.
  bool equal() const noexcept { return result == Result::equal; }
};

/// "equal", "not_equal" or "undecided".
LEMMA_MATH_EXPORT const char* to_string(Verdict::Result result) noexcept;

/// Policy for compare(); every field has a documented default.
struct CompareOptions {
  // The equivalence helper adds the documented policy fields here (decimal comma, set/tuple
  // strictness, rounding places, relative tolerance, percent guess, step budget, ...).
  /// Work limit for one comparison; past it the verdict is undecided with rule "budget".
  std::size_t step_budget = 200000;
};

/// Decides whether `predicted` and `reference` (two answers, LaTeX or plain text) are equal.
LEMMA_MATH_EXPORT Verdict compare(std::string_view predicted, std::string_view reference,
                                  const CompareOptions& options = {});

}  // namespace lemma::math
