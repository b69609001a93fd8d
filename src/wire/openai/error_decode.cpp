// Turning a non-2xx response (any of the error shapes real servers send) into a typed Error.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "lemma/wire.hpp"
#include "wire/openai/json_reader_private.hpp"

namespace lemma::wire {

using detail::JsonReader;
using nlohmann::json;

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return {};
  return detail::dump_json(value);
}

// FastAPI's 422 detail is a list of {loc, msg, type}; show each as "loc: msg". Lists of plain
// strings (NestJS validation messages) are joined.
std::string fastapi_detail_text(const json& detail) {
  if (detail.is_string()) return detail.get<std::string>();
  if (!detail.is_array()) return detail::dump_json(detail);
  std::string out;
  for (const auto& item : detail) {
    if (!out.empty()) out += "; ";
    if (item.is_string()) {
      out += item.get<std::string>();
      continue;
    }
    if (const json* loc = JsonReader::member(item, "loc"); loc && loc->is_array()) {
      std::string path;
      for (const auto& part : *loc) path += (path.empty() ? "" : ".") + scalar_text(part);
      out += path + ": ";
    }
    const json* msg = JsonReader::member(item, "msg");
    out += msg ? scalar_text(*msg) : detail::dump_json(item);
  }
  return out;
}

// Fills code/type/param/provider_message from whichever error shape the body has.
void read_error_body(const json& body, Error& error) {
  if (!body.is_object()) return;
  if (const json* e = JsonReader::member(body, "error")) {
    if (e->is_object()) {
      if (const json* m = JsonReader::member(*e, "message"))
        error.provider_message = scalar_text(*m);
      if (const json* t = JsonReader::member(*e, "type")) error.type = scalar_text(*t);
      if (const json* p = JsonReader::member(*e, "param")) error.param = scalar_text(*p);
      if (const json* c = JsonReader::member(*e, "code")) error.code = scalar_text(*c);
    } else if (const json* message = JsonReader::member(body, "message")) {
      // NestJS-style gateways (AIML API): {"statusCode", "message": text or list, "error"}.
      error.type = scalar_text(*e);
      error.provider_message = fastapi_detail_text(*message);
    } else {
      error.provider_message = scalar_text(*e);  // {"error": "text"} and TGI
      if (const json* t = JsonReader::member(body, "error_type")) error.type = scalar_text(*t);
    }
  } else if (const json* detail = JsonReader::member(body, "detail")) {
    error.provider_message = fastapi_detail_text(*detail);
  } else if (const json* message = JsonReader::member(body, "message")) {
    error.provider_message = scalar_text(*message);
  }
  if (error.code.empty()) {
    if (const json* c = JsonReader::member(body, "code")) error.code = scalar_text(*c);
  }
  if (error.type.empty()) {
    if (const json* t = JsonReader::member(body, "type")) error.type = scalar_text(*t);
  }
}

bool says_quota_exhausted(const Error& error) {
  const std::string haystack = lower(error.code + " " + error.type + " " + error.provider_message);
  for (const char* needle : {"insufficient_quota", "quota", "credit", "billing", "balance",
                             "payment required", "insufficient funds"}) {
    if (haystack.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::string advice(const Error& error) {
  switch (error.kind) {
    case ErrorKind::invalid_request:
      return error.param.empty() ? "Check the request's parameters against the model's limits."
                                 : "Check the parameter '" + error.param + "'.";
    case ErrorKind::authentication:
      return "Check the API key (the key passed to the provider, or LEMMA_API_KEY).";
    case ErrorKind::permission_denied:
      return "The key may not use this model or endpoint; check the account's access.";
    case ErrorKind::not_found:
      return "Check the model name and the base URL (does it end in /v1?).";
    case ErrorKind::rate_limited:
      return error.retry_after ? "Slow down; the server asks to retry after " +
                                     std::to_string(error.retry_after->count()) + " ms."
                               : "Slow down and retry later.";
    case ErrorKind::quota_exceeded:
      return "Add credit or raise the quota with the provider; retrying will not help.";
    case ErrorKind::server_error: return "The server failed; retrying later may help.";
    case ErrorKind::timeout: return "The server timed out; retrying may help.";
    default: return "";
  }
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm), so HTTP
// dates parse without the non-portable timegm().
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into seconds since 1970, kept as a
// plain count: a time_point in nanoseconds cannot hold years past 2262, and a server may send any
// year.
std::optional<std::int64_t> parse_http_date(const std::string& text) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char weekday[4] = {};
  char month[4] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  char zone[4] = {};
  if (std::sscanf(text.c_str(), "%3s, %d %3s %d %d:%d:%d %3s", weekday, &day, month, &year, &hour,
                  &minute, &second, zone) != 8) {
    return std::nullopt;
  }
  unsigned month_number = 0;
  for (unsigned i = 0; i < 12; ++i) {
    if (std::string_view(month) == kMonths[i]) month_number = i + 1;
  }
  if (month_number == 0 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60 || year < 0) {
    return std::nullopt;
  }
  // Any int year fits: |days| < 2^40, times 86400 < 2^57.
  const std::int64_t days = days_from_civil(year, month_number, static_cast<unsigned>(day));
  return days * 86400 + std::int64_t{hour} * 3600 + minute * 60 + second;
}

// The longest server hint lemma represents. Anything longer means "not within any sane retry
// budget": it is kept as this value so that later arithmetic (deadlines, waits) cannot overflow,
// and RetryPolicy::max_retry_after (60 s by default) turns it into an immediate error.
constexpr std::chrono::milliseconds kMaxRetryHint = std::chrono::hours(24 * 365);

std::chrono::milliseconds clamp_hint(double milliseconds) {
  // Compared as doubles, before any conversion: casting 1e300 to an integer is undefined (found
  // by probing and by the error_body fuzz target: "retry-after-ms: 1e300").
  if (!(milliseconds > 0)) return std::chrono::milliseconds(0);
  if (milliseconds >= static_cast<double>(kMaxRetryHint.count())) return kMaxRetryHint;
  return std::chrono::milliseconds(static_cast<std::int64_t>(milliseconds));
}

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  while (end && *end == ' ') ++end;
  if (end == nullptr || *end != '\0' || !std::isfinite(value) || value < 0) return std::nullopt;
  return value;
}

}  // namespace

