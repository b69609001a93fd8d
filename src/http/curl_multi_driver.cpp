#include "http/curl_multi_driver_private.hpp"

#include <algorithm>

namespace lemma::detail {

struct CurlMultiDriver::Active final : CurlTransfer::Receiver {
  Active(Id transfer_id, std::shared_ptr<CurlShare> share, CurlEasyPtr easy,
         const HttpRequest& request, const CurlTransportOptions& options, TransferHandler& sink)
      : id(transfer_id),
        handler(sink),
        transfer(std::move(share), std::move(easy), request, options, *this) {}

  void headers_done() override {
    if (!cancel_requested) handler.on_headers(transfer.status(), transfer.headers());
  }
  bool body(const char* data, std::size_t size) override {
    // After a cancel from inside an event, the rest of this round's bytes are dropped.
    if (!cancel_requested) handler.on_body(std::string_view(data, size));
    return true;
  }

  Id id;
  TransferHandler& handler;
  CurlTransfer transfer;
  bool attached = false;
  bool cancel_requested = false;
};

CurlMultiDriver::CurlMultiDriver(std::shared_ptr<CurlShare> share, CurlTransportOptions options)
    : share_(std::move(share)), options_(std::move(options)), multi_(curl_multi_init()) {
  if (multi_) {
    // HTTP/2 streams share one connection when the server offers it (libcurl with nghttp2).
    curl_multi_setopt(multi_.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  }
}

CurlMultiDriver::~CurlMultiDriver() {
  // Transfers still running belong to calls that are gone: close them quietly.
  for (auto& [id, active] : active_) {
    if (active->attached) curl_multi_remove_handle(multi_.get(), active->transfer.easy());
  }
  active_.clear();
}

Result<TransferDriver::Id> CurlMultiDriver::start(const HttpRequest& request,
                                                  TransferHandler& handler) {
  if (auto error = CurlTransfer::check(request, options_)) return std::move(*error);
  if (!multi_ || !share_->get()) {
    return make_error(ErrorKind::connection, "libcurl could not create its multi handle.");
  }
  CurlEasyPtr easy = share_->acquire_easy();
  if (!easy) return make_error(ErrorKind::connection, "libcurl could not allocate a transfer.");
  const Id id = ++next_id_;
  auto active = std::make_unique<Active>(id, share_, std::move(easy), request, options_, handler);
  if (auto configured = active->transfer.configure(request, options_); !configured) {
    return configured.error();
  }
  curl_easy_setopt(active->transfer.easy(), CURLOPT_PRIVATE, active.get());
  active_.emplace(id, std::move(active));
  pending_.push_back(id);  // added by run_once: a callback may be starting this transfer
  return id;
}

void CurlMultiDriver::cancel(Id id) {
  auto it = active_.find(id);
  if (it == active_.end() || it->second->cancel_requested) return;
  it->second->cancel_requested = true;
  if (in_callbacks_) {
    cancelled_.push_back(id);
    return;
  }
  end(id, it->second->transfer.cancelled());
}

void CurlMultiDriver::end(Id id, std::optional<Error> error) {
  auto it = active_.find(id);
  if (it == active_.end()) return;
  std::unique_ptr<Active> active = std::move(it->second);
  active_.erase(it);
  pending_.erase(std::remove(pending_.begin(), pending_.end(), id), pending_.end());
  // Removing an unfinished transfer closes its connection: nothing half-read is reused.
  if (active->attached) curl_multi_remove_handle(multi_.get(), active->transfer.easy());
  active->attached = false;
  // The handler may start or cancel transfers: the map no longer holds this one.
  active->handler.on_end(std::move(error));
}

void CurlMultiDriver::add_pending() {
  std::vector<Id> pending;
  pending.swap(pending_);
  for (const Id id : pending) {
    auto it = active_.find(id);
    if (it == active_.end()) continue;
    Active& active = *it->second;
    active.transfer.touch();  // the idle clock starts when the transfer does
    if (curl_multi_add_handle(multi_.get(), active.transfer.easy()) != CURLM_OK) {
      end(id, make_error(ErrorKind::connection, "libcurl could not start the transfer."));
      continue;
    }
    active.attached = true;
  }
}

void CurlMultiDriver::collect_done() {
  int queued = 0;
  std::vector<std::pair<Id, std::optional<Error>>> ended;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    void* data = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &data);
    auto* active = static_cast<Active*>(data);
    if (!active) continue;
    active->transfer.finish(message->data.result);
    std::optional<Error> error;
    if (active->cancel_requested) {
      error = active->transfer.cancelled();
    } else if (message->data.result != CURLE_OK) {
      error = active->transfer.error();
    } else if (!active->transfer.headers_complete()) {
      error = protocol_error("The server closed the connection without a complete HTTP response (" +
                             active->transfer.target() + ").");
    }
    ended.emplace_back(active->id, std::move(error));
  }
  // Ended after reading every message: a handler's new transfer must not disturb the walk.
  for (auto& [id, error] : ended) end(id, std::move(error));
}

void CurlMultiDriver::expire_idle(std::chrono::steady_clock::time_point now) {
  std::vector<Id> expired;
  for (const auto& [id, active] : active_) {
    if (active->attached && active->transfer.idle_expired(now)) expired.push_back(id);
  }
  for (const Id id : expired) {
    auto it = active_.find(id);
    if (it == active_.end()) continue;
    it->second->transfer.finish(CURLE_OPERATION_TIMEDOUT, /*idle=*/true);
    end(id, it->second->transfer.error());
  }
}

void CurlMultiDriver::end_cancelled() {
  std::vector<Id> cancelled;
  cancelled.swap(cancelled_);
  for (const Id id : cancelled) {
    auto it = active_.find(id);
    if (it != active_.end()) end(id, it->second->transfer.cancelled());
  }
}

int CurlMultiDriver::wait_ms(std::chrono::milliseconds timeout) const {
  auto wait = timeout;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [id, active] : active_) {
    const auto& t = active->transfer;
    if (!active->attached || t.idle_timeout().count() <= 0) continue;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t.last_activity() +
                                                                            t.idle_timeout() - now);
    wait = std::min(wait, left + std::chrono::milliseconds(1));
  }
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, wait.count()));
}

void CurlMultiDriver::run_once(std::chrono::milliseconds timeout) {
  if (!multi_) return;
  add_pending();
  curl_multi_poll(multi_.get(), nullptr, 0, pending_.empty() ? wait_ms(timeout) : 0, nullptr);
  int running = 0;
  in_callbacks_ = true;
  curl_multi_perform(multi_.get(), &running);
  in_callbacks_ = false;
  end_cancelled();
  collect_done();
  expire_idle(std::chrono::steady_clock::now());
}

void CurlMultiDriver::wakeup() noexcept {
  if (multi_) curl_multi_wakeup(multi_.get());
}

}  // namespace lemma::detail
