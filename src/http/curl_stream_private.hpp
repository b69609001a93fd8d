#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "http/curl_handles_private.hpp"
#include "lemma/curl_transport.hpp"
#include "lemma/http.hpp"

namespace lemma::detail {

/// One transfer, driven by its own curl multi handle from the calling thread: no thread per
/// request. read() pulls body bytes as they arrive; a bounded buffer pauses the transfer when
/// the consumer is slower than the network.
class CurlStream final : public ResponseStream {
 public:
  /// Starts `request` and returns once status and headers have arrived.
  static Result<std::unique_ptr<CurlStream>> start(const CurlTransportOptions& options,
                                                   std::shared_ptr<CurlShare> share,
                                                   const HttpRequest& request);
  ~CurlStream() override;
  CurlStream(const CurlStream&) = delete;
  CurlStream& operator=(const CurlStream&) = delete;

  int status() const noexcept override { return status_; }
  const Headers& headers() const noexcept override { return headers_; }
  Result<std::size_t> read(char* buffer, std::size_t capacity) override;
  void cancel() noexcept override;
  void discard_rest(std::chrono::milliseconds grace) override;
  std::optional<std::chrono::milliseconds> connect_time() const noexcept override;

  /// Bytes buffered but not yet read; the transfer pauses above kMaxBuffered.
  static constexpr std::size_t kMaxBuffered = 1 << 20;

  /// Prepares (does not start) a transfer; use start().
  CurlStream(std::shared_ptr<CurlShare> share, const HttpRequest& request,
             const CurlTransportOptions& options);

 private:
  Result<Done> configure(const HttpRequest& request, const CurlTransportOptions& options);
  template <typename Predicate>
  Result<Done> drive_until(Predicate done);
  bool is_cancelled() const noexcept;
  Error abort_cancelled();
  Error transfer_error() const;
  Error describe_transfer_error() const;
  std::size_t buffered() const noexcept { return buffer_.size() - buffer_pos_; }
  std::size_t take(char* out, std::size_t capacity);

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);

  std::shared_ptr<CurlShare> share_;  // outlives easy_ (declared first, destroyed last)
  CurlMultiPtr multi_;
  CurlEasyPtr easy_;
  CurlSlistPtr header_list_;
  std::string request_body_;
  std::string target_;  // "METHOD host/path" for messages; never includes headers
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds idle_timeout_;
  std::chrono::steady_clock::time_point last_activity_;
  bool idle_expired_ = false;
  std::chrono::milliseconds poll_interval_;
  std::size_t max_header_bytes_;
  std::size_t max_body_bytes_;  // request.max_response_bytes, checked on decoded bytes
  std::shared_ptr<const CancellationToken> token_;
  std::atomic<bool> cancelled_{false};
  bool attached_ = false;

  int status_ = 0;
  Headers headers_;
  std::size_t header_bytes_ = 0;
  bool headers_complete_ = false;
  bool headers_too_large_ = false;
  bool body_too_large_ = false;

  std::string buffer_;
  std::size_t buffer_pos_ = 0;
  std::size_t body_bytes_ = 0;
  bool paused_ = false;

  bool done_ = false;
  CURLcode result_ = CURLE_OK;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace lemma::detail
