#include "core/event_loop_private.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <vector>

namespace lemma::detail {

namespace {

// Longest single wait for network activity: a bound, not a poll (posts and cancellations wake
// the driver at once).
constexpr std::chrono::milliseconds kMaxWait{60 * 1000};

}  // namespace

struct EventLoop::State {
  State(std::shared_ptr<Transport> t, std::unique_ptr<TransferDriver> d,
        std::shared_ptr<const Clock> c)
      : transport(std::move(t)), driver(std::move(d)), clock(std::move(c)) {}

  std::shared_ptr<Transport> transport;  // outlives the driver, which may refer to it
  std::unique_ptr<TransferDriver> driver;
  std::shared_ptr<const Clock> clock;
  std::atomic<bool> stopping{false};
  std::atomic<std::thread::id> thread_id{};

  std::mutex mutex;  // guards `posted`
  std::vector<std::function<void()>> posted;

  // Loop thread only.
  std::multimap<Clock::time_point, std::pair<TimerId, std::function<void()>>> timers;
  std::map<TimerId, decltype(timers)::iterator> timer_index;
  TimerId next_timer = 0;
  std::size_t transfers = 0;  // running transfers

  bool post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (stopping.load(std::memory_order_acquire)) return false;
      posted.push_back(std::move(task));
    }
    // From the loop thread itself (a callback starting a call) the loop looks at its tasks
    // before it waits again: waking it would cost a system call for nothing.
    if (std::this_thread::get_id() != thread_id.load(std::memory_order_acquire)) driver->wakeup();
    return true;
  }

  void run() {
    thread_id.store(std::this_thread::get_id(), std::memory_order_release);
    std::vector<std::function<void()>> tasks;
    while (!stopping.load(std::memory_order_acquire)) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        tasks.swap(posted);
      }
      for (auto& task : tasks) {
        task();
        if (stopping.load(std::memory_order_acquire)) return;
      }
      tasks.clear();
      fire_due_timers();
      if (stopping.load(std::memory_order_acquire)) return;
      driver->run_once(wait_time());
    }
  }

  // After the loop ended: what was left (tasks, timers) is destroyed here, on the loop thread,
  // which also breaks the cycles they form with the calls that hold this loop.
  void drop_work() {
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard<std::mutex> lock(mutex);
      tasks.swap(posted);
    }
    tasks.clear();
    timer_index.clear();
    timers.clear();
  }

  void fire_due_timers() {
    while (!timers.empty()) {
      auto first = timers.begin();
      const Clock::time_point now = clock->now();
      // A clock whose time only moves when told (lemma::testing::FakeClock) is moved to the
      // timer at once, so that tests never wait for real time; while other work is queued or a
      // transfer runs, the timer waits for its turn instead.
      if (first->first > now) {
        bool idle;
        {
          std::lock_guard<std::mutex> lock(mutex);
          idle = posted.empty();
        }
        if (!idle || transfers > 0 || !clock->skip_to(first->first)) return;
      }
      auto task = std::move(first->second.second);
      timer_index.erase(first->second.first);
      timers.erase(first);
      task();
      if (stopping.load(std::memory_order_acquire)) return;
    }
  }

  std::chrono::milliseconds wait_time() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!posted.empty()) return std::chrono::milliseconds(0);
    }
    if (timers.empty()) return kMaxWait;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(timers.begin()->first - clock->now());
    // Rounded up: waking a millisecond early would only spin.
    return std::clamp(left + std::chrono::milliseconds(1), std::chrono::milliseconds(0), kMaxWait);
  }
};

EventLoop::EventLoop(std::shared_ptr<Transport> transport, std::unique_ptr<TransferDriver> driver,
                     std::shared_ptr<const Clock> clock)
    : state_(std::make_shared<State>(std::move(transport), std::move(driver), std::move(clock))) {
  thread_ = std::thread([state = state_] {
    state->run();
    state->drop_work();
  });
}

EventLoop::~EventLoop() {
  stop();
}

void EventLoop::stop() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);  // no task is posted after this
    state_->stopping.store(true, std::memory_order_release);
  }
  state_->driver->wakeup();
  if (!thread_.joinable()) return;
  if (on_loop_thread()) {
    thread_.detach();  // the thread holds the state and ends when this task returns
  } else {
    thread_.join();
  }
}

void EventLoop::post(std::function<void()> task) {
  state_->post(std::move(task));
}

bool EventLoop::Poster::post(std::function<void()> task) const {
  const std::shared_ptr<State> state = state_.lock();
  return state && state->post(std::move(task));
}

EventLoop::Poster EventLoop::poster() const {
  Poster poster;
  poster.state_ = state_;
  return poster;
}

EventLoop::TimerId EventLoop::at(Clock::time_point when, std::function<void()> task) {
  const TimerId id = ++state_->next_timer;
  auto it = state_->timers.emplace(when, std::make_pair(id, std::move(task)));
  state_->timer_index.emplace(id, it);
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  auto it = state_->timer_index.find(id);
  if (it == state_->timer_index.end()) return;
  state_->timers.erase(it->second);
  state_->timer_index.erase(it);
}

void EventLoop::transfer_started() noexcept {
  ++state_->transfers;
}

void EventLoop::transfer_ended() noexcept {
  if (state_->transfers > 0) --state_->transfers;
}

TransferDriver& EventLoop::driver() {
  return *state_->driver;
}

bool EventLoop::on_loop_thread() const noexcept {
  return std::this_thread::get_id() == thread_.get_id();
}

const Clock& EventLoop::clock() const noexcept {
  return *state_->clock;
}

}  // namespace lemma::detail
