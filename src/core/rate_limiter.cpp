#include "core/rate_limiter_private.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace lemma::detail {
namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

std::string_view trim(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The unit at the start of `text` in nanoseconds, and its length; {0, 0} when there is none.
std::pair<std::int64_t, std::size_t> duration_unit(std::string_view text) {
  struct Unit {
    std::string_view name;
    std::int64_t nanoseconds;
  };
  // Longer names first: "ms" before "m".
  static constexpr Unit kUnits[] = {
      {"ns", 1},
      {"us", 1'000},
      {"\xC2\xB5s", 1'000},  // U+00B5 MICRO SIGN, as Go writes it
      {"\xCE\xBCs", 1'000},  // U+03BC GREEK SMALL LETTER MU
      {"ms", 1'000'000},
      {"s", 1'000'000'000},
      {"m", 60'000'000'000},
      {"h", 3'600'000'000'000},
  };
  for (const Unit& unit : kUnits) {
    if (text.substr(0, unit.name.size()) == unit.name) return {unit.nanoseconds, unit.name.size()};
  }
  return {0, 0};
}

// A non-negative decimal integer making up all of `text`.
std::optional<std::int64_t> parse_count(std::string_view text) {
  text = trim(text);
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < 0) return std::nullopt;
  return value;
}

// a + b, saturating at INT64_MAX (both non-negative).
std::int64_t add_saturated(std::int64_t a, std::int64_t b) {
  return a > kInt64Max - b ? kInt64Max : a + b;
}

RateLimiter::time_point add_saturated(RateLimiter::time_point t, std::chrono::nanoseconds d) {
  if (d.count() <= 0) return t;
  if (t > RateLimiter::time_point::max() - d) return RateLimiter::time_point::max();
  return t + d;
}

bool has_rate_limit_headers(const Headers& headers) {
  constexpr std::string_view kPrefix = "x-ratelimit-";
  return std::any_of(headers.begin(), headers.end(), [&](const Headers::Field& field) {
    return field.first.size() > kPrefix.size() &&
           header_name_equals(std::string_view(field.first).substr(0, kPrefix.size()), kPrefix);
  });
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_reset_duration(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;  // nanoseconds
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    std::int64_t whole = 0;
    std::size_t whole_digits = 0;
    for (; pos < text.size() && is_digit(text[pos]); ++pos, ++whole_digits) {
      const int digit = text[pos] - '0';
      if (whole > (kInt64Max - digit) / 10) return std::nullopt;  // overflow
      whole = whole * 10 + digit;
    }
    // Up to 9 fraction digits matter (a nanosecond of an hour is below our resolution anyway).
    std::int64_t fraction = 0;
    std::int64_t scale = 1;
    std::size_t fraction_digits = 0;
    if (pos < text.size() && text[pos] == '.') {
      for (++pos; pos < text.size() && is_digit(text[pos]); ++pos, ++fraction_digits) {
        if (fraction_digits < 9) {
          fraction = fraction * 10 + (text[pos] - '0');
          scale *= 10;
        }
      }
    }
    if (whole_digits == 0 && fraction_digits == 0) return std::nullopt;  // "s", ".s", "-1s"
    auto [unit, unit_length] = duration_unit(text.substr(pos));
    if (unit_length == 0) {
      // A bare number of seconds ("20", "1.5"), only as the whole text.
      if (!first || pos != text.size()) return std::nullopt;
      unit = 1'000'000'000;
    }
    pos += unit_length;
    first = false;
    if (whole > kInt64Max / unit) return std::nullopt;
    // fraction / scale of `unit`, rounded up, without overflow: fraction < 10^9 and
    // unit / gcd <= 3600.
    const std::int64_t common = std::gcd(unit, scale);
    const std::int64_t numerator = fraction * (unit / common);
    const std::int64_t denominator = scale / common;
    const std::int64_t fraction_part = (numerator + denominator - 1) / denominator;
    if (whole * unit > kInt64Max - fraction_part) return std::nullopt;
    const std::int64_t part = whole * unit + fraction_part;
    if (total > kInt64Max - part) return std::nullopt;
    total += part;
  }
  return std::chrono::milliseconds(total / 1'000'000 + (total % 1'000'000 != 0 ? 1 : 0));
}

std::int64_t estimate_tokens(const ChatRequest& request) {
  std::int64_t bytes = 0;
  const auto count = [&](const std::string& text) {
    bytes = add_saturated(bytes, static_cast<std::int64_t>(text.size()));
  };
  for (const Message& message : request.messages) {
    if (message.content) count(*message.content);
    if (message.reasoning_content) count(*message.reasoning_content);
    if (message.refusal) count(*message.refusal);
    if (message.name) count(*message.name);
    for (const ToolCall& call : message.tool_calls) {
      count(call.function_name);
      count(call.arguments);
    }
  }
  const std::int64_t prompt = bytes / 4 + (bytes % 4 != 0 ? 1 : 0);
  const std::int64_t max_tokens =
      std::max<std::int64_t>(request.sampling.max_tokens.value_or(0), 0);
  const std::int64_t n = std::max<std::int64_t>(request.sampling.n.value_or(1), 1);
  const std::int64_t completion = max_tokens > kInt64Max / n ? kInt64Max : max_tokens * n;
  return add_saturated(prompt, completion);
}

double RateLimiter::Bucket::level_at(time_point t) const noexcept {
  if (level >= capacity || t <= stamp) return std::min(level, capacity);
  const double seconds = std::chrono::duration<double>(t - stamp).count();
  return std::min(capacity, level + per_second * seconds);
}

RateLimiter::time_point RateLimiter::Bucket::ready_for(double need, time_point t) const noexcept {
  if (!limited()) return t;
  const double now_level = level_at(t);
  if (now_level >= need) return t;
  // The debt is bounded (settle() caps it), so this is at most about kMaxDebt + 1 minutes.
  // Whole microseconds, rounded up but forgiving a nanosecond of floating-point noise, so that
  // 20.000000000000004 s is 20 s and not 20 s + 1 µs.
  const double seconds = (need - now_level) * 60.0 / capacity;
  const double microseconds = std::ceil(seconds * 1e6 - 1e-3);
  constexpr double kLongest = 1e15;  // ~31 years: far beyond any real wait, well within int64
  return add_saturated(t, std::chrono::microseconds(
                              static_cast<std::int64_t>(std::clamp(microseconds, 0.0, kLongest))));
}

void RateLimiter::Bucket::take(double amount, time_point t) noexcept {
  if (!limited()) return;
  const time_point at = std::max(stamp, t);
  level = level_at(at) - amount;
  stamp = at;
}

void RateLimiter::Bucket::adjust(double amount, double floor) noexcept {
  if (!limited()) return;
  level = std::clamp(level + amount, floor, capacity);
}

RateLimiter::time_point RateLimiter::Window::ready_for(double need, time_point t) const noexcept {
  if (limit <= 0) return t;
  // Bookings leave the window oldest first: walk from the oldest until what is left fits. Every
  // booking walked past leaves by the returned time and book() drops it then, so the walk is
  // O(1) amortised however many calls a second holds (R = 60,000 is 1,000 a second).
  constexpr auto kSecond = std::chrono::seconds(1);
  time_point ready = t;
  double held = sum;  // of this booking and every newer one
  for (const auto& [at, amount, ticket] : booked) {
    if (at > ready - kSecond) {  // in the second before `ready`, with everything newer
      if (held + need <= limit) break;
      ready = at + kSecond;  // has to leave first
    }
    held -= amount;
  }
  return ready;
}

void RateLimiter::Window::book(time_point t, double amount, std::uint64_t ticket) {
  if (limit <= 0) return;
  while (!booked.empty() && std::get<0>(booked.front()) <= t - std::chrono::seconds(1)) {
    sum -= std::get<1>(booked.front());
    booked.pop_front();
  }
  if (amount <= 0) return;  // a call without tokens takes no room in the token window
  amount = std::min(amount, limit);
  booked.emplace_back(t, amount, ticket);
  sum += amount;
}

void RateLimiter::Window::cancel(std::uint64_t ticket) noexcept {
  // Tickets are booked in id order, so the deque is sorted by id too.
  const auto it = std::lower_bound(
      booked.begin(), booked.end(), ticket,
      [](const auto& booking, std::uint64_t id) { return std::get<2>(booking) < id; });
  if (it == booked.end() || std::get<2>(*it) != ticket) return;
  sum -= std::get<1>(*it);
  booked.erase(it);
}

RateLimiter::RateLimiter(RateLimit limit) {
  const auto configure = [](Bucket& bucket, std::int64_t per_minute) {
    if (per_minute <= 0) return;
    bucket.capacity = static_cast<double>(per_minute);
    bucket.per_second = bucket.capacity / 60.0;
    bucket.level = bucket.capacity;  // starts full: a first burst goes at once
  };
  configure(requests_, limit.requests_per_minute);
  configure(tokens_, limit.tokens_per_minute);
  const auto per_second = [](std::int64_t per_minute) {
    return per_minute <= 0 ? 0.0 : std::max(1.0, std::floor(static_cast<double>(per_minute) / 60));
  };
  request_window_.limit = per_second(limit.requests_per_minute);
  token_window_.limit = per_second(limit.tokens_per_minute);
  token_limit_ = std::max<std::int64_t>(limit.tokens_per_minute, 0);
  active_.store(requests_.limited() || tokens_.limited(), std::memory_order_release);
}

std::optional<Error> RateLimiter::check(const RateLimit& limit) {
  const auto negative = [](const char* field, std::int64_t value, const char* unit) {
    return invalid_request_error(std::string("rate_limit.") + field,
                                 std::string("ClientOptions::rate_limit.") + field +
                                     " is negative (" + std::to_string(value) +
                                     "); use 0 for no limit or a positive number of " + unit +
                                     " per minute.");
  };
  if (limit.requests_per_minute < 0) {
    return negative("requests_per_minute", limit.requests_per_minute, "requests");
  }
  if (limit.tokens_per_minute < 0) {
    return negative("tokens_per_minute", limit.tokens_per_minute, "tokens");
  }
  return std::nullopt;
}

std::pair<RateLimiter::time_point, RateLimiter::Ticket> RateLimiter::reserve(time_point now,
                                                                             std::int64_t tokens) {
  std::lock_guard<std::mutex> lock(mutex_);
  time_point start = std::max(now, paused_until_);
  if (started_) start = std::max(start, last_start_);
  Ticket ticket;
  if (requests_.limited() || tokens_.limited()) {
    // An estimate beyond the whole bucket waits for a full bucket and takes all of it.
    ticket.tokens = tokens_.limited() ? std::clamp<std::int64_t>(tokens, 0, token_limit_) : 0;
    const double need = static_cast<double>(ticket.tokens);
    start = std::max({start, requests_.ready_for(1, start), tokens_.ready_for(need, start)});
    // Both checks are monotone in time (a bucket only fills, a window only empties), so the
    // later of the two windows' answers satisfies the buckets and both windows.
    const double window_need = std::min(need, token_window_.limit);
    start = std::max(
        {start, request_window_.ready_for(1, start), token_window_.ready_for(window_need, start)});
    requests_.take(1, start);
    tokens_.take(need, start);
    ticket.id = next_id_++;
    request_window_.book(start, 1, ticket.id);
    token_window_.book(start, need, ticket.id);
    open_.emplace(ticket.id, ticket.tokens);
  }
  last_start_ = start;
  started_ = true;
  return {start, ticket};
}

void RateLimiter::release(const Ticket& ticket, time_point /*now*/) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = open_.find(ticket.id);
  if (it == open_.end()) return;
  // Back into the buckets as of their latest booking: the next reservation can take over the
  // cancelled call's slot. Times already handed to later callers are not moved earlier.
  constexpr double kNoFloor = std::numeric_limits<double>::lowest();
  request_window_.cancel(ticket.id);
  token_window_.cancel(ticket.id);
  requests_.adjust(1, kNoFloor);
  tokens_.adjust(static_cast<double>(it->second), kNoFloor);
  open_.erase(it);
}

void RateLimiter::settle(const Ticket& ticket, std::int64_t actual_tokens, time_point /*now*/) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = open_.find(ticket.id);
  if (it == open_.end()) return;
  if (actual_tokens >= 0) {
    const double difference = static_cast<double>(actual_tokens) - static_cast<double>(it->second);
    tokens_.adjust(-difference, -static_cast<double>(kMaxDebt) * tokens_.capacity);
  }
  open_.erase(it);
}

void RateLimiter::observe(const Headers& headers, time_point now) {
  // The common case (self-hosted servers send none) takes no lock.
  if (!has_rate_limit_headers(headers)) return;
  const auto count = [&](std::string_view name) -> std::optional<std::int64_t> {
    const auto value = headers.get(name);
    return value ? parse_count(*value) : std::nullopt;
  };
  const auto reset = [&](std::string_view name) -> std::optional<std::chrono::milliseconds> {
    const auto value = headers.get(name);
    if (!value) return std::nullopt;
    const auto parsed = parse_reset_duration(*value);
    if (!parsed) return std::nullopt;
    return std::min<std::chrono::milliseconds>(*parsed, kMaxReset);
  };
  const auto remaining_requests = count("x-ratelimit-remaining-requests");
  const auto remaining_tokens = count("x-ratelimit-remaining-tokens");
  const auto reset_requests = reset("x-ratelimit-reset-requests");
  const auto reset_tokens = reset("x-ratelimit-reset-tokens");
  if (!remaining_requests && !remaining_tokens && !reset_requests && !reset_tokens) return;

  std::lock_guard<std::mutex> lock(mutex_);
  const auto apply = [&](Bucket& bucket, const std::optional<std::int64_t>& remaining,
                         const std::optional<std::chrono::milliseconds>& reset_after) {
    if (!remaining) return;
    if (bucket.limited()) {
      // The server counts every client of this key: never hold more than it says is left.
      const time_point at = std::max(bucket.stamp, now);
      bucket.level = std::min(bucket.level_at(at), static_cast<double>(*remaining));
      bucket.stamp = at;
    }
    if (*remaining == 0 && reset_after) {
      paused_until_ = std::max(paused_until_, add_saturated(now, *reset_after));
    }
  };
  apply(requests_, remaining_requests, reset_requests);
  apply(tokens_, remaining_tokens, reset_tokens);
  active_.store(true, std::memory_order_release);
}

void RateLimiter::pause_until(time_point until) {
  std::lock_guard<std::mutex> lock(mutex_);
  paused_until_ = std::max(paused_until_, until);
  active_.store(true, std::memory_order_release);
}

RateLimiter::time_point RateLimiter::paused_until() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return paused_until_;
}

RateLimiter::time_point RateLimiter::may_start_at(time_point reserved) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::max(reserved, paused_until_);
}

std::pair<RateLimiter::time_point, RateLimiter::Ticket> RateLimiter::rebook_after_pause(
    time_point reserved, const Ticket& ticket, std::int64_t tokens, time_point now) {
  if (may_start_at(reserved) <= reserved) return {reserved, ticket};
  release(ticket, now);
  return reserve(now, tokens);
}

}  // namespace lemma::detail
