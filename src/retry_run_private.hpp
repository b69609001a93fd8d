#pragma once

// The per-call state of the retry loop: attempt history, jitter source, deadline, and the
// idempotency key. One per logical call, never shared between threads.

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "lemma/http.hpp"
#include "lemma/retry.hpp"

namespace lemma::detail {

class RetryRun {
 public:
  using Clock = std::chrono::steady_clock;

  RetryRun(RetryPolicy policy, std::shared_ptr<const CancellationToken> token);

  /// A random key for the Idempotency-Key header, the same for every attempt of this call.
  std::string idempotency_key();
  /// Shrinks the request's total timeout so that it ends by the call's deadline.
  void bound_timeout(HttpRequest& request) const;
  /// Records a failed attempt. Returns nullopt after sleeping the backoff when the call should
  /// be retried, or the final Error (with attempts and history) when it should not.
  std::optional<Error> after_failure(Error error, int attempt);

 private:
  RetryPolicy policy_;
  std::shared_ptr<const CancellationToken> token_;
  std::minstd_rand random_;
  Clock::time_point start_;
  std::optional<Clock::time_point> deadline_;
  std::vector<AttemptRecord> history_;
};

}  // namespace lemma::detail
