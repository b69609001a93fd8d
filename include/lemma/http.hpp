#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lemma/export.hpp"
#include "lemma/headers.hpp"
#include "lemma/result.hpp"

namespace lemma {

/// Default bound on a whole (non-streamed) response body: 64 MiB.
inline constexpr std::size_t kDefaultMaxResponseBytes = std::size_t{64} * 1024 * 1024;
/// Default bound on a streamed body: 256 MiB. Larger than for whole responses because SSE
/// framing repeats a chunk's JSON envelope per token: a 128K-token proof is ~40 MB of events,
/// several times that with logprobs.
inline constexpr std::size_t kDefaultMaxStreamBytes = std::size_t{256} * 1024 * 1024;

/// A cooperative cancellation flag shared between a caller and an operation in flight.
///
/// Thread-safe: cancel() may be called from any thread; it also wakes a retry backoff that is
/// waiting on the token.
class LEMMA_EXPORT CancellationToken {
 public:
  /// Requests cancellation.
  void cancel() noexcept;
  /// True once cancel() was called.
  bool is_cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }
  /// Waits up to `duration`; returns true (at once) when cancelled.
  bool wait_for(std::chrono::milliseconds duration) const;

  /// Runs a callback when the token is cancelled, for as long as it lives: how a transfer in
  /// flight or an event loop is woken at once instead of polling the token. The callback runs
  /// on the thread that calls cancel() (at once, on this thread, when already cancelled); it
  /// must be quick and must not use the token. Move-only.
  class LEMMA_EXPORT Subscription {
   public:
    Subscription() = default;
    /// Subscribes `callback` to `token` (may be null: then nothing happens).
    Subscription(const CancellationToken* token, std::function<void()> callback);
    /// Takes over `other`'s subscription.
    Subscription(Subscription&& other) noexcept;
    /// Unsubscribes this one, then takes over `other`'s.
    Subscription& operator=(Subscription&& other) noexcept;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    /// Unsubscribes: once it returns, the callback is not running and will not run.
    ~Subscription();

   private:
    void reset() noexcept;
    const CancellationToken* token_ = nullptr;
    std::uint64_t id_ = 0;
  };

 private:
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable woken_;
  mutable std::uint64_t next_subscription_ = 0;
  mutable std::vector<std::pair<std::uint64_t, std::function<void()>>> callbacks_;
};

/// An HTTP request as a transport sends it. Providers build these; transports send them.
struct LEMMA_EXPORT HttpRequest {
  /// "GET" or "POST".
  std::string method = "POST";
  /// Absolute http:// or https:// URL.
  std::string url;
  /// Header fields (Authorization, Content-Type, ...).
  Headers headers;
  /// Request body (JSON for chat requests; empty for GET).
  std::string body;
  /// Time allowed to establish the connection (TCP + TLS). Default 10 s.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  /// Time allowed for the whole exchange, from start to the last body byte; 0 = no limit.
  /// Default 600 s.
  std::chrono::milliseconds timeout{std::chrono::seconds(600)};
  /// Longest silence allowed between two received bytes (headers or body); 0 = no limit.
  /// Default 0; Client::stream() sets ClientOptions::stream_idle_timeout.
  std::chrono::milliseconds idle_timeout{0};
  /// Largest body the transport accepts, counted as delivered (after any decompression), for
  /// send() and open() alike: larger is a protocol error. Default 64 MiB; Client sets
  /// ClientOptions::max_response_bytes, or max_stream_bytes for streams.
  std::size_t max_response_bytes = kDefaultMaxResponseBytes;
  /// Optional cancellation flag, polled while the request is in flight.
  std::shared_ptr<const CancellationToken> cancellation;

  /// Method, URL, redacted headers and body size, for debugging: never includes credentials.
  std::string to_redacted_string() const;
};

/// A complete HTTP response.
struct HttpResponse {
  /// HTTP status code, e.g. 200.
  int status = 0;
  /// Response header fields.
  Headers headers;
  /// The whole response body.
  std::string body;
  /// Time spent connecting (TCP + TLS) when the transport reports it; zero for a reused
  /// connection.
  std::optional<std::chrono::milliseconds> connect_time;

  /// True for 2xx statuses.
  bool is_success() const noexcept { return status >= 200 && status < 300; }
};

