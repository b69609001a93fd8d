#include "http/curl_stream_private.hpp"

#include <algorithm>
#include <cstring>

namespace lemma::detail {

namespace {

// Without cancellation or an idle timeout to watch, the wait for network activity needs no
// bound: cancel() and the token wake it through curl_multi_wakeup.
constexpr int kLongWaitMs = 60 * 60 * 1000;

}  // namespace

CurlStream::CurlStream(std::shared_ptr<CurlShare> share, CurlHandles handles,
                       const HttpRequest& request, const CurlTransportOptions& options)
    : multi_(std::move(handles.multi)),
      transfer_(share, std::move(handles.easy), request, options, *this),
      share_(std::move(share)),
      token_(request.cancellation) {}

CurlStream::~CurlStream() {
  wake_on_cancel_ = CancellationToken::Subscription();  // no wakeup of a multi handle going away
  detach();
  share_->release_multi(std::move(multi_));
}

void CurlStream::detach() noexcept {
  if (!attached_) return;
  // Removing an unfinished transfer closes its connection: nothing half-read is reused.
  curl_multi_remove_handle(multi_.get(), transfer_.easy());
  attached_ = false;
}

Result<std::unique_ptr<CurlStream>> CurlStream::start(const CurlTransportOptions& options,
                                                      std::shared_ptr<CurlShare> share,
                                                      const HttpRequest& request) {
  // Checked here so that every transport user, not only providers, gets a typed error.
  if (auto error = CurlTransfer::check(request, options)) return std::move(*error);
  CurlHandles handles = share->acquire();
  if (!handles.multi || !handles.easy) {
    return make_error(ErrorKind::connection, "libcurl could not allocate a transfer handle.");
  }
  auto stream =
      std::make_unique<CurlStream>(std::move(share), std::move(handles), request, options);
  if (auto configured = stream->transfer_.configure(request, options); !configured) {
    return configured.error();
  }
  if (curl_multi_add_handle(stream->multi_.get(), stream->transfer_.easy()) != CURLM_OK) {
    return make_error(ErrorKind::connection, "libcurl could not start the transfer.");
  }
  stream->attached_ = true;
  CURLM* multi = stream->multi_.get();
  stream->wake_on_cancel_ = CancellationToken::Subscription(request.cancellation.get(),
                                                            [multi] { curl_multi_wakeup(multi); });
  auto ready = stream->drive_until([&s = *stream] { return s.transfer_.headers_complete(); });
  if (!ready) return ready.error();
  if (!stream->transfer_.headers_complete()) {
    if (stream->transfer_.result() != CURLE_OK) return stream->transfer_.error();
    return protocol_error("The server closed the connection without a complete HTTP response (" +
                          stream->transfer_.target() + ").");
  }
  return stream;
}

bool CurlStream::body(const char* data, std::size_t size) {
  if (buffered() >= kMaxBuffered) {
    paused_ = true;  // backpressure: curl keeps the data and delivers it again on unpause
    return false;
  }
  if (buffer_pos_ > 0 && buffer_pos_ == buffer_.size()) {
    buffer_.clear();
    buffer_pos_ = 0;
  }
  buffer_.append(data, size);
  return true;
}

bool CurlStream::is_cancelled() const noexcept {
  return cancelled_.load(std::memory_order_acquire) || (token_ && token_->is_cancelled());
}

void CurlStream::cancel() noexcept {
  cancelled_.store(true, std::memory_order_release);
  if (multi_) curl_multi_wakeup(multi_.get());
}

Error CurlStream::abort_cancelled() {
  detach();
  done_ = true;
  transfer_.finish(CURLE_ABORTED_BY_CALLBACK);
  return transfer_.cancelled();
}

bool CurlStream::perform() {
  int running = 0;
  if (curl_multi_perform(multi_.get(), &running) != CURLM_OK) return false;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg == CURLMSG_DONE) {
      done_ = true;
      transfer_.finish(message->data.result);
    }
  }
  return true;
}

template <typename Predicate>
Result<Done> CurlStream::drive_until(Predicate done) {
  while (true) {
    if (is_cancelled()) return abort_cancelled();
    if (done_) return Done{};
    if (!perform()) {
      done_ = true;
      transfer_.finish(CURLE_FAILED_INIT);
      return make_error(ErrorKind::connection, "libcurl failed to drive the transfer.");
    }
    if (done() || done_) return Done{};
    int wait_ms = kLongWaitMs;
    if (transfer_.idle_timeout().count() > 0 && !paused_) {
      const auto now = std::chrono::steady_clock::now();
      if (transfer_.idle_expired(now)) {
        detach();  // closes the silent connection
        done_ = true;
        transfer_.finish(CURLE_OPERATION_TIMEDOUT, /*idle=*/true);
        return transfer_.error();
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          transfer_.last_activity() + transfer_.idle_timeout() - now);
      wait_ms = static_cast<int>(
          std::clamp<std::chrono::milliseconds::rep>(left.count() + 1, 1, kLongWaitMs));
    }
    curl_multi_poll(multi_.get(), nullptr, 0, wait_ms, nullptr);
  }
}

void CurlStream::discard_rest(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!done_ && std::chrono::steady_clock::now() < deadline) {
    buffer_.clear();
    buffer_pos_ = 0;
    if (paused_) {
      paused_ = false;
      curl_easy_pause(transfer_.easy(), CURLPAUSE_CONT);
    }
    if (!perform()) return;
    if (!done_) curl_multi_poll(multi_.get(), nullptr, 0, 10, nullptr);
  }
  buffer_.clear();
  buffer_pos_ = 0;
}

std::size_t CurlStream::take(char* out, std::size_t capacity) {
  const std::size_t n = std::min(capacity, buffered());
  std::memcpy(out, buffer_.data() + buffer_pos_, n);
  buffer_pos_ += n;
  if (buffer_pos_ == buffer_.size()) {
    buffer_.clear();
    buffer_pos_ = 0;
  }
  return n;
}

Result<std::size_t> CurlStream::read(char* buffer, std::size_t capacity) {
  if (capacity == 0) return std::size_t{0};
  if (buffered() > 0) return take(buffer, capacity);
  if (paused_ && !done_) {
    paused_ = false;
    transfer_.touch();  // time spent paused was the reader's, not the server's silence
    curl_easy_pause(transfer_.easy(), CURLPAUSE_CONT);
    if (buffered() > 0) return take(buffer, capacity);
  }
  if (is_cancelled() && !done_) return abort_cancelled();
  if (!done_) {
    auto driven = drive_until([this] { return buffered() > 0; });
    if (!driven) return driven.error();
    if (buffered() > 0) return take(buffer, capacity);
  }
  if (transfer_.result() != CURLE_OK) return transfer_.error();
  return std::size_t{0};
}

}  // namespace lemma::detail
