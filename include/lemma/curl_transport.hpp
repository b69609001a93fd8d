#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "lemma/export.hpp"
#include "lemma/http.hpp"

namespace lemma {

/// Settings of the libcurl transport. Every field has a safe default.
struct CurlTransportOptions {
  /// PEM file of CA certificates to trust instead of the system store ("" = system default).
  std::string ca_bundle_path;
  /// PEM client certificate for mutual TLS ("" = none).
  std::string client_certificate_path;
  /// PEM private key of client_certificate_path ("" = none, or inside the certificate file).
  std::string client_key_path;
  /// Proxy URL, e.g. "http://proxy:3128". "" = libcurl's environment variables apply
  /// (https_proxy, http_proxy, no_proxy).
  std::string proxy;
  /// DANGER: accept any TLS certificate and host name. Off by default; only for test servers.
  bool insecure_skip_tls_verify = false;
  /// User-Agent header sent unless the request (or a caller's header) sets its own, also through
  /// a Client (default "lemma/<version>"). A line break or NUL in it is an invalid_request Error
  /// before any I/O.
  std::string user_agent;
  /// Largest accepted response header block; larger is a protocol error. Default 256 KiB.
  std::size_t max_header_bytes = 256 * 1024;
  /// How many idle connections to keep open for reuse.
  long max_idle_connections = 16;
};

/// The default Transport: libcurl with connection reuse (keep-alive) across requests and
/// threads, TLS verification on, no redirects, and no thread per request.
///
/// Thread-safe: one CurlTransport serves any number of threads; connections, DNS results and
/// TLS sessions are shared between them.
class LEMMA_EXPORT CurlTransport : public Transport {
 public:
  /// Creates a transport; initialises libcurl once per process on first use.
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  /// Sends the request and reads the whole body (bounded by request.max_response_bytes).
  Result<HttpResponse> send(const HttpRequest& request) override;
  /// Sends the request and returns when status and headers arrived.
  Result<std::unique_ptr<ResponseStream>> open(const HttpRequest& request) override;
  /// A driver over one curl multi handle: many transfers from one thread, sharing this
  /// transport's connection pool (HTTP/1.1 keep-alive; HTTP/2 multiplexing when the server
  /// offers it and libcurl has nghttp2).
  std::unique_ptr<TransferDriver> make_driver() override;

  /// The options this transport was created with.
  const CurlTransportOptions& options() const noexcept;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace lemma
