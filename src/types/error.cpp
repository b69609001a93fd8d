#include "lemma/error.hpp"

#include <ostream>

#include "core/error_text_private.hpp"

namespace lemma {

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::invalid_request: return "invalid_request";
    case ErrorKind::authentication: return "authentication";
    case ErrorKind::permission_denied: return "permission_denied";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::rate_limited: return "rate_limited";
    case ErrorKind::quota_exceeded: return "quota_exceeded";
    case ErrorKind::server_error: return "server_error";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::connection: return "connection";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::provider: return "provider";
  }
  return "unknown";
}

std::string_view to_string(ErrorPhase phase) noexcept {
  switch (phase) {
    case ErrorPhase::before_send: return "before_send";
    case ErrorPhase::before_response: return "before_response";
    case ErrorPhase::response_started: return "response_started";
    case ErrorPhase::mid_stream: return "mid_stream";
  }
  return "unknown";
}

std::string_view to_string(GiveUpReason reason) noexcept {
  switch (reason) {
    case GiveUpReason::none: return "none";
    case GiveUpReason::not_retryable: return "not_retryable";
    case GiveUpReason::attempts_exhausted: return "attempts_exhausted";
    case GiveUpReason::deadline: return "deadline";
    case GiveUpReason::retry_after_too_long: return "retry_after_too_long";
    case GiveUpReason::cancelled: return "cancelled";
  }
  return "unknown";
}

ErrorKind error_kind_for_status(int http_status) noexcept {
  switch (http_status) {
    case 400:
    case 413:
    case 422: return ErrorKind::invalid_request;
    case 401: return ErrorKind::authentication;
    case 402: return ErrorKind::quota_exceeded;
    case 403: return ErrorKind::permission_denied;
    case 404: return ErrorKind::not_found;
    case 408: return ErrorKind::timeout;
    case 429: return ErrorKind::rate_limited;
    default: break;
  }
  if (http_status >= 500 && http_status <= 599) return ErrorKind::server_error;
  if (http_status >= 400 && http_status <= 499) return ErrorKind::invalid_request;
  return ErrorKind::protocol;  // 1xx/3xx (redirects are not followed) or nonsense
}

std::string Error::what() const {
  std::string out = "lemma ";
  out += to_string(kind);
  out += " error";
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  out += ": ";
  // One line whatever the fields hold (they are escaped on the way out of a Client already;
  // this covers Errors built elsewhere).
  out += detail::printable(message);
  if (!request_id.empty()) out += " [request id " + detail::printable(request_id) + "]";
  return out;
}

bool Error::is_retryable() const noexcept {
  if (kind == ErrorKind::cancelled || kind == ErrorKind::quota_exceeded) return false;
  if (phase == ErrorPhase::mid_stream) return false;  // never a token twice
  if (should_retry) return *should_retry;
  const bool error_status = http_status >= 400;
  if ((kind == ErrorKind::connection || kind == ErrorKind::timeout) && !error_status) {
    // A transport failure: safe to repeat only while the server cannot have answered yet.
    return phase == ErrorPhase::before_send || phase == ErrorPhase::before_response;
  }
  if (http_status != 0) {
    switch (http_status) {
      case 408:
      case 409:
      case 429:
      case 500:
      case 502:
      case 503:
      case 504: return true;
      default: return false;  // other statuses, and a 2xx whose body was the problem
    }
  }
  // No status: the server reported the failure inside a stream, before its first chunk.
  return kind == ErrorKind::server_error || kind == ErrorKind::rate_limited;
}

bool operator==(const Error& a, const Error& b) {
  return a.kind == b.kind && a.message == b.message && a.http_status == b.http_status &&
         a.code == b.code && a.type == b.type && a.param == b.param &&
         a.provider_message == b.provider_message && a.request_id == b.request_id &&
         a.retry_after == b.retry_after && a.attempts == b.attempts &&
         a.body_excerpt == b.body_excerpt && a.should_retry == b.should_retry &&
         a.history == b.history && a.phase == b.phase && a.give_up == b.give_up;
}

std::ostream& operator<<(std::ostream& os, const Error& error) {
  return os << error.what();
}

Error make_error(ErrorKind kind, std::string message) {
  Error error;
  error.kind = kind;
  error.message = std::move(message);
  return error;
}

Error invalid_request_error(std::string param, std::string message) {
  Error error = make_error(ErrorKind::invalid_request, std::move(message));
  error.param = std::move(param);
  error.phase = ErrorPhase::before_send;
  return error;
}

Error protocol_error(std::string message) {
  return make_error(ErrorKind::protocol, std::move(message));
}

Exception::Exception(Error error) : std::runtime_error(error.what()), error_(std::move(error)) {}

}  // namespace lemma
