#include "http/curl_transfer_private.hpp"

#include <algorithm>
#include <cstdlib>

#include "core/request_headers_private.hpp"
#include "lemma/url.hpp"
#include "lemma/version.hpp"

namespace lemma::detail {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

long as_curl_ms(std::chrono::milliseconds value) {
  return static_cast<long>(std::max<std::chrono::milliseconds::rep>(0, value.count()));
}

}  // namespace

std::optional<Error> CurlTransfer::check(const HttpRequest& request,
                                         const CurlTransportOptions& options) {
  if (auto url = Url::parse(request.url); !url) return url.error();
  if (auto error = check_user_agent(options.user_agent)) return error;
  for (const auto& [name, value] : request.headers) {
    if (auto error = check_caller_header("HttpRequest::headers", name, value)) return error;
  }
  return std::nullopt;
}

CurlTransfer::CurlTransfer(std::shared_ptr<CurlShare> share, CurlEasyPtr easy,
                           const HttpRequest& request, const CurlTransportOptions& options,
                           Receiver& receiver)
    : share_(std::move(share)),
      easy_(std::move(easy)),
      receiver_(receiver),
      request_body_(request.body),
      method_(request.method),
      url_(request.url),
      timeout_(request.timeout),
      connect_timeout_(request.connect_timeout),
      idle_timeout_(request.idle_timeout),
      last_activity_(std::chrono::steady_clock::now()),
      max_header_bytes_(options.max_header_bytes),
      max_body_bytes_(request.max_response_bytes) {}

std::string CurlTransfer::target() const {
  auto url = Url::parse(url_);
  return method_ + " " + (url ? url->to_string() : std::string("(invalid URL)"));
}

CurlTransfer::~CurlTransfer() {
  share_->release_easy(std::move(easy_));
}

Error CurlTransfer::cancelled() const {
  return make_error(ErrorKind::cancelled, "The request was cancelled (" + target() + ").");
}

Error CurlTransfer::error() const {
  if (result_ == CURLE_ABORTED_BY_CALLBACK) return cancelled();
  Error error = describe();
  // The status received, for information; the phase is what retries go by: once a status
  // arrived the server has started answering, and repeating the request could repeat its work.
  error.http_status = status_;
  if (status_ != 0) error.phase = ErrorPhase::response_started;
  // The body ended before the length or last chunk it announced: the same code as a stream
  // without [DONE], so that a stream cut before its first chunk is recognised as cut.
  if (result_ == CURLE_PARTIAL_FILE) error.code = "truncated";
  return error;
}

Result<Done> CurlTransfer::configure(const HttpRequest& request,
                                     const CurlTransportOptions& options) {
  CURL* e = easy_.get();
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(e, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_SHARE, share_->get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &CurlTransfer::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &CurlTransfer::on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, as_curl_ms(request.connect_timeout));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, as_curl_ms(request.timeout));
  // POST must not be replayed to another URL silently; redirects are reported, not followed.
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  curl_easy_setopt(e, CURLOPT_MAXCONNECTS, options.max_idle_connections);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options.insecure_skip_tls_verify ? 0L : 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options.insecure_skip_tls_verify ? 0L : 2L);
  if (!options.ca_bundle_path.empty())
    curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_bundle_path.c_str());
  if (!options.client_certificate_path.empty()) {
    curl_easy_setopt(e, CURLOPT_SSLCERT, options.client_certificate_path.c_str());
  }
  if (!options.client_key_path.empty())
    curl_easy_setopt(e, CURLOPT_SSLKEY, options.client_key_path.c_str());
  if (!options.proxy.empty()) curl_easy_setopt(e, CURLOPT_PROXY, options.proxy.c_str());
  // The progress callback is not used for cancellation (drive_until polls the flags), but
  // NOPROGRESS stays on to keep curl from computing progress meters.
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 1L);

  if (request.method == "POST") {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, request_body_.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_body_.size()));
  } else if (request.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request_body_.empty()) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, request_body_.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request_body_.size()));
    }
  }

  curl_slist* list = nullptr;
  auto append = [&list](const std::string& line) -> bool {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (!next) return false;
    list = next;
    return true;
  };
  bool ok = true;
  for (const auto& [name, value] : request.headers) ok = ok && append(name + ": " + value);
  // An empty "Expect:" stops curl from waiting for 100-continue before sending large bodies.
  ok = ok && append("Expect:");
  if (!request.headers.contains("User-Agent")) {
    ok =
        ok && append("User-Agent: " + (options.user_agent.empty() ? std::string("lemma/") + kVersion
                                                                  : options.user_agent));
  }
  header_list_.reset(list);
  if (!ok) return make_error(ErrorKind::connection, "libcurl could not allocate the header list.");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list_.get());
  return Done{};
}

