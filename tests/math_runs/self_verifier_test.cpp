// SelfVerifier against a loopback OpenAI-compatible server whose answers the test scripts by
// model and prompt (a generator "gen" and a verifier "ver"), through the public API.

#include "lemma/math/self_verifier.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "lemma/providers/openai_compatible.hpp"
#include "lemma/testing/fake_clock.hpp"
#include "support/client_helpers.hpp"
#include "support/test_server.hpp"

namespace lemma::math {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// What the scripted server answers to one request.
struct Answer {
  std::string content;
  std::string finish_reason = "stop";
  std::int64_t prompt_tokens = 100;
  std::int64_t completion_tokens = 50;
  int status = 200;  // not 200: an OpenAI error body
};

// One request as the script sees it.
struct Asked {
  std::string model;
  std::string prompt;  // the last user message
  int messages = 0;
};

// A generator answer in the DeepSeekMath-V2 format.
std::string proof_answer(const std::string& solution, const std::string& self_score) {
  return "<think>scratch work that must never reach the verifier</think>\n## Solution\n" +
         solution +
         "\n\n## Self Evaluation\nHere is my evaluation of the solution:\nI checked it.\n\n"
         "Based on my evaluation, the final overall score should be: \\boxed{" +
         self_score + "}";
}

// A verifier answer.
std::string verdict(const std::string& evaluation, const std::string& score) {
  return "Here is my evaluation of the solution:\n" + evaluation +
         "\n\nBased on my evaluation, the final overall score should be: \\boxed{" + score + "}";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool is_refinement(const Asked& asked) {
  return contains(asked.prompt, "## Candidate Solution(s) to Refine");
}

// A loopback server answering chat completions through `script`; it records every request
// and the most requests it held at once.
class ScriptedServer {
 public:
  using Script = std::function<Answer(const Asked&)>;

  explicit ScriptedServer(Script script)
      : script_(std::move(script)),
        server_([this](const test::RecordedRequest& request) { return handle(request); }) {}

  Client client() const {
    return Client(providers::openai_compatible(server_.base_url(), ""), test::single_attempt());
  }
  Client priced_client() const;

  std::vector<Asked> asked() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return asked_;
  }
  std::vector<Asked> asked_of(const std::string& model) const {
    std::vector<Asked> out;
    for (const Asked& a : asked())
      if (a.model == model) out.push_back(a);
    return out;
  }
  int max_in_flight() const { return max_in_flight_.load(); }

 private:
  test::Reply handle(const test::RecordedRequest& request) {
    const auto body = nlohmann::json::parse(request.body);
    Asked asked;
    asked.model = body.value("model", "");
    asked.messages = static_cast<int>(body["messages"].size());
    asked.prompt = body["messages"].back().value("content", "");
    {
      std::lock_guard<std::mutex> lock(mutex_);
      asked_.push_back(asked);
    }
    const int now = ++in_flight_;
    for (int seen = max_in_flight_.load(); now > seen;) {
      if (max_in_flight_.compare_exchange_weak(seen, now)) break;
    }
    const Answer answer = script_(asked);
    --in_flight_;
    if (answer.status != 200) {
      return test::Reply::json(answer.status,
                               R"({"error":{"message":"scripted failure","type":"test"}})");
    }
    nlohmann::json response = {
        {"id", "chatcmpl-test"},
        {"object", "chat.completion"},
        {"model", asked.model},
        {"choices",
         {{{"index", 0},
           {"message", {{"role", "assistant"}, {"content", answer.content}}},
           {"finish_reason", answer.finish_reason}}}},
        {"usage",
         {{"prompt_tokens", answer.prompt_tokens},
          {"completion_tokens", answer.completion_tokens},
          {"total_tokens", answer.prompt_tokens + answer.completion_tokens}}}};
    return test::Reply::json(200, response.dump());
  }

  Script script_;
  mutable std::mutex mutex_;
  std::vector<Asked> asked_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
  test::TestServer server_;  // last: its threads call handle()
};

// An OpenAI-compatible provider that knows prices ($1 per million tokens each way), so the
// Client reports cost_usd.
class PricedProvider : public providers::OpenAICompatibleProvider {
 public:
  explicit PricedProvider(std::string base_url) : OpenAICompatibleProvider(options(base_url)) {
    for (const char* model : {"gen", "ver"}) {
      ModelSpec spec;
      spec.provider = name();
      spec.model = model;
      spec.input_usd_per_million = 1.0;
      spec.output_usd_per_million = 1.0;
      specs_.push_back(spec);
    }
  }
  static providers::OpenAICompatibleOptions options(std::string base_url) {
    providers::OpenAICompatibleOptions options;
    options.base_url = std::move(base_url);
    return options;
  }
  const ModelSpec* model_spec(const std::string& model) const override {
    for (const ModelSpec& spec : specs_)
      if (spec.model == model) return &spec;
    return nullptr;
  }

