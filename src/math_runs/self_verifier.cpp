// The self-verification loop (lemma/math/self_verifier.hpp).
//
// One Run per prove()/grade() call. The calling thread owns all of the run's state and is the
// only thread that changes it; the Clients' event loops only push finished calls into the
// run's inbox (a mutex-guarded queue) and wake it. A stop (verified, budget, cancellation,
// fatal error) cancels the run's own CancellationToken, which every call carries, and the run
// then drains its calls in flight, so nothing of the run outlives prove().

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "lemma/math/self_verifier.hpp"

namespace lemma::math {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// A finished call, as the event loop hands it to the run.
struct Finished {
  int call = 0;
  Result<ChatResponse> result;
  Clock::time_point at;
};

// Finished calls waiting for the run's thread. Shared with the calls' callbacks.
struct Inbox {
  std::mutex mutex;
  std::condition_variable woken;
  std::deque<Finished> queue;
  bool poked = false;  // the user's token was cancelled

  void push(Finished finished) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      queue.push_back(std::move(finished));
    }
    woken.notify_all();
  }
  void poke() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      poked = true;
    }
    woken.notify_all();
  }
};

// Errors that every later call would get too: the run stops instead of repeating them.
bool is_fatal(const Error& error) {
  switch (error.kind) {
    case ErrorKind::authentication:
    case ErrorKind::permission_denied:
    case ErrorKind::not_found:
    case ErrorKind::quota_exceeded: return true;
    case ErrorKind::invalid_request:
      return error.phase == ErrorPhase::before_send;  // lemma's own check: same for every call
    default: return false;
  }
}

// Per-call bookkeeping the trace does not keep.
struct PendingCall {
  std::vector<int> parents;  // generate/refine: the refinement's input candidates
  int item = 0;              // which problem
};

// Per-candidate bookkeeping.
struct CandidateState {
  int expected = 0;  // verifications asked for (LLM + checker)
  int done = 0;      // of which ended (scored or skipped)
};

