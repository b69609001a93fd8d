#include "lemma/testing/fake_clock.hpp"

#include <numeric>

namespace lemma::testing {

Clock::time_point FakeClock::now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return now_;
}

bool FakeClock::sleep_until(time_point until, const CancellationToken* cancellation) const {
  if (cancellation && cancellation->is_cancelled()) return true;
  std::lock_guard<std::mutex> lock(mutex_);
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(until - now_);
  sleeps_.push_back(std::max(wait, std::chrono::milliseconds(0)));
  if (until > now_) now_ = until;
  return false;
}

bool FakeClock::skip_to(time_point until) const {
  sleep_until(until, nullptr);
  return true;
}

void FakeClock::advance(std::chrono::milliseconds duration) {
  std::lock_guard<std::mutex> lock(mutex_);
  now_ += duration;
}

std::vector<std::chrono::milliseconds> FakeClock::sleeps() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sleeps_;
}

std::chrono::milliseconds FakeClock::slept() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::accumulate(sleeps_.begin(), sleeps_.end(), std::chrono::milliseconds(0));
}

}  // namespace lemma::testing
