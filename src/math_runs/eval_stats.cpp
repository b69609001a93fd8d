#include "lemma/math/eval_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <deque>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "lemma/math/compare.hpp"

namespace lemma::math {
namespace {

const char* const kNoFieldGroup = "(none)";

bool has_answer(const EvalSample& s) {
  return !s.failed && s.extracted.has_value();
}
bool counts_correct(const EvalSample& s) {
  return s.correct && !s.failed;
}

// Mean and standard error over problems. The mean is sum / count (so pass@1 equals accuracy
// exactly when every problem has the same n); the variance is Welford's, without the
// cancellation of sum-of-squares.
class RunningMoments {
 public:
  void add(double x) {
    ++count_;
    sum_ += x;
    const double delta = x - welford_mean_;
    welford_mean_ += delta / static_cast<double>(count_);
    m2_ += delta * (x - welford_mean_);
  }
  double mean() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }
  // Standard error of the mean from the sample (Bessel-corrected) standard deviation; undefined
  // below two values.
  std::optional<double> standard_error() const {
    if (count_ < 2) return std::nullopt;
    const double n = static_cast<double>(count_);
    return std::sqrt(m2_ / (n - 1)) / std::sqrt(n);
  }

 private:
  std::int64_t count_ = 0;
  double sum_ = 0;
  double welford_mean_ = 0;
  double m2_ = 0;
};

// An answer written as a plain integer ("-012"): its sign and digits without leading zeros
// ("-0" is 0). nullopt for anything else.
struct PlainInteger {
  bool negative;
  std::string_view digits;
  bool operator==(const PlainInteger& other) const {
    return negative == other.negative && digits == other.digits;
  }
};
std::optional<PlainInteger> plain_integer(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const auto first_digit = text.find_first_not_of('0');
  if (first_digit == std::string_view::npos) return PlainInteger{false, "0"};
  return PlainInteger{negative, text.substr(first_digit)};
}

// The majority grouping's equivalence for one group_stats() or summarize() call, memoised:
// answers ("1/2" against "0.5") recur across problems.
class EquivalenceCache {
 public:
  explicit EquivalenceCache(const AnswerEquivalence& equivalent) : equivalent_(equivalent) {}

  bool operator()(const std::string& candidate, const std::string& first) {
    // Two plain integers, the most common answers (GSM8K, AIME), are compared by value:
    // compare() decides them by exact value too, at tens of microseconds a call.
    if (!equivalent_) {
      if (auto a = plain_integer(candidate)) {
        if (auto b = plain_integer(first)) return *a == *b;
      }
    }
    std::string key = std::to_string(candidate.size());
    key += ':';
    key += candidate;
    key += first;
    auto it = verdicts_.find(key);
    if (it != verdicts_.end()) return it->second;
    const bool same =
        equivalent_ ? equivalent_(candidate, first) : compare(candidate, first).equal();
    verdicts_.emplace(std::move(key), same);
    return same;
  }

 private:
  const AnswerEquivalence& equivalent_;
  std::unordered_map<std::string, bool> verdicts_;
};

// Majority voting over one problem's samples in index order, one sample at a time, so
// majority@k for every k costs one pass: each answer is compared once with each group's first
// member at most (and not at all when the same string was seen before).
class MajorityVote {
 public:
  explicit MajorityVote(EquivalenceCache& equivalent) : equivalent_(equivalent) {}

  void add(const EvalSample& s) {
    if (!has_answer(s)) return;
    const std::string& answer = *s.extracted;
    std::size_t group = find_group(answer);
    if (group == groups_.size()) {
      groups_.push_back({&answer, 0, counts_correct(s)});
    }
    seen_.emplace(std::string_view(answer), group);
    ++groups_[group].count;
    // Groups are created in sample-index order, so a lower position means a lower first index:
    // the tie rule.
    if (!best_ || groups_[group].count > groups_[*best_].count ||
        (groups_[group].count == groups_[*best_].count && group < *best_)) {
      best_ = group;
    }
  }

  // The current winner's first member was graded correct (false when nobody answered).
  bool correct() const { return best_ && groups_[*best_].first_correct; }