 private:
  std::vector<ModelSpec> specs_;
};

Client ScriptedServer::priced_client() const {
  return Client(std::make_shared<PricedProvider>(server_.base_url()), test::single_attempt());
}

SelfVerifierConfig config_for(const Client& client) {
  SelfVerifierConfig config;
  config.generator.client = client;
  config.generator.model = "gen";
  config.verifier.client = client;
  config.verifier.model = "ver";
  config.candidates_per_round = 2;
  config.verifications_per_proof = 2;
  config.rounds = 3;
  return config;
}

const char* const kProblem = "Prove that the sum of two even integers is even.";

TEST(SelfVerifier, SolvedInRoundOne) {
  ScriptedServer server([](const Asked& asked) {
    if (asked.model == "gen") return Answer{proof_answer("Write a=2m, b=2n; a+b=2(m+n).", "1")};
    return Answer{verdict("Every step is justified.", "1")};
  });
  std::vector<ProveProgress> events;
  SelfVerifierConfig config = config_for(server.client());
  config.on_progress = [&](const ProveProgress& p) { events.push_back(p); };
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();

  EXPECT_EQ(result->stop_reason, StopReason::verified);
  EXPECT_EQ(result->rounds, 1);
  ASSERT_NE(result->best(), nullptr);
  EXPECT_TRUE(result->verified());
  EXPECT_EQ(result->best()->proof, "Write a=2m, b=2n; a+b=2(m+n).");
  EXPECT_EQ(result->best()->mean_score, 1.0);
  EXPECT_EQ(result->best()->self_score, 1.0);
  EXPECT_EQ(result->best()->verifications.size(), 2u);
  EXPECT_EQ(result->best()->verifications[0].evaluation, verdict("Every step is justified.", "1"));

  // Hygiene: one user message per call; the verifier saw the solution, not the reasoning or
  // the self-evaluation.
  for (const Asked& asked : server.asked()) EXPECT_EQ(asked.messages, 1);
  const auto verifications = server.asked_of("ver");
  ASSERT_FALSE(verifications.empty());
  for (const Asked& asked : verifications) {
    EXPECT_THAT(asked.prompt, HasSubstr("## Solution\nWrite a=2m, b=2n; a+b=2(m+n)."));
    EXPECT_THAT(asked.prompt, Not(HasSubstr("scratch work")));
    EXPECT_THAT(asked.prompt, Not(HasSubstr("I checked it.")));
  }

  // The trace has every call, with tokens; the JSON carries it.
  EXPECT_EQ(result->totals.calls, static_cast<int>(result->calls.size()));
  EXPECT_GE(result->totals.total_tokens, 150 * 3);
  const nlohmann::json json = result->to_json();
  EXPECT_EQ(json["stop_reason"], "verified");
  EXPECT_EQ(json["verified"], true);
  EXPECT_EQ(json["calls"][0]["role"], "generate");
  EXPECT_THAT(json["calls"][0]["prompt"].get<std::string>(), HasSubstr(kProblem));
  // The generation that made the proof (the other one may have been cancelled by the stop).
  int made_by = -1;
  for (const TraceCall& call : result->calls) {
    if (call.role == CallRole::generate && call.outcome == CallOutcome::ok) made_by = call.id;
  }
  ASSERT_GE(made_by, 0);
  EXPECT_EQ(json["calls"][made_by]["candidate"], result->best()->id);
  EXPECT_EQ(json["calls"][made_by]["prompt_tokens"], 100);
  EXPECT_EQ(json["calls"][made_by]["outcome"], "ok");

  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().event, ProgressEvent::round_started);
  EXPECT_EQ(events.front().round, 1);
}

