// SelfVerifier against the in-process mock endpoint playing scenarios (the mock a user's
// offline test and `lemma prove` use), through lemma's Client: issue 14's cases.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "lemma/math/self_verifier.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "mock_server/mock_endpoint.hpp"
#include "mock_server/scenario.hpp"
#include "support/temp_dir.hpp"

namespace lemma::math {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* const kProblem = "Prove that the sum of two odd integers is even.";

// A scenario RESPONSE object (JSON text) answering `content` with fixed usage.
nlohmann::json respond(const std::string& content, int prompt_tokens = 100,
                       int completion_tokens = 50) {
  return {{"content", content},
          {"usage", {{"prompt_tokens", prompt_tokens}, {"completion_tokens", completion_tokens}}}};
}

std::string proof(const std::string& solution, const std::string& self_score) {
  return "## Solution\n" + solution +
         "\n\n## Self Evaluation\nHere is my evaluation of the solution:\nChecked.\n\n"
         "Based on my evaluation, the final overall score should be: \\boxed{" +
         self_score + "}";
}

std::string verdict(const std::string& evaluation, const std::string& score) {
  return "Here is my evaluation of the solution:\n" + evaluation +
         "\n\nBased on my evaluation, the final overall score should be: \\boxed{" + score + "}";
}

// Regexes that tell the three kinds of prompt apart (the default templates).
const char* const kVerification = "Evaluate the quality of a solution";
const char* const kRefinement = "Candidate Solution\\(s\\) to Refine";

nlohmann::json rule(const std::string& user, nlohmann::json respond_with,
                    nlohmann::json request = nullptr) {
  nlohmann::json match = {{"user", user}};
  if (!request.is_null()) match["request"] = std::move(request);
  return {{"match", std::move(match)}, {"respond", std::move(respond_with)}};
}

// The scenario {"rules": [...]}, parsed as the mock server parses a file.
std::shared_ptr<const tools::Scenario> rules(std::vector<nlohmann::json> list) {
  const nlohmann::json scenario = {{"rules", std::move(list)}};
  Result<tools::Scenario> parsed = tools::parse_scenario(scenario.dump(), "test.json");
  EXPECT_TRUE(parsed.ok()) << parsed.error().what();
  return std::make_shared<const tools::Scenario>(parsed ? std::move(*parsed) : tools::Scenario{});
}

// A mock endpoint playing `scenario`, and a Client for it.
class Mock {
 public:
  explicit Mock(std::shared_ptr<const tools::Scenario> scenario, std::string request_log = "")
      : endpoint_(options(std::move(scenario), std::move(request_log))) {
    EXPECT_GT(endpoint_.start(), 0);
  }

  Client client() const {
    ClientOptions options;
    options.retry = RetryPolicy::none();
    return Client(providers::openai_compatible(endpoint_.base_url()), options);
  }
  std::string base_url() const { return endpoint_.base_url(); }

