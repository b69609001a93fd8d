#include "lemma/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lemma {

namespace {

// Upper bound of bucket i, in milliseconds: 2^(i/4).
double bucket_bound(std::size_t i) {
  return std::pow(2.0, static_cast<double>(i) / 4.0);
}

std::string format_ms(double ms) {
  char text[32];
  if (ms >= 10000) {
    std::snprintf(text, sizeof text, "%.1fs", ms / 1000.0);
  } else {
    std::snprintf(text, sizeof text, "%.0fms", ms);
  }
  return text;
}

nlohmann::json summary_json(const LatencySummary& s) {
  return {{"count", s.count},
          {"p50_ms", s.p50_ms},
          {"p90_ms", s.p90_ms},
          {"p99_ms", s.p99_ms},
          {"max_ms", s.max_ms}};
}

}  // namespace

void Metrics::Histogram::add(std::chrono::milliseconds value) {
  const double ms = std::max<double>(0, static_cast<double>(value.count()));
  std::size_t bucket = ms <= 1 ? 0 : static_cast<std::size_t>(std::ceil(4.0 * std::log2(ms)));
  bucket = std::min(bucket, kBuckets - 1);
  ++counts_[bucket];
  ++count_;
  max_ms_ = std::max(max_ms_, ms);
}

LatencySummary Metrics::Histogram::summary() const {
  LatencySummary out;
  out.count = count_;
  out.max_ms = max_ms_;
  if (count_ == 0) return out;
  auto percentile = [&](double p) {
    const auto rank = static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(count_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= std::max<std::uint64_t>(rank, 1)) return std::min(bucket_bound(i), max_ms_);
    }
    return max_ms_;
  };
  out.p50_ms = percentile(0.50);
  out.p90_ms = percentile(0.90);
  out.p99_ms = percentile(0.99);
  return out;
}

Metrics::Series& Metrics::series(const CallInfo& call) {
  auto [it, inserted] = series_.try_emplace({call.provider, call.model});
  if (inserted) {
    it->second.totals.provider = call.provider;
    it->second.totals.model = call.model;
  }
  return it->second;
}

void Metrics::on_attempt_end(const CallInfo& call, const AttemptInfo& attempt) {
  if (!attempt.will_retry) return;
  std::lock_guard<std::mutex> lock(mutex_);
  ++series(call).totals.retries;
}

void Metrics::on_call_end(const CallInfo& call, const CallOutcome& outcome) {
  std::lock_guard<std::mutex> lock(mutex_);
  Series& s = series(call);
  MetricsEntry& t = s.totals;
  ++t.calls;
  if (outcome.error) {
    ++t.failures;
    ++t.errors_by_kind[std::string(to_string(outcome.error->kind))];
  } else {
    ++t.successes;
  }
  if (outcome.usage) {
    t.prompt_tokens +=
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, outcome.usage->prompt_tokens));
    t.completion_tokens +=
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, outcome.usage->completion_tokens));
    t.reasoning_tokens += static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, outcome.usage->reasoning_tokens.value_or(0)));
  }
  if (outcome.cost_usd) t.cost_usd += *outcome.cost_usd;
  s.latency.add(outcome.total);
  if (outcome.time_to_first_token) s.first_token.add(*outcome.time_to_first_token);
  s.queue.add(outcome.queue_time);
}

MetricsSnapshot Metrics::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  MetricsSnapshot out;
  for (const auto& [key, s] : series_) {
    MetricsEntry entry = s.totals;
    entry.latency = s.latency.summary();
    entry.time_to_first_token = s.first_token.summary();
    entry.queue_time = s.queue.summary();
    out.entries.push_back(std::move(entry));
  }
  return out;
}

void Metrics::reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  series_.clear();
}

std::string MetricsSnapshot::to_text() const {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-18s %-32s %6s %7s %7s %9s %9s %8s %8s %8s %8s %9s %10s\n",
                "provider", "model", "calls", "success", "retries", "tokens_in", "tokens_out",
                "p50", "p90", "p99", "ttft_p50", "queue_p90", "cost_usd");
  out += line;
  for (const auto& e : entries) {
    char rate[16];
    std::snprintf(rate, sizeof rate, "%.1f%%", 100.0 * e.success_rate());
    std::snprintf(
        line, sizeof line, "%-18s %-32s %6llu %7s %7llu %9llu %9llu %8s %8s %8s %8s %9s %10.6f\n",
        e.provider.c_str(), e.model.c_str(), static_cast<unsigned long long>(e.calls), rate,
        static_cast<unsigned long long>(e.retries),
        static_cast<unsigned long long>(e.prompt_tokens),
        static_cast<unsigned long long>(e.completion_tokens), format_ms(e.latency.p50_ms).c_str(),
        format_ms(e.latency.p90_ms).c_str(), format_ms(e.latency.p99_ms).c_str(),
        e.time_to_first_token.count ? format_ms(e.time_to_first_token.p50_ms).c_str() : "-",
        format_ms(e.queue_time.p90_ms).c_str(), e.cost_usd);
    out += line;
    for (const auto& [kind, count] : e.errors_by_kind) {
      std::snprintf(line, sizeof line, "    %s: %llu\n", kind.c_str(),
                    static_cast<unsigned long long>(count));
      out += line;
    }
  }
  return out;
}

nlohmann::json MetricsSnapshot::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : entries) {
    list.push_back({{"provider", e.provider},
                    {"model", e.model},
                    {"calls", e.calls},
                    {"successes", e.successes},
                    {"failures", e.failures},
                    {"success_rate", e.success_rate()},
                    {"retries", e.retries},
                    {"errors_by_kind", e.errors_by_kind},
                    {"prompt_tokens", e.prompt_tokens},
                    {"completion_tokens", e.completion_tokens},
                    {"reasoning_tokens", e.reasoning_tokens},
                    {"cost_usd", e.cost_usd},
                    {"latency", summary_json(e.latency)},
                    {"time_to_first_token", summary_json(e.time_to_first_token)},
                    {"queue_time", summary_json(e.queue_time)}});
  }
  return {{"entries", list}};
}

}  // namespace lemma
