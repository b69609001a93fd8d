#include "core/retry_run_private.hpp"

namespace lemma::detail {

RetryRun::RetryRun(RetryPolicy policy, std::shared_ptr<const CancellationToken> token,
                   std::uint64_t seed, std::shared_ptr<const Clock> clock)
    : policy_(std::move(policy)),
      token_(std::move(token)),
      clock_(std::move(clock)),
      random_(
          static_cast<std::minstd_rand::result_type>(seed % (std::minstd_rand::modulus - 1) + 1)) {
  if (policy_.total_deadline) deadline_ = clock_->now() + *policy_.total_deadline;
}

void RetryRun::bound_timeout(HttpRequest& request) const {
  if (!deadline_) return;
  const auto remaining =
      std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - clock_->now());
  const auto bounded = std::max(remaining, std::chrono::milliseconds(1));
  if (request.timeout.count() == 0 || request.timeout > bounded) request.timeout = bounded;
}

RetryStep RetryRun::next(Error error, int attempt) {
  RetryDecision decision;
  if (error.kind == ErrorKind::invalid_request && error.phase == ErrorPhase::before_send) {
    decision.reason = "the request is invalid";  // refused before sending: never retried
    decision.give_up = GiveUpReason::not_retryable;
  } else {
    decision = decide_retry(policy_, error, attempt, random_);
    if (error.kind == ErrorKind::cancelled) decision.give_up = GiveUpReason::cancelled;
  }
  const Clock::time_point now = clock_->now();
  if (decision.retry && deadline_ && now + decision.delay >= *deadline_) {
    decision.retry = false;
    decision.give_up = GiveUpReason::deadline;
    decision.reason = "the next attempt would pass RetryPolicy::total_deadline (" +
                      std::to_string(policy_.total_deadline->count()) + " ms)";
  }
  history_.push_back({attempt, error.kind, error.http_status,
                      decision.retry ? decision.delay : std::chrono::milliseconds(0),
                      error.message});
  RetryStep step;
  if (decision.retry) {
    step.action = RetryStep::Action::retry;
    step.delay = decision.delay;
    step.until = now + decision.delay;
  } else {
    step.error = give_up(std::move(error), attempt, decision.give_up, decision.reason);
  }
  return step;
}

Error RetryRun::cancelled_while_waiting(int attempt) const {
  Error cancelled =
      make_error(ErrorKind::cancelled, "The call was cancelled while waiting to retry.");
  cancelled.phase = ErrorPhase::before_send;  // the next attempt was never sent
  return give_up(std::move(cancelled), attempt, GiveUpReason::cancelled, "cancelled");
}

bool RetryRun::wait(const RetryStep& step) const {
  return clock_->sleep_until(step.until, token_.get());
}

Error RetryRun::give_up(Error error, int attempt, GiveUpReason why,
                        const std::string& reason) const {
  error.attempts = attempt;
  error.give_up = why;
  if (attempt > 1 || error.kind == ErrorKind::cancelled) {
    error.history = history_;
    error.message += " (gave up after " + std::to_string(attempt) + " attempt" +
                     (attempt > 1 ? "s" : "") + ": " + reason + ")";
  }
  return error;
}

}  // namespace lemma::detail