class Run {
 public:
  Run(const SelfVerifierConfig& config, std::vector<std::string> problems)
      : config_(config),
        problems_(std::move(problems)),
        clock_(pick_clock(config)),
        start_(clock_->now()),
        inbox_(std::make_shared<Inbox>()),
        stop_token_(std::make_shared<CancellationToken>()) {
    if (config_.cancellation) {
      // Wakes the waiting loop at once; the loop itself then stops the run.
      user_subscription_ = CancellationToken::Subscription(config_.cancellation.get(),
                                                           [inbox = inbox_] { inbox->poke(); });
    }
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;
  ~Run() { user_subscription_ = CancellationToken::Subscription(); }

  ProveResult prove_pool() {
    for (int round = 1; round <= config_.rounds && !stopped(); ++round) {
      if (check_limits()) break;
      begin_round(round);
      std::vector<std::pair<std::string, std::vector<int>>> prompts = refinement_prompts();
      const CallRole role = prompts.empty() ? CallRole::generate : CallRole::refine;
      if (prompts.empty()) {
        const std::string prompt = render_generation_prompt(config_.prompts, problems_[0]);
        prompts.assign(static_cast<std::size_t>(config_.candidates_per_round), {prompt, {}});
      }
      for (auto& [prompt, parents] : prompts) {
        start_call(role, -1, std::move(prompt), config_.generator, 0, std::move(parents));
      }
      drain();
      end_round();
    }
    return finish(StopReason::rounds_exhausted);
  }

  ProveResult prove_sequential() {
    int last = -1;  // the latest candidate that finished
    for (int round = 1; round <= config_.rounds && !stopped(); ++round) {
      if (check_limits()) break;
      begin_round(round);
      if (last < 0) {
        start_call(CallRole::generate, -1, render_generation_prompt(config_.prompts, problems_[0]),
                   config_.generator, 0, {});
      } else {
        const ProofCandidate& previous = candidate(last);
        RefinementInput input{previous.proof, {}};
        if (!previous.self_evaluation.empty()) {
          input.evaluations.push_back({previous.self_evaluation, previous.self_score.value_or(0)});
        }
        start_call(CallRole::refine, -1,
                   render_refinement_prompt(config_.prompts, problems_[0], {input}),
                   config_.generator, 0, {last});
      }
      drain();
      end_round();
      if (!result_.candidates.empty()) last = result_.candidates.back().id;
      if (last >= 0 && candidate(last).self_score == 1.0) break;
    }
    const bool self_verified = last >= 0 && candidate(last).self_score == 1.0;
    if (last >= 0 && !stopped() && !check_limits() &&
        (config_.verifications_per_proof > 0 || config_.checker)) {
      start_verifications(last);
      drain();
    }
    if (!stopped() && self_verified) stop(StopReason::self_verified);
    return finish(StopReason::rounds_exhausted);
  }

  ProveResult grade(const std::vector<GradeItem>& items) {
    grading_ = true;
    if (!check_limits()) {
      result_.rounds = 1;
      for (std::size_t i = 0; i < items.size() && !stopped(); ++i) {
        ProofCandidate added;
        added.id = static_cast<int>(result_.candidates.size());
        added.round = 0;
        added.item = i;
        added.proof = items[i].proof;
        result_.candidates.push_back(std::move(added));
        states_.emplace_back();
        start_verifications(result_.candidates.back().id);
      }
      drain();
    }
    // Grading asks for no verified proof: a run that was not stopped ended normally.
    return finish(StopReason::rounds_exhausted);
  }

 private:
  static std::shared_ptr<const Clock> pick_clock(const SelfVerifierConfig& config) {
    if (config.clock) return config.clock;
    if (config.generator.client && config.generator.client->options().clock)
      return config.generator.client->options().clock;
    return Clock::steady();
  }

  milliseconds elapsed(Clock::time_point at) const {
    return std::max(milliseconds(0), duration_cast<milliseconds>(at - start_));
  }

  ProofCandidate& candidate(int id) { return result_.candidates[static_cast<std::size_t>(id)]; }

  bool stopped() const { return stop_reason_.has_value(); }

  void stop(StopReason reason) {
    if (stopped()) return;
    stop_reason_ = reason;
    stop_token_->cancel();  // ends every call in flight
  }

  // Budgets and the user's cancellation; true (and stopped) when one ran out.
  bool check_limits() {
    if (stopped()) return true;
    if (config_.cancellation && config_.cancellation->is_cancelled()) {
      stop(StopReason::cancelled);
    } else if (config_.budget.max_total_tokens > 0 &&
               result_.totals.total_tokens >= config_.budget.max_total_tokens) {
      stop(StopReason::token_budget);
    } else if (config_.budget.max_cost_usd > 0 &&
               result_.totals.cost_usd >= config_.budget.max_cost_usd) {
      stop(StopReason::cost_budget);
    } else if (config_.budget.max_wall_time > milliseconds(0) &&
               clock_->now() - start_ >= config_.budget.max_wall_time) {
      stop(StopReason::time_budget);
    }
    return stopped();
  }

  ProveProgress progress(ProgressEvent event) const {
    ProveProgress p;
    p.event = event;
    p.round = round_;
    p.in_flight = in_flight_;
    p.total_tokens = result_.totals.total_tokens;
    p.cost_usd = result_.totals.cost_usd;
    p.elapsed = elapsed(clock_->now());
    return p;
  }

  void report(const ProveProgress& p) const {
    if (config_.on_progress) config_.on_progress(p);
  }

  void begin_round(int round) {
    round_ = round;
    round_answered_ = 0;
    round_failed_ = 0;
    result_.rounds = round;
    report(progress(ProgressEvent::round_started));
  }

  void end_round() {
    // A round whose every call failed (no answer at all) says the server is down or refuses
    // this work: more rounds would only repeat it.
    if (!stopped() && round_failed_ > 0 && round_answered_ == 0) {
      result_.error = last_error_;
      stop(StopReason::failed);
    }
    ProveProgress p = progress(ProgressEvent::round_finished);
    for (std::size_t index : rank_candidates(result_.candidates)) {
      const ProofCandidate& c = result_.candidates[index];
      p.pool.push_back(
          {c.id, c.mean_score, c.self_score, static_cast<int>(c.verifications.size()), c.verified});
    }
    report(p);
  }

  // The refinement prompts of the next round with the candidates each shows; empty when there
  // is nothing to refine (round 1, or no candidate has a score yet): then the round generates.
  std::vector<std::pair<std::string, std::vector<int>>> refinement_prompts() const {
    std::vector<std::size_t> scored;
    for (std::size_t index : rank_candidates(result_.candidates)) {
      if (result_.candidates[index].mean_score) scored.push_back(index);
    }
    if (scored.empty()) return {};
    const std::size_t pool =
        std::min(scored.size(), static_cast<std::size_t>(config_.refinement_pool));
    const std::size_t k = std::min(pool, static_cast<std::size_t>(config_.refinement_proofs));
    // Combinations of k out of the best `pool`, in lexicographic order (the best k first),
    // cycled when there are fewer than the round's candidates.
    std::vector<std::vector<std::size_t>> combinations;
    std::vector<std::size_t> combination(k);
    for (std::size_t i = 0; i < k; ++i) combination[i] = i;
    const std::size_t wanted = static_cast<std::size_t>(config_.candidates_per_round);
    while (combinations.size() < wanted) {
      combinations.push_back(combination);
      std::size_t i = k;
      while (i > 0 && combination[i - 1] == pool - k + (i - 1)) --i;
      if (i == 0) break;  // the last combination
      ++combination[i - 1];
      for (std::size_t j = i; j < k; ++j) combination[j] = combination[j - 1] + 1;
    }
    std::vector<std::pair<std::string, std::vector<int>>> prompts;
    for (std::size_t n = 0; n < wanted; ++n) {
      const std::vector<std::size_t>& chosen = combinations[n % combinations.size()];
      std::vector<RefinementInput> inputs;
      std::vector<int> parents;
      for (std::size_t rank : chosen) {
        const ProofCandidate& c = result_.candidates[scored[rank]];
        std::vector<EvaluationText> evaluations;
        for (const Verification& v : c.verifications)
          evaluations.push_back({v.evaluation, v.score});
        inputs.push_back(
            {c.proof,
             select_evaluations(
                 std::move(evaluations), static_cast<std::size_t>(config_.refinement_evaluations),
                 static_cast<std::size_t>(config_.refinement_evaluations_per_score))});
        parents.push_back(c.id);
      }
      prompts.emplace_back(render_refinement_prompt(config_.prompts, problems_[0], inputs),
                           std::move(parents));
    }
    return prompts;
  }

  void start_call(CallRole role, int candidate_id, std::string prompt, const ModelRole& who,
                  int item, std::vector<int> parents) {
    if (check_limits()) return;  // nothing starts once the run is over
    TraceCall trace;
    trace.id = static_cast<int>(result_.calls.size());
    trace.role = role;
    trace.round = round_;
    trace.candidate = candidate_id;
    trace.model = who.model;
    trace.prompt = std::move(prompt);
    trace.started = elapsed(clock_->now());
    ChatRequest request;
    request.model = who.model;
    request.messages.push_back(Message::user(trace.prompt));
    request.sampling = who.sampling;
    const int id = trace.id;
    result_.calls.push_back(std::move(trace));
    pending_[id] = PendingCall{std::move(parents), item};
    ++in_flight_;
    ++result_.totals.calls;
    CallOptions options;
    options.cancellation = stop_token_;
    who.client->chat_async(
        request,
        [inbox = inbox_, clock = clock_, id](Result<ChatResponse> answer) {
          inbox->push(Finished{id, std::move(answer), clock->now()});
        },
        options);
  }

  // Starts the verifications of `id` (and runs the checker). A candidate with nothing to ask
  // for is finished at once.
  void start_verifications(int id) {
    ProofCandidate& c = candidate(id);
    const std::string& problem = problems_[c.item];
    const bool use_verifier = !(config_.checker && config_.checker_use == CheckerUse::replace);
    states_[static_cast<std::size_t>(id)].expected =
        (use_verifier ? config_.verifications_per_proof : 0) + (config_.checker ? 1 : 0);
    if (config_.checker) run_checker(id);
    if (use_verifier) {
      const std::string prompt = render_verification_prompt(config_.prompts, problem, c.proof);
      for (int v = 0; v < config_.verifications_per_proof && !stopped(); ++v) {
        start_call(CallRole::verify, id, prompt, config_.verifier, static_cast<int>(c.item), {});
      }
    }
  }

  void run_checker(int id) {
    const std::string problem = problems_[candidate(id).item];
    const std::string proof = candidate(id).proof;
    Result<CheckerVerdict> verdict = config_.checker(problem, proof);
    if (verdict.ok() && (verdict->score == 0.0 || verdict->score == 0.5 || verdict->score == 1.0)) {
      verification_done(
          id, Verification{verdict->evaluation, verdict->score, VerificationSource::checker, -1});
    } else {
      // Recorded, so a user can tell a checker that could not run from a verifier that gave
      // no score.
      candidate(id).checker_error = verdict.ok() ? "the checker gave the score " +
                                                       std::to_string(verdict->score) +
                                                       " (expected 0, 0.5 or 1)"
                                                 : verdict.error().message;
      verification_done(id, std::nullopt, CallOutcome::failed);
    }
  }

  // Records a verification's end (a score, or skipped because of `why`) and finishes the
  // candidate when it was the last one asked for.
  void verification_done(int id, std::optional<Verification> verification,
                         CallOutcome why = CallOutcome::ok) {
    ProofCandidate& c = candidate(id);
    CandidateState& state = states_[static_cast<std::size_t>(id)];
    ++state.done;
    ProveProgress p = progress(ProgressEvent::verification);
    p.candidate = id;
    if (verification) {
      p.score = verification->score;
      c.verifications.push_back(std::move(*verification));
      double sum = 0;
      for (const Verification& v : c.verifications) sum += v.score;
      c.mean_score = sum / static_cast<double>(c.verifications.size());
    } else {
      ++c.skipped_verifications;
      p.dropped = true;
      p.outcome = why;
    }
    if (state.done >= state.expected) {
      c.verified = c.skipped_verifications == 0 && !c.verifications.empty() &&
                   std::all_of(c.verifications.begin(), c.verifications.end(),
                               [](const Verification& v) { return v.score == 1.0; });
    }
    report(p);
    if (c.verified && !grading_) stop(StopReason::verified);  // grading scores every proof
  }

  // Waits for the calls in flight to end, handling each as it comes; also watches the wall
  // time and the user's cancellation.
  void drain() {
    while (in_flight_ > 0) {
      std::optional<Finished> finished;
      {
        std::unique_lock<std::mutex> lock(inbox_->mutex);
        if (inbox_->queue.empty()) {
          // Short waits: the clock may be a fake one that moves without waking us.
          milliseconds wait(50);
          if (config_.budget.max_wall_time > milliseconds(0) && !stopped()) {
            const auto left =
                config_.budget.max_wall_time - duration_cast<milliseconds>(clock_->now() - start_);
            wait = std::max(milliseconds(0), std::min(wait, left));
          }
          inbox_->woken.wait_for(lock, wait,
                                 [this] { return !inbox_->queue.empty() || inbox_->poked; });
        }
        inbox_->poked = false;  // seen: check_limits() below reads the token itself
        if (!inbox_->queue.empty()) {
          finished.emplace(std::move(inbox_->queue.front()));
          inbox_->queue.pop_front();
        }
      }
      if (finished) {
        --in_flight_;
        handle(std::move(*finished));
      }
      check_limits();
    }
  }

  // Books usage, cost and timing of a finished call into its trace entry and the totals.
  void book(TraceCall& trace, const Finished& finished) {
    trace.latency = std::max(milliseconds(0), elapsed(finished.at) - trace.started);
    if (!finished.result.ok()) {
      const Error& error = finished.result.error();
      trace.error = error.what();
      if (error.kind == ErrorKind::cancelled) {
        trace.outcome = CallOutcome::cancelled;
      } else {
        trace.outcome = CallOutcome::failed;
        ++result_.totals.failed_calls;
        ++round_failed_;
        last_error_ = error;
        if (is_fatal(error) && !stopped()) {
          result_.error = error;
          stop(StopReason::failed);
        }
      }
      return;
    }
    const ChatResponse& response = *finished.result;
    ++round_answered_;
    if (response.usage) {
      trace.prompt_tokens = response.usage->prompt_tokens;
      trace.completion_tokens = response.usage->completion_tokens;
      result_.totals.prompt_tokens += trace.prompt_tokens;
      result_.totals.completion_tokens += trace.completion_tokens;
      result_.totals.total_tokens += trace.prompt_tokens + trace.completion_tokens;
    }
    trace.cost_usd = response.cost_usd;
    if (response.cost_usd) {
      result_.totals.cost_usd += *response.cost_usd;
    } else {
      ++result_.totals.calls_without_cost;
    }
    trace.content = response.text();
    if (config_.trace_reasoning) trace.reasoning = response.reasoning();
    if (!response.choices.empty()) trace.finish_reason = response.choices.front().finish_reason;
    if (trace.finish_reason != "stop") trace.outcome = CallOutcome::not_stopped;
  }

  void handle(Finished finished) {
    const int id = finished.call;
    book(result_.calls[static_cast<std::size_t>(id)], finished);
    const TraceCall& trace = result_.calls[static_cast<std::size_t>(id)];
    const PendingCall pending = std::move(pending_[id]);
    pending_.erase(id);
    if (trace.role == CallRole::generate || trace.role == CallRole::refine) {
      handle_generation(id, pending);
    } else {
      handle_verification(id);
    }
  }

  void handle_generation(int call_id, const PendingCall& pending) {
    TraceCall& trace = result_.calls[static_cast<std::size_t>(call_id)];
    ProveProgress p = progress(ProgressEvent::candidate);
    if (trace.outcome != CallOutcome::ok) {
      p.dropped = true;
      p.outcome = trace.outcome;
      report(p);
      return;
    }
    GeneratorOutput output = parse_generator_output(trace.content);
    if (!output.well_formed || output.solution.empty()) {
      trace.outcome = CallOutcome::malformed;
      p.dropped = true;
      p.outcome = trace.outcome;
      report(p);
      return;
    }
    for (const ProofCandidate& existing : result_.candidates) {
      if (existing.item == static_cast<std::size_t>(pending.item) &&
          existing.proof == output.solution) {
        trace.outcome = CallOutcome::duplicate;
        trace.candidate = existing.id;
        p.candidate = existing.id;
        p.dropped = true;
        p.outcome = trace.outcome;
        report(p);
        return;
      }
    }
    ProofCandidate added;
    added.id = static_cast<int>(result_.candidates.size());
    added.round = round_;
    added.item = static_cast<std::size_t>(pending.item);
    added.parents = pending.parents;
    added.proof = std::move(output.solution);
    added.self_evaluation = std::move(output.self_evaluation);
    added.self_score = output.self_score.score;
    trace.candidate = added.id;
    result_.candidates.push_back(std::move(added));
    states_.emplace_back();
    p.candidate = trace.candidate;
    report(p);
    if (config_.mode == ProveMode::pool) start_verifications(trace.candidate);
  }

  void handle_verification(int call_id) {
    TraceCall& trace = result_.calls[static_cast<std::size_t>(call_id)];
    const int id = trace.candidate;
    if (trace.outcome != CallOutcome::ok) {
      verification_done(id, std::nullopt, trace.outcome);
      return;
    }
    const ParsedScore parsed = parse_verifier_score(trace.content);
    trace.score_status = parsed.status;
    if (parsed.status == ScoreStatus::ok) {
      trace.score = parsed.score;
      verification_done(id, Verification{visible_text(trace.content), *parsed.score,
                                         VerificationSource::verifier, call_id});
      return;
    }
    trace.outcome = CallOutcome::unparseable;
    if (trace.role == CallRole::verify && !stopped() && !check_limits()) {
      // One more try, with the reminder; the candidate's count of verifications is unchanged.
      const ProofCandidate& c = candidate(id);
      std::string prompt = render_verification_prompt(config_.prompts, problems_[c.item], c.proof);
      prompt += "\n\n";
      prompt += config_.prompts.score_reminder;
      start_call(CallRole::verify_retry, id, std::move(prompt), config_.verifier,
                 static_cast<int>(c.item), {});
      return;
    }
    verification_done(id, std::nullopt, CallOutcome::unparseable);
  }

  ProveResult finish(StopReason otherwise) {
    drain();  // a stop may have left calls to collect
    result_.stop_reason = stop_reason_.value_or(otherwise);
    result_.totals.elapsed = elapsed(clock_->now());
    return std::move(result_);
  }

  const SelfVerifierConfig& config_;
  std::vector<std::string> problems_;
  std::shared_ptr<const Clock> clock_;
  Clock::time_point start_;
  std::shared_ptr<Inbox> inbox_;
  std::shared_ptr<CancellationToken> stop_token_;
  CancellationToken::Subscription user_subscription_;
  std::optional<StopReason> stop_reason_;
  ProveResult result_;
  std::vector<CandidateState> states_;
  std::map<int, PendingCall> pending_;
  int in_flight_ = 0;
  int round_ = 0;
  int round_answered_ = 0;  // calls of this round that got an answer
  int round_failed_ = 0;    // calls of this round that failed with an Error
  std::optional<Error> last_error_;
  bool grading_ = false;
};

Result<Done> check_role(const ModelRole& role, const std::string& name) {
  if (!role.client) {
    return invalid_request_error(
        name + ".client",
        "SelfVerifierConfig::" + name + ".client is not set; give it the lemma::Client to call.");
  }
  if (role.model.empty()) {
    return invalid_request_error(
        name + ".model",
        "SelfVerifierConfig::" + name + ".model is empty; give the model name the server knows.");
  }
  return Done{};
}

Result<Done> at_least(int value, int minimum, const std::string& name) {
  if (value >= minimum) return Done{};
  return invalid_request_error(name, "SelfVerifierConfig::" + name + " is " +
                                         std::to_string(value) + "; it must be at least " +
                                         std::to_string(minimum) + ".");
}

}  // namespace

