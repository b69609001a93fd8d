#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

namespace lemma {

namespace detail {

/// The state a Future shares with the call that fulfils it. Thread-safe.
template <typename T>
class FutureState {
 public:
  /// Stores the value (the first one wins) and wakes every waiter.
  void set(T value) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (value_) return;
      value_.emplace(std::move(value));
      canceller_ = nullptr;  // the call is over: nothing left to cancel
    }
    ready_.notify_all();
  }
  /// Sets what cancel() does while the call is in flight (called once, before the Future is
  /// handed out).
  void on_cancel(std::function<void()> canceller) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!value_) canceller_ = std::move(canceller);
  }
  /// Runs the canceller once (nothing after the value is set).
  void cancel() {
    std::function<void()> canceller;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      canceller = std::move(canceller_);
      canceller_ = nullptr;
    }
    if (canceller) canceller();
  }
  /// Blocks until the value is set.
  void wait() const {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [this] { return value_.has_value(); });
  }
  /// Blocks at most `duration`; true when the value is set.
  bool wait_for(std::chrono::milliseconds duration) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return ready_.wait_for(lock, duration, [this] { return value_.has_value(); });
  }
  /// True when the value is set.
  bool ready() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return value_.has_value();
  }
  /// Waits for the value and moves it out (once).
  T take() {
    wait();
    std::lock_guard<std::mutex> lock(mutex_);
    return std::move(*value_);
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable ready_;
  std::optional<T> value_;
  std::function<void()> canceller_;
};

}  // namespace detail

/// The result of an asynchronous call, available once the call ends. Move-only.
///
/// Every call ends: with its result, with a `cancelled` Error after cancel(), or with a
/// `cancelled` Error when its Client was destroyed first; so get() never waits forever on a
/// call that was started. A default-constructed (or moved-from) Future is not valid(): get(),
/// wait() and wait_for() on it throw std::logic_error.
///
/// @par Thread safety
/// One Future belongs to one thread, except cancel(), which any thread may call.
template <typename T>
class Future {
 public:
  /// An empty Future (valid() is false).
  Future() = default;
  /// The Future of `state` (made by lemma).
  explicit Future(std::shared_ptr<detail::FutureState<T>> state) : state_(std::move(state)) {}
  /// Takes over `other`'s call; `other` is no longer valid().
  Future(Future&& other) noexcept = default;
  /// Takes over `other`'s call (this Future's own call goes on, unobserved).
  Future& operator=(Future&& other) noexcept = default;
  Future(const Future&) = delete;
  Future& operator=(const Future&) = delete;

  /// True when this Future refers to a call (until get() took its result).
  bool valid() const noexcept { return state_ != nullptr; }
  /// Waits for the call to end and returns its result; the Future is then no longer valid.
  T get() {
    auto state = std::move(checked());
    state_.reset();
    return state->take();
  }
  /// Waits for the call to end.
  void wait() const { checked_const().wait(); }
  /// Waits at most `duration`; true when the call has ended.
  bool wait_for(std::chrono::milliseconds duration) const {
    return checked_const().wait_for(duration);
  }
  /// True when the call has ended (get() will not wait). False for an invalid Future.
  bool ready() const { return state_ && state_->ready(); }
  /// Ends the call with a `cancelled` Error and closes its connection at once (also while it
  /// waits in the Client's queue or between retries). Does nothing once the call has ended.
  void cancel() {
    if (state_) state_->cancel();
  }

 private:
  std::shared_ptr<detail::FutureState<T>>& checked() {
    if (!state_)
      throw std::logic_error(
          "lemma::Future: no call (default-constructed, moved from "
          "or already consumed by get())");
    return state_;
  }
  const detail::FutureState<T>& checked_const() const {
    if (!state_)
      throw std::logic_error(
          "lemma::Future: no call (default-constructed, moved from "
          "or already consumed by get())");
    return *state_;
  }
  std::shared_ptr<detail::FutureState<T>> state_;
};

}  // namespace lemma
