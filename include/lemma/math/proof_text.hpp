#pragma once

/// Reading the outputs of a proof generator and a proof verifier in the DeepSeekMath-V2 format
/// (`## Solution` / `## Self Evaluation` / a final `\boxed{score}`), and keeping reasoning away
/// from the verifier. Pure functions: no I/O, thread-safe. Target lemma::math_runs.

#include <optional>
#include <string>
#include <string_view>

#include "lemma/chat.hpp"
#include "lemma/math_runs_export.hpp"

namespace lemma::math {

/// How a verifier's score was read (parse_verifier_score).
enum class ScoreStatus {
  /// The last `\boxed{}` held 0, 0.5 or 1.
  ok,
  /// The text has no (complete) `\boxed{}` at all.
  no_boxed,
  /// The last `\boxed{}` holds something other than 0, 0.5 or 1 (e.g. "7", "yes", "0.3").
  not_a_score,
};

/// The name of `status` as written above, e.g. "no_boxed".
LEMMA_MATH_RUNS_EXPORT std::string_view to_string(ScoreStatus status) noexcept;

/// A score read from a verifier's (or a generator's self-evaluation) text. Never a silent 0:
/// `score` is set only when `status` is ok.
struct ParsedScore {
  /// ok, or why no score could be read.
  ScoreStatus status = ScoreStatus::no_boxed;
  /// 0, 0.5 or 1 when status is ok.
  std::optional<double> score;
  /// The content of the last `\boxed{}` as written (trimmed); empty when there was none.
  std::string boxed;
};

/// Reads the score from the last `\boxed{...}` of `text` (braces balanced; `\boxed {x}` too),
/// after dropping reasoning (see visible_text). Accepted spellings of the three scores: "0",
/// "0.0", "0.5", ".5", "1/2", "\frac{1}{2}" (also \dfrac, \tfrac), "1", "1.0", and the same
/// wrapped in `$`, `\text{}` or `\mathbf{}`; anything else is ScoreStatus::not_a_score.
LEMMA_MATH_RUNS_EXPORT ParsedScore parse_verifier_score(std::string_view text);

/// The part of a model's content that is its answer: the text after the last `</think>`, or the
/// whole text when there is none; "" when the text opens a `<think>` it never closes (all of it
/// is reasoning). Leading and trailing whitespace is trimmed. `reasoning_content` is a separate
/// field and never part of the content, so this is all the hygiene a verifier prompt needs.
LEMMA_MATH_RUNS_EXPORT std::string visible_text(std::string_view content);

/// visible_text() of the first choice's content of `response` (its reasoning_content is never
/// used).
LEMMA_MATH_RUNS_EXPORT std::string visible_text(const ChatResponse& response);

/// A generator's answer split into its parts.
struct GeneratorOutput {
  /// True when both a `## Solution` and a later `## Self Evaluation` heading were found.
  bool well_formed = false;
  /// The proof: the text between the `## Solution` and `## Self Evaluation` headings (trimmed);
  /// when not well_formed, the whole visible text after `## Solution` (or all of it).
  std::string solution;
  /// The self-evaluation: the text after the `## Self Evaluation` heading (trimmed), "" when
  /// there is none.
  std::string self_evaluation;
  /// The self-score: parse_verifier_score() of self_evaluation (status no_boxed when empty).
  ParsedScore self_score;
};

/// Splits a generator's content (reasoning dropped first, see visible_text) at its
/// `## Solution` heading (the first one at the start of a line) and the last
/// `## Self Evaluation` heading after it; headings match case-insensitively, with any number of
/// `#` (at least two) and an optional trailing colon.
LEMMA_MATH_RUNS_EXPORT GeneratorOutput parse_generator_output(std::string_view content);

}  // namespace lemma::math
