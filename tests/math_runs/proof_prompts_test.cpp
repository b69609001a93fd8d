// The self-verification prompt templates (lemma/math/proof_prompts.hpp) and candidate ranking.

#include "lemma/math/proof_prompts.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/math/self_verifier.hpp"

namespace lemma::math {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RenderTemplate, ReplacesKnownNamesInOnePass) {
  EXPECT_EQ(render_template("{a}+{b}={c}", {{"a", "1"}, {"b", "{a}"}}), "1+{a}={c}");
  EXPECT_EQ(render_template("\\boxed{...} {x} {", {{"x", "y"}}), "\\boxed{...} y {");
  EXPECT_EQ(render_template("{{x}}", {{"x", "y"}}), "{y}");
  EXPECT_EQ(render_template("", {{"x", "y"}}), "");
}

TEST(DefaultPrompts, KeepTheFormatTheModelWasTrainedOn) {
  const ProofPrompts prompts = ProofPrompts::defaults();
  const std::string generation = render_generation_prompt(prompts, "  Prove that 1 < 2.\n");
  EXPECT_THAT(generation, HasSubstr("## Solution\n"));
  EXPECT_THAT(generation, HasSubstr("## Self Evaluation\nHere is my evaluation of the solution:"));
  EXPECT_THAT(generation,
              HasSubstr("Based on my evaluation, the final overall score should be: \\boxed{"));
  EXPECT_THAT(generation, HasSubstr("## Problem\nProve that 1 < 2."));
  EXPECT_THAT(generation, Not(HasSubstr("{problem}")));

  const std::string verification =
      render_verification_prompt(prompts, "Prove that 1 < 2.", "Since 2 - 1 = 1 > 0.");
  EXPECT_THAT(verification, HasSubstr("Here is my evaluation of the solution:"));
  EXPECT_THAT(verification, HasSubstr("- 0.5:"));
  EXPECT_THAT(verification,
              HasSubstr("## Problem\nProve that 1 < 2.\n\n## Solution\nSince 2 - 1 = 1 > 0."));
  EXPECT_TRUE(validate_prompts(prompts).ok());
}

TEST(DefaultPrompts, ProblemTextIsNeverReadAsAPlaceholder) {
  const std::string verification = render_verification_prompt(
      ProofPrompts::defaults(), "Show {proof} is {problem}.", "the proof");
  EXPECT_THAT(verification, HasSubstr("## Problem\nShow {proof} is {problem}.\n\n## Solution\n"
                                      "the proof"));
}

TEST(ValidatePrompts, NamesTheTemplateAndThePlaceholder) {
  ProofPrompts prompts = ProofPrompts::defaults();
  prompts.verification = "Check {problem} please";
  auto result = validate_prompts(prompts);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::invalid_request);
  EXPECT_EQ(result.error().param, "prompts.verification");
  EXPECT_THAT(result.error().message, HasSubstr("{proof}"));

  prompts = ProofPrompts::defaults();
  prompts.refinement = "Fix these: {candidates}";
  result = validate_prompts(prompts);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().param, "prompts.refinement");

  prompts = ProofPrompts::defaults();
  prompts.score_reminder.clear();
  EXPECT_EQ(validate_prompts(prompts).error().param, "prompts.score_reminder");
}

TEST(SelectEvaluations, IssueFindingFirstAtMostSoManyPerScore) {
  std::vector<EvaluationText> evaluations = {{"a1", 1}, {"b0", 0}, {"c1", 1}, {"d05", 0.5},
                                             {"e0", 0}, {"f1", 1}, {"g0", 0}};
  auto picked = select_evaluations(evaluations, 8, 2);
  std::vector<std::string> texts;
  for (const auto& e : picked) texts.push_back(e.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"b0", "e0", "d05", "a1", "c1"}));

  picked = select_evaluations(evaluations, 3, 2);
  ASSERT_EQ(picked.size(), 3u);
  EXPECT_EQ(picked[2].text, "d05");

  // All agree: only the total limits them.
  picked = select_evaluations({{"x", 1}, {"y", 1}, {"z", 1}}, 8, 2);
  EXPECT_EQ(picked.size(), 3u);
}

TEST(RenderRefinementPrompt, LaysOutSolutionsAndTheirEvaluations) {
  const ProofPrompts prompts = ProofPrompts::defaults();
  const std::string prompt = render_refinement_prompt(
      prompts, "Prove P.",
      {{"proof A", {{"A is wrong at step 2", 0}, {"A looks fine", 1}}}, {"proof B", {}}});
  EXPECT_THAT(prompt, HasSubstr("## Problem\nProve P."));
  EXPECT_THAT(prompt, HasSubstr("--- Solution 0 ---\nproof A\n\n"
                                "=== Evaluation 0 of Solution 0 ===\nA is wrong at step 2\n\n"
                                "=== Evaluation 1 of Solution 0 ===\nA looks fine"));
  EXPECT_THAT(prompt, HasSubstr("--- Solution 1 ---\nproof B"));
  EXPECT_THAT(prompt, HasSubstr("'## Self Evaluation'"));
  EXPECT_EQ(format_score(0.5), "0.5");
  EXPECT_EQ(format_score(0.75), "0.75");
}

ProofCandidate scored(int id, std::optional<double> mean, std::optional<double> self) {
  ProofCandidate c;
  c.id = id;
  c.mean_score = mean;
  c.self_score = self;
  return c;
}

TEST(RankCandidates, MeanScoreThenSelfScoreThenAge) {
  const std::vector<ProofCandidate> pool = {
      scored(0, 0.5, 1),          scored(1, 0.75, 0), scored(2, 0.5, std::nullopt),
      scored(3, std::nullopt, 1), scored(4, 0.75, 0), scored(5, 0.5, 0.5)};
  EXPECT_EQ(rank_candidates(pool), (std::vector<std::size_t>{1, 4, 0, 5, 2, 3}));
  EXPECT_TRUE(rank_candidates({}).empty());
}

}  // namespace
}  // namespace lemma::math
