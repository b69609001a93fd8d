#pragma once

// A Client's event loop: one thread that runs posted tasks, fires timers and drives every
// async transfer through one TransferDriver (for CurlTransport: one curl multi handle). The
// only thread lemma adds; started by a Client's first async call.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "lemma/clock.hpp"
#include "lemma/http.hpp"

namespace lemma::detail {

class EventLoop {
 public:
  using TimerId = std::uint64_t;

  /// Starts the loop thread over `driver` (from `transport`, which it keeps alive); timers
  /// are on `clock`.
  EventLoop(std::shared_ptr<Transport> transport, std::unique_ptr<TransferDriver> driver,
            std::shared_ptr<const Clock> clock);
  /// stop().
  ~EventLoop();
  /// Stops the loop: tasks posted but not run, and timers, are dropped (destroyed on the loop
  /// thread as it ends: post a task that ends the calls first). Waits for the thread, unless
  /// called on it (then the thread ends by itself once the current task returns). Idempotent.
  void stop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Runs `task` on the loop thread, after the tasks posted before it. Any thread.
  void post(std::function<void()> task);
  /// Runs `task` on the loop thread once `clock` reaches `when`. Loop thread only.
  TimerId at(Clock::time_point when, std::function<void()> task);
  /// Forgets a timer that has not fired (no effect otherwise). Loop thread only.
  void cancel_timer(TimerId id);
  /// The driver of the loop's transfers. Loop thread only.
  TransferDriver& driver();
  /// A transfer started / ended (loop thread only): while any runs, a clock that skips
  /// (FakeClock) is not moved to the next timer, since the transfer's events come first.
  void transfer_started() noexcept;
  void transfer_ended() noexcept;
  /// True on the loop thread.
  bool on_loop_thread() const noexcept;
  /// The clock timers run on.
  const Clock& clock() const noexcept;

  struct State;

  /// Posts to a loop that may be gone by then (the task is then dropped): for callbacks that
  /// run on other threads, such as a CallQueue grant or a CancellationToken.
  class Poster {
   public:
    /// Runs `task` on the loop thread; false (task dropped) when the loop has stopped.
    bool post(std::function<void()> task) const;

   private:
    friend class EventLoop;
    std::weak_ptr<State> state_;
  };
  /// A Poster for this loop. Any thread.
  Poster poster() const;

 private:
  std::shared_ptr<State> state_;  // shared with the thread, which may outlive this object
  std::thread thread_;
};

}  // namespace lemma::detail