 private:
  struct Group {
    const std::string* first;
    std::int64_t count;
    bool first_correct;
  };

  std::size_t find_group(const std::string& answer) {
    if (auto it = seen_.find(std::string_view(answer)); it != seen_.end()) return it->second;
    for (std::size_t i = 0; i < groups_.size(); ++i) {
      if (equivalent_(answer, *groups_[i].first)) return i;
    }
    return groups_.size();
  }

  EquivalenceCache& equivalent_;
  std::vector<Group> groups_;
  std::unordered_map<std::string_view, std::size_t> seen_;
  std::optional<std::size_t> best_;
};

// What one problem contributes to a GroupStats, computed once and shared by overall and the
// problem's group in each group-by field.
struct ProblemScore {
  int n = 0;
  int correct = 0;
  int no_answer = 0;
  int cutoff = 0;
  int failed = 0;
  std::vector<bool> majority;  // [k - 1]: majority@k correct, k = 1..K
};

// `samples`: one problem's, any order (sorted here by sample index, stable for duplicates).
ProblemScore score_problem(std::vector<const EvalSample*> samples, std::size_t k_count,
                           EquivalenceCache& equivalent) {
  std::stable_sort(samples.begin(), samples.end(),
                   [](const EvalSample* a, const EvalSample* b) { return a->sample < b->sample; });
  ProblemScore out;
  out.n = static_cast<int>(samples.size());
  for (const EvalSample* s : samples) {
    out.correct += counts_correct(*s) ? 1 : 0;
    out.no_answer += (!s->failed && !s->extracted) ? 1 : 0;
    out.cutoff += s->finish_reason == "length" ? 1 : 0;
    out.failed += s->failed ? 1 : 0;
  }
  MajorityVote vote(equivalent);
  out.majority.reserve(k_count);
  for (std::size_t k = 1; k <= k_count; ++k) {
    // Past n the vote stays what all n samples decided.
    if (k <= samples.size()) vote.add(*samples[k - 1]);
    out.majority.push_back(vote.correct());
  }
  return out;
}

GroupStats aggregate(const std::vector<const ProblemScore*>& problems, std::size_t k_count) {
  GroupStats out;
  out.problems = static_cast<std::int64_t>(problems.size());
  if (problems.empty()) return out;
  std::int64_t correct = 0, no_answer = 0, cutoff = 0, failed = 0;
  RunningMoments problem_means;
  std::vector<RunningMoments> pass(k_count);
  std::vector<std::int64_t> majority(k_count, 0);
  for (const ProblemScore* p : problems) {
    out.samples += p->n;
    correct += p->correct;
    no_answer += p->no_answer;
    cutoff += p->cutoff;
    failed += p->failed;
    problem_means.add(static_cast<double>(p->correct) / p->n);
    for (std::size_t k = 1; k <= k_count; ++k) {
      pass[k - 1].add(pass_at_k(p->n, p->correct, static_cast<int>(k)));
      majority[k - 1] += p->majority[k - 1] ? 1 : 0;
    }
  }
  const double total = static_cast<double>(out.samples);
  out.accuracy = static_cast<double>(correct) / total;
  out.no_answer_rate = static_cast<double>(no_answer) / total;
  out.cutoff_rate = static_cast<double>(cutoff) / total;
  out.error_rate = static_cast<double>(failed) / total;
  out.accuracy_se = problem_means.standard_error();
  for (std::size_t k = 0; k < k_count; ++k) {
    out.pass_at_k.push_back(pass[k].mean());
    out.pass_at_k_se.push_back(pass[k].standard_error());
    out.majority_at_k.push_back(static_cast<double>(majority[k]) /
                                static_cast<double>(problems.size()));
  }
  return out;
}

// The samples of each problem, problems in order of first appearance (deterministic,
// independent of hashing).
std::vector<std::vector<const EvalSample*>> by_problem(const std::vector<EvalSample>& samples) {
  std::unordered_map<std::string_view, std::size_t> index;
  std::vector<std::vector<const EvalSample*>> problems;
  for (const auto& s : samples) {
    auto [it, inserted] = index.emplace(std::string_view(s.problem_id), problems.size());
    if (inserted) problems.emplace_back();
    problems[it->second].push_back(&s);
  }
  return problems;
}

std::size_t k_count_for(int k_max, const std::vector<std::vector<const EvalSample*>>& problems) {
  if (k_max > 0) return static_cast<std::size_t>(k_max);
  std::size_t k = 0;
  for (const auto& p : problems) k = std::max(k, p.size());
  return k;
}

std::string_view field_value(const EvalSample& s, const std::string& field) {
  auto it = s.fields.find(field);
  return it == s.fields.end() ? std::string_view(kNoFieldGroup) : std::string_view(it->second);
}

std::optional<Percentiles> percentiles(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const auto n = static_cast<std::int64_t>(values.size());
  // Nearest rank in integers (ceil(p * n / 100)), so 90 % of 10 values is rank 9, not 10 by a
  // rounding error.
  auto at = [&](std::int64_t percent) {
    const std::int64_t rank = std::max<std::int64_t>((percent * n + 99) / 100, 1);
    return values[static_cast<std::size_t>(rank - 1)];
  };
  Percentiles out;
  out.count = n;
  out.p50 = at(50);
  out.p90 = at(90);
  out.p99 = at(99);
  return out;
}

nlohmann::json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json by_k(const std::vector<double>& values) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < values.size(); ++i) out[std::to_string(i + 1)] = values[i];
  return out;
}

}  // namespace

