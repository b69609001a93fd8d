#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "lemma/http.hpp"
#include "lemma/result.hpp"

namespace lemma::detail {

/// Limits how many calls of one Client are in flight (ClientOptions::max_concurrent_calls):
/// callers beyond the limit wait in arrival order. Thread-safe.
class CallQueue {
 public:
  /// A call's place among those in flight; leaving (destruction or leave()) lets the next one
  /// in. Move-only; outlives the queue's owner safely.
  class Place {
   public:
    Place() = default;
    Place(Place&& other) noexcept = default;
    Place& operator=(Place&& other) noexcept;
    Place(const Place&) = delete;
    Place& operator=(const Place&) = delete;
    ~Place() { leave(); }
    /// Gives the place up (idempotent).
    void leave() noexcept;

   private:
    friend class CallQueue;
    struct Shared;
    explicit Place(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
    std::shared_ptr<Shared> shared_;
  };

  /// What enter() waited and got.
  struct Entry {
    Place place;
    std::chrono::milliseconds waited{0};
  };

  /// `limit` calls at once; 0 = no limit (enter() never waits).
  explicit CallQueue(std::size_t limit);

  /// Waits for a place: up to `timeout` (then a timeout Error, code "queue_timeout"; 0 or more
  /// than a year = no limit; the Client refuses a negative one before any call), or until
  /// `cancellation` is cancelled (a cancelled Error, at once: the token wakes the wait).
  Result<Entry> enter(const CancellationToken* cancellation,
                      std::chrono::milliseconds timeout) const;

  /// Asks for a place without blocking (the event loop's calls): `granted` receives the place
  /// when it is this request's turn, in the same first-come-first-served order as enter(),
  /// either at once on this thread or later on the thread that frees a place. It must be
  /// quick (e.g. post to a loop). Returns a ticket for cancel_wait().
  std::uint64_t enter_async(std::function<void(Entry)> granted) const;
  /// Withdraws a request of enter_async(); false when it was already granted.
  bool cancel_wait(std::uint64_t ticket) const;

 private:
  std::size_t limit_;
  std::shared_ptr<Place::Shared> shared_;
};

}  // namespace lemma::detail
