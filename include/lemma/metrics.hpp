#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lemma/export.hpp"
#include "lemma/observer.hpp"

namespace lemma {

/// Latency percentiles from a histogram (bucket upper bounds, so within ~19 % above the true
/// value, and never above the largest sample).
struct LatencySummary {
  /// Number of samples.
  std::uint64_t count = 0;
  /// Median, in milliseconds.
  double p50_ms = 0;
  /// 90th percentile, in milliseconds.
  double p90_ms = 0;
  /// 99th percentile, in milliseconds.
  double p99_ms = 0;
  /// Largest sample, in milliseconds.
  double max_ms = 0;
};

/// The counters of one provider and model.
struct MetricsEntry {
  /// Provider::name().
  std::string provider;
  /// The model ("" for models() calls).
  std::string model;
  /// Calls that ended.
  std::uint64_t calls = 0;
  /// Calls that succeeded.
  std::uint64_t successes = 0;
  /// Calls that failed (after their retries).
  std::uint64_t failures = 0;
  /// Retries made (attempts beyond the first).
  std::uint64_t retries = 0;
  /// Failed calls by ErrorKind name.
  std::map<std::string, std::uint64_t> errors_by_kind;
  /// Prompt tokens, summed over calls that reported usage.
  std::uint64_t prompt_tokens = 0;
  /// Completion tokens, summed.
  std::uint64_t completion_tokens = 0;
  /// Reasoning tokens, summed (where reported).
  std::uint64_t reasoning_tokens = 0;
  /// Cost in US dollars, summed over calls whose model has known prices.
  double cost_usd = 0;
  /// Whole-call latency.
  LatencySummary latency;
  /// Streams: time to the first token.
  LatencySummary time_to_first_token;
  /// Time calls waited for a place (ClientOptions::max_concurrent_calls).
  LatencySummary queue_time;

  /// successes / calls (1 when there were no calls).
  double success_rate() const noexcept {
    return calls == 0 ? 1.0 : static_cast<double>(successes) / static_cast<double>(calls);
  }
};

/// A point-in-time copy of a Metrics' counters.
struct MetricsSnapshot {
  /// One entry per provider and model, sorted by provider then model.
  std::vector<MetricsEntry> entries;

  /// A fixed-width table for logs and terminals.
  LEMMA_EXPORT std::string to_text() const;
  /// The same data as JSON, for dashboards.
  LEMMA_EXPORT nlohmann::json to_json() const;
};

/// An Observer that keeps counters and latency histograms per provider and model: success
/// rate, errors by kind, retries, tokens in and out, cost, and percentiles of latency,
/// time to first token and queue time. Thread-safe; attach one to several Clients to aggregate
/// them.
///
/// @code
///   auto metrics = std::make_shared<lemma::Metrics>();
///   options.observer = metrics;
///   ...
///   std::cout << metrics->snapshot().to_text();
/// @endcode
class LEMMA_EXPORT Metrics : public Observer {
 public:
  /// The counters so far.
  MetricsSnapshot snapshot() const;
  /// Forgets everything.
  void reset();

  void on_attempt_end(const CallInfo& call, const AttemptInfo& attempt) override;
  void on_call_end(const CallInfo& call, const CallOutcome& outcome) override;

  /// Histogram with buckets growing by 2^(1/4) from 1 ms (about 41 days at the top).
  class LEMMA_EXPORT Histogram {
   public:
    /// Adds a sample.
    void add(std::chrono::milliseconds value);
    /// The percentiles.
    LatencySummary summary() const;

   private:
    static constexpr std::size_t kBuckets = 128;
    std::array<std::uint64_t, kBuckets> counts_{};
    std::uint64_t count_ = 0;
    double max_ms_ = 0;
  };

 private:
  struct Series {
    MetricsEntry totals;
    Histogram latency;
    Histogram first_token;
    Histogram queue;
  };
  Series& series(const CallInfo& call);

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Series> series_;
};

}  // namespace lemma