std::size_t CurlTransfer::on_header(char* data, std::size_t size, std::size_t count,
                                    void* self_ptr) {
  auto& self = *static_cast<CurlTransfer*>(self_ptr);
  const std::size_t length = size * count;
  self.last_activity_ = std::chrono::steady_clock::now();
  self.header_bytes_ += length;
  if (self.header_bytes_ > self.max_header_bytes_) {
    self.headers_too_large_ = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  const std::string_view line = trim(std::string_view(data, length));
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after 1xx): forget the previous block.
    self.headers_ = Headers();
    self.headers_complete_ = false;
    const auto space = line.find(' ');
    self.status_ = space == std::string_view::npos
                       ? 0
                       : std::atoi(std::string(line.substr(space + 1, 3)).c_str());
  } else if (line.empty()) {
    if (self.status_ >= 200 && !self.headers_complete_) {
      self.headers_complete_ = true;
      self.receiver_.headers_done();
    }
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    self.headers_.add(std::string(trim(line.substr(0, colon))),
                      std::string(trim(line.substr(colon + 1))));
  }
  return length;
}

std::size_t CurlTransfer::on_body(char* data, std::size_t size, std::size_t count, void* self_ptr) {
  auto& self = *static_cast<CurlTransfer*>(self_ptr);
  const std::size_t length = size * count;
  if (!self.headers_complete_) {
    self.headers_complete_ = true;  // body bytes imply the header block ended
    self.receiver_.headers_done();
  }
  self.last_activity_ = std::chrono::steady_clock::now();
  // Counted as delivered, i.e. after any gzip/deflate decoding libcurl does: a compression
  // bomb stops at the limit instead of being inflated whole.
  if (length > self.max_body_bytes_ - std::min(self.body_bytes_, self.max_body_bytes_)) {
    self.body_too_large_ = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  if (!self.receiver_.body(data, length)) return CURL_WRITEFUNC_PAUSE;
  self.body_bytes_ += length;
  return length;
}

std::optional<std::chrono::milliseconds> CurlTransfer::connect_time() const noexcept {
  curl_off_t connect_us = 0;
  if (curl_easy_getinfo(easy_.get(), CURLINFO_CONNECT_TIME_T, &connect_us) != CURLE_OK) {
    return std::nullopt;
  }
  // For TLS, the handshake ends at APPCONNECT; 0 there means plain HTTP.
  curl_off_t tls_us = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_APPCONNECT_TIME_T, &tls_us);
  return std::chrono::milliseconds(std::max(connect_us, tls_us) / 1000);
}

namespace {

// libcurl's OpenSSL/GnuTLS messages for a certificate that does not name the host.
bool is_host_name_mismatch(const std::string& detail) {
  return detail.find("does not match target host name") != std::string::npos ||
         detail.find("no alternative certificate subject name matches") != std::string::npos ||
         detail.find("does not match target hostname") != std::string::npos;
}

}  // namespace