/// A response whose body is pulled as it arrives (server-sent events, large bodies).
///
/// Status and headers are known when the stream is returned; `read()` yields body bytes.
/// Belongs to one thread, except cancel(), which any thread may call.
class LEMMA_EXPORT ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  /// HTTP status code.
  virtual int status() const noexcept = 0;
  /// Response header fields.
  virtual const Headers& headers() const noexcept = 0;
  /// Reads up to `capacity` body bytes into `buffer`, blocking until at least one byte, the end
  /// of the body (returns 0) or an error (timeout, connection reset, cancellation).
  virtual Result<std::size_t> read(char* buffer, std::size_t capacity) = 0;
  /// Stops the transfer: a read() in progress or the next one returns a `cancelled` error.
  virtual void cancel() noexcept = 0;
  /// Time spent connecting (TCP + TLS), when the transport knows it; zero for a reused
  /// connection.
  virtual std::optional<std::chrono::milliseconds> connect_time() const noexcept {
    return std::nullopt;
  }
  /// The reader has everything it wants: discard the rest of the body for at most `grace`, so
  /// that the connection can be reused. The default does nothing (the connection is closed).
  virtual void discard_rest(std::chrono::milliseconds grace) { (void)grace; }

  /// Reads the rest of the body; a protocol error when it exceeds `max_bytes`.
  Result<std::string> read_all(std::size_t max_bytes = kDefaultMaxResponseBytes);
};

/// Receives the events of one transfer a TransferDriver runs; called on the driver's thread
/// (the Client's event loop), in this order: on_headers once (unless the transfer fails
/// before), on_body any number of times, on_end exactly once. A handler must not block.
class LEMMA_EXPORT TransferHandler {
 public:
  virtual ~TransferHandler() = default;
  /// The final status and headers arrived (after any 1xx).
  virtual void on_headers(int status, const Headers& headers) = 0;
  /// Body bytes as they arrive (after decompression), within the request's
  /// max_response_bytes.
  virtual void on_body(std::string_view bytes) = 0;
  /// The transfer ended: no error when the whole body arrived, else what went wrong (as
  /// ResponseStream::read() reports it, `cancelled` after TransferDriver::cancel()).
  virtual void on_end(std::optional<Error> error) = 0;
};

/// Drives many transfers at once from one thread: a Client's event loop owns one, made by
/// Transport::make_driver(). Every method but wakeup() is called on that thread only.
class LEMMA_EXPORT TransferDriver {
 public:
  /// Names one transfer of this driver.
  using Id = std::uint64_t;
  virtual ~TransferDriver() = default;
  /// Starts `request`; its events go to `handler`, which must outlive the transfer (until
  /// on_end). An Error here means nothing was started and no event follows.
  virtual Result<Id> start(const HttpRequest& request, TransferHandler& handler) = 0;
  /// Stops transfer `id` at once and closes its connection; its handler gets
  /// on_end(cancelled) before cancel() returns. Unknown or ended ids are ignored.
  virtual void cancel(Id id) = 0;
  /// Moves every transfer forward: waits for network activity for at most `timeout` (less
  /// when wakeup() is called), then delivers the events that arrived.
  virtual void run_once(std::chrono::milliseconds timeout) = 0;
  /// Makes a run_once() in progress (or the next one) return early. Any thread may call it.
  virtual void wakeup() noexcept = 0;
};

/// Moves bytes: the seam between lemma and the network. Implement it to bring your own HTTP
/// stack; lemma ships CurlTransport (default) and testing::MockTransport.
///
/// Implementations must be safe to call from several threads at once.
class LEMMA_EXPORT Transport {
 public:
  virtual ~Transport() = default;
  /// Sends `request` and returns the whole response (any status), or a connection, timeout,
  /// cancelled or protocol error (body over request.max_response_bytes).
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
  /// Sends `request` and returns once status and headers arrived; the body is pulled from the
  /// returned stream.
  virtual Result<std::unique_ptr<ResponseStream>> open(const HttpRequest& request) = 0;
  /// A driver that runs many transfers from one thread (a Client's event loop); each call
  /// makes a new one. The default runs each transfer with open() on that thread, one at a
  /// time (each blocks the others until its body has arrived): fine for test doubles,
  /// override it to run transfers concurrently. CurlTransport overrides it (one curl multi
  /// handle).
  virtual std::unique_ptr<TransferDriver> make_driver();
};

}  // namespace lemma