SelfVerifier::SelfVerifier(SelfVerifierConfig config) : config_(std::move(config)) {}

Result<Done> SelfVerifier::validate() const {
  const SelfVerifierConfig& c = config_;
  const bool verifier_needed = !(c.checker && c.checker_use == CheckerUse::replace);
  if (auto r = check_role(c.generator, "generator"); !r) return r;
  if (verifier_needed) {
    if (auto r = check_role(c.verifier, "verifier"); !r) return r;
  }
  if (auto r = at_least(c.candidates_per_round, 1, "candidates_per_round"); !r) return r;
  const int min_verifications = (c.mode == ProveMode::sequential || !verifier_needed) ? 0 : 1;
  if (auto r = at_least(c.verifications_per_proof, min_verifications, "verifications_per_proof");
      !r)
    return r;
  if (auto r = at_least(c.rounds, 1, "rounds"); !r) return r;
  if (auto r = at_least(c.refinement_proofs, 1, "refinement_proofs"); !r) return r;
  if (auto r = at_least(c.refinement_pool, 1, "refinement_pool"); !r) return r;
  if (auto r = at_least(c.refinement_evaluations, 0, "refinement_evaluations"); !r) return r;
  if (auto r = at_least(c.refinement_evaluations_per_score, 1, "refinement_evaluations_per_score");
      !r)
    return r;
  if (c.budget.max_total_tokens < 0) {
    return invalid_request_error("budget.max_total_tokens",
                                 "budget.max_total_tokens is negative; use 0 for no limit.");
  }
  if (!(c.budget.max_cost_usd >= 0)) {  // also refuses NaN
    return invalid_request_error("budget.max_cost_usd",
                                 "budget.max_cost_usd is negative or NaN; use 0 for no limit.");
  }
  if (c.budget.max_wall_time < std::chrono::milliseconds(0)) {
    return invalid_request_error("budget.max_wall_time",
                                 "budget.max_wall_time is negative; use 0 for no limit.");
  }
  return validate_prompts(c.prompts);
}

