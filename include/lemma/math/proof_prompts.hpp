#pragma once

/// The prompt templates of the self-verification loop (SelfVerifier) and their rendering.
/// The defaults are lemma's own wording of the prompts DeepSeekMath-V2 (arXiv 2511.22570) was
/// trained on: the same rubric (1 / 0.5 / 0), the same output format (`## Solution`,
/// `## Self Evaluation`, "Here is my evaluation of the solution:", a final
/// "Based on my evaluation, the final overall score should be: \boxed{...}") and the same
/// refinement layout ("--- Solution i ---", "=== Evaluation j of Solution i ==="), so the model
/// parses them as it learned to. Pure functions: no I/O, thread-safe. Target lemma::math_runs.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lemma/math_runs_export.hpp"
#include "lemma/result.hpp"

namespace lemma::math {

/// The prompt templates. A placeholder is a name in braces, e.g. `{problem}`; only the names
/// listed for a template are replaced, in one pass (text put in is never scanned again, so a
/// problem that contains "{proof}" stays as it is), and every other brace, such as the
/// `\boxed{...}` of the output format, is kept literally: no escaping needed.
struct ProofPrompts {
  /// Asks for a proof followed by a self-evaluation. Placeholders: {problem}. Required:
  /// {problem}. Default: default_generation_prompt().
  std::string generation;
  /// Asks for an evaluation and a score of one proof. Placeholders: {problem}, {proof}.
  /// Required: both. The verifier never sees a generator's reasoning or self-evaluation, only
  /// its `## Solution`. Default: default_verification_prompt().
  std::string verification;
  /// The refinement request, a fresh single user message. Placeholders: {instruction} (the
  /// generation prompt rendered for the problem), {problem}, {candidates} (the rendered
  /// candidate blocks, separated by two blank lines). Required: {candidates} and one of
  /// {instruction} / {problem}. Default: default_refinement_prompt().
  std::string refinement;
  /// One candidate inside {candidates}. Placeholders: {index} (0-based), {proof},
  /// {evaluations} (its rendered evaluation blocks, joined by blank lines). Required: {proof}.
  /// Default: "--- Solution {index} ---\n{proof}\n\n{evaluations}".
  std::string refinement_candidate;
  /// One evaluation inside {evaluations}. Placeholders: {index} (0-based across the
  /// candidate's evaluations), {solution} (the candidate's index), {evaluation} (the verifier's
  /// visible text), {score} ("0", "0.5", "1"). Required: {evaluation}. Default:
  /// "=== Evaluation {index} of Solution {solution} ===\n{evaluation}".
  std::string refinement_evaluation;
  /// Appended (after a blank line) to a verification prompt that is sent again because the
  /// first answer had no readable score. No placeholders. Default: default_score_reminder().
  std::string score_reminder;

  /// The defaults described on each field.
  LEMMA_MATH_RUNS_EXPORT static ProofPrompts defaults();
};

/// lemma's proof-generation prompt (rubric, `## Solution` / `## Self Evaluation` format, boxed
/// self-score, then "## Problem\n{problem}").
LEMMA_MATH_RUNS_EXPORT std::string default_generation_prompt();
/// lemma's proof-verification prompt (rubric, "Here is my evaluation of the solution:" ...
/// `\boxed{}` score, then "## Problem\n{problem}\n\n## Solution\n{proof}").
LEMMA_MATH_RUNS_EXPORT std::string default_verification_prompt();
/// lemma's refinement prompt: {instruction}, then the candidates with their evaluations and the
/// request to give a better solution in the same format.
LEMMA_MATH_RUNS_EXPORT std::string default_refinement_prompt();
/// lemma's reminder to end with "\boxed{0}", "\boxed{0.5}" or "\boxed{1}".
LEMMA_MATH_RUNS_EXPORT std::string default_score_reminder();

/// Checks that every template is non-empty and holds its required placeholders; an
/// invalid_request Error naming the template (e.g. "prompts.verification") and the missing
/// placeholder otherwise.
LEMMA_MATH_RUNS_EXPORT Result<Done> validate_prompts(const ProofPrompts& prompts);

/// Replaces each `{name}` of `template_text` whose name is a key of `values` by its value, in
/// one pass; unknown names and other braces are kept as written.
LEMMA_MATH_RUNS_EXPORT std::string render_template(
    std::string_view template_text, const std::map<std::string, std::string>& values);

/// One verifier evaluation shown to the generator in a refinement prompt.
struct EvaluationText {
  /// The verifier's visible text (reasoning already dropped).
  std::string text;
  /// Its score (0, 0.5 or 1).
  double score = 0;
};

/// A proof and its evaluations, as put into a refinement prompt.
struct RefinementInput {
  /// The proof (a generator's `## Solution`).
  std::string proof;
  /// The evaluations to show, in order (see select_evaluations).
  std::vector<EvaluationText> evaluations;
};

/// Picks the evaluations shown with one proof, as the paper's code does: ordered by score,
/// lowest first (the ones that found issues lead), stable within a score; at most
/// `max_per_score` per score value when the evaluations disagree (when they all give the same
/// score, only `max_total` limits them); at most `max_total` in all.
LEMMA_MATH_RUNS_EXPORT std::vector<EvaluationText> select_evaluations(
    std::vector<EvaluationText> evaluations, std::size_t max_total, std::size_t max_per_score);

/// The generation prompt for `problem` (the problem is trimmed).
LEMMA_MATH_RUNS_EXPORT std::string render_generation_prompt(const ProofPrompts& prompts,
                                                            std::string_view problem);
/// The verification prompt for `proof` of `problem` (both trimmed).
LEMMA_MATH_RUNS_EXPORT std::string render_verification_prompt(const ProofPrompts& prompts,
                                                              std::string_view problem,
                                                              std::string_view proof);
/// The refinement prompt for `problem` with `inputs` as Solution 0, 1, ... (each input's
/// evaluations rendered in the order given).
LEMMA_MATH_RUNS_EXPORT std::string render_refinement_prompt(
    const ProofPrompts& prompts, std::string_view problem,
    const std::vector<RefinementInput>& inputs);

/// "0", "0.5" or "1" (other values with up to 6 significant digits), as scores are written in
/// prompts and JSON-free text.
LEMMA_MATH_RUNS_EXPORT std::string format_score(double score);

}  // namespace lemma::math