 private:
  static tools::MockEndpointOptions options(std::shared_ptr<const tools::Scenario> scenario,
                                            std::string request_log) {
    tools::MockEndpointOptions options;
    options.scenario = std::move(scenario);
    options.request_log = std::move(request_log);
    return options;
  }
  tools::MockEndpoint endpoint_;
};

SelfVerifierConfig config_for(const Client& client) {
  SelfVerifierConfig config;
  config.generator.client = client;
  config.generator.model = "lemma-mock-math";
  config.verifier = config.generator;
  config.candidates_per_round = 2;
  config.verifications_per_proof = 2;
  config.rounds = 3;
  return config;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  return lines;
}

int count_outcome(const ProveResult& result, CallOutcome outcome) {
  int n = 0;
  for (const TraceCall& call : result.calls) n += call.outcome == outcome ? 1 : 0;
  return n;
}

TEST(SelfVerifierScenario, TheExampleScenarioIsSolvedByARefinementThatUsesTheCritique) {
  test::TempDir dir;
  auto scenario = tools::load_scenario(LEMMA_PROVE_SCENARIO);
  ASSERT_TRUE(scenario.ok()) << scenario.error().what();
  Mock mock(std::make_shared<const tools::Scenario>(std::move(*scenario)), dir.file("log"));
  SelfVerifierConfig config = config_for(mock.client());
  config.candidates_per_round = 1;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();

  EXPECT_EQ(result->stop_reason, StopReason::verified);
  EXPECT_EQ(result->rounds, 2);
  ASSERT_EQ(result->candidates.size(), 2u);
  EXPECT_EQ(result->candidates[0].mean_score, 0.0);
  const ProofCandidate* best = result->best();
  ASSERT_NE(best, nullptr);
  EXPECT_THAT(best->proof, HasSubstr("2(m + n + 1)"));
  EXPECT_EQ(best->parents, std::vector<int>{0});
  EXPECT_TRUE(best->verified);

  // The critique reached the generator: the server saw it in the refinement prompt (the log has
  // one line per request, line breaks as spaces).
  bool critique_sent = false;
  for (const std::string& line : lines_of(dir.file("log"))) {
    if (line.find("Candidate Solution(s) to Refine") != std::string::npos &&
        line.find("parity of its last digit") != std::string::npos)
      critique_sent = true;
    // Reasoning never reaches a verifier.
    if (line.find("Evaluate the quality of a solution") != std::string::npos) {
      EXPECT_THAT(line, Not(HasSubstr("Try last digits")));
    }
  }
  EXPECT_TRUE(critique_sent);
  EXPECT_EQ(result->totals.prompt_tokens, 600 + 2 * 700 + 1500 + 2 * 700);
}

TEST(SelfVerifierScenario, SolvedInRoundOne) {
  Mock mock(rules(
      {rule(kVerification, respond(verdict("All steps hold.", "1"))),
       rule("## Problem", respond(proof("a = 2m + 1, b = 2n + 1, a + b = 2(m + n + 1)", "1")))}));
  auto result = SelfVerifier(config_for(mock.client())).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  EXPECT_EQ(result->stop_reason, StopReason::verified);
  EXPECT_EQ(result->rounds, 1);
  EXPECT_EQ(result->best()->mean_score, 1.0);
  EXPECT_EQ(result->best()->verifications.size(), 2u);
}

TEST(SelfVerifierScenario, NeverSolvedWithinTheBudgetKeepsTheBestSoFar) {
  Mock mock(rules(
      {rule(kVerification + std::string("[\\s\\S]*FIRST"), respond(verdict("Half right.", "0.5"))),
       rule(kVerification, respond(verdict("Wrong.", "0"))),
       rule(kRefinement, respond(proof("a later attempt", "0.5"))),
       rule("## Problem", respond(proof("FIRST attempt", "0.5")))}));
  SelfVerifierConfig config = config_for(mock.client());
  config.rounds = 2;
  int duplicates = 0;
  config.on_progress = [&](const ProveProgress& p) {
    if (p.dropped && p.outcome == CallOutcome::duplicate) ++duplicates;
  };
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  // Both candidates of a round get the same answer: the second is the first's duplicate.
  EXPECT_EQ(duplicates, 2);
  EXPECT_EQ(count_outcome(*result, CallOutcome::duplicate), 2);
  EXPECT_EQ(result->stop_reason, StopReason::rounds_exhausted);
  EXPECT_EQ(result->rounds, 2);
  EXPECT_FALSE(result->verified());
  ASSERT_NE(result->best(), nullptr);
  EXPECT_EQ(result->best()->proof, "FIRST attempt");
  EXPECT_EQ(result->best()->mean_score, 0.5);
  EXPECT_EQ(result->to_json()["stop_reason"], "rounds_exhausted");
}

TEST(SelfVerifierScenario, UnparseableVerifierOutputIsRetriedWithAReminder) {
  Mock mock(rules({rule("Reminder:", respond(verdict("Fine.", "1"))),
                   rule(kVerification, respond("Looks good to me, no complaints.")),
                   rule("## Problem", respond(proof("p", "1")))}));
  SelfVerifierConfig config = config_for(mock.client());
  config.candidates_per_round = 1;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  EXPECT_EQ(result->stop_reason, StopReason::verified);
  EXPECT_EQ(count_outcome(*result, CallOutcome::unparseable), 2);
  int retries = 0;
  for (const TraceCall& call : result->calls) {
    if (call.role != CallRole::verify_retry) continue;
    ++retries;
    EXPECT_THAT(call.prompt, HasSubstr("Reminder:"));
    EXPECT_EQ(call.score, 1.0);
  }
  EXPECT_EQ(retries, 2);
}

TEST(SelfVerifierScenario, UnparseableTwiceIsSkippedNotScoredZero) {
  Mock mock(rules({rule(kVerification, respond("The score is \\boxed{excellent}.")),
                   rule("## Problem", respond(proof("p", "1")))}));
  SelfVerifierConfig config = config_for(mock.client());
  config.candidates_per_round = 1;
  config.rounds = 1;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  const ProofCandidate& c = result->candidates.at(0);
  EXPECT_TRUE(c.verifications.empty());
  EXPECT_EQ(c.skipped_verifications, 2);
  EXPECT_FALSE(c.mean_score.has_value());
  EXPECT_EQ(count_outcome(*result, CallOutcome::unparseable), 4);
  for (const TraceCall& call : result->calls) {
    if (call.role == CallRole::verify || call.role == CallRole::verify_retry) {
      EXPECT_EQ(call.score_status, ScoreStatus::not_a_score);
    }
  }
}

TEST(SelfVerifierScenario, AGeneratorCutOffByLengthIsDropped) {
  nlohmann::json cut = respond("## Solution\nWe begin with");
  cut["finish_reason"] = "length";
  Mock mock(
      rules({rule(kVerification, respond(verdict("Fine.", "1"))), rule("## Problem", cut, {1, 1}),
             rule("## Problem", respond(proof("a complete proof", "1")))}));
  SelfVerifierConfig config = config_for(mock.client());
  config.candidates_per_round = 1;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  EXPECT_EQ(result->calls.at(0).outcome, CallOutcome::not_stopped);
  EXPECT_EQ(result->calls.at(0).finish_reason, "length");
  ASSERT_EQ(result->candidates.size(), 1u);
  EXPECT_EQ(result->candidates[0].proof, "a complete proof");
  EXPECT_EQ(result->stop_reason, StopReason::verified);
  for (const TraceCall& call : result->calls) {
    if (call.role == CallRole::verify) {
      EXPECT_THAT(call.prompt, Not(HasSubstr("We begin with")));
    }
  }
}

TEST(SelfVerifierScenario, TheTokenBudgetStopsTheRun) {
  Mock mock(rules({rule(kVerification, respond(verdict("Gap.", "0.5"), 400, 100)),
                   rule("## Problem", respond(proof("p", "0.5"), 400, 600))}));
  SelfVerifierConfig config = config_for(mock.client());
  config.budget.max_total_tokens = 3000;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  EXPECT_EQ(result->stop_reason, StopReason::token_budget);
  EXPECT_GE(result->totals.total_tokens, 3000);
  EXPECT_LT(result->totals.calls, 3 * (2 + 2 * 2));
  EXPECT_NE(result->best(), nullptr);
}

// The mock's model with prices, so calls have a cost.
class PricedProvider : public providers::OpenAICompatibleProvider {
 public:
  explicit PricedProvider(const std::string& base_url)
      : OpenAICompatibleProvider(options(base_url)) {
    spec_.provider = name();
    spec_.model = "lemma-mock-math";
    spec_.input_usd_per_million = 2.0;
    spec_.output_usd_per_million = 2.0;
  }
  const ModelSpec* model_spec(const std::string& model) const override {
    return model == spec_.model ? &spec_ : nullptr;
  }

