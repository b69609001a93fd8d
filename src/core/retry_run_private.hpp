#pragma once

// The per-call retry state machine. After each failed attempt it answers one question: send
// again now, wait until T and then send, or give up with this Error. It does no waiting of its
// own: the blocking path sleeps on the injected Clock, an event loop arms a timer. State
// (attempt history, jitter source, deadline) belongs to one call and is never shared.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "lemma/clock.hpp"
#include "lemma/http.hpp"
#include "lemma/retry.hpp"

namespace lemma::detail {

/// What the call does after a failed attempt.
struct RetryStep {
  /// retry: send again once `until` is reached; give_up: the call ends with `error`.
  enum class Action { retry, give_up };
  /// The decision.
  Action action = Action::give_up;
  /// For retry: when the next attempt may start.
  Clock::time_point until{};
  /// For retry: the wait before it (until - now), as reported to observers and logs.
  std::chrono::milliseconds delay{0};
  /// For give_up: the call's final Error (attempts, history, and why lemma gave up).
  std::optional<Error> error;
};

class RetryRun {
 public:
  /// `seed` seeds the jitter (one per call, from the Client's SeedSource); `clock` is the
  /// Client's time source (never null).
  RetryRun(RetryPolicy policy, std::shared_ptr<const CancellationToken> token, std::uint64_t seed,
           std::shared_ptr<const Clock> clock);

  /// Shrinks the request's total timeout so that it ends by the call's deadline.
  void bound_timeout(HttpRequest& request) const;
  /// After attempt number `attempt` failed with `error`: retry when, or give up with what
  /// (policy, then the total deadline); recorded in the history.
  RetryStep next(Error error, int attempt);
  /// The call ended because it was cancelled while waiting for attempt `attempt + 1`.
  Error cancelled_while_waiting(int attempt) const;
  /// Blocks until `step.until` on the clock; true when the call was cancelled meanwhile.
  bool wait(const RetryStep& step) const;

 private:
  Error give_up(Error error, int attempt, GiveUpReason why, const std::string& reason) const;

  RetryPolicy policy_;
  std::shared_ptr<const CancellationToken> token_;
  std::shared_ptr<const Clock> clock_;
  std::minstd_rand random_;
  std::optional<Clock::time_point> deadline_;
  std::vector<AttemptRecord> history_;
};

}  // namespace lemma::detail
