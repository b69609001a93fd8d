#pragma once

// A Client's rate limiter (ClientOptions::rate_limit and the server's x-ratelimit-* headers):
// a plain, clock-free component. Every function takes the current time from its caller, so the
// blocking path (lemma::Clock) and the event loop (its timers) share it, and tests drive it
// with plain time_points instead of sleeping.
//
// Model. Each configured limit is a token bucket that starts full: requests_per_minute R is a
// bucket of capacity R refilled continuously at R per 60 s, tokens_per_minute T one of capacity
// T refilled at T per 60 s. A full bucket lets a burst of up to R calls (T tokens) start at once;
// after that, calls start at the refill rate (one every 60/R s). So the long-run rate is R per
// minute, and any 60 s window holds at most R + R - 1 starts (a full burst, then a minute of
// refill) — the way OpenAI replenishes its limits (x-ratelimit-reset-requests is "1s" after one
// of 60 requests), not a fixed window that resets every minute.
//
// Providers also enforce a per-minute limit over shorter windows (OpenAI: 60,000 RPM as 1,000
// per second), so on top of the buckets each limit has a one-second sliding window: no rolling
// second holds more than max(1, R/60) starts, nor more than max(1, T/60) estimated tokens (a
// claim larger than that starts alone in its second). A full bucket's burst is therefore spread
// over seconds instead of going at once.
//
// A reservation is booked at the time its call may start, not at the time it is asked for, and
// reservations are granted strictly in call order, so a later caller never overtakes an earlier
// one and a bucket never counts a start earlier than it happens.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "lemma/chat.hpp"
#include "lemma/clock.hpp"
#include "lemma/error.hpp"
#include "lemma/export.hpp"
#include "lemma/headers.hpp"
#include "lemma/rate_limit.hpp"

namespace lemma::detail {

/// "12ms", "1.5s", "6m0s", "1h2m3.5s", "2" (seconds), "0s" -> duration; nullopt when malformed
/// (negative, junk, overflow). OpenAI's x-ratelimit-reset-* format, i.e. Go's time.Duration
/// text (units ns, us, µs, ms, s, m, h; fractions allowed; no sign) plus a bare number of
/// seconds. Sub-millisecond parts round up ("500us" is 1 ms); surrounding blanks are ignored;
/// more than the int64 nanoseconds Go itself can hold (~292 years) is an overflow.
LEMMA_EXPORT std::optional<std::chrono::milliseconds> parse_reset_duration(std::string_view text);

/// A call's token estimate: prompt characters / 4, rounded up (the UTF-8 bytes of every
/// message's content, reasoning_content, refusal, name and tool calls), plus max_tokens x n.
/// With max_tokens unset the completion counts as 0: the server's own cap is unknown (anything
/// from a few hundred tokens to the whole context), a guess would stall the queue for nothing,
/// and RateLimiter::settle() books the real usage once the response reports it. n unset (or
/// below 1) counts as 1. Saturates at INT64_MAX instead of overflowing.
LEMMA_EXPORT std::int64_t estimate_tokens(const ChatRequest& request);

/// Keeps a Client's calls within RateLimit and what the server says; thread-safe.
///
/// Use: reserve() before sending; wait until the time it returns; then, since a 429 or a
/// remaining of 0 may have paused the Client meanwhile, ask may_start_at(reserved) and wait
/// again while it is later than now (a pause applies to reservations already handed out).
/// Every ticket ends with exactly one settle() (the call was sent; pass ticket.tokens when the
/// usage is unknown, e.g. the call failed) or release() (it never was); unknown or already
/// ended tickets are ignored. Feed every response's headers to observe() and every 429's
/// Retry-After to pause_until().
// (Exported only so that white-box unit tests link against the shared library.)
class LEMMA_EXPORT RateLimiter {
 public:
  /// A point on the Client's clock (lemma::Clock).
  using time_point = Clock::time_point;
  /// One admitted call's claim on the limits.
  struct Ticket {
    /// Tokens booked for the call: its estimate, clamped to tokens_per_minute (0 without one).
    std::int64_t tokens = 0;
    /// Identifies the reservation (0 when nothing was booked: no limit configured).
    std::uint64_t id = 0;
  };

  /// Limits the calls to `limit`; negative values count as 0 (no limit): use check() first.
  explicit RateLimiter(RateLimit limit);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  /// Validates limit values: invalid_request Error for negative numbers (the Client calls it at
  /// first use and returns it from every call before any I/O).
  static std::optional<Error> check(const RateLimit& limit);

