#pragma once

/// Self-verification: the DeepSeekMath-V2 (arXiv 2511.22570) generate -> verify -> refine loop
/// over lemma Clients, and proof grading with the verifier alone. Target lemma::math_runs.
///
///   round 1:  problem --generation prompt--> C candidates (concurrently)
///             each candidate's `## Solution` --verification prompt--> V verifications each
///             pool <- candidates, ranked by (mean verifier score, self-score)
///   round r:  stop when a proof is verified (all V verifications gave 1) or a budget ran out;
///             else C refinement prompts, each a fresh single user message with the problem,
///             the best proof(s) of the pool and their evaluations (issue-finding first)
///             -> C new candidates -> V verifications each -> pool ...
///
/// Every call goes through Client::chat_async, so a round's candidates and verifications run at
/// once (a verification starts as soon as its candidate arrives); limit them with
/// ClientOptions::max_concurrent_calls. Outputs whose finish_reason is not "stop" are dropped,
/// reasoning never reaches the verifier, and an unreadable score is retried once with a
/// reminder, then skipped; every prompt, response, score, timing, token count and cost is in
/// the result's trace.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lemma/client.hpp"
#include "lemma/clock.hpp"
#include "lemma/error.hpp"
#include "lemma/http.hpp"
#include "lemma/math/proof_prompts.hpp"
#include "lemma/math/proof_text.hpp"
#include "lemma/math_runs_export.hpp"
#include "lemma/result.hpp"
#include "lemma/sampling_params.hpp"

