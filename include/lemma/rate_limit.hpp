#pragma once

#include <cstdint>

namespace lemma {

/// A provider's rate limits, applied by a Client to all of its calls (sync and async).
///
/// Calls beyond a limit wait in the Client's queue, first come first served; the wait is the
/// call's queue time (CallOutcome::queue_time) and does not count against its timeout. A
/// call's token estimate is its prompt characters / 4 plus max_tokens x n, corrected by the
/// usage the server reports. Independently of these numbers, the Client reads the
/// `x-ratelimit-remaining-requests/-tokens` and `x-ratelimit-reset-requests/-tokens` headers
/// when a server sends them (formats like `12ms`, `1.5s`, `6m0s`), and a 429 pauses the whole
/// queue for its Retry-After, not only the call that got it.
///
/// Providers enforce per-minute limits over shorter windows (OpenAI: 60,000 RPM as 1,000 per
/// second), so no rolling second ever holds more than max(1, requests_per_minute / 60) starts,
/// nor more than max(1, tokens_per_minute / 60) estimated tokens (a single call estimated above
/// that starts alone in its second): a limit's burst is spread over seconds, never sent at once.
/// Since only whole calls start, the rate is min(R, 60 x max(1, floor(R / 60))) a minute: a
/// limit between 61 and 119 runs at 60 a minute; above 60, use multiples of 60. Calls a 429's
/// pause held up are booked again behind it, through the same window, and each retry takes a
/// start slot of its own.
struct RateLimit {
  /// Requests started per minute; 0 (default) = no limit.
  std::int64_t requests_per_minute = 0;
  /// Tokens (prompt + completion) per minute; 0 (default) = no limit.
  std::int64_t tokens_per_minute = 0;
};

}  // namespace lemma