 private:
  static providers::OpenAICompatibleOptions options(const std::string& base_url) {
    providers::OpenAICompatibleOptions options;
    options.base_url = base_url;
    return options;
  }
  ModelSpec spec_;
};

TEST(SelfVerifierScenario, TheCostBudgetStopsTheRun) {
  Mock mock(rules({rule(kVerification, respond(verdict("Gap.", "0"), 250, 250)),
                   rule("## Problem", respond(proof("p", "0.5"), 250, 250))}));
  SelfVerifierConfig config = config_for(Client(std::make_shared<PricedProvider>(mock.base_url())));
  config.budget.max_cost_usd = 0.004;  // each call costs $0.001
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  EXPECT_EQ(result->stop_reason, StopReason::cost_budget);
  EXPECT_GE(result->totals.cost_usd, 0.004);
  EXPECT_LT(result->totals.calls, 3 * (2 + 2 * 2));
  EXPECT_EQ(result->to_json()["totals"]["calls_without_cost"], 0);
}

TEST(SelfVerifierScenario, CancellationMidRunEndsStalledCalls) {
  nlohmann::json stall = {{"fault", "stall"}};
  Mock mock(rules({rule(kVerification, stall), rule("## Problem", respond(proof("p", "1")), {1, 1}),
                   rule("## Problem", stall)}));
  auto token = std::make_shared<CancellationToken>();
  SelfVerifierConfig config = config_for(mock.client());
  config.candidates_per_round = 3;
  config.cancellation = token;
  // Cancel once the verifications of the first proof are out, with two generations stalled.
  config.on_progress = [&](const ProveProgress& p) {
    if (p.event == ProgressEvent::candidate && !p.dropped) token->cancel();
  };
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  EXPECT_EQ(result->stop_reason, StopReason::cancelled);
  EXPECT_EQ(count_outcome(*result, CallOutcome::cancelled), 2);
  ASSERT_NE(result->best(), nullptr);
  EXPECT_EQ(result->best()->proof, "p");
}

TEST(SelfVerifierScenario, CandidatesAreInFlightTogether) {
  nlohmann::json slow = respond(proof("p", "1"));
  slow["latency_ms"] = 300;
  Mock mock(rules({rule(kVerification, respond(verdict("Fine.", "1"))), rule("## Problem", slow)}));
  SelfVerifierConfig config = config_for(mock.client());
  config.candidates_per_round = 4;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  // Each generation takes 300 ms at the server; all four were sent before the first came back.
  std::vector<const TraceCall*> generations;
  for (const TraceCall& call : result->calls)
    if (call.role == CallRole::generate) generations.push_back(&call);
  ASSERT_EQ(generations.size(), 4u);
  auto first_end = generations[0]->started + generations[0]->latency;
  auto last_start = generations[0]->started;
  for (const TraceCall* call : generations) {
    first_end = std::min(first_end, call->started + call->latency);
    last_start = std::max(last_start, call->started);
  }
  EXPECT_LT(last_start, first_end);
  EXPECT_LT(result->totals.elapsed, std::chrono::milliseconds(4 * 300));
}

}  // namespace
}  // namespace lemma::math
