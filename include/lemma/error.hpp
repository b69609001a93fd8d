#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lemma/export.hpp"

namespace lemma {

/// What went wrong, in a form code can branch on. Each value says whether a retry can help.
enum class ErrorKind {
  /// The request was refused as malformed (by lemma before sending, or HTTP 400/413/422). Fix the
  /// request; retrying the same request cannot help.
  invalid_request,
  /// The API key is missing, wrong or revoked (HTTP 401). Check the key; do not retry.
  authentication,
  /// The key is valid but may not use this model or endpoint (HTTP 403). Do not retry.
  permission_denied,
  /// The model, endpoint or base URL path does not exist (HTTP 404). Check model name and URL.
  not_found,
  /// Too many requests (HTTP 429). Retrying after `retry_after` can help.
  rate_limited,
  /// The account's quota or credit is exhausted (e.g. `insufficient_quota`). Retrying cannot help.
  quota_exceeded,
  /// The server failed (HTTP 5xx). A retry may help.
  server_error,
  /// A connect, request or idle timeout fired (or HTTP 408). A retry may help.
  timeout,
  /// No connection could be made or it broke before a response (DNS, refused, reset, TLS).
  connection,
  /// The caller cancelled the call.
  cancelled,
  /// The server's reply broke the protocol: malformed JSON, wrong content type, truncated or
  /// oversized body. Retrying rarely helps; report it to the server's operator.
  protocol,
  /// The provider reported a failure lemma has no more specific kind for (e.g. an envelope's
  /// `success: false` with an unknown code).
  provider,
};

/// Returns the kind's name as written above, e.g. "rate_limited".
LEMMA_EXPORT std::string_view to_string(ErrorKind kind) noexcept;

/// Maps an HTTP status code to an ErrorKind (the one table lemma uses for every provider).
LEMMA_EXPORT ErrorKind error_kind_for_status(int http_status) noexcept;

/// Where in the exchange a call failed; decides whether a retry could repeat work.
enum class ErrorPhase {
  /// lemma's own checks, before anything was sent: an invalid request, a queue timeout, a call
  /// cancelled while waiting for its (next) attempt.
  before_send,
  /// The request may have been sent but no response status arrived: connection refused or
  /// reset, TLS, a connect or total timeout while waiting. For a stream: also a connection cut
  /// after the headers but before the stream's first chunk (nothing reached the caller).
  before_response,
  /// The status and headers arrived: an HTTP error, or a body that broke or failed to decode.
  response_started,
  /// A stream had delivered at least one chunk to the caller; a retry would repeat tokens.
  mid_stream,
};

/// Returns the phase's name as written above, e.g. "before_response".
LEMMA_EXPORT std::string_view to_string(ErrorPhase phase) noexcept;

/// Why lemma stopped retrying a call.
enum class GiveUpReason {
  /// lemma did not give up: the call made no attempt (e.g. refused before sending) or the
  /// Error was not produced by a Client's retry loop.
  none,
  /// The last error cannot be helped by a retry (Error::is_retryable() is false).
  not_retryable,
  /// RetryPolicy::max_retries retries were made.
  attempts_exhausted,
  /// The next attempt would have started after RetryPolicy::total_deadline.
  deadline,
  /// The server asked to wait longer than RetryPolicy::max_retry_after.
  retry_after_too_long,
  /// The call was cancelled while waiting to retry.
  cancelled,
};

/// Returns the reason's name as written above, e.g. "attempts_exhausted".
LEMMA_EXPORT std::string_view to_string(GiveUpReason reason) noexcept;

/// One failed attempt of a call, as recorded in Error::history.
struct AttemptRecord {
  /// 1-based attempt number.
  int attempt = 0;
  /// What went wrong.
  ErrorKind kind = ErrorKind::provider;
  /// HTTP status, 0 when there was no response.
  int http_status = 0;
  /// How long lemma waited before the next attempt (0 for the last one).
  std::chrono::milliseconds delay{0};
  /// The attempt's error message.
  std::string message;

