#include "lemma/clock.hpp"

#include <thread>

namespace lemma {
namespace {

class SteadyClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
  bool sleep_until(time_point until, const CancellationToken* cancellation) const override {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - now());
    if (cancellation) return cancellation->wait_for(std::max(left, std::chrono::milliseconds(0)));
    std::this_thread::sleep_until(until);
    return false;
  }
};

}  // namespace

std::shared_ptr<const Clock> Clock::steady() {
  static const std::shared_ptr<const Clock> kSteady = std::make_shared<SteadyClock>();
  return kSteady;
}

}  // namespace lemma
