// Reading generator and verifier outputs (lemma/math/proof_text.hpp).

#include "lemma/math/proof_text.hpp"

#include <gtest/gtest.h>

namespace lemma::math {
namespace {

TEST(ParseVerifierScore, ReadsTheLastBoxedScore) {
  const ParsedScore parsed = parse_verifier_score(
      "Step 2 computes \\boxed{7} wrongly.\n\nBased on my evaluation, the final overall score "
      "should be: \\boxed{0.5}");
  EXPECT_EQ(parsed.status, ScoreStatus::ok);
  EXPECT_EQ(parsed.score, 0.5);
  EXPECT_EQ(parsed.boxed, "0.5");
}

TEST(ParseVerifierScore, AcceptsTheSpellingsOfTheThreeScores) {
  const std::pair<const char*, double> cases[] = {{"\\boxed{0}", 0.0},
                                                  {"\\boxed{0.0}", 0.0},
                                                  {"\\boxed{1}", 1.0},
                                                  {"\\boxed{1.0}", 1.0},
                                                  {"\\boxed{ 1 }", 1.0},
                                                  {"\\boxed {1}", 1.0},
                                                  {"\\boxed{.5}", 0.5},
                                                  {"\\boxed{1/2}", 0.5},
                                                  {"\\boxed{\\frac{1}{2}}", 0.5},
                                                  {"\\boxed{\\dfrac{1}{2}}", 0.5},
                                                  {"\\boxed{$1$}", 1.0},
                                                  {"\\boxed{\\text{0.5}}", 0.5},
                                                  {"\\boxed{\\mathbf{1}}", 1.0}};
  for (const auto& [text, score] : cases) {
    const ParsedScore parsed = parse_verifier_score(text);
    EXPECT_EQ(parsed.status, ScoreStatus::ok) << text;
    EXPECT_EQ(parsed.score, score) << text;
  }
}

TEST(ParseVerifierScore, AnythingElseIsATypedOutcomeNeverAZero) {
  for (const char* text : {"\\boxed{7}", "\\boxed{0.3}", "\\boxed{yes}", "\\boxed{}",
                           "\\boxed{1.0.0}", "\\boxed{-1}", "\\boxed{10}"}) {
    const ParsedScore parsed = parse_verifier_score(text);
    EXPECT_EQ(parsed.status, ScoreStatus::not_a_score) << text;
    EXPECT_FALSE(parsed.score.has_value()) << text;
  }
  for (const char* text : {"", "The proof is fine. Score: 1", "\\boxed{1", "boxed{1}"}) {
    const ParsedScore parsed = parse_verifier_score(text);
    EXPECT_EQ(parsed.status, ScoreStatus::no_boxed) << text;
    EXPECT_FALSE(parsed.score.has_value()) << text;
  }
  EXPECT_EQ(to_string(ScoreStatus::not_a_score), "not_a_score");
}

TEST(ParseVerifierScore, AnUnfinishedLastBoxLeavesTheEarlierOne) {
  const ParsedScore parsed = parse_verifier_score("\\boxed{0} and then \\boxed{1");
  EXPECT_EQ(parsed.score, 0.0);
}

TEST(ParseVerifierScore, IgnoresScoresInsideReasoning) {
  EXPECT_EQ(parse_verifier_score("<think>maybe \\boxed{1}</think>no score here").status,
            ScoreStatus::no_boxed);
  EXPECT_EQ(parse_verifier_score("<think>maybe \\boxed{1}</think>\\boxed{0}").score, 0.0);
  EXPECT_EQ(parse_verifier_score("<think>cut off before \\boxed{1}").status, ScoreStatus::no_boxed);
}

TEST(VisibleText, DropsReasoning) {
  EXPECT_EQ(visible_text("  plain answer \n"), "plain answer");
  EXPECT_EQ(visible_text("<think>a</think>\n\nanswer"), "answer");
  EXPECT_EQ(visible_text("thoughts without an opening tag</think>answer"), "answer");
  EXPECT_EQ(visible_text("<think>one</think>x</think>answer"), "answer");
  EXPECT_EQ(visible_text("<think>never closed"), "");

  ChatResponse response;
  Choice choice;
  choice.message = Message::assistant("<think>t</think>proof");
  choice.message.reasoning_content = "secret reasoning";
  response.choices.push_back(choice);
  EXPECT_EQ(visible_text(response), "proof");
}

TEST(ParseGeneratorOutput, SplitsSolutionAndSelfEvaluation) {
  const GeneratorOutput out = parse_generator_output(
      "<think>## Solution\nnot this one</think>\n## Solution\nLet n be even. Then ...\n\n"
      "## Self Evaluation\nHere is my evaluation of the solution:\nAll steps hold.\n\n"
      "Based on my evaluation, the final overall score should be: \\boxed{1}");
  EXPECT_TRUE(out.well_formed);
  EXPECT_EQ(out.solution, "Let n be even. Then ...");
  EXPECT_EQ(out.self_evaluation,
            "Here is my evaluation of the solution:\nAll steps hold.\n\n"
            "Based on my evaluation, the final overall score should be: \\boxed{1}");
  EXPECT_EQ(out.self_score.score, 1.0);
}

TEST(ParseGeneratorOutput, HeadingsMatchLoosely) {
  const GeneratorOutput out =
      parse_generator_output("### SOLUTION:\nproof\n## Self-Evaluation\nok \\boxed{0.5}");
  EXPECT_TRUE(out.well_formed);
  EXPECT_EQ(out.solution, "proof");
  EXPECT_EQ(out.self_score.score, 0.5);
}

TEST(ParseGeneratorOutput, TheLastSelfEvaluationHeadingWins) {
  const GeneratorOutput out = parse_generator_output(
      "## Solution\nstep 1\n## Self Evaluation\ndraft \\boxed{0}\n## Self Evaluation\nfinal "
      "\\boxed{1}");
  EXPECT_EQ(out.solution, "step 1\n## Self Evaluation\ndraft \\boxed{0}");
  EXPECT_EQ(out.self_score.score, 1.0);
}

TEST(ParseGeneratorOutput, MissingSectionsAreNotWellFormed) {
  GeneratorOutput out = parse_generator_output("just a proof");
  EXPECT_FALSE(out.well_formed);
  EXPECT_EQ(out.solution, "just a proof");
  EXPECT_EQ(out.self_score.status, ScoreStatus::no_boxed);

  out = parse_generator_output("intro\n## Solution\nproof only");
  EXPECT_FALSE(out.well_formed);
  EXPECT_EQ(out.solution, "proof only");

  out = parse_generator_output("## Solution\nproof\n## Self Evaluation\nno score given");
  EXPECT_TRUE(out.well_formed);
  EXPECT_EQ(out.self_score.status, ScoreStatus::no_boxed);
  EXPECT_FALSE(out.self_score.score.has_value());
}

}  // namespace
}  // namespace lemma::math
