#pragma once

// The per-call state of the retry loop: attempt history, jitter source and deadline. One per
// logical call, never shared between threads.

#include <chrono>
#include <cstdint>
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

  /// `seed` seeds the jitter (one per call, from the Client's SeedSource).
  RetryRun(RetryPolicy policy, std::shared_ptr<const CancellationToken> token, std::uint64_t seed);

  /// Shrinks the request's total timeout so that it ends by the call's deadline.
  void bound_timeout(HttpRequest& request) const;
  /// Decides about a failed attempt (policy, then the deadline) and records it in the history.
  RetryDecision decide(const Error& error, int attempt);
  /// Sleeps a backoff; true when the call was cancelled meanwhile.
  bool wait(std::chrono::milliseconds delay) const;
  /// The call's final Error: attempts, history, and why lemma gave up.
  Error give_up(Error error, int attempt, const std::string& reason) const;

 private:
  RetryPolicy policy_;
  std::shared_ptr<const CancellationToken> token_;
  std::minstd_rand random_;
  Clock::time_point start_;
  std::optional<Clock::time_point> deadline_;
  std::vector<AttemptRecord> history_;
};

}  // namespace lemma::detail
