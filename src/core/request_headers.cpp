#include "core/request_headers_private.hpp"

#include <array>

#include "lemma/curl_transport.hpp"
#include "lemma/version.hpp"

namespace lemma::detail {

namespace {

bool has_forbidden_byte(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

}  // namespace

bool is_framing_header(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 9> kFraming = {
      "content-length", "transfer-encoding", "host", "connection", "keep-alive", "te", "trailer",
      "upgrade",        "proxy-connection"};
  for (std::string_view framing : kFraming) {
    if (header_name_equals(framing, name)) return true;
  }
  return false;
}

std::optional<Error> check_caller_header(std::string_view origin, const std::string& name,
                                         const std::string& value) {
  if (name.empty() || name.find(':') != std::string::npos || has_forbidden_byte(name) ||
      has_forbidden_byte(value)) {
    return invalid_request_error(
        "headers", std::string(origin) + " has a header '" + name +
                       "' with an empty name, a colon in its name, or a line break or NUL in "
                       "its name or value; remove or fix it (it would inject headers).");
  }
  if (is_framing_header(name)) {
    return invalid_request_error(
        "headers", std::string(origin) + " sets '" + name +
                       "', which frames the HTTP message and is set by the transport only (a "
                       "wrong value desynchronises the connection); remove it.");
  }
  return std::nullopt;
}

std::optional<Error> check_user_agent(std::string_view user_agent) {
  if (!has_forbidden_byte(user_agent)) return std::nullopt;
  return invalid_request_error("user_agent",
                               "CurlTransportOptions::user_agent contains a line break or NUL, "
                               "which would inject headers; remove it.");
}

RequestShaper::RequestShaper(const ClientOptions& options) : options_(options) {
  // The transport's configured user agent applies through a Client too, whether the Client
  // built the CurlTransport from ClientOptions::curl or was given one.
  if (const auto* curl = dynamic_cast<const CurlTransport*>(options.transport.get())) {
    user_agent_ = curl->options().user_agent;
  }
  if (user_agent_.empty()) user_agent_ = std::string("lemma/") + kVersion;
}

std::optional<Error> RequestShaper::check(const CallOptions& call) const {
  if (auto error = check_user_agent(user_agent_)) return error;
  for (const auto& [name, value] : options_.default_headers) {
    if (auto error = check_caller_header("ClientOptions::default_headers", name, value)) {
      return error;
    }
  }
  for (const auto& [name, value] : call.headers) {
    if (auto error = check_caller_header("CallOptions::headers", name, value)) return error;
  }
  return std::nullopt;
}

void RequestShaper::per_call(HttpRequest& request, const CallOptions& call, Mode mode,
                             const Warn& warn) const {
  request.connect_timeout = options_.connect_timeout;
  if (mode == Mode::whole) {
    request.timeout = call.timeout.value_or(options_.timeout);
  } else {
    request.timeout = call.timeout.value_or(options_.stream_timeout);
    request.idle_timeout = call.idle_timeout.value_or(options_.stream_idle_timeout);
    request.headers.set("Accept", "text/event-stream");
  }
  request.max_response_bytes =
      mode == Mode::whole ? options_.max_response_bytes : options_.max_stream_bytes;
  request.cancellation = call.cancellation;

  // The provider's credentials are never replaced by a caller's header of the same name (the
  // README's promise): the key given to the provider is the one sent.
  const Headers provided = request.headers;
  auto is_provider_credential = [&provided](const std::string& name) {
    return Headers::is_sensitive(name) && provided.contains(name);
  };
  for (const auto& [name, value] : options_.default_headers) {
    if (!request.headers.contains(name)) request.headers.add(name, value);
  }
  for (const auto& [name, value] : call.headers) {
    if (is_provider_credential(name)) {
      if (warn) {
        warn("CallOptions::headers sets '" + name +
             "', which the provider already sets from its API key; the provider's value is "
             "sent. Give the key to the provider instead.");
      }
      continue;
    }
    request.headers.set(name, value);
  }
  if (!request.headers.contains("User-Agent")) request.headers.set("User-Agent", user_agent_);
}

void RequestShaper::idempotency(HttpRequest& request, const RetryPolicy& policy,
                                SeedSource& seeds) {
  if (policy.idempotency_key && !request.headers.contains("Idempotency-Key")) {
    request.headers.set("Idempotency-Key", seeds.unique_key());
  }
}

void RequestShaper::per_attempt(HttpRequest& request, std::chrono::milliseconds call_timeout,
                                const RetryRun& run) {
  request.timeout = call_timeout;
  run.bound_timeout(request);
}

}  // namespace lemma::detail
