#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>

#include "lemma/curl_transport.hpp"
#include "lemma/headers.hpp"
#include "lemma/http.hpp"

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
  /// Largest accepted response body; larger is a protocol error. Default 64 MiB.
  std::size_t max_response_bytes = kDefaultMaxResponseBytes;
  /// Headers added to every request (a provider's auth header is not overridden by these).
  Headers default_headers;
};

/// Per-call overrides of ClientOptions.
struct CallOptions {
  /// Overrides ClientOptions::timeout for this call.
  std::optional<std::chrono::milliseconds> timeout;
  /// Headers added to this call only.
  Headers headers;
  /// Cancels the call when cancelled from any thread; the call returns a `cancelled` error.
  std::shared_ptr<const CancellationToken> cancellation;
};

}  // namespace lemma
