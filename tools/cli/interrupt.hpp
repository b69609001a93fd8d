#pragma once

// Ctrl-C for the `lemma` command without a signal handler or global state: SIGINT and SIGTERM
// are blocked in every thread and one thread waits for them with sigwait().

#include <signal.h>

#include <atomic>
#include <memory>
#include <thread>

#include "lemma/http.hpp"

namespace lemma::cli {

/// Turns Ctrl-C into a cancellation: the first SIGINT or SIGTERM cancels token() (calls in
/// flight end with `cancelled` and the command stops cleanly, exit 130); a second one exits at
/// once with 130. Build it first thing in main(), before any thread starts, so that every
/// thread inherits the blocked signals; one per process.
class InterruptGuard {
 public:
  /// Blocks SIGINT and SIGTERM and starts the thread that waits for them.
  InterruptGuard();
  /// Stops the waiting thread and restores the signal mask.
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  /// Cancelled by the first signal; pass it in CallOptions::cancellation.
  std::shared_ptr<const CancellationToken> token() const { return token_; }
  /// True once a first signal arrived.
  bool interrupted() const { return token_->is_cancelled(); }

 private:
  void wait_for_signals();

  std::shared_ptr<CancellationToken> token_ = std::make_shared<CancellationToken>();
  sigset_t signals_{};
  sigset_t previous_mask_{};
  std::atomic<bool> stopping_{false};
  std::thread waiter_;
};

}  // namespace lemma::cli