double pass_at_k(int n, int c, int k) {
  if (n < 1 || k < 1 || c < 0 || c > n) return std::numeric_limits<double>::quiet_NaN();
  k = std::min(k, n);
  // Every draw of k samples contains a correct one.
  if (n - c < k) return 1.0;
  // C(n-c, k) / C(n, k) = prod_{i=n-c+1..n} (1 - k / i).
  double all_wrong = 1.0;
  for (int i = n - c + 1; i <= n; ++i) all_wrong *= 1.0 - static_cast<double>(k) / i;
  return 1.0 - all_wrong;
}

GroupStats group_stats(const std::vector<EvalSample>& samples, int k_max,
                       const AnswerEquivalence& equivalent) {
  const auto problems = by_problem(samples);
  const std::size_t k_count = k_count_for(k_max, problems);
  EquivalenceCache cache(equivalent);
  std::vector<ProblemScore> scores;
  scores.reserve(problems.size());
  for (const auto& p : problems) scores.push_back(score_problem(p, k_count, cache));
  std::vector<const ProblemScore*> all;
  for (const auto& score : scores) all.push_back(&score);
  return aggregate(all, k_count);
}

RunStats run_stats(const std::vector<EvalSample>& samples, std::optional<double> elapsed_s) {
  RunStats out;
  out.elapsed_s = elapsed_s;

  struct Request {
    bool failed = false;
    std::optional<double> latency_ms;
    std::optional<double> ttft_ms;
  };
  std::vector<Request> requests;
  std::unordered_map<std::string_view, std::size_t> by_id;
  double cost = 0;
  bool any_cost = false;
  for (const auto& s : samples) {
    std::size_t r = requests.size();
    if (!s.custom_id.empty()) {
      auto [it, inserted] = by_id.emplace(std::string_view(s.custom_id), requests.size());
      r = it->second;
      if (inserted) requests.emplace_back();
    } else {
      requests.emplace_back();
    }
    Request& request = requests[r];
    request.failed = request.failed || s.failed;
    // With `n` sampling every choice carries the request's timing: take it once.
    if (!request.latency_ms) request.latency_ms = s.latency_ms;
    if (!request.ttft_ms) request.ttft_ms = s.ttft_ms;
    out.prompt_tokens += s.prompt_tokens;
    out.completion_tokens += s.completion_tokens;
    if (s.cost_usd) {
      cost += *s.cost_usd;
      any_cost = true;
    }
  }
  if (any_cost) out.cost_usd = cost;

  std::vector<double> latencies, ttfts;
  for (const auto& r : requests) {
    if (r.failed) {
      ++out.failed;
      continue;
    }
    ++out.completed;
    if (r.latency_ms) latencies.push_back(*r.latency_ms);
    if (r.ttft_ms) ttfts.push_back(*r.ttft_ms);
  }
  out.requests = static_cast<std::int64_t>(requests.size());
  if (out.requests > 0) {
    out.success_rate = static_cast<double>(out.completed) / static_cast<double>(out.requests);
  }
  out.latency_ms = percentiles(std::move(latencies));
  out.ttft_ms = percentiles(std::move(ttfts));
  return out;
}

