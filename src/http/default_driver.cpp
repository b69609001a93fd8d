// Transport::make_driver()'s default: lets any Transport (a test double, a user's own HTTP
// stack) serve a Client's async calls, by running each transfer with the blocking open() on
// the loop thread, one at a time. Transports that can do better override make_driver().
#include <condition_variable>
#include <deque>
#include <mutex>

#include "lemma/http.hpp"

namespace lemma {

namespace {

class SequentialDriver final : public TransferDriver {
 public:
  explicit SequentialDriver(Transport& transport) : transport_(transport) {}

  Result<Id> start(const HttpRequest& request, TransferHandler& handler) override {
    const Id id = ++next_id_;
    queue_.push_back({id, request, &handler});
    return id;
  }

  void cancel(Id id) override {
    if (id == running_) {
      running_cancelled_ = true;  // from within one of its own events: ends after it
      return;
    }
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (it->id != id) continue;
      TransferHandler* handler = it->handler;
      queue_.erase(it);
      handler->on_end(make_error(ErrorKind::cancelled, "The request was cancelled."));
      return;
    }
  }

  void run_once(std::chrono::milliseconds timeout) override {
    if (queue_.empty()) {
      std::unique_lock<std::mutex> lock(wake_mutex_);
      woken_.wait_for(lock, timeout, [this] { return woken_flag_; });
      woken_flag_ = false;
      return;
    }
    Pending next = std::move(queue_.front());
    queue_.pop_front();
    running_ = next.id;
    running_cancelled_ = false;
    run(next);
    running_ = 0;
  }

  void wakeup() noexcept override {
    {
      std::lock_guard<std::mutex> lock(wake_mutex_);
      woken_flag_ = true;
    }
    woken_.notify_all();
  }

 private:
  struct Pending {
    Id id = 0;
    HttpRequest request;
    TransferHandler* handler = nullptr;
  };

  void run(Pending& transfer) {
    TransferHandler& handler = *transfer.handler;
    auto opened = transport_.open(transfer.request);
    if (!opened) return handler.on_end(opened.error());
    ResponseStream& body = **opened;
    handler.on_headers(body.status(), body.headers());
    std::string buffer(64 * 1024, '\0');
    std::size_t total = 0;
    while (!running_cancelled_) {
      Result<std::size_t> n = body.read(buffer.data(), buffer.size());
      if (!n) return handler.on_end(n.error());
      if (*n == 0) return handler.on_end(std::nullopt);
      total += *n;
      if (total > transfer.request.max_response_bytes) {
        return handler.on_end(protocol_error("The response body exceeds the limit of " +
                                             std::to_string(transfer.request.max_response_bytes) +
                                             " bytes."));
      }
      handler.on_body(std::string_view(buffer.data(), *n));
    }
    body.cancel();
    handler.on_end(make_error(ErrorKind::cancelled, "The request was cancelled."));
  }

  Transport& transport_;
  std::deque<Pending> queue_;
  Id next_id_ = 0;
  Id running_ = 0;
  bool running_cancelled_ = false;
  std::mutex wake_mutex_;
  std::condition_variable woken_;
  bool woken_flag_ = false;
};

}  // namespace

std::unique_ptr<TransferDriver> Transport::make_driver() {
  return std::make_unique<SequentialDriver>(*this);
}

}  // namespace lemma
