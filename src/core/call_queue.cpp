#include "core/call_queue_private.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lemma::detail {

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

struct CallQueue::Place::Shared : std::enable_shared_from_this<Shared> {
  explicit Shared(std::size_t max) : limit(max) {}
  struct AsyncWaiter {
    std::function<void(Entry)> granted;
    Clock::time_point since;
  };
  using Grants = std::vector<std::pair<std::function<void(Entry)>, Entry>>;
  const std::size_t limit;
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t in_flight = 0;
  std::uint64_t next_ticket = 0;
  std::deque<std::uint64_t> waiting;  // tickets in arrival order, sync and async alike
  std::map<std::uint64_t, AsyncWaiter> async_waiters;

  // Admits the async requests at the head of the line while there is room (call with the
  // mutex held); the caller runs the callbacks after unlocking, since one may post to a loop
  // or free a place again.
  Grants take_async_grants() {
    Grants grants;
    while (in_flight < limit && !waiting.empty()) {
      auto it = async_waiters.find(waiting.front());
      if (it == async_waiters.end()) break;  // a blocked thread is first: it takes the place
      waiting.pop_front();
      ++in_flight;
      Entry entry;
      entry.place = Place(shared_from_this());
      entry.waited =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - it->second.since);
      grants.emplace_back(std::move(it->second.granted), std::move(entry));
      async_waiters.erase(it);
    }
    return grants;
  }
  static void run(Grants grants) {
    for (auto& [granted, entry] : grants) granted(std::move(entry));
  }
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
  Shared::Grants grants;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    --shared_->in_flight;
    grants = shared_->take_async_grants();
  }
  shared_->changed.notify_all();
  shared_.reset();
  Shared::run(std::move(grants));
}

CallQueue::CallQueue(std::size_t limit)
    : limit_(limit), shared_(limit > 0 ? std::make_shared<Place::Shared>(limit) : nullptr) {}

Result<CallQueue::Entry> CallQueue::enter(const CancellationToken* cancellation,
                                          std::chrono::milliseconds timeout) const {
  if (!shared_) return Entry{};
  timeout = std::max(timeout, std::chrono::milliseconds(0));  // refused earlier: Impl::check
  const auto start = Clock::now();
  // 0, or more than a year (e.g. milliseconds::max(), which would overflow the clock): no limit.
  constexpr std::chrono::hours kNoLimitBeyond{24 * 366};
  const auto deadline =
      timeout.count() > 0 && timeout < kNoLimitBeyond ? start + timeout : Clock::time_point::max();
  Place::Shared& s = *shared_;
  // A cancellation wakes the wait at once. Subscribed before the lock is taken and dropped after
  // it is released (declared first): the callback takes the queue's mutex under the token's.
  CancellationToken::Subscription wake_on_cancel(cancellation, [shared = shared_] {
    std::lock_guard<std::mutex> wake(shared->mutex);
    shared->changed.notify_all();
  });
  std::unique_lock<std::mutex> lock(s.mutex);
  const std::uint64_t ticket = s.next_ticket++;
  s.waiting.push_back(ticket);
  auto my_turn = [&] { return s.in_flight < limit_ && s.waiting.front() == ticket; };
  auto give_up = [&](Error error) -> Result<Entry> {
    error.phase = ErrorPhase::before_send;  // nothing was sent: the call never left the queue
    s.waiting.erase(std::find(s.waiting.begin(), s.waiting.end(), ticket));
    Place::Shared::Grants grants = s.take_async_grants();
    lock.unlock();
    s.changed.notify_all();  // the next in line may be able to go now
    Place::Shared::run(std::move(grants));
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
    if (deadline == Clock::time_point::max()) {
      s.changed.wait(lock);
    } else {
      s.changed.wait_until(lock, deadline);
    }
  }
  s.waiting.pop_front();
  ++s.in_flight;
  const bool more_may_go = s.in_flight < limit_ && !s.waiting.empty();
  Place::Shared::Grants grants = s.take_async_grants();
  lock.unlock();
  if (more_may_go) s.changed.notify_all();
  Place::Shared::run(std::move(grants));
  Entry entry;
  entry.place = Place(shared_);
  entry.waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return entry;
}

std::uint64_t CallQueue::enter_async(std::function<void(Entry)> granted) const {
  if (!shared_) {
    granted(Entry{});
    return 0;
  }
  Place::Shared& s = *shared_;
  Place::Shared::Grants grants;
  std::uint64_t ticket = 0;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    ticket = s.next_ticket++;
    s.waiting.push_back(ticket);
    s.async_waiters.emplace(ticket, Place::Shared::AsyncWaiter{std::move(granted), Clock::now()});
    grants = s.take_async_grants();
  }
  Place::Shared::run(std::move(grants));
  return ticket;
}

bool CallQueue::cancel_wait(std::uint64_t ticket) const {
  if (!shared_) return false;
  Place::Shared& s = *shared_;
  Place::Shared::Grants grants;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.async_waiters.find(ticket);
    if (it == s.async_waiters.end()) return false;
    s.async_waiters.erase(it);
    s.waiting.erase(std::find(s.waiting.begin(), s.waiting.end(), ticket));
    grants = s.take_async_grants();
  }
  s.changed.notify_all();  // a blocked thread behind it may be first now
  Place::Shared::run(std::move(grants));
  return true;
}

}  // namespace lemma::detail