  /// Field-by-field equality.
  friend bool operator==(const AttemptRecord& a, const AttemptRecord& b) {
    return a.attempt == b.attempt && a.kind == b.kind && a.http_status == b.http_status &&
           a.delay == b.delay && a.message == b.message;
  }
};

/// A failed call: machine-readable parts plus a human message that says what to do.
///
/// A plain value: copyable, comparable and streamable. Never contains an API key.
struct LEMMA_EXPORT Error {
  /// What went wrong.
  ErrorKind kind = ErrorKind::provider;
  /// Human-readable explanation: what was wrong and what to do about it.
  std::string message;
  /// HTTP status of the response, or 0 when no response was received.
  int http_status = 0;
  /// The provider's machine-readable error code (e.g. "insufficient_quota"), if it sent one.
  std::string code;
  /// The provider's error type (e.g. "invalid_request_error"), if it sent one.
  std::string type;
  /// The request parameter the provider (or lemma's validation) blamed, if any.
  std::string param;
  /// The provider's own message text, verbatim (with any API key redacted and control
  /// characters escaped).
  std::string provider_message;
  /// The server's request id (x-request-id and similar headers), for support tickets.
  std::string request_id;
  /// How long the server asked to wait before retrying, if it said.
  std::optional<std::chrono::milliseconds> retry_after;
  /// How many attempts were made before giving up (1 when there was no retry).
  int attempts = 1;
  /// The start of the response body (at most kMaxBodyExcerpt bytes, then "..." when cut;
  /// control characters and invalid UTF-8 from a Client's calls are escaped as "\n", "\x1b"),
  /// for diagnosis.
  std::string body_excerpt;
  /// The server's explicit advice (`x-should-retry: true|false`), when it gave one.
  std::optional<bool> should_retry;
  /// Every attempt of the call, oldest first, when there was more than one.
  std::vector<AttemptRecord> history;
  /// Where in the exchange the (last) attempt failed. http_status only says what status was
  /// received; the phase is what retries go by.
  ErrorPhase phase = ErrorPhase::before_response;
  /// Why a Client stopped retrying the call (none when the Error did not come out of its retry
  /// loop, e.g. an invalid request refused before any attempt).
  GiveUpReason give_up = GiveUpReason::none;

  /// Upper bound on the body bytes body_excerpt holds (escaping control characters, and the
  /// "..." cut mark, may lengthen the text).
  static constexpr std::size_t kMaxBodyExcerpt = 1024;

  /// One line for logs and exceptions: kind, HTTP status, message (which says how many attempts
  /// were made when there were several) and request id. Control characters (CR, LF, ESC, NUL,
  /// ...) and invalid UTF-8 are escaped ("\n", "\x1b", "\xff"), so a server cannot forge log
  /// lines or terminal escapes; valid UTF-8 is kept.
  std::string what() const;
  /// True when a retry of the same request might succeed. In this order: never for
  /// `cancelled` or `quota_exceeded`, nor in phase mid_stream (tokens already reached the
  /// caller); `x-should-retry` when the server sent it; connection failures and timeouts (no
  /// HTTP error status) only in phases before_send and before_response, since once a response
  /// has started the server has done the work; an HTTP status by its table (408, 409, 429,
  /// 500, 502, 503 and 504 are retryable, any other status is not); and, without a status,
  /// server errors and rate limits a server reported inside a stream before its first chunk.
  bool is_retryable() const noexcept;

  /// Field-by-field equality.
  friend LEMMA_EXPORT bool operator==(const Error& a, const Error& b);
  /// Field-by-field inequality.
  friend bool operator!=(const Error& a, const Error& b) { return !(a == b); }
};

/// Writes `error.what()`.
LEMMA_EXPORT std::ostream& operator<<(std::ostream& os, const Error& error);

/// Creates an Error of `kind` with `message` (the per-kind helpers below use it).
LEMMA_EXPORT Error make_error(ErrorKind kind, std::string message);
/// Creates an invalid_request Error blaming the request parameter `param`, in phase
/// before_send (lemma's own check, before any I/O).
LEMMA_EXPORT Error invalid_request_error(std::string param, std::string message);
/// Creates a protocol Error for a server reply that broke the protocol.
LEMMA_EXPORT Error protocol_error(std::string message);

/// The exception thrown by `Result::value()` on an error; carries the Error.
class LEMMA_EXPORT Exception : public std::runtime_error {
 public:
  /// Wraps `error`; `what()` returns `error.what()`.
  explicit Exception(Error error);
  /// The error this exception carries.
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

}  // namespace lemma
