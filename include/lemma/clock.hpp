#pragma once

#include <chrono>
#include <memory>

#include "lemma/export.hpp"
#include "lemma/http.hpp"

namespace lemma {

/// The time source of a Client's waits: retry backoff, Retry-After and the total deadline.
/// The default is the process's steady clock; tests inject lemma::testing::FakeClock so that
/// they assert the waits lemma asked for instead of sleeping through them.
class LEMMA_EXPORT Clock {
 public:
  /// A point on the steady clock's time line.
  using time_point = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  /// The current time.
  virtual time_point now() const = 0;
  /// Waits until `until`, or less when `cancellation` (may be null) is cancelled meanwhile;
  /// true when it was cancelled. Must be safe to call from several threads at once.
  virtual bool sleep_until(time_point until, const CancellationToken* cancellation) const = 0;

  /// An event loop has nothing to do until `until`: a clock whose time only moves when told
  /// (lemma::testing::FakeClock) moves to `until`, records the wait and returns true, so the
  /// loop's timer fires at once; a real clock returns false (the default) and the loop waits.
  virtual bool skip_to(time_point until) const {
    (void)until;
    return false;
  }
  /// The steady clock (stateless, shared).
  static std::shared_ptr<const Clock> steady();
};

}  // namespace lemma
