#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "lemma/error.hpp"
#include "lemma/export.hpp"

namespace lemma {

/// When and how lemma retries a failed call. A plain value: set it in ClientOptions::retry,
/// override it per call in CallOptions::retry. Every field has a documented default.
///
/// Retried (see Error::is_retryable()): connection failures and timeouts before any response byte,
/// HTTP 408, 409, 429, 500, 502, 503, 504, and any response with `x-should-retry: true`. Never
/// retried: a response with `x-should-retry: false`, other 4xx (400, 401, 403, 404, 422, ...),
/// `quota_exceeded`, `cancelled`, protocol errors, and a stream once its first chunk reached the
/// caller.
struct RetryPolicy {
  /// Retries after the first attempt (so attempts = max_retries + 1). Default 2.
  int max_retries = 2;
  /// Backoff before the first retry; doubles each time. Default 0.5 s.
  std::chrono::milliseconds initial_backoff{500};
  /// Upper bound on the computed backoff. Default 8 s.
  std::chrono::milliseconds max_backoff{8000};
  /// Full jitter: sleep a uniformly random time in [0, backoff] (avoids thundering herds).
  /// Default on.
  bool jitter = true;
  /// A server's Retry-After / retry-after-ms is obeyed up to this long; a longer request is
  /// not slept on: the rate_limited error is returned with retry_after set. Default 60 s.
  std::chrono::milliseconds max_retry_after{std::chrono::seconds(60)};
  /// Optional limit on a whole call across all attempts and backoffs.
  std::optional<std::chrono::milliseconds> total_deadline;
  /// Send an `Idempotency-Key` header, the same on every attempt of one call. Default off.
  bool idempotency_key = false;

  /// A policy that never retries.
  static RetryPolicy none() {
    RetryPolicy policy;
    policy.max_retries = 0;
    return policy;
  }
};

/// The answer to "should this failed attempt be retried, and after how long?".
struct RetryDecision {
  /// Whether to retry.
  bool retry = false;
  /// How long to wait first.
  std::chrono::milliseconds delay{0};
  /// Why not, when retry is false ("not retryable", "retries exhausted", ...).
  std::string reason;
  /// Why not, for code: not_retryable, attempts_exhausted or retry_after_too_long (none when
  /// retry is true).
  GiveUpReason give_up = GiveUpReason::none;
};

/// Decides whether attempt number `attempt` (1-based), which failed with `error`, is retried
/// under `policy` (Error::is_retryable(), the retry count, the server's Retry-After against
/// max_retry_after, then truncated exponential backoff with full jitter). `random` supplies
/// the jitter; the result is deterministic when policy.jitter is false. The total deadline is
/// the caller's to check.
LEMMA_EXPORT RetryDecision decide_retry(const RetryPolicy& policy, const Error& error, int attempt,
                                        std::minstd_rand& random);

}  // namespace lemma
