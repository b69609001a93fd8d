// The signal-waiting thread behind InterruptGuard: no code runs in a signal handler, so the
// cancellation (which wakes transfers through the token's subscriptions) is ordinary code.

#include "interrupt.hpp"

#include <pthread.h>
#include <unistd.h>

#include "exit_codes.hpp"

namespace lemma::cli {

InterruptGuard::InterruptGuard() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  // Threads started from here on (the waiter, a Client's event loop, curl's resolver) inherit
  // the mask, so the signals can only be taken by sigwait().
  pthread_sigmask(SIG_BLOCK, &signals_, &previous_mask_);
  waiter_ = std::thread([this] { wait_for_signals(); });
}

InterruptGuard::~InterruptGuard() {
  stopping_.store(true, std::memory_order_release);
  // Wakes the waiter's sigwait(); it sees stopping_ and returns.
  pthread_kill(waiter_.native_handle(), SIGTERM);
  waiter_.join();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void InterruptGuard::wait_for_signals() {
  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals_, &signal_number) != 0) continue;
    if (stopping_.load(std::memory_order_acquire)) return;
    if (token_->is_cancelled()) {
      // The second Ctrl-C: the user does not want to wait for a clean stop.
      _exit(kExitInterrupted);
    }
    token_->cancel();
  }
}

}  // namespace lemma::cli