Result<ProveResult> SelfVerifier::prove(std::string_view problem) const {
  if (auto r = validate(); !r) return r.error();
  if (problem.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return invalid_request_error("problem", "The problem is empty; give the problem to prove.");
  }
  Run run(config_, {std::string(problem)});
  return config_.mode == ProveMode::sequential ? run.prove_sequential() : run.prove_pool();
}

Result<ProveResult> SelfVerifier::grade(const std::vector<GradeItem>& items) const {
  SelfVerifierConfig config = config_;
  config.mode = ProveMode::pool;  // grading has no rounds: only the counts that matter
  SelfVerifier checked(config);
  if (auto r = checked.validate(); !r) return r.error();
  if (config_.verifications_per_proof < 1 && !config_.checker) {
    return invalid_request_error("verifications_per_proof",
                                 "grade() needs verifications_per_proof >= 1 (or a checker).");
  }
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string& p = items[i].problem;
    const std::string& proof = items[i].proof;
    if (p.find_first_not_of(" \t\r\n") == std::string::npos ||
        proof.find_first_not_of(" \t\r\n") == std::string::npos) {
      return invalid_request_error(
          "items[" + std::to_string(i) + "]",
          "Grade item " + std::to_string(i) + " has an empty problem or proof; give both.");
    }
    problems.push_back(p);
  }
  Run run(config_, std::move(problems));
  return run.grade(items);
}

}  // namespace lemma::math
