#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>

#include "lemma/clock.hpp"
#include "lemma/curl_transport.hpp"
#include "lemma/headers.hpp"
#include "lemma/http.hpp"
#include "lemma/observer.hpp"
#include "lemma/rate_limit.hpp"
#include "lemma/retry.hpp"
#include "lemma/sse_parser.hpp"

namespace lemma {

/// Client-wide settings. Every field has a documented default.
struct ClientOptions {
  /// The transport to use; null (default) = a CurlTransport built from `curl`.
  std::shared_ptr<Transport> transport;
  /// Settings for the default CurlTransport (ignored when `transport` is set).
  CurlTransportOptions curl;
  /// Time allowed to connect (TCP + TLS). Default 10 s.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  /// Time allowed for one whole call, from sending to the last byte. Default 600 s: math models
  /// can think for minutes.
  std::chrono::milliseconds timeout{std::chrono::seconds(600)};
  /// Largest accepted response body (after decompression); larger is a protocol error. Default
  /// 64 MiB.
  std::size_t max_response_bytes = kDefaultMaxResponseBytes;
  /// Streams: largest accepted stream body (all its bytes, after decompression); beyond it the
  /// stream ends with a protocol error and the chunks already delivered stay in response().
  /// Default 256 MiB (kDefaultMaxStreamBytes).
  std::size_t max_stream_bytes = kDefaultMaxStreamBytes;
  /// Headers added to every request; they never replace a header the provider set (so never its
  /// credentials). Framing headers (Content-Length, Transfer-Encoding, Host, Connection,
  /// Keep-Alive, TE, Trailer, Upgrade) and line breaks are an invalid_request Error before any
  /// I/O.
  Headers default_headers;
  /// Receives start/attempt/first-token/chunk/end events of every call (e.g. lemma::Metrics).
  /// Default: none.
  std::shared_ptr<Observer> observer;
  /// Receives log lines at or above log_level. Default: none (silent).
  LogSink log_sink;
  /// Lowest level passed to log_sink. Default: info.
  LogLevel log_level = LogLevel::info;
  /// When and how failed calls are retried (default: 2 retries, 0.5 s doubling to 8 s with
  /// full jitter, Retry-After obeyed up to 60 s).
  RetryPolicy retry;
  /// The time source of retry waits and deadlines; null (default) = Clock::steady(). Tests
  /// inject lemma::testing::FakeClock to record the waits instead of sleeping.
  std::shared_ptr<const Clock> clock;

  /// Streams: longest silence between two received bytes before the stream fails with a
  /// `timeout` error that says "idle". Keep-alive comments count as bytes. Default 120 s.
  std::chrono::milliseconds stream_idle_timeout{std::chrono::seconds(120)};
  /// Streams: optional limit on a whole stream, from sending to the last byte; 0 (default) =
  /// none, since a long proof can legitimately stream for many minutes.
  std::chrono::milliseconds stream_timeout{0};
  /// Streams: limits on one SSE line and one event (default 16 MiB each).
  SseParserOptions sse;

  /// At most this many calls of this Client (chat, stream, models, health) are in flight at
  /// once; more wait their turn, first come first served, and the wait is reported as
  /// CallOutcome::queue_time. A stream holds its place until its body ends, fails, is cancelled
  /// or is destroyed. Protects a self-hosted server (or a provider's concurrency quota) from
  /// a burst of calls. 0 (default) = no limit.
  std::size_t max_concurrent_calls = 0;
  /// Requests and tokens per minute this Client keeps to (see RateLimit); calls beyond them
  /// wait in the same queue as max_concurrent_calls. Default: no limit of its own (the
  /// server's x-ratelimit-* headers and 429s are still obeyed). Negative values are an
  /// invalid_request Error.
  RateLimit rate_limit;
  /// Longest wait for a place when max_concurrent_calls calls are in flight; then the call
  /// fails with a `timeout` Error whose code is "queue_timeout" and nothing is sent. A call's
  /// cancellation token also ends the wait. 0 = no limit; negative is an invalid_request
  /// Error. Default 600 s.
  std::chrono::milliseconds queue_timeout{std::chrono::seconds(600)};
};

/// Per-call overrides of ClientOptions.
struct CallOptions {
  /// Overrides ClientOptions::timeout (for chat/models) or ClientOptions::stream_timeout (for
  /// stream) for this call.
  std::optional<std::chrono::milliseconds> timeout;
  /// Overrides ClientOptions::stream_idle_timeout for this call.
  std::optional<std::chrono::milliseconds> idle_timeout;
  /// Headers added to this call only. They replace the provider's headers of the same name,
  /// except its credentials (Authorization, api-key, x-api-key...): the provider's key is always
  /// the one sent (a warning is logged). Framing headers and line breaks are refused as in
  /// ClientOptions::default_headers.
  Headers headers;
  /// Cancels the call when cancelled from any thread (also during a retry backoff); the call
  /// returns a `cancelled` error.
  std::shared_ptr<const CancellationToken> cancellation;
  /// Overrides ClientOptions::retry for this call.
  std::optional<RetryPolicy> retry;
};

}  // namespace lemma