std::string request_id_from(const Headers& headers) {
  for (const char* name : {"x-request-id", "request-id", "x-amzn-requestid", "x-amz-request-id",
                           "x-correlation-id", "cf-ray"}) {
    if (auto value = headers.get(name)) return *value;
  }
  return {};
}

std::optional<std::chrono::milliseconds> retry_after_from(
    const Headers& headers, std::chrono::system_clock::time_point now) {
  using std::chrono::milliseconds;
  if (auto ms = headers.get("retry-after-ms")) {
    if (auto value = parse_number(*ms)) return clamp_hint(*value);
  }
  auto header = headers.get("retry-after");
  if (!header) return std::nullopt;
  if (auto seconds = parse_number(*header)) return clamp_hint(*seconds * 1000.0);
  if (auto when = parse_http_date(*header)) {
    const std::int64_t now_s =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    // Both are far below 2^62 in magnitude, so the difference cannot overflow.
    return clamp_hint(static_cast<double>(*when - now_s) * 1000.0);
  }
  return std::nullopt;  // junk: no hint rather than a crash
}

Error decode_error_response(const HttpResponse& response, std::size_t max_depth) {
  Error error;
  error.http_status = response.status;
  error.kind = response.is_success() ? ErrorKind::provider : error_kind_for_status(response.status);
  error.request_id = request_id_from(response.headers);
  error.retry_after = retry_after_from(response.headers);
  if (auto advice_header = response.headers.get("x-should-retry")) {
    const std::string value = lower(*advice_header);
    if (value == "true") error.should_retry = true;
    if (value == "false") error.should_retry = false;
  }
  error.body_excerpt = body_excerpt(response.body);

  detail::BoundedParse parsed = detail::parse_bounded(response.body, max_depth);
  if (parsed.status == detail::BoundedParse::Status::too_deep) {
    error.kind = ErrorKind::protocol;
    error.message = detail::too_deep_message(
        "error body (HTTP " + std::to_string(response.status) + ")", max_depth);
    return error;
  }
  json& body = parsed.value;
  const bool is_json = !body.is_discarded() && body.is_object();
  if (is_json) read_error_body(body, error);

  if ((error.kind == ErrorKind::rate_limited || error.kind == ErrorKind::quota_exceeded ||
       error.kind == ErrorKind::permission_denied || error.kind == ErrorKind::provider) &&
      says_quota_exhausted(error)) {
    error.kind = ErrorKind::quota_exceeded;
  }

  std::string message = response.is_success()
                            ? std::string("The server answered with an error object")
                            : "The server answered HTTP " + std::to_string(response.status);
  if (!error.provider_message.empty()) {
    message += ": " + error.provider_message;
  } else if (!is_json) {
    const auto type = response.headers.get("content-type").value_or("no content type");
    message += " with a non-JSON body (" + type + ")";
    if (!response.body.empty()) {
      message += ", probably from a proxy or load balancer in front of the server";
    }
  }
  if (!error.code.empty()) message += " [code " + error.code + "]";
  message += ". ";
  message += advice(error);
  while (!message.empty() && message.back() == ' ') message.pop_back();
  error.message = std::move(message);
  return error;
}

}  // namespace lemma::wire