TEST(SelfVerifier, SolvedAfterARefinementThatUsesTheCritique) {
  ScriptedServer server([](const Asked& asked) {
    if (asked.model == "gen") {
      if (is_refinement(asked) && contains(asked.prompt, "CRITIQUE-7: b may be odd"))
        return Answer{proof_answer("fixed proof: a=2m and b=2n, so a+b=2(m+n)", "1")};
      return Answer{proof_answer("first try: a+b is even because a is even", "1")};
    }
    if (contains(asked.prompt, "fixed proof")) return Answer{verdict("Correct.", "1")};
    return Answer{verdict("CRITIQUE-7: b may be odd; the parity of b is never used.", "0")};
  });
  SelfVerifierConfig config = config_for(server.client());
  config.candidates_per_round = 1;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();

  EXPECT_EQ(result->stop_reason, StopReason::verified);
  EXPECT_EQ(result->rounds, 2);
  ASSERT_EQ(result->candidates.size(), 2u);
  EXPECT_EQ(result->candidates[0].mean_score, 0.0);
  const ProofCandidate* best = result->best();
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->id, 1);
  EXPECT_EQ(best->round, 2);
  EXPECT_EQ(best->parents, std::vector<int>{0});
  EXPECT_TRUE(best->verified);

  // The critique reached the generator, in a fresh single-message refinement prompt.
  const auto generations = server.asked_of("gen");
  ASSERT_EQ(generations.size(), 2u);
  EXPECT_FALSE(is_refinement(generations[0]));
  EXPECT_TRUE(is_refinement(generations[1]));
  EXPECT_EQ(generations[1].messages, 1);
  EXPECT_THAT(generations[1].prompt,
              HasSubstr("--- Solution 0 ---\nfirst try: a+b is even because a is even"));
  EXPECT_THAT(generations[1].prompt,
              HasSubstr("=== Evaluation 0 of Solution 0 ===\nHere is my evaluation of the "
                        "solution:\nCRITIQUE-7: b may be odd"));
  EXPECT_THAT(generations[1].prompt, HasSubstr(kProblem));
  EXPECT_EQ(result->calls[3].role, CallRole::refine);
}

TEST(SelfVerifier, NeverSolvedReturnsTheBestSoFar) {
  std::atomic<int> generation{0};
  ScriptedServer server([&](const Asked& asked) {
    if (asked.model == "gen")
      return Answer{proof_answer("attempt " + std::to_string(++generation), "0.5")};
    // The second attempt is the better one.
    return Answer{verdict("A gap remains.", contains(asked.prompt, "attempt 2") ? "0.5" : "0")};
  });
  SelfVerifierConfig config = config_for(server.client());
  config.candidates_per_round = 1;
  config.rounds = 3;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();

  EXPECT_EQ(result->stop_reason, StopReason::rounds_exhausted);
  EXPECT_EQ(result->rounds, 3);
  EXPECT_FALSE(result->verified());
  ASSERT_EQ(result->candidates.size(), 3u);
  ASSERT_NE(result->best(), nullptr);
  EXPECT_EQ(result->best()->proof, "attempt 2");
  EXPECT_EQ(result->best()->mean_score, 0.5);
  // Round 3 refined the best proof so far, attempt 2.
  EXPECT_EQ(result->candidates[2].parents, std::vector<int>{1});
  EXPECT_EQ(result->to_json()["stop_reason"], "rounds_exhausted");
}