  /// Reserves the start of one call that will use `tokens` tokens, first come first served:
  /// returns when it may be sent (<= now: at once). Reservations are granted in call order, so
  /// a later caller never overtakes an earlier one. Never blocks. A call whose estimate exceeds
  /// tokens_per_minute waits for a full bucket and then starts alone (its claim is clamped to
  /// the bucket), so it is never stuck.
  std::pair<time_point, Ticket> reserve(time_point now, std::int64_t tokens);
  /// A reserved call that will not be sent (cancelled while waiting): gives its claim back
  /// where possible (its request and tokens go back into the buckets, up to their capacity;
  /// times already handed to later callers stay as they are).
  void release(const Ticket& ticket, time_point now);
  /// After a response: the tokens it actually used (usage.total_tokens), correcting the
  /// estimate either way: fewer gives tokens back, more takes them (later calls wait longer).
  /// Negative counts are ignored; the debt is capped at kMaxDebt minutes of tokens_per_minute.
  void settle(const Ticket& ticket, std::int64_t actual_tokens, time_point now);
  /// Reads x-ratelimit-remaining-requests/-tokens and x-ratelimit-reset-requests/-tokens from
  /// any response: a remaining of 0 pauses new starts until its reset (a remaining of 0 with
  /// no readable reset does not: the next 429's Retry-After will), and a remaining below what
  /// a configured bucket holds lowers the bucket to it (the key's quota is shared with other
  /// clients). Works without them (vLLM, SGLang, Ollama send none); unreadable values are
  /// ignored.
  void observe(const Headers& headers, time_point now);
  /// A 429 with Retry-After: no call of this Client starts before `until` (the latest pause
  /// wins).
  void pause_until(time_point until);
  /// The time before which nothing may start (a 429 or a remaining of 0), or time_point{} .
  time_point paused_until() const;
  /// When a call reserved for `reserved` may really start: `reserved`, or the end of a pause
  /// that began after it was reserved. Wait again while this is later than now.
  time_point may_start_at(time_point reserved) const;
  /// A call booked for `reserved` that a pause has since pushed back (may_start_at(reserved) >
  /// reserved) books again at `now`: behind the pause and through the one-second windows, so
  /// the calls a 429 held up do not all start at once when it ends. Otherwise returns the same
  /// booking. `tokens` is the call's estimate, as given to reserve().
  std::pair<time_point, Ticket> rebook_after_pause(time_point reserved, const Ticket& ticket,
                                                   std::int64_t tokens, time_point now);
  /// True when a limit is configured or the server has sent rate-limit headers (or a pause was
  /// set), i.e. reserve() might ever return a time in the future (lets the hot path skip the
  /// lock otherwise).
  bool active() const noexcept { return active_.load(std::memory_order_acquire); }

  /// Longest debt, in minutes of tokens_per_minute, that settle() books, so that an absurd
  /// usage report cannot stall a Client for days.
  static constexpr int kMaxDebt = 60;
  /// Longest pause a reset header can set (as for Retry-After hints: 365 days).
  static constexpr std::chrono::hours kMaxReset{24 * 365};

 private:
  // A token bucket; `level` is its content at `stamp` (it may be negative: a debt).
  struct Bucket {
    double capacity = 0;  // 0: no limit
    double per_second = 0;
    double level = 0;
    time_point stamp{};

    bool limited() const noexcept { return capacity > 0; }
    double level_at(time_point t) const noexcept;
    // The earliest time >= t at which the bucket holds `need`.
    time_point ready_for(double need, time_point t) const noexcept;
    // Takes `amount` at `t` (t >= stamp).
    void take(double amount, time_point t) noexcept;
    // Adds (or, negative, takes) `amount` without moving `stamp`, within [floor, capacity].
    void adjust(double amount, double floor) noexcept;
  };

  mutable std::mutex mutex_;
  // The starts (or token claims) booked in the last second, oldest first. Bookings are made at
  // non-decreasing times and in ticket order, so the deque stays sorted by both.
  struct Window {
    double limit = 0;                                                  // 0: no limit
    double sum = 0;                                                    // of the amounts booked
    std::deque<std::tuple<time_point, double, std::uint64_t>> booked;  // time, amount, ticket

    // The earliest time >= t at which `need` more fits in the second before it.
    time_point ready_for(double need, time_point t) const noexcept;
    void book(time_point t, double amount, std::uint64_t ticket);
    void cancel(std::uint64_t ticket) noexcept;
  };

  Bucket requests_;
  Bucket tokens_;
  Window request_window_;
  Window token_window_;
  std::int64_t token_limit_ = 0;  // tokens_per_minute, for clamping a claim exactly
  time_point last_start_{};       // the latest start handed out: the next one is no earlier
  bool started_ = false;          // last_start_ is meaningful
  time_point paused_until_{};
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::int64_t> open_;  // ticket id -> tokens booked
  std::atomic<bool> active_{false};
};

}  // namespace lemma::detail
