// The self-verification prompt templates and their rendering (lemma/math/proof_prompts.hpp).
//
// The wording is lemma's own. What must stay as DeepSeekMath-V2 was trained on is the rubric's
// meaning (1 / 0.5 / 0), the section headings and fixed phrases of the output format, and the
// "--- Solution i ---" / "=== Evaluation j of Solution i ===" layout of refinement prompts: the
// model's outputs are parsed by them.

#include "lemma/math/proof_prompts.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "lemma/error.hpp"

namespace lemma::math {
namespace {

constexpr std::string_view kRubric =
    "Score the solution with exactly one of three values:\n"
    "- 1: the solution is completely correct and rigorous; every step is justified and clearly "
    "presented.\n"
    "- 0.5: the solution is correct in its overall approach but leaves out some details or "
    "contains minor errors.\n"
    "- 0: the solution has a fatal error, leaves out an essential part of the argument, or does "
    "not actually solve the problem that was asked.\n"
    "- Citing a result from a paper or elsewhere does not replace proving it. A cited argument "
    "is acceptable only when the solution also gives a valid proof of it; otherwise judge the "
    "solution by the rules above, and it cannot score 1.";

constexpr std::string_view kEvaluationGuide =
    "[Your evaluation. Go through the key steps of the solution, and every step whose "
    "correctness is doubtful, and state for each whether it is right: for a step that is right, "
    "say what made it look doubtful and why it holds; for a step that is wrong, say what the "
    "error is and how it affects the rest of the solution.]";

std::string trimmed(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

Result<Done> require(const std::string& text, std::string_view name,
                     std::initializer_list<std::string_view> placeholders) {
  const std::string param = "prompts." + std::string(name);
  if (text.empty()) {
    return invalid_request_error(param, "The " + param +
                                            " template is empty; leave it at its default "
                                            "(ProofPrompts::defaults()) or give a template.");
  }
  for (std::string_view placeholder : placeholders) {
    if (text.find("{" + std::string(placeholder) + "}") == std::string::npos) {
      return invalid_request_error(
          param, "The " + param + " template has no {" + std::string(placeholder) +
                     "} placeholder; add it where the " + std::string(placeholder) + " goes.");
    }
  }
  return Done{};
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

}  // namespace

std::string default_generation_prompt() {
  std::string text =
      "Solve the problem below. It may ask you to prove a statement or to find an answer; when "
      "an answer is asked for, find it and give a rigorous proof that it is correct.\n\n"
      "Make your final solution complete and easy to follow. It will be graded by these "
      "rules:\n\n'''\n";
  text += kRubric;
  text +=
      "\n'''\n\n"
      "You can grade your own work by the same rules, so think the problem through, check your "
      "approach against the rules, and fix the issues you find until you cannot improve the "
      "solution further.\n\n"
      "Your final response presents your solution and then your own evaluation of it:\n"
      "- Look hard for weaknesses in your solution according to the rules above and fix as many "
      "as you can.\n"
      "- Present your progress honestly: the best solution you have and a truthful evaluation "
      "of it.\n"
      "- Give yourself a score of 1 only if you could not find any issue in the solution.\n"
      "- If issues remain that you could not fix, say so plainly in the evaluation; that is "
      "fine.\n"
      "- The worst response is a wrong solution presented as correct, or one claimed correct "
      "without careful checking. Point out your own errors instead: dishonest self-evaluation "
      "is detected and penalised.\n\n"
      "Write your final response in exactly this format:\n\n"
      "## Solution\n"
      "[Your final solution, as good as you can make it by the rules above.]\n\n"
      "## Self Evaluation\n"
      "Here is my evaluation of the solution:\n";
  text += kEvaluationGuide;
  text +=
      " Be truthful: if the final solution has issues, point them out.\n\n"
      "Based on my evaluation, the final overall score should be: \\boxed{...} (one of 0, 0.5, "
      "1)\n\n"
      "---\n\n"
      "The task:\n\n"
      "## Problem\n"
      "{problem}";
  return text;
}

std::string default_verification_prompt() {
  std::string text =
      "## Instruction\n"
      "Evaluate the quality of a solution to a problem. The problem may ask for a proof of a "
      "statement or for an answer; when an answer is asked for, the solution must give it and "
      "also prove rigorously that it is correct.\n\n";
  text += kRubric;
  text +=
      "\n\nReason carefully about the solution below. Your final response gives a detailed "
      "evaluation and then the score, in exactly this format:\n\n"
      "Here is my evaluation of the solution:\n";
  text += kEvaluationGuide;
  text +=
      "\n\n"
      "Based on my evaluation, the final overall score should be: \\boxed{...} (one of 0, 0.5, "
      "1)\n\n"
      "---\n\n"
      "The task:\n\n"
      "## Problem\n"
      "{problem}\n\n"
      "## Solution\n"
      "{proof}";
  return text;
}

std::string default_refinement_prompt() {
  return "{instruction}\n\n"
         "## Candidate Solution(s) to Refine\n"
         "Below are earlier solution(s) to this problem, each followed by evaluation(s) of its "
         "correctness. Write a better solution: fix the issues the evaluations point out, reuse "
         "the promising ideas of the solution(s), or both.\n\n"
         "{candidates}\n\n"
         "## Final Instruction\n"
         "Answer in the format given above: a '## Solution' section followed by a "
         "'## Self Evaluation' section that ends with the boxed score.";
}

std::string default_score_reminder() {
  return "Reminder: end your response with the line \"Based on my evaluation, the final overall "
         "score should be: \\boxed{SCORE}\" where SCORE is exactly one of 0, 0.5 or 1.";
}

ProofPrompts ProofPrompts::defaults() {
  ProofPrompts prompts;
  prompts.generation = default_generation_prompt();
  prompts.verification = default_verification_prompt();
  prompts.refinement = default_refinement_prompt();
  prompts.refinement_candidate = "--- Solution {index} ---\n{proof}\n\n{evaluations}";
  prompts.refinement_evaluation = "=== Evaluation {index} of Solution {solution} ===\n{evaluation}";
  prompts.score_reminder = default_score_reminder();
  return prompts;
}

Result<Done> validate_prompts(const ProofPrompts& prompts) {
  if (auto r = require(prompts.generation, "generation", {"problem"}); !r) return r;
  if (auto r = require(prompts.verification, "verification", {"problem", "proof"}); !r) return r;
  if (auto r = require(prompts.refinement, "refinement", {"candidates"}); !r) return r;
  if (prompts.refinement.find("{instruction}") == std::string::npos &&
      prompts.refinement.find("{problem}") == std::string::npos) {
    return invalid_request_error(
        "prompts.refinement",
        "The prompts.refinement template has neither {instruction} nor {problem}: the "
        "generator would not see the problem. Add one of them.");
  }
  if (auto r = require(prompts.refinement_candidate, "refinement_candidate", {"proof"}); !r)
    return r;
  if (auto r = require(prompts.refinement_evaluation, "refinement_evaluation", {"evaluation"}); !r)
    return r;
  if (auto r = require(prompts.score_reminder, "score_reminder", {}); !r) return r;
  return Done{};
}

std::string render_template(std::string_view template_text,
                            const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(template_text.size());
  std::size_t at = 0;
  while (at < template_text.size()) {
    const std::size_t open = template_text.find('{', at);
    if (open == std::string_view::npos) break;
    const std::size_t close = template_text.find('}', open + 1);
    if (close == std::string_view::npos) break;
    const std::string name(template_text.substr(open + 1, close - open - 1));
    const auto found = values.find(name);
    if (found == values.end()) {
      out.append(template_text.substr(at, open + 1 - at));  // keep the brace, go on after it
      at = open + 1;
      continue;
    }
    out.append(template_text.substr(at, open - at));
    out += found->second;
    at = close + 1;
  }
  out.append(template_text.substr(at));
  return out;
}

std::vector<EvaluationText> select_evaluations(std::vector<EvaluationText> evaluations,
                                               std::size_t max_total, std::size_t max_per_score) {
  std::stable_sort(
      evaluations.begin(), evaluations.end(),
      [](const EvaluationText& a, const EvaluationText& b) { return a.score < b.score; });
  const bool disagree =
      !evaluations.empty() && evaluations.front().score != evaluations.back().score;
  std::vector<EvaluationText> out;
  std::size_t run = 0;
  for (std::size_t i = 0; i < evaluations.size() && out.size() < max_total; ++i) {
    run = (i > 0 && evaluations[i].score == evaluations[i - 1].score) ? run + 1 : 0;
    if (disagree && run >= max_per_score) continue;
    out.push_back(std::move(evaluations[i]));
  }
  return out;
}

std::string format_score(double score) {
  if (score == 0.0) return "0";
  if (score == 0.5) return "0.5";
  if (score == 1.0) return "1";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", score);
  return buffer;
}

std::string render_generation_prompt(const ProofPrompts& prompts, std::string_view problem) {
  return render_template(prompts.generation, {{"problem", trimmed(problem)}});
}

std::string render_verification_prompt(const ProofPrompts& prompts, std::string_view problem,
                                       std::string_view proof) {
  return render_template(prompts.verification,
                         {{"problem", trimmed(problem)}, {"proof", trimmed(proof)}});
}

std::string render_refinement_prompt(const ProofPrompts& prompts, std::string_view problem,
                                     const std::vector<RefinementInput>& inputs) {
  std::vector<std::string> blocks;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::vector<std::string> evaluations;
    for (std::size_t j = 0; j < inputs[i].evaluations.size(); ++j) {
      const EvaluationText& evaluation = inputs[i].evaluations[j];
      evaluations.push_back(render_template(prompts.refinement_evaluation,
                                            {{"index", std::to_string(j)},
                                             {"solution", std::to_string(i)},
                                             {"evaluation", trimmed(evaluation.text)},
                                             {"score", format_score(evaluation.score)}}));
    }
    blocks.push_back(trimmed(render_template(prompts.refinement_candidate,
                                             {{"index", std::to_string(i)},
                                              {"proof", trimmed(inputs[i].proof)},
                                              {"evaluations", join(evaluations, "\n\n")}})));
  }
  return render_template(prompts.refinement,
                         {{"instruction", trimmed(render_generation_prompt(prompts, problem))},
                          {"problem", trimmed(problem)},
                          {"candidates", join(blocks, "\n\n\n")}});
}

}  // namespace lemma::math