EvalSummary summarize(const std::vector<EvalSample>& samples, const SummaryOptions& options) {
  EvalSummary out;
  const auto problems = by_problem(samples);
  // Every group reports the same k range as the whole run, even if its problems have fewer.
  const std::size_t k_count = k_count_for(options.samples_per_problem, problems);
  EquivalenceCache cache(options.equivalent);
  // std::deque: group-by adds scores of split problems while others point into it.
  std::deque<ProblemScore> scores;
  std::vector<const ProblemScore*> all;
  for (const auto& p : problems) {
    scores.push_back(score_problem(p, k_count, cache));
    all.push_back(&scores.back());
  }
  out.overall = aggregate(all, k_count);

  for (const auto& field : options.group_by) {
    std::map<std::string, std::vector<const ProblemScore*>> members;
    for (std::size_t i = 0; i < problems.size(); ++i) {
      const auto& p = problems[i];
      const std::string_view value = field_value(*p.front(), field);
      const bool uniform = std::all_of(
          p.begin(), p.end(), [&](const EvalSample* s) { return field_value(*s, field) == value; });
      if (uniform) {
        members[std::string(value)].push_back(all[i]);
        continue;
      }
      // A problem whose samples disagree on the field counts in each group with its samples
      // there.
      std::map<std::string, std::vector<const EvalSample*>> split;
      for (const EvalSample* s : p) split[std::string(field_value(*s, field))].push_back(s);
      for (const auto& [part_value, part] : split) {
        scores.push_back(score_problem(part, k_count, cache));
        members[part_value].push_back(&scores.back());
      }
    }
    auto& groups = out.groups[field];
    for (const auto& [value, group] : members) groups.emplace(value, aggregate(group, k_count));
  }
  out.run = run_stats(samples, options.elapsed_s);
  return out;
}

nlohmann::json GroupStats::to_json() const {
  nlohmann::json se = nlohmann::json::object();
  for (std::size_t i = 0; i < pass_at_k_se.size(); ++i) {
    se[std::to_string(i + 1)] = optional_json(pass_at_k_se[i]);
  }
  return {{"problems", problems},
          {"samples", samples},
          {"accuracy", accuracy},
          {"accuracy_se", optional_json(accuracy_se)},
          {"pass_at_k", by_k(pass_at_k)},
          {"pass_at_k_se", std::move(se)},
          {"majority_at_k", by_k(majority_at_k)},
          {"no_answer_rate", no_answer_rate},
          {"cutoff_rate", cutoff_rate},
          {"error_rate", error_rate}};
}

nlohmann::json Percentiles::to_json() const {
  return {{"p50", p50}, {"p90", p90}, {"p99", p99}};
}

nlohmann::json RunStats::to_json() const {
  return {{"request_counts", {{"total", requests}, {"completed", completed}, {"failed", failed}}},
          {"success_rate", success_rate},
          {"latency_ms", latency_ms ? latency_ms->to_json() : nlohmann::json(nullptr)},
          {"ttft_ms", ttft_ms ? ttft_ms->to_json() : nlohmann::json(nullptr)},
          {"tokens", {{"prompt", prompt_tokens}, {"completion", completion_tokens}}},
          {"cost_usd", optional_json(cost_usd)},
          {"elapsed_s", optional_json(elapsed_s)}};
}

nlohmann::json EvalSummary::to_json() const {
  nlohmann::json by_field = nlohmann::json::object();
  for (const auto& [field, values] : groups) {
    nlohmann::json g = nlohmann::json::object();
    for (const auto& [value, stats] : values) g[value] = stats.to_json();
    by_field[field] = std::move(g);
  }
  return {{"overall", overall.to_json()}, {"groups", std::move(by_field)}, {"run", run.to_json()}};
}

}  // namespace lemma::math
