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
  /// Work limit for one comparison (parser and evaluator steps); past it the verdict is
  /// undecided with rule "budget".
  std::size_t step_budget = 200000;
  /// Read "," as the decimal separator ("3,5" is 3.5; tuples then need ";"). Default off.
  bool decimal_comma = false;
  /// A set ({1,2}) never equals a tuple ((1,2)) when true (default); when false they compare
  /// as sets. A bare list "1, 2" is compatible with both either way.
  bool strict_set_tuple = true;
  /// Compare a predicted inequality with a reference interval too (default false: only a
  /// reference inequality may match a predicted interval, Math-Verify's guard against reward
  /// hacking with a bare relation).
  bool allow_predicted_relation_vs_interval = false;
  /// When a side is a decimal: values within this relative difference are equal (default 1e-9;
  /// never an absolute tolerance, so 0.0001 and 0.0009 stay different).
  double relative_tolerance = 1e-9;
  /// When a side is a decimal written with k >= min_rounding_places digits after the point
  /// and at least as many significant digits, the other side rounded to k places that equals it
  /// is equal (3.14 vs \pi; not 0.01 vs 1/75). A prediction coarser than a decimal reference
  /// is never accepted (0.01 is not 0.0149). Default 2; a negative value turns this rule off.
  int min_rounding_places = 2;
  /// When set, both sides are rounded to this many decimal places before a numeric compare.
  std::optional<int> rounding_places;
  /// Accept x, x/100 and 100x as equal (the Qwen grader's percent guess). Default off.
  bool percent_guess = false;
  /// How many points a symbolic comparison (free variables) evaluates both sides at; clamped
  /// to 1..64.
  int symbolic_points = 6;
};

/// Decides whether `predicted` and `reference` (two answers, LaTeX or plain text) are equal.
/// Thread-safe; never throws; a pathological input yields undecided with rule "budget".
///
/// The stages, each named in Verdict::rule when it decides:
/// - normalise both sides: `$...$`, `\(...\)`, `\[...\]`, `\boxed{}` unwrapped; `\left`/`\right`,
///   spacing, `\text{}` units and unit words ("5 cm"), degrees (`^\circ`; in a trig argument
///   `\sin 30^\circ` they are an angle, 30\pi/180), `\$` and `%` dropped;
///   thousands separators joined only in the 3-digit form at top level ("1,000" is 1000,
///   "(1, 000)" a tuple); "7 3/4" is a mixed number. Empty sides: "empty".
/// - "string": the normalised texts are the same.
/// - parse to an expression tree (numbers incl. .5, 1.5e3 and 0.\overline{3}; \frac, \sqrt[n],
///   powers, !, \binom, trig / log / exp, \lfloor \rfloor, |x|, \pi, e, i, \infty, \mathbb{R};
///   implicit products); when one side is not math: undecided "parse"; when neither is: "text"
///   if both are prose (the words compared, ignoring case and punctuation), else undecided
///   "parse" (A \cap B against B \cap A).
/// - structure: `x = 5` reads as 5 (also against `y = 5`); `x = y` against `y = x` compare as
///   equations; "assignments": `x = 1, y = 2` against `y = 2, x = 1` pair by name; `\pm` is a
///   two-element set; "tuple" (ordered), "set" (unordered; duplicates ignored), "list" (a bare "1,
///   2" matches a set unordered and a tuple in order), "set_vs_tuple"; "interval" (open/closed ends
///   matter; an open `(a, b)` is also a pair), "union" (parts in any order); "matrix" (shape, then
///   element-wise; a column or row vector matches a tuple); "equation" (equal up to a nonzero
///   factor: 2x+2y=2 is x+y=1); "inequality" (flipped, or up to a positive factor); a reference
///   inequality matches a predicted interval, not the reverse ("relation_vs_interval", see the
///   option); "structure" when the kinds differ.
/// - numbers: exact big rationals and exact complex numbers ("numeric_exact": 1/2004! is not
///   1/2006!); with irrationals, 50-digit evaluation, equal when 35 digits agree ("numeric");
///   undecided "approximation" when an exact value was too large to hold (10^{100000} + 1).
/// - decimals only: "numeric_tolerance" (relative_tolerance), "numeric_rounding" (the other side
///   rounded to the decimal's places, or both to rounding_places); "percent_guess" if enabled.
/// - free variables: "symbolic", both sides evaluated at deterministic pseudo-random rationals
///   of both signs (|x| is not x), and at positive ones where a side is not real at negative
///   values (\sqrt{x}\sqrt{y} is \sqrt{xy});
///   "variables" when they use different variables and the values differ.
/// - otherwise undecided: "evaluation" (a domain error), "budget", "pm", "internal".
LEMMA_MATH_EXPORT Verdict compare(std::string_view predicted, std::string_view reference,
                                  const CompareOptions& options = {});

/// True when the whole of `text` reads as one math answer (a number, expression, tuple, set,
/// interval, equation, ...) by compare()'s parser, e.g. "\frac{1}{2}" or "x = 3" but not a
/// sentence of prose. grade() uses it to decide whether an anchorless response is an answer.
LEMMA_MATH_EXPORT bool parses_as_answer(std::string_view text, const CompareOptions& options = {});

}  // namespace lemma::math