Error CurlTransfer::describe() const {
  const std::string detail =
      error_buffer_[0] != '\0' ? std::string(error_buffer_) : curl_easy_strerror(result_);
  const std::string where = " (" + target() + ")";
  curl_off_t connect_us = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_CONNECT_TIME_T, &connect_us);
  const bool connected = connect_us > 0 || status_ != 0;
  switch (result_) {
    case CURLE_OPERATION_TIMEDOUT: {
      Error error;
      if (idle_expired_) {
        error = make_error(ErrorKind::timeout,
                           "Idle timeout: nothing was received for " +
                               std::to_string(idle_timeout_.count()) + " ms after " +
                               std::to_string(body_bytes_) + " body bytes" + where +
                               ". The server or a proxy stalled; raise "
                               "ClientOptions::stream_idle_timeout if the model is known to "
                               "pause that long.");
        error.code = "idle_timeout";
      } else if (!connected) {
        error = make_error(ErrorKind::timeout,
                           "Connect timeout: could not connect within " +
                               std::to_string(connect_timeout_.count()) + " ms" + where +
                               ". Check that the server is up and reachable, or raise "
                               "ClientOptions::connect_timeout.");
        error.code = "connect_timeout";
      } else {
        error = make_error(ErrorKind::timeout,
                           "Total timeout: the request took longer than its limit of " +
                               std::to_string(timeout_.count()) + " ms" +
                               (status_ ? " while reading the body" : " waiting for a response") +
                               where +
                               ". Raise ClientOptions::timeout (stream_timeout for streams) or "
                               "CallOptions::timeout for long generations, or lower max_tokens.");
        error.code = "total_timeout";
      }
      return error;
    }
    case CURLE_ABORTED_BY_CALLBACK:
      return make_error(ErrorKind::cancelled, "The request was cancelled" + where + ".");
    case CURLE_WRITE_ERROR:
      if (body_too_large_) {
        return protocol_error("The response body exceeds the limit of " +
                              std::to_string(max_body_bytes_) + " bytes" + where +
                              " (counted after decompression); raise "
                              "ClientOptions::max_response_bytes (max_stream_bytes for streams) "
                              "if that is expected.");
      }
      if (headers_too_large_) {
        return protocol_error("The response headers exceed " + std::to_string(max_header_bytes_) +
                              " bytes" + where +
                              "; raise CurlTransportOptions::max_header_bytes "
                              "if this server is known to send that much.");
      }
      return protocol_error("The response could not be stored" + where + ": " + detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return invalid_request_error("url", "The URL is not usable" + where + ": " + detail);
    case CURLE_PARTIAL_FILE:
      return protocol_error("The response body was cut short after " + std::to_string(body_bytes_) +
                            " bytes: the server closed the connection before the length it "
                            "announced" +
                            where + ".");
    case CURLE_OUT_OF_MEMORY:
      // Before the body, this is libcurl's guard against a giant status or header line
      // (CURL_MAX_HTTP_HEADER, 100 KiB): the server's violation, not worth retrying. curl's
      // own text ("Out of memory") would mislead, so it is not quoted.
      if (!headers_complete_) {
        return protocol_error(
            "The server sent a status or header line longer than libcurl "
            "accepts (100 KiB)" +
            where + ". The server or a proxy in front of it is broken.");
      }
      break;
    case CURLE_RECV_ERROR:
      // libcurl reports malformed chunked framing ("Illegal or missing hexadecimal sequence in
      // chunked-encoding") as a receive error; a real network failure stays `connection`.
      if (detail.find("chunk") != std::string::npos) {
        return protocol_error("The server's chunked body framing is malformed" + where + ": " +
                              detail + ".");
      }
      break;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
#if LIBCURL_VERSION_NUM >= 0x074400
    case CURLE_HTTP2:
#endif
      return protocol_error("The server's reply broke the HTTP protocol" + where + ": " + detail);
    case CURLE_PEER_FAILED_VERIFICATION:
      if (is_host_name_mismatch(detail)) {
        Error error = make_error(
            ErrorKind::connection,
            "TLS verification failed" + where +
                ": the server's certificate is not issued for "
                "the host name in the URL (" +
                detail +
                "). Use the host name the certificate names in the base URL, or have the server's "
                "certificate reissued for this name; configuring a CA bundle cannot fix a wrong "
                "name.");
        error.code = "tls_hostname_mismatch";
        return error;
      }
      [[fallthrough]];
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return make_error(
          ErrorKind::connection,
          "TLS verification failed" + where + ": " + detail +
              ". Configure CurlTransportOptions::ca_bundle_path with the server's CA.");
    default: break;
  }
  return make_error(ErrorKind::connection,
                    (connected ? (status_ ? "The connection broke after " +
                                                std::to_string(body_bytes_) + " body bytes"
                                          : std::string("The connection broke before a response"))
                               : std::string("Could not connect")) +
                        where + ": " + detail + ".");
}

}  // namespace lemma::detail