TEST(SelfVerifier, UnreadableScoreIsRetriedOnceWithAReminderThenSkipped) {
  std::atomic<int> retries{0};
  ScriptedServer server([&](const Asked& asked) {
    if (asked.model == "gen") return Answer{proof_answer("the proof", "1")};
    if (contains(asked.prompt, "Reminder:")) {
      // The first retry gets a score, the second does not.
      return Answer{++retries == 1 ? verdict("Fine after all.", "1") : "still no score, sorry"};
    }
    return Answer{"The proof looks right to me."};  // no \boxed{} at all
  });
  SelfVerifierConfig config = config_for(server.client());
  config.candidates_per_round = 1;
  config.verifications_per_proof = 2;
  config.rounds = 1;
  std::vector<ProveProgress> skipped;
  config.on_progress = [&](const ProveProgress& p) {
    if (p.dropped) skipped.push_back(p);
  };
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();

  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].event, ProgressEvent::verification);
  EXPECT_EQ(skipped[0].outcome, CallOutcome::unparseable);
  EXPECT_EQ(skipped[0].candidate, 0);
  // 2 verifications, both unreadable, each retried once: 4 verifier calls.
  const auto asked = server.asked_of("ver");
  ASSERT_EQ(asked.size(), 4u);
  int reminders = 0;
  for (const Asked& a : asked) reminders += contains(a.prompt, "Reminder:") ? 1 : 0;
  EXPECT_EQ(reminders, 2);

  ASSERT_EQ(result->candidates.size(), 1u);
  const ProofCandidate& c = result->candidates[0];
  EXPECT_EQ(c.verifications.size(), 1u);
  EXPECT_EQ(c.skipped_verifications, 1);
  EXPECT_EQ(c.mean_score, 1.0);
  EXPECT_FALSE(c.verified);  // one of the two gave no score
  EXPECT_EQ(result->stop_reason, StopReason::rounds_exhausted);

  int unparseable = 0;
  for (const TraceCall& call : result->calls) {
    if (call.outcome == CallOutcome::unparseable) {
      ++unparseable;
      EXPECT_EQ(call.score_status, ScoreStatus::no_boxed);
      EXPECT_FALSE(call.score.has_value());
    }
  }
  EXPECT_EQ(unparseable, 3);
}

TEST(SelfVerifier, GeneratorOutputCutOffByLengthIsDropped) {
  std::atomic<int> generation{0};
  ScriptedServer server([&](const Asked& asked) {
    if (asked.model == "gen") {
      if (++generation == 1) return Answer{"## Solution\nWe start by", "length"};
      return Answer{proof_answer("complete proof", "1")};
    }
    return Answer{verdict("ok", "1")};
  });
  SelfVerifierConfig config = config_for(server.client());
  config.candidates_per_round = 1;
  std::vector<ProveProgress> dropped;
  config.on_progress = [&](const ProveProgress& p) {
    if (p.dropped) dropped.push_back(p);
  };
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();

  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].event, ProgressEvent::candidate);
  EXPECT_EQ(dropped[0].outcome, CallOutcome::not_stopped);
  EXPECT_EQ(result->stop_reason, StopReason::verified);
  EXPECT_EQ(result->rounds, 2);  // round 1 had nothing to refine, round 2 generated afresh
  ASSERT_EQ(result->candidates.size(), 1u);
  EXPECT_EQ(result->candidates[0].proof, "complete proof");
  EXPECT_EQ(result->calls[0].outcome, CallOutcome::not_stopped);
  EXPECT_EQ(result->calls[0].finish_reason, "length");
  EXPECT_EQ(result->calls[0].candidate, -1);
  EXPECT_EQ(result->calls[1].role, CallRole::generate);
  for (const Asked& a : server.asked_of("ver"))
    EXPECT_THAT(a.prompt, Not(HasSubstr("We start by")));
}

TEST(SelfVerifier, TokenBudgetStopsWithTheBestSoFar) {
  ScriptedServer server([](const Asked& asked) {
    if (asked.model == "gen") return Answer{proof_answer("p", "0.5"), "stop", 500, 500};
    return Answer{verdict("gap", "0.5"), "stop", 500, 500};
  });
  SelfVerifierConfig config = config_for(server.client());
  config.budget.max_total_tokens = 4500;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();

  EXPECT_EQ(result->stop_reason, StopReason::token_budget);
  EXPECT_GE(result->totals.total_tokens, 4500);
  // Without the budget the run makes 3 rounds x (2 + 2 x 2) = 18 calls.
  EXPECT_LT(result->totals.calls, 18);
  EXPECT_EQ(
      result->totals.total_tokens,
      1000 * static_cast<std::int64_t>(
                 result->totals.calls -
                 std::count_if(result->calls.begin(), result->calls.end(), [](const TraceCall& c) {
                   return c.outcome == CallOutcome::cancelled;
                 })));
  ASSERT_NE(result->best(), nullptr);
  EXPECT_EQ(result->to_json()["stop_reason"], "token_budget");
}

