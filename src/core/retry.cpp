#include "lemma/retry.hpp"

#include <algorithm>
#include <cmath>

namespace lemma {

RetryDecision decide_retry(const RetryPolicy& policy, const Error& error, int attempt,
                           std::minstd_rand& random) {
  RetryDecision decision;
  if (!error.is_retryable()) {
    decision.reason = "the error is not retryable";
    decision.give_up = GiveUpReason::not_retryable;
    return decision;
  }
  if (attempt > policy.max_retries) {
    decision.reason =
        "retries exhausted (RetryPolicy::max_retries = " + std::to_string(policy.max_retries) + ")";
    decision.give_up = GiveUpReason::attempts_exhausted;
    return decision;
  }
  if (error.retry_after) {
    // The server's hint wins over the computed backoff, within a cap.
    if (*error.retry_after > policy.max_retry_after) {
      decision.reason = "the server asked to wait " + std::to_string(error.retry_after->count()) +
                        " ms, longer than RetryPolicy::max_retry_after (" +
                        std::to_string(policy.max_retry_after.count()) + " ms)";
      decision.give_up = GiveUpReason::retry_after_too_long;
      return decision;
    }
    decision.retry = true;
    decision.delay = *error.retry_after;
    return decision;
  }
  // Truncated exponential backoff: initial * 2^(attempt-1), capped.
  const double exponent = std::min(attempt - 1, 30);
  const double computed =
      static_cast<double>(policy.initial_backoff.count()) * std::pow(2.0, exponent);
  const auto cap = static_cast<double>(std::max<std::int64_t>(0, policy.max_backoff.count()));
  auto backoff = static_cast<std::int64_t>(std::min(computed, cap));
  if (policy.jitter && backoff > 0) {
    backoff = std::uniform_int_distribution<std::int64_t>(0, backoff)(random);
  }
  decision.retry = true;
  decision.delay = std::chrono::milliseconds(std::max<std::int64_t>(0, backoff));
  return decision;
}

}  // namespace lemma
