#include "retry_run_private.hpp"

#include <thread>

namespace lemma::detail {

RetryRun::RetryRun(RetryPolicy policy, std::shared_ptr<const CancellationToken> token,
                   std::uint64_t seed)
    : policy_(std::move(policy)),
      token_(std::move(token)),
      random_(
          static_cast<std::minstd_rand::result_type>(seed % (std::minstd_rand::modulus - 1) + 1)),
      start_(Clock::now()) {
  if (policy_.total_deadline) deadline_ = start_ + *policy_.total_deadline;
}

void RetryRun::bound_timeout(HttpRequest& request) const {
  if (!deadline_) return;
  const auto remaining =
      std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now());
  const auto bounded = std::max(remaining, std::chrono::milliseconds(1));
  if (request.timeout.count() == 0 || request.timeout > bounded) request.timeout = bounded;
}

RetryDecision RetryRun::decide(const Error& error, int attempt) {
  RetryDecision decision;
  if (error.kind == ErrorKind::invalid_request && error.http_status == 0) {
    decision.reason = "the request is invalid";  // refused before sending: never retried
  } else {
    decision = decide_retry(policy_, error, attempt, random_);
  }
  if (decision.retry && deadline_ && Clock::now() + decision.delay >= *deadline_) {
    decision.retry = false;
    decision.reason = "the next attempt would pass RetryPolicy::total_deadline (" +
                      std::to_string(policy_.total_deadline->count()) + " ms)";
  }
  history_.push_back({attempt, error.kind, error.http_status,
                      decision.retry ? decision.delay : std::chrono::milliseconds(0),
                      error.message});
  return decision;
}

bool RetryRun::wait(std::chrono::milliseconds delay) const {
  if (token_) return token_->wait_for(delay);
  std::this_thread::sleep_for(delay);
  return false;
}

Error RetryRun::give_up(Error error, int attempt, const std::string& reason) const {
  error.attempts = attempt;
  if (attempt > 1 || error.kind == ErrorKind::cancelled) {
    error.history = history_;
    error.message += " (gave up after " + std::to_string(attempt) + " attempt" +
                     (attempt > 1 ? "s" : "") + ": " + reason + ")";
  }
  return error;
}

}  // namespace lemma::detail