TEST(SelfVerifier, CostBudgetStopsTheRun) {
  ScriptedServer server([](const Asked& asked) {
    if (asked.model == "gen") return Answer{proof_answer("p", "0.5"), "stop", 500, 500};
    return Answer{verdict("gap", "0")};
  });
  SelfVerifierConfig config = config_for(server.priced_client());
  config.budget.max_cost_usd = 0.0015;  // each generation costs $0.001
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();

  EXPECT_EQ(result->stop_reason, StopReason::cost_budget);
  EXPECT_GE(result->totals.cost_usd, 0.0015);
  EXPECT_EQ(result->totals.calls_without_cost, 0);
  EXPECT_LT(result->totals.calls, 18);
  ASSERT_TRUE(result->calls[0].cost_usd.has_value());
}

TEST(SelfVerifier, WallTimeBudgetOnTheInjectedClock) {
  std::atomic<int> generation{0};
  ScriptedServer server([&](const Asked& asked) {
    if (asked.model == "gen")
      return Answer{proof_answer("p" + std::to_string(++generation), "0.5")};
    return Answer{verdict("gap", "0.5")};
  });
  auto clock = std::make_shared<testing::FakeClock>();
  SelfVerifierConfig config = config_for(server.client());
  config.clock = clock;
  config.budget.max_wall_time = std::chrono::minutes(30);
  config.on_progress = [&](const ProveProgress& p) {
    if (p.event == ProgressEvent::round_finished) clock->advance(std::chrono::hours(1));
  };
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();

  EXPECT_EQ(result->stop_reason, StopReason::time_budget);
  EXPECT_EQ(result->rounds, 1);
  EXPECT_EQ(result->totals.elapsed, std::chrono::hours(1));
  EXPECT_EQ(result->candidates.size(), 2u);
}

TEST(SelfVerifier, CancellationMidRunEndsTheCallsInFlight) {
  std::mutex mutex;
  std::condition_variable released_cv;
  bool released = false;
  std::atomic<int> generation{0};
  ScriptedServer server([&](const Asked& asked) {
    if (asked.model == "gen" && ++generation == 1) return Answer{proof_answer("quick", "1")};
    // Everything else hangs until the test ends: only cancellation can end these calls.
    std::unique_lock<std::mutex> lock(mutex);
    released_cv.wait_for(lock, std::chrono::seconds(30), [&] { return released; });
    return Answer{verdict("late", "1")};
  });
  auto token = std::make_shared<CancellationToken>();
  SelfVerifierConfig config = config_for(server.client());
  config.candidates_per_round = 3;
  config.cancellation = token;
  config.on_progress = [&](const ProveProgress& p) {
    if (p.event == ProgressEvent::candidate && !p.dropped) token->cancel();
  };
  auto result = SelfVerifier(config).prove(kProblem);
  {
    std::lock_guard<std::mutex> lock(mutex);
    released = true;
  }
  released_cv.notify_all();
  ASSERT_TRUE(result.ok()) << result.error().what();

  EXPECT_EQ(result->stop_reason, StopReason::cancelled);
  ASSERT_EQ(result->candidates.size(), 1u);
  EXPECT_EQ(result->best()->proof, "quick");
  EXPECT_FALSE(result->best()->mean_score.has_value());  // its verifications never started
  int cancelled = 0;
  for (const TraceCall& call : result->calls) {
    if (call.outcome == CallOutcome::cancelled) {
      ++cancelled;
      EXPECT_EQ(call.role, CallRole::generate);
    }
  }
  EXPECT_EQ(cancelled, 2);
  EXPECT_EQ(result->totals.calls, 3);
  EXPECT_EQ(result->to_json()["stop_reason"], "cancelled");
}

TEST(SelfVerifier, RunsCandidatesConcurrently) {
  // Each generation waits until all four are at the server at once (or 10 s pass): only
  // concurrent calls get through quickly, and the server records how many it held.
  std::mutex mutex;
  std::condition_variable all_cv;
  int arrived = 0;
  ScriptedServer server([&](const Asked& asked) {
    if (asked.model == "gen") {
      std::unique_lock<std::mutex> lock(mutex);
      ++arrived;
      all_cv.notify_all();
      all_cv.wait_for(lock, std::chrono::seconds(10), [&] { return arrived >= 4; });
      return Answer{proof_answer("proof " + std::to_string(arrived), "1")};
    }
    return Answer{verdict("ok", "1")};
  });
  SelfVerifierConfig config = config_for(server.client());
  config.candidates_per_round = 4;
  config.verifications_per_proof = 3;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  EXPECT_EQ(result->stop_reason, StopReason::verified);
  EXPECT_GE(server.max_in_flight(), 4);
}

