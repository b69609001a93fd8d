// How a Batch reports itself: BatchSummary as JSON and as text, and the default errors path.

#include <cmath>
#include <cstdio>
#include <sstream>

#include "lemma/batch.hpp"

namespace lemma {

namespace {

// 1234567 -> "1,234,567": token counts are read by people.
std::string grouped(std::uint64_t value) {
  std::string digits = std::to_string(value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<std::size_t>(i), ",");
  }
  return digits;
}

std::string duration_text(double ms) {
  char text[32];
  if (ms < 1000) {
    std::snprintf(text, sizeof text, "%.0f ms", ms);
  } else {
    std::snprintf(text, sizeof text, "%.1f s", ms / 1000);
  }
  return text;
}

}  // namespace

std::string default_errors_path(const std::string& output_path) {
  static constexpr char kSuffix[] = ".jsonl";
  constexpr std::size_t kLength = sizeof kSuffix - 1;
  if (output_path.size() > kLength &&
      output_path.compare(output_path.size() - kLength, kLength, kSuffix) == 0) {
    return output_path.substr(0, output_path.size() - kLength) + ".errors.jsonl";
  }
  return output_path + ".errors.jsonl";
}

nlohmann::json BatchSummary::to_json() const {
  nlohmann::json out = {
      {"request_counts",
       {{"total", counts.total}, {"completed", counts.completed}, {"failed", counts.failed}}},
      {"resumed", resumed},
      {"done_this_run", done_this_run},
      {"not_started", not_started},
      {"interrupted", interrupted},
      {"changed_inputs", changed_inputs},
      {"warnings", warnings},
      {"elapsed_ms", elapsed.count()},
  };
  nlohmann::json metrics_json = MetricsSnapshot{{metrics}}.to_json();
  if (metrics_json.is_object() && metrics_json.contains("entries") &&
      !metrics_json["entries"].empty()) {
    out["metrics"] = metrics_json["entries"][0];
  } else {
    out["metrics"] = metrics_json;
  }
  return out;
}

std::string BatchSummary::to_text() const {
  std::ostringstream out;
  const std::uint64_t finished = counts.completed + counts.failed;
  const double rate =
      finished == 0 ? 100.0
                    : 100.0 * static_cast<double>(counts.completed) / static_cast<double>(finished);
  char percent[16];
  std::snprintf(percent, sizeof percent, "%.1f%%", rate);
  out << counts.total << " requests: " << counts.completed << " completed, " << counts.failed
      << " failed (" << percent << " success)";
  if (counts.total > finished) out << ", " << counts.total - finished << " not done";
  out << '\n';
  out << "this run: " << done_this_run << " finished in "
      << duration_text(static_cast<double>(elapsed.count()));
  if (elapsed.count() > 0 && done_this_run > 0) {
    char per_second[32];
    std::snprintf(
        per_second, sizeof per_second, " (%.1f req/s)",
        static_cast<double>(done_this_run) * 1000.0 / static_cast<double>(elapsed.count()));
    out << per_second;
  }
  if (resumed > 0) out << "; " << resumed << " already done by an earlier run";
  if (interrupted) out << "; interrupted, " << not_started << " left: run again to resume";
  out << '\n';
  out << "request_counts: {\"total\": " << counts.total << ", \"completed\": " << counts.completed
      << ", \"failed\": " << counts.failed << "}\n";
  if (metrics.latency.count > 0) {
    // From each request's submission, so a rate limit's wait is included.
    out << "latency: p50 " << duration_text(metrics.latency.p50_ms) << ", p90 "
        << duration_text(metrics.latency.p90_ms) << ", p99 "
        << duration_text(metrics.latency.p99_ms) << '\n';
  }
  out << "tokens: " << grouped(metrics.prompt_tokens) << " prompt + "
      << grouped(metrics.completion_tokens) << " completion";
  if (metrics.cost_usd > 0) {
    char cost[32];
    std::snprintf(cost, sizeof cost, "; cost $%.4f", metrics.cost_usd);
    out << cost;
  }
  out << '\n';
  if (!metrics.errors_by_kind.empty()) {
    out << "failures by kind:";
    for (const auto& [kind, n] : metrics.errors_by_kind) out << ' ' << kind << '=' << n;
    out << '\n';
  }
  for (const std::string& id : changed_inputs) {
    out << "warning: " << id
        << " was answered for a different input line; its old result is kept\n";
  }
  for (const std::string& warning : warnings) out << "warning: " << warning << '\n';
  return out.str();
}

}  // namespace lemma