namespace lemma::math {

/// One model role (generator or verifier): where to send, which model, how to sample.
struct ModelRole {
  /// The Client to call; required (an invalid_request Error when empty). Generator and
  /// verifier may share one.
  std::optional<Client> client;
  /// The model name; required.
  std::string model;
  /// Sampling for this role; unset fields are not sent. The paper uses temperature 1.0,
  /// top_p 0.95, max_tokens 128K (generator) / 64K (verifier).
  SamplingParams sampling;
};

/// Which loop SelfVerifier::prove runs.
enum class ProveMode {
  /// The paper's pool loop (see the file comment). Default.
  pool,
  /// The paper's sequential refinement: one proof, re-prompted (refinement prompt, its own
  /// self-evaluation as the evaluation) until its self-score is 1 or `rounds` attempts were
  /// made; then the last attempt that finished is scored by the verifier
  /// (`verifications_per_proof` times; 0 = not at all).
  sequential,
};

/// The name of `mode`: "pool" or "sequential".
LEMMA_MATH_RUNS_EXPORT std::string_view to_string(ProveMode mode) noexcept;

/// An external checker's verdict on one proof (e.g. a Lean 4 checker, see ProofChecker).
struct CheckerVerdict {
  /// 0, 0.5 or 1 (a Lean proof that compiles without `sorry` is 1).
  double score = 0;
  /// What the checker said, shown to the generator in refinement prompts like an evaluation.
  std::string evaluation;
};

/// Scores one proof outside the LLM verifier: called with (problem, proof) on the thread that
/// runs prove()/grade(), once per candidate, while the Clients' calls go on. An Error (the
/// checker could not run) is recorded and the proof gets no checker verdict.
using ProofChecker =
    std::function<Result<CheckerVerdict>(const std::string& problem, const std::string& proof)>;

/// How a ProofChecker's verdict combines with the verifier's.
enum class CheckerUse {
  /// The verdict is one more verification beside the verifier's V (default).
  join,
  /// The verdict is the proof's only verification: no verifier calls are made.
  replace,
};

/// Budgets of one run; a budget that runs out stops the run cleanly with the best proof so far
/// (calls in flight are cancelled; no new call starts once a budget is spent).
struct ProveBudget {
  /// Most tokens (prompt + completion, as the servers report them) over all calls; 0 = no
  /// limit. Calls without usage count 0 tokens. Default 0.
  std::int64_t max_total_tokens = 0;
  /// Most cost in US dollars (ChatResponse::cost_usd: needs prices in the ModelCatalog; calls
  /// without a known cost count 0); 0 = no limit. Default 0.
  double max_cost_usd = 0;
  /// Longest run, measured on the run's clock; 0 = no limit. Default 0.
  std::chrono::milliseconds max_wall_time{0};
};

/// How one call of a run ended.
enum class CallOutcome {
  /// Answered, finished with "stop", and (verifications) its score was read.
  ok,
  /// Answered but finish_reason was not "stop" (cut off by length, filtered...): dropped.
  not_stopped,
  /// A generator answer without a `## Solution` and a `## Self Evaluation` section: dropped.
  malformed,
  /// A verification answer whose score could not be read (retried once, then skipped).
  unparseable,
  /// The same proof text is already in the pool: not verified again.
  duplicate,
  /// The call failed with an Error (after the Client's retries).
  failed,
  /// The call was cancelled (the run stopped while it was in flight).
  cancelled,
};

/// The name of `outcome` as written above, e.g. "not_stopped".
LEMMA_MATH_RUNS_EXPORT std::string_view to_string(CallOutcome outcome) noexcept;

/// What a progress callback is told about.
enum class ProgressEvent {
  /// A round started (its prompts are being sent).
  round_started,
  /// A candidate proof arrived (or was dropped: see ProveProgress::dropped).
  candidate,
  /// A verification of a candidate ended (score, or skipped).
  verification,
  /// A round ended; ProveProgress::pool holds the ranked pool.
  round_finished,
};

/// A candidate as progress reports it.
struct CandidateSummary {
  /// The candidate's id (ProofCandidate::id).
  int id = 0;
  /// Its mean verifier score so far; nullopt before any score.
  std::optional<double> mean_score;
  /// Its self-score, when it gave one.
  std::optional<double> self_score;
  /// Scores received so far.
  int scores = 0;
  /// True when it is verified.
  bool verified = false;
};

/// One progress report.
struct ProveProgress {
  /// What happened.
  ProgressEvent event = ProgressEvent::round_started;
  /// The round (1-based).
  int round = 0;
  /// The candidate concerned (candidate and verification events), else -1.
  int candidate = -1;
  /// The verification score (verification events), when one was read.
  std::optional<double> score;
  /// True for a candidate that was dropped (not finished with "stop", no `## Solution` /
  /// `## Self Evaluation`, a failed call, or the same proof text as a candidate already in the
  /// pool: see the trace's CallOutcome) or a verification that was skipped.
  bool dropped = false;
  /// For a dropped candidate or a skipped verification: why, as the trace has it (the outcome
  /// of the call that ended it; `failed` for a checker that gave no verdict).
  std::optional<CallOutcome> outcome;
  /// The pool, best first (filled on round_finished; empty otherwise).
  std::vector<CandidateSummary> pool;
  /// Calls in flight now.
  int in_flight = 0;
  /// Tokens so far.
  std::int64_t total_tokens = 0;
  /// Cost so far in US dollars.
  double cost_usd = 0;
  /// Time since the run started, on the run's clock.
  std::chrono::milliseconds elapsed{0};
};

/// Everything SelfVerifier needs; every field has a documented default.
struct SelfVerifierConfig {
  /// The proof writer. Required.
  ModelRole generator;
  /// The proof checker; may be the same Client and model as the generator. Required unless
  /// `checker` is set with CheckerUse::replace.
  ModelRole verifier;
  /// The prompt templates. Default: ProofPrompts::defaults().
  ProofPrompts prompts = ProofPrompts::defaults();
  /// The loop. Default: ProveMode::pool.
  ProveMode mode = ProveMode::pool;
  /// Candidates generated per round (pool mode). Default 4 (the paper: 128 in round 1).
  int candidates_per_round = 4;
  /// Independent verifications of each proof. Default 4 (as the paper).
  int verifications_per_proof = 4;
  /// Rounds (pool mode: round 1 generates, later rounds refine) or attempts (sequential mode).
  /// Default 3 (the paper: up to 20).
  int rounds = 3;
  /// Proofs shown in one refinement prompt. Default 1 (as the paper).
  int refinement_proofs = 1;
  /// Refinement prompts draw their proofs from this many best proofs of the pool, one
  /// combination per prompt (the best `refinement_proofs` first, then the next combinations in
  /// order). Default 8 (the paper: 32).
  int refinement_pool = 8;
  /// Most evaluations shown with one proof in a refinement prompt. Default 8 (as the paper).
  int refinement_evaluations = 8;
  /// Most evaluations per score value shown with one proof when its evaluations disagree.
  /// Default 4 (as the paper).
  int refinement_evaluations_per_score = 4;
  /// Budgets. Default: none.
  ProveBudget budget;
  /// Cancels the run from any thread: calls in flight are cancelled and prove() returns the
  /// best so far with StopReason::cancelled. Default: none.
  std::shared_ptr<const CancellationToken> cancellation;
  /// Called on the thread that runs prove()/grade() (never concurrently), at each
  /// ProgressEvent; it must not block for long. Default: none.
  std::function<void(const ProveProgress&)> on_progress;
  /// The time source of the wall-time budget and the trace's timings; null (default) = the
  /// generator Client's ClientOptions::clock, else the steady clock.
  std::shared_ptr<const Clock> clock;
  /// An optional external checker of each proof (the seam for a Lean 4 checker). Default:
  /// none.
  ProofChecker checker;
  /// How the checker's verdict is used. Default: join.
  CheckerUse checker_use = CheckerUse::join;
  /// Keep each response's reasoning_content (and `<think>` text) in the trace. Default on.
  bool trace_reasoning = true;
};

/// Why a run stopped.
enum class StopReason {
  /// A proof was verified: every verification gave 1.
  verified,
  /// Sequential mode: the last attempt's self-score was 1 (and the verifier, if asked, did not
  /// give 1 every time).
  self_verified,
  /// All rounds (attempts) ran without a verified proof; grade() always ends so.
  rounds_exhausted,
  /// ProveBudget::max_total_tokens was reached.
  token_budget,
  /// ProveBudget::max_cost_usd was reached.
  cost_budget,
  /// ProveBudget::max_wall_time was reached.
  time_budget,
  /// The run's CancellationToken was cancelled.
  cancelled,
  /// A call failed in a way more calls cannot fix (authentication, permission, a bad request,
  /// an unknown model, an exhausted quota), or every call of a round failed (the server is
  /// down): ProveResult::error says which.
  failed,
};

/// The name of `reason` as written above, e.g. "token_budget".
LEMMA_MATH_RUNS_EXPORT std::string_view to_string(StopReason reason) noexcept;

/// What a call was for.
enum class CallRole {
  /// A generation prompt (round 1, or sequential attempt 1).
  generate,
  /// A refinement prompt.
  refine,
  /// A verification prompt.
  verify,
  /// A verification prompt sent again with the score reminder.
  verify_retry,
};

/// The name of `role`: "generate", "refine", "verify", "verify_retry".
LEMMA_MATH_RUNS_EXPORT std::string_view to_string(CallRole role) noexcept;

/// One call of a run, as the trace records it.
struct TraceCall {
  /// Position in the trace (0-based, in the order calls started).
  int id = 0;
  /// What it was for.
  CallRole role = CallRole::generate;
  /// The round (1-based).
  int round = 0;
  /// The candidate it produced (generate/refine) or verified (verify); -1 when none.
  int candidate = -1;
  /// The model asked.
  std::string model;
  /// The user message sent.
  std::string prompt;
  /// The answer's content ("" when the call failed).
  std::string content;
  /// The answer's reasoning_content ("" when none, or when trace_reasoning is off).
  std::string reasoning;
  /// The answer's finish_reason.
  std::string finish_reason;
  /// How it ended.
  CallOutcome outcome = CallOutcome::ok;
  /// For verifications: the score read, when one was.
  std::optional<double> score;
  /// For verifications: how the score was read.
  std::optional<ScoreStatus> score_status;
  /// The Error's one-line description when the call failed or was cancelled.
  std::string error;
  /// When it started, since the run started (run clock).
  std::chrono::milliseconds started{0};
  /// How long it took (run clock).
  std::chrono::milliseconds latency{0};
  /// Prompt tokens reported.
  std::int64_t prompt_tokens = 0;
  /// Completion tokens reported.
  std::int64_t completion_tokens = 0;
  /// Cost in US dollars, when known.
  std::optional<double> cost_usd;
};

/// Where a verification came from.
enum class VerificationSource {
  /// The LLM verifier.
  verifier,
  /// The external ProofChecker.
  checker,
};

/// One verification of a candidate that gave a score.
struct Verification {
  /// The verifier's visible text (or the checker's evaluation).
  std::string evaluation;
  /// 0, 0.5 or 1.
  double score = 0;
  /// Who gave it.
  VerificationSource source = VerificationSource::verifier;
  /// The trace call that gave it (-1 for the checker).
  int call = -1;
};

/// One proof of the pool.
struct ProofCandidate {
  /// Its id (0-based, in the order candidates arrived).
  int id = 0;
  /// The round that produced it (grade(): 0).
  int round = 0;
  /// grade(): the index of its GradeItem; prove(): 0.
  std::size_t item = 0;
  /// The candidates whose proofs its refinement prompt showed (empty for round 1).
  std::vector<int> parents;
  /// The proof (the generator's `## Solution`).
  std::string proof;
  /// The generator's self-evaluation ("" when none).
  std::string self_evaluation;
  /// The self-score, when one could be read.
  std::optional<double> self_score;
  /// The verifications that gave a score, in the order they arrived.
  std::vector<Verification> verifications;
  /// Verifications asked for that gave no score (unreadable twice, cut off, failed, cancelled).
  int skipped_verifications = 0;
  /// Why the external checker gave no verdict on this proof (its Error's message, or an
  /// out-of-range score); "" when it gave one or there is no checker.
  std::string checker_error;
  /// The mean of the scores; nullopt when there is none.
  std::optional<double> mean_score;
  /// True when every verification asked for gave 1 (none skipped, at least one).
  bool verified = false;
};

/// Orders candidates best first: mean score (unscored last), then self-score (none last), then
/// id (earlier first). Returns the candidates' positions in `candidates`.
LEMMA_MATH_RUNS_EXPORT std::vector<std::size_t> rank_candidates(
    const std::vector<ProofCandidate>& candidates);

/// Totals of one run.
struct ProveTotals {
  /// Calls started.
  int calls = 0;
  /// Calls that failed with an Error (cancelled ones not counted).
  int failed_calls = 0;
  /// Prompt tokens over all calls.
  std::int64_t prompt_tokens = 0;
  /// Completion tokens over all calls.
  std::int64_t completion_tokens = 0;
  /// prompt_tokens + completion_tokens.
  std::int64_t total_tokens = 0;
  /// Cost in US dollars over the calls whose cost is known.
  double cost_usd = 0;
  /// Calls whose cost was not known.
  int calls_without_cost = 0;
  /// The run's duration (run clock).
  std::chrono::milliseconds elapsed{0};
};

/// The outcome of prove() or grade().
struct LEMMA_MATH_RUNS_EXPORT ProveResult {
  /// Why it stopped.
  StopReason stop_reason = StopReason::rounds_exhausted;
  /// For StopReason::failed: the Error that stopped it (the last one of a failed round).
  std::optional<Error> error;
  /// Rounds started.
  int rounds = 0;
  /// Every candidate, in id order (grade(): in GradeItem order).
  std::vector<ProofCandidate> candidates;
  /// Every call, in the order they started.
  std::vector<TraceCall> calls;
  /// Totals.
  ProveTotals totals;

