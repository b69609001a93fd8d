#include "core/call_queue_private.hpp"

#include <algorithm>
#include <string>

namespace lemma::detail {

struct CallQueue::Place::Shared {
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t in_flight = 0;
  std::uint64_t next_ticket = 0;
  std::deque<std::uint64_t> waiting;  // tickets in arrival order
};

CallQueue::Place& CallQueue::Place::operator=(Place&& other) noexcept {
  if (this != &other) {
    leave();
    shared_ = std::move(other.shared_);
  }
  return *this;
}

void CallQueue::Place::leave() noexcept {
  if (!shared_) return;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    --shared_->in_flight;
  }
  shared_->changed.notify_all();
  shared_.reset();
}

CallQueue::CallQueue(std::size_t limit)
    : limit_(limit), shared_(limit > 0 ? std::make_shared<Place::Shared>() : nullptr) {}

Result<CallQueue::Entry> CallQueue::enter(const CancellationToken* cancellation,
                                          std::chrono::milliseconds timeout) const {
  using Clock = std::chrono::steady_clock;
  if (!shared_) return Entry{};
  if (timeout.count() < 0) {
    return invalid_request_error("queue_timeout",
                                 "ClientOptions::queue_timeout is negative (" +
                                     std::to_string(timeout.count()) +
                                     " ms); use 0 for no limit or a positive duration.");
  }
  const auto start = Clock::now();
  // 0, or more than a year (e.g. milliseconds::max(), which would overflow the clock): no limit.
  constexpr std::chrono::hours kNoLimitBeyond{24 * 366};
  const auto deadline =
      timeout.count() > 0 && timeout < kNoLimitBeyond ? start + timeout : Clock::time_point::max();
  Place::Shared& s = *shared_;
  std::unique_lock<std::mutex> lock(s.mutex);
  const std::uint64_t ticket = s.next_ticket++;
  s.waiting.push_back(ticket);
  auto my_turn = [&] { return s.in_flight < limit_ && s.waiting.front() == ticket; };
  auto give_up = [&](Error error) -> Result<Entry> {
    error.phase = ErrorPhase::before_send;  // nothing was sent: the call never left the queue
    s.waiting.erase(std::find(s.waiting.begin(), s.waiting.end(), ticket));
    lock.unlock();
    s.changed.notify_all();  // the next in line may be able to go now
    return error;
  };
  while (!my_turn()) {
    if (cancellation != nullptr && cancellation->is_cancelled()) {
      return give_up(make_error(ErrorKind::cancelled,
                                "The call was cancelled while waiting for one of the Client's " +
                                    std::to_string(limit_) + " places."));
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      Error error = make_error(
          ErrorKind::timeout,
          "The call waited " + std::to_string(timeout.count()) + " ms for one of the Client's " +
              std::to_string(limit_) +
              " places (ClientOptions::max_concurrent_calls) and gave up; raise "
              "max_concurrent_calls or ClientOptions::queue_timeout, or make fewer calls at once.");
      error.code = "queue_timeout";
      return give_up(std::move(error));
    }
    if (cancellation != nullptr) {
      // The token has its own condition variable: look at it every kCancelPoll.
      s.changed.wait_until(lock, deadline - now < kCancelPoll ? deadline : now + kCancelPoll);
    } else if (deadline == Clock::time_point::max()) {
      s.changed.wait(lock);
    } else {
      s.changed.wait_until(lock, deadline);
    }
  }
  s.waiting.pop_front();
  ++s.in_flight;
  const bool more_may_go = s.in_flight < limit_ && !s.waiting.empty();
  lock.unlock();
  if (more_may_go) s.changed.notify_all();
  Entry entry;
  entry.place = Place(shared_);
  entry.waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return entry;
}

}  // namespace lemma::detail