TEST(SelfVerifier, SequentialModeRepromptsWithItsOwnSelfEvaluation) {
  ScriptedServer server([](const Asked& asked) {
    if (asked.model == "gen") {
      if (is_refinement(asked)) return Answer{proof_answer("second attempt", "1")};
      return Answer{
          "## Solution\nfirst attempt\n\n## Self Evaluation\nSELF-NOTE: step 2 is "
          "unjustified.\n\\boxed{0.5}"};
    }
    return Answer{verdict("ok", "1")};
  });
  SelfVerifierConfig config = config_for(server.client());
  config.mode = ProveMode::sequential;
  config.rounds = 4;
  config.verifications_per_proof = 2;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();

  const auto generations = server.asked_of("gen");
  ASSERT_EQ(generations.size(), 2u);  // stopped at self-score 1
  EXPECT_THAT(generations[1].prompt, HasSubstr("--- Solution 0 ---\nfirst attempt"));
  EXPECT_THAT(generations[1].prompt, HasSubstr("SELF-NOTE: step 2 is unjustified."));
  ASSERT_EQ(server.asked_of("ver").size(), 2u);  // only the final proof is verified
  for (const Asked& a : server.asked_of("ver"))
    EXPECT_THAT(a.prompt, HasSubstr("## Solution\nsecond attempt"));
  EXPECT_EQ(result->stop_reason, StopReason::verified);
  EXPECT_EQ(result->best()->proof, "second attempt");
  EXPECT_EQ(result->best()->parents, std::vector<int>{0});
}

TEST(SelfVerifier, SequentialModeWithoutVerifier) {
  ScriptedServer server([](const Asked&) { return Answer{proof_answer("p", "1")}; });
  SelfVerifierConfig config = config_for(server.client());
  config.mode = ProveMode::sequential;
  config.verifications_per_proof = 0;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  EXPECT_EQ(result->stop_reason, StopReason::self_verified);
  EXPECT_EQ(server.asked().size(), 1u);
}

TEST(SelfVerifier, GradeScoresGivenProofsWithTheVerifierOnly) {
  ScriptedServer server([](const Asked& asked) {
    if (contains(asked.prompt, "good proof")) return Answer{verdict("fine", "1")};
    return Answer{verdict("wrong", "0")};
  });
  SelfVerifierConfig config = config_for(server.client());
  config.verifications_per_proof = 3;
  auto result =
      SelfVerifier(config).grade({{kProblem, "a bad proof"}, {"Another problem.", "a good proof"}});
  ASSERT_TRUE(result.ok()) << result.error().what();

  EXPECT_TRUE(server.asked_of("gen").empty());
  EXPECT_EQ(server.asked_of("ver").size(), 6u);
  ASSERT_EQ(result->candidates.size(), 2u);
  EXPECT_EQ(result->candidates[0].item, 0u);
  EXPECT_EQ(result->candidates[0].mean_score, 0.0);
  EXPECT_EQ(result->candidates[1].item, 1u);
  EXPECT_EQ(result->candidates[1].mean_score, 1.0);
  EXPECT_TRUE(result->candidates[1].verified);
  EXPECT_EQ(result->candidates[1].verifications.size(), 3u);
  for (const Asked& a : server.asked_of("ver")) {
    if (contains(a.prompt, "a good proof")) {
      EXPECT_THAT(a.prompt, HasSubstr("## Problem\nAnother problem."));
    }
  }
}

TEST(SelfVerifier, CheckerCanReplaceTheVerifier) {
  ScriptedServer server([](const Asked&) { return Answer{proof_answer("lean proof", "1")}; });
  SelfVerifierConfig config = config_for(server.client());
  config.verifier = ModelRole{};  // not needed
  std::vector<std::string> checked;
  config.checker = [&](const std::string& problem,
                       const std::string& proof) -> Result<CheckerVerdict> {
    EXPECT_EQ(problem, kProblem);
    checked.push_back(proof);
    return CheckerVerdict{1.0, "Lean: no errors, no sorry"};
  };
  config.checker_use = CheckerUse::replace;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  EXPECT_EQ(result->stop_reason, StopReason::verified);
  EXPECT_FALSE(checked.empty());
  EXPECT_EQ(checked[0], "lean proof");
  EXPECT_TRUE(server.asked_of("ver").empty());
  EXPECT_EQ(result->best()->verifications[0].source, VerificationSource::checker);
}

