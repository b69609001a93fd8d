#pragma once

// One HTTP exchange on one curl easy handle: its options, header and body callbacks, limits,
// and the typed Error its failure maps to. It does not drive itself: CurlStream (blocking,
// one private multi handle) and CurlMultiDriver (the event loop's one multi handle for many
// transfers) do.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http/curl_handles_private.hpp"
#include "lemma/curl_transport.hpp"
#include "lemma/http.hpp"

namespace lemma::detail {

class CurlTransfer {
 public:
  /// Where a transfer's events go; called from inside curl's callbacks.
  class Receiver {
   public:
    virtual ~Receiver() = default;
    /// The final header block ended (status >= 200), before any body byte.
    virtual void headers_done() {}
    /// Body bytes (decoded); false pauses the transfer (curl offers them again after resume).
    virtual bool body(const char* data, std::size_t size) = 0;
  };

  /// Checks what every transport user must get a typed error for before any I/O: the URL, the
  /// user agent and the header fields.
  static std::optional<Error> check(const HttpRequest& request,
                                    const CurlTransportOptions& options);

  /// Prepares `request` on `easy` (from `share`'s pool) for `receiver`, which must outlive it.
  CurlTransfer(std::shared_ptr<CurlShare> share, CurlEasyPtr easy, const HttpRequest& request,
               const CurlTransportOptions& options, Receiver& receiver);
  ~CurlTransfer();
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  /// Sets every option; an Error when libcurl cannot allocate.
  Result<Done> configure(const HttpRequest& request, const CurlTransportOptions& options);

  CURL* easy() const noexcept { return easy_.get(); }
  int status() const noexcept { return status_; }
  const Headers& headers() const noexcept { return headers_; }
  bool headers_complete() const noexcept { return headers_complete_; }
  std::size_t body_bytes() const noexcept { return body_bytes_; }
  /// "METHOD host/path" for messages; never includes headers or the query's secrets. Built
  /// only when a message needs it, so a transfer that succeeds never parses its URL again.
  std::string target() const;

  /// The idle timeout (0 = none) and when a byte last arrived.
  std::chrono::milliseconds idle_timeout() const noexcept { return idle_timeout_; }
  std::chrono::steady_clock::time_point last_activity() const noexcept { return last_activity_; }
  /// True when the idle timeout has passed at `now`.
  bool idle_expired(std::chrono::steady_clock::time_point now) const noexcept {
    return idle_timeout_.count() > 0 && now - last_activity_ >= idle_timeout_;
  }
  /// Restarts the idle clock (after a pause, time spent paused is not silence).
  void touch() noexcept { last_activity_ = std::chrono::steady_clock::now(); }

  /// Records how the transfer ended; `idle` when lemma stopped it for silence.
  void finish(CURLcode result, bool idle = false) noexcept {
    result_ = result;
    idle_expired_ = idle_expired_ || idle;
  }
  CURLcode result() const noexcept { return result_; }
  /// The typed Error for the failed transfer (with its phase: response_started once a status
  /// arrived).
  Error error() const;
  /// The `cancelled` Error.
  Error cancelled() const;
  /// Time spent connecting (TCP + TLS); zero for a reused connection.
  std::optional<std::chrono::milliseconds> connect_time() const noexcept;

 private:
  Error describe() const;
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);

  std::shared_ptr<CurlShare> share_;  // outlives easy_ (declared first, destroyed last)
  CurlEasyPtr easy_;
  Receiver& receiver_;
  CurlSlistPtr header_list_;
  std::string request_body_;
  std::string method_;  // for target()
  std::string url_;     // for target()
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds idle_timeout_;
  std::chrono::steady_clock::time_point last_activity_;
  bool idle_expired_ = false;
  std::size_t max_header_bytes_;
  std::size_t max_body_bytes_;  // request.max_response_bytes, checked on decoded bytes

  int status_ = 0;
  Headers headers_;
  std::size_t header_bytes_ = 0;
  bool headers_complete_ = false;
  bool headers_too_large_ = false;
  bool body_too_large_ = false;
  std::size_t body_bytes_ = 0;

  CURLcode result_ = CURLE_OK;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace lemma::detail