  /// The best candidate (rank_candidates' first), or null when there is none.
  const ProofCandidate* best() const noexcept;
  /// True when the best candidate is verified.
  bool verified() const noexcept;
  /// The whole result (stop reason, totals, ranking, candidates, every call with its prompt and
  /// response) as JSON; durations in milliseconds, enums by name. The texts are as received:
  /// dump() it with nlohmann::json::error_handler_t::replace when a problem or proof may hold
  /// invalid UTF-8.
  nlohmann::json to_json() const;
};

/// One proof to grade with the verifier alone.
struct GradeItem {
  /// The problem.
  std::string problem;
  /// The proof to score (used as given: a `## Solution` section is not cut out).
  std::string proof;
};

/// The DeepSeekMath-V2 self-verification loop over lemma Clients.
///
/// @par Thread safety
/// A SelfVerifier is immutable; prove() and grade() may run on several threads at once. Each
/// blocks its calling thread, which runs the loop and the callbacks while the calls run on the
/// Clients' event loops.
class LEMMA_MATH_RUNS_EXPORT SelfVerifier {
 public:
  /// A SelfVerifier with `config` (checked by prove()/grade(), not here).
  explicit SelfVerifier(SelfVerifierConfig config);

  /// The configuration.
  const SelfVerifierConfig& config() const noexcept { return config_; }

  /// Checks the configuration: Clients and models set, counts >= 1 (verifications >= 0 in
  /// sequential mode or with a replacing checker), budgets >= 0, templates valid. An
  /// invalid_request Error naming the field otherwise.
  Result<Done> validate() const;

  /// Runs the loop on `problem` and returns the pool, the trace and why it stopped; an Error
  /// only for a bad configuration or an empty problem (invalid_request, before any I/O). A
  /// budget, a cancellation or a failing server ends the run with a ProveResult, not an Error.
  Result<ProveResult> prove(std::string_view problem) const;

  /// Scores each item's proof `verifications_per_proof` times with the verifier (and the
  /// checker, if any), all concurrently: the `lemma grade-proof` use. The candidates come
  /// back in item order (ProofCandidate::item); budgets and cancellation apply as in prove().
  Result<ProveResult> grade(const std::vector<GradeItem>& items) const;

 private:
  SelfVerifierConfig config_;
};

}  // namespace lemma::math