TEST(SelfVerifier, CheckerJoinsTheVerifier) {
  ScriptedServer server([](const Asked& asked) {
    if (asked.model == "gen") return Answer{proof_answer("p", "1")};
    return Answer{verdict("fine", "1")};
  });
  SelfVerifierConfig config = config_for(server.client());
  config.candidates_per_round = 1;
  config.rounds = 1;
  config.checker = [](const std::string&, const std::string&) -> Result<CheckerVerdict> {
    return CheckerVerdict{0.0, "Lean error: unknown identifier"};
  };
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok()) << result.error().what();
  const ProofCandidate& c = result->candidates.at(0);
  EXPECT_EQ(c.verifications.size(), 3u);
  EXPECT_NEAR(*c.mean_score, 2.0 / 3.0, 1e-12);
  EXPECT_FALSE(c.verified);
  EXPECT_EQ(result->stop_reason, StopReason::rounds_exhausted);
}

TEST(SelfVerifier, AFatalServerErrorStopsTheRun) {
  ScriptedServer server([](const Asked&) { return Answer{"", "stop", 0, 0, 401}; });
  SelfVerifierConfig config = config_for(server.client());
  config.candidates_per_round = 1;
  auto result = SelfVerifier(config).prove(kProblem);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->stop_reason, StopReason::failed);
  ASSERT_TRUE(result->error.has_value());
  EXPECT_EQ(result->error->kind, ErrorKind::authentication);
  EXPECT_EQ(result->rounds, 1);
  EXPECT_EQ(result->best(), nullptr);
  EXPECT_EQ(result->totals.failed_calls, 1);
}

TEST(SelfVerifier, ARoundWhoseEveryCallFailedStopsTheRun) {
  // 503 is worth retrying call by call, but when a whole round gets nothing, the run stops.
  ScriptedServer server([](const Asked&) { return Answer{"", "stop", 0, 0, 503}; });
  auto result = SelfVerifier(config_for(server.client())).prove(kProblem);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->stop_reason, StopReason::failed);
  ASSERT_TRUE(result->error.has_value());
  EXPECT_EQ(result->error->kind, ErrorKind::server_error);
  EXPECT_EQ(result->rounds, 1);
  EXPECT_EQ(result->totals.failed_calls, 2);
  EXPECT_EQ(server.asked().size(), 2u);
}

TEST(SelfVerifier, BadConfigurationIsRefusedBeforeAnyIo) {
  ScriptedServer server([](const Asked&) { return Answer{proof_answer("p", "1")}; });
  const Client client = server.client();
  const auto refused = [&](const std::function<void(SelfVerifierConfig&)>& change) {
    SelfVerifierConfig config = config_for(client);
    change(config);
    auto result = SelfVerifier(config).prove(kProblem);
    EXPECT_FALSE(result.ok());
    return result.ok() ? std::string() : result.error().param;
  };
  EXPECT_EQ(refused([](auto& c) { c.generator.client.reset(); }), "generator.client");
  EXPECT_EQ(refused([](auto& c) { c.verifier.model.clear(); }), "verifier.model");
  EXPECT_EQ(refused([](auto& c) { c.candidates_per_round = 0; }), "candidates_per_round");
  EXPECT_EQ(refused([](auto& c) { c.verifications_per_proof = 0; }), "verifications_per_proof");
  EXPECT_EQ(refused([](auto& c) { c.rounds = 0; }), "rounds");
  EXPECT_EQ(refused([](auto& c) { c.budget.max_total_tokens = -1; }), "budget.max_total_tokens");
  EXPECT_EQ(refused([](auto& c) { c.budget.max_cost_usd = -0.5; }), "budget.max_cost_usd");
  EXPECT_EQ(refused([](auto& c) { c.prompts.generation = "no placeholder"; }),
            "prompts.generation");
  auto empty = SelfVerifier(config_for(client)).prove("  \n");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, ErrorKind::invalid_request);
  auto grade = SelfVerifier(config_for(client)).grade({{kProblem, ""}});
  ASSERT_FALSE(grade.ok());
  EXPECT_EQ(grade.error().param, "items[0]");
  EXPECT_TRUE(server.asked().empty());
}

}  // namespace
}  // namespace lemma::math
