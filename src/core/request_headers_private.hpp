#pragma once

// The one place that shapes what a Client sends: headers (the caller's defaults and per-call
// headers, Accept, User-Agent, Idempotency-Key), timeouts and limits. Per call: check the
// caller's headers (before any I/O), then apply everything to the provider's request once.
// Per attempt: the timeout, shortened to the call's deadline. Transports only move bytes.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/retry_run_private.hpp"
#include "core/seed_source_private.hpp"
#include "lemma/client_options.hpp"
#include "lemma/error.hpp"
#include "lemma/http.hpp"

namespace lemma::detail {

/// True for headers that frame the HTTP message or the connection (Content-Length,
/// Transfer-Encoding, Host, Connection and the other hop-by-hop ones): only the transport may
/// set them, since a wrong value desynchronises a kept-alive connection.
bool is_framing_header(std::string_view name) noexcept;

/// The problem with one header field a caller supplied (nullopt when none): an empty name, a
/// colon, CR, LF or NUL in name or value, or a framing header. `origin` names where it came
/// from. The one check for header fields: the Client runs it on the caller's headers before any
/// I/O, and CurlTransport on every request it is given (a transport user may skip the Client).
std::optional<Error> check_caller_header(std::string_view origin, const std::string& name,
                                         const std::string& value);

/// The problem with CurlTransportOptions::user_agent (nullopt when none): CR, LF or NUL, which
/// would inject headers. Checked by the Client and by CurlTransport alike.
std::optional<Error> check_user_agent(std::string_view user_agent);

class RequestShaper {
 public:
  enum class Mode { whole, stream };
  /// Receives a warning (e.g. a caller header that was not applied).
  using Warn = std::function<void(const std::string&)>;

  /// Shapes requests with `options` (the Client's, with its transport already chosen).
  explicit RequestShaper(const ClientOptions& options);

  /// Caller mistakes in ClientOptions::default_headers, CallOptions::headers and the
  /// transport's user agent: an invalid_request Error, to be returned before any I/O.
  std::optional<Error> check(const CallOptions& call) const;

  /// Applies the Client's and the call's settings to a request the provider built: timeouts,
  /// body limit, cancellation, Accept for streams, default headers (never replacing the
  /// provider's), per-call headers (replacing any but the provider's credentials), and
  /// User-Agent (the caller's, else CurlTransportOptions::user_agent, else lemma/<version>).
  void per_call(HttpRequest& request, const CallOptions& call, Mode mode, const Warn& warn) const;

  /// Adds Idempotency-Key (the same for every attempt) when the policy asks for it and the
  /// caller did not set one.
  static void idempotency(HttpRequest& request, const RetryPolicy& policy, SeedSource& seeds);

  /// Before each attempt: the call's timeout, shortened to end by the call's deadline.
  static void per_attempt(HttpRequest& request, std::chrono::milliseconds call_timeout,
                          const RetryRun& run);

  /// The User-Agent this Client sends when the caller sets none.
  const std::string& user_agent() const noexcept { return user_agent_; }

 private:
  const ClientOptions& options_;
  std::string user_agent_;
};

}  // namespace lemma::detail
