#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "lemma/clock.hpp"
#include "lemma/testing_export.hpp"

namespace lemma::testing {

/// A Clock for tests: sleeps return at once, advancing the fake time, and every wait lemma
/// asked for is recorded, so a test asserts the backoff (e.g. 500 ms then 1 s) without
/// spending it. Thread-safe. Link `lemma::testing`.
///
/// @code
///   auto clock = std::make_shared<lemma::testing::FakeClock>();
///   lemma::ClientOptions options;
///   options.clock = clock;
///   // ... calls that retry ...
///   EXPECT_EQ(clock->sleeps(), (std::vector<std::chrono::milliseconds>{500ms, 1000ms}));
/// @endcode
class LEMMA_TESTING_EXPORT FakeClock : public Clock {
 public:
  /// The fake time (starts at the steady clock's epoch plus one day).
  time_point now() const override;
  /// Records the wait, moves the fake time to `until` and returns at once; true (without
  /// waiting) when `cancellation` is already cancelled.
  bool sleep_until(time_point until, const CancellationToken* cancellation) const override;

  /// Records the wait and moves the fake time to `until` (an event loop's timer fires at once).
  bool skip_to(time_point until) const override;
  /// Moves the fake time forward by `duration`.
  void advance(std::chrono::milliseconds duration);
  /// Every wait requested so far, in order (0 for a wait until a time already past).
  std::vector<std::chrono::milliseconds> sleeps() const;
  /// The sum of sleeps().
  std::chrono::milliseconds slept() const;

 private:
  mutable std::mutex mutex_;
  mutable time_point now_ = time_point() + std::chrono::hours(24);
  mutable std::vector<std::chrono::milliseconds> sleeps_;
};

}  // namespace lemma::testing
