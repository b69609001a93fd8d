#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http/curl_handles_private.hpp"
#include "http/curl_transfer_private.hpp"
#include "lemma/curl_transport.hpp"
#include "lemma/http.hpp"

namespace lemma::detail {

/// The blocking driver: one transfer driven by a private curl multi handle from the calling
/// thread (no thread per request). read() pulls body bytes as they arrive; a bounded buffer
/// pauses the transfer when the consumer is slower than the network. Cancellation (cancel()
/// or the request's token) wakes the wait at once through curl_multi_wakeup.
class CurlStream final : public ResponseStream, private CurlTransfer::Receiver {
 public:
  /// Starts `request` and returns once status and headers have arrived.
  static Result<std::unique_ptr<CurlStream>> start(const CurlTransportOptions& options,
                                                   std::shared_ptr<CurlShare> share,
                                                   const HttpRequest& request);
  ~CurlStream() override;
  CurlStream(const CurlStream&) = delete;
  CurlStream& operator=(const CurlStream&) = delete;

  int status() const noexcept override { return transfer_.status(); }
  const Headers& headers() const noexcept override { return transfer_.headers(); }
  Result<std::size_t> read(char* buffer, std::size_t capacity) override;
  void cancel() noexcept override;
  void discard_rest(std::chrono::milliseconds grace) override;
  std::optional<std::chrono::milliseconds> connect_time() const noexcept override {
    return transfer_.connect_time();
  }

  /// Bytes buffered but not yet read; the transfer pauses above kMaxBuffered.
  static constexpr std::size_t kMaxBuffered = 1 << 20;

  /// Prepares (does not start) a transfer; use start().
  CurlStream(std::shared_ptr<CurlShare> share, CurlHandles handles, const HttpRequest& request,
             const CurlTransportOptions& options);

 private:
  bool body(const char* data, std::size_t size) override;
  template <typename Predicate>
  Result<Done> drive_until(Predicate done);
  // One round: perform, collect the end; false when the multi handle failed.
  bool perform();
  bool is_cancelled() const noexcept;
  Error abort_cancelled();
  void detach() noexcept;
  std::size_t buffered() const noexcept { return buffer_.size() - buffer_pos_; }
  std::size_t take(char* out, std::size_t capacity);

  CurlMultiPtr multi_;
  CurlTransfer transfer_;
  std::shared_ptr<CurlShare> share_;  // takes the multi handle back
  std::shared_ptr<const CancellationToken> token_;
  std::atomic<bool> cancelled_{false};
  CancellationToken::Subscription wake_on_cancel_;  // declared after multi_: gone before it
  bool attached_ = false;
  std::string buffer_;
  std::size_t buffer_pos_ = 0;
  bool paused_ = false;
  bool done_ = false;
};

}  // namespace lemma::detail
