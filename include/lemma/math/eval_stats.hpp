#pragma once

/// The statistics of an evaluation run (`lemma eval`): accuracy, unbiased pass@k, majority@k by
/// answer equivalence, rates, latency percentiles, tokens and cost, per group, and the
/// side-by-side table of `lemma eval --compare`. Pure functions: no I/O, thread-safe.
/// Target lemma::math_runs.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lemma/math_runs_export.hpp"
#include "lemma/result.hpp"

namespace lemma::math {

/// One graded sample of one problem (a line of results.jsonl, typed).
struct EvalSample {
  /// The dataset's problem id; samples with the same id are one problem.
  std::string problem_id;
  /// The sample's index within its problem (0-based); majority@k reads samples in this order.
  int sample = 0;
  /// The request that produced the sample (results.jsonl's custom_id). Samples sharing one
  /// (`n` sampling: K choices from one request) count once in the request statistics; empty:
  /// the sample is a request of its own.
  std::string custom_id;
  /// The extracted answer; nullopt when none was found (or the request failed).
  std::optional<std::string> extracted;
  /// Whether the extracted answer was graded equal to the reference.
  bool correct = false;
  /// True when the request got no answer at all (an error); such a sample counts incorrect.
  bool failed = false;
  /// The choice's finish_reason ("stop", "length", ...); "length" counts as cut off.
  std::string finish_reason;
  /// The request's latency in milliseconds; nullopt when unknown.
  std::optional<double> latency_ms;
  /// The request's time to first token in milliseconds; nullopt when not streamed.
  std::optional<double> ttft_ms;
  /// Prompt tokens attributed to this sample (with `n` sampling: all on sample 0).
  std::int64_t prompt_tokens = 0;
  /// Completion tokens attributed to this sample.
  std::int64_t completion_tokens = 0;
  /// Cost in US dollars attributed to this sample; nullopt when unknown.
  std::optional<double> cost_usd;
  /// The dataset fields of the problem, stringified, for group-by.
  std::map<std::string, std::string> fields;
};

/// Reads one line of results.jsonl (already parsed) into an EvalSample. Keys: "id" (string or
/// integer) and "sample" (integer >= 0) are required; "custom_id", "extracted",
/// "finish_reason" (string or null), "correct" (bool), "latency_ms", "ttft_ms", "cost_usd"
/// (number or null), "prompt_tokens", "completion_tokens" (integer >= 0 or null) and "fields"
/// (object or null) are optional. A non-null "error" marks the sample failed. Field values are
/// stringified for group-by: strings as they are, numbers and other values as compact JSON, null
/// values dropped (the sample goes to "(none)"). Other keys (verdict, rule, reference) are
/// ignored. A line that is not an object, or a key of the wrong type, gives an invalid_request
/// error naming the key; the caller adds the line number and goes on with the next line.
LEMMA_MATH_RUNS_EXPORT Result<EvalSample> eval_sample_from_json(const nlohmann::json& line);

/// Decides whether two extracted answers belong to one majority group: (candidate, the
/// group's first member). Empty: lemma::math::compare(candidate, first).equal(). It must be a
/// pure function: its verdicts are memoised for the duration of one group_stats() or
/// summarize() call, and identical strings are equivalent without a call.
using AnswerEquivalence = std::function<bool(const std::string&, const std::string&)>;

/// The statistics of a set of samples (the whole run or one group): summary.json's GROUP.
/// Vectors are indexed by k - 1, for k = 1..K.
struct LEMMA_MATH_RUNS_EXPORT GroupStats {
  /// Number of distinct problems.
  std::int64_t problems = 0;
  /// Number of samples.
  std::int64_t samples = 0;
  /// Mean correctness over all samples (avg@k); failed samples count as incorrect.
  double accuracy = 0;
  /// Standard error of accuracy, clustered by problem: sample standard deviation of the
  /// per-problem means / sqrt(problems); nullopt with fewer than two problems.
  std::optional<double> accuracy_se;
  /// Unbiased pass@k (see pass_at_k()) averaged over problems, k = 1..K.
  std::vector<double> pass_at_k;
  /// Standard error of pass@k: sample standard deviation over problems / sqrt(problems);
  /// nullopt with fewer than two problems.
  std::vector<std::optional<double>> pass_at_k_se;
  /// Majority@k (see group_stats()), k = 1..K.
  std::vector<double> majority_at_k;
  /// Samples without an extracted answer, failed ones excluded, / samples.
  double no_answer_rate = 0;
  /// Samples with finish_reason "length" / samples.
  double cutoff_rate = 0;
  /// Failed samples / samples.
  double error_rate = 0;

  /// summary.json's GROUP object: keys "1".."K" in the pass_at_k* and majority_at_k maps; an
  /// unknown standard error is null.
  nlohmann::json to_json() const;
};

/// Percentiles of a set of values (exact, nearest rank: the smallest value with at least p % of
/// the values at or below it).
struct LEMMA_MATH_RUNS_EXPORT Percentiles {
  /// Number of values.
  std::int64_t count = 0;
  /// Median.
  double p50 = 0;
  /// 90th percentile.
  double p90 = 0;
  /// 99th percentile.
  double p99 = 0;

  /// {"p50": .., "p90": .., "p99": ..}.
  nlohmann::json to_json() const;
};

/// The request-level statistics of a run: summary.json's "run" object.
struct LEMMA_MATH_RUNS_EXPORT RunStats {
  /// Distinct requests (by custom_id; a sample without one is its own request).
  std::int64_t requests = 0;
  /// Requests that got an answer.
  std::int64_t completed = 0;
  /// Requests that failed (their samples have failed = true).
  std::int64_t failed = 0;
  /// completed / requests (0 when there are no requests).
  double success_rate = 0;
  /// Latency over completed requests with a known latency; nullopt when there is none.
  std::optional<Percentiles> latency_ms;
  /// Time to first token over completed requests with a known one; nullopt when none streamed.
  std::optional<Percentiles> ttft_ms;
  /// Prompt tokens, summed over samples.
  std::int64_t prompt_tokens = 0;
  /// Completion tokens, summed over samples.
  std::int64_t completion_tokens = 0;
  /// Cost summed over samples with a known cost; nullopt when no sample has one.
  std::optional<double> cost_usd;
  /// The run's wall-clock time in seconds, as given by the caller; nullopt when not given.
  std::optional<double> elapsed_s;

  /// summary.json's "run" object (request_counts, success_rate, latency_ms, ttft_ms, tokens,
  /// cost_usd, elapsed_s); unknown values are null.
  nlohmann::json to_json() const;
};

/// What summarize() computes.
struct SummaryOptions {
  /// K, the samples asked per problem: pass@k and majority@k are reported for k = 1..K.
  /// 0 (default): the largest number of samples any problem has.
  int samples_per_problem = 0;
  /// Dataset fields to group by (`--group-by`); a sample without the field goes to group
  /// "(none)".
  std::vector<std::string> group_by;
  /// The run's wall-clock time, copied into RunStats::elapsed_s.
  std::optional<double> elapsed_s;
  /// Majority grouping; empty: lemma::math::compare(a, b).equal().
  AnswerEquivalence equivalent;
};

/// The computed part of summary.json: overall, per group, and the run.
struct LEMMA_MATH_RUNS_EXPORT EvalSummary {
  /// All samples.
  GroupStats overall;
  /// field -> field value -> the statistics of the samples with that value.
  std::map<std::string, std::map<std::string, GroupStats>> groups;
  /// Request-level statistics.
  RunStats run;

  /// {"overall": GROUP, "groups": {field: {value: GROUP}}, "run": RUN}; the caller adds the
  /// run's description (model, provider, dataset, ...).
  nlohmann::json to_json() const;
};

/// Unbiased pass@k for one problem with n samples of which c are correct (Chen et al. 2021):
/// 1 - C(n-c, k) / C(n, k), computed as a product (no overflow). k > n is read as k = n (a
/// problem with fewer samples than asked counts with what it has). NaN when n < 1, k < 1 or c
/// is outside 0..n.
LEMMA_MATH_RUNS_EXPORT double pass_at_k(int n, int c, int k);

/// The statistics of `samples` (any order; duplicates of (problem_id, sample) count as given).
///
/// `k_max` is K (0: the largest number of samples any problem has). A problem with n < k samples
/// counts with its n for pass@k and majority@k.
///
/// majority@k: per problem, of its first k samples by sample index, those with an answer vote
/// (failed and no-answer samples abstain). Each answer joins the first group, in order of
/// creation, whose first member it is equivalent to, `equivalent(answer, first member)`;
/// otherwise it starts a group. The largest group wins; on a tie, the group whose first member
/// has the lowest sample index. The problem counts correct when the winning group's first
/// member was graded correct; a problem without any answer in its first k samples counts wrong.
/// Grouping is incremental across k, so each answer is compared with each group's first member at
/// most once.
///
/// No samples: zero counts and rates, no standard errors, and no k entries.
LEMMA_MATH_RUNS_EXPORT GroupStats group_stats(const std::vector<EvalSample>& samples, int k_max = 0,
                                              const AnswerEquivalence& equivalent = {});

/// The request-level statistics of `samples` (see RunStats); `elapsed_s` is copied through.
LEMMA_MATH_RUNS_EXPORT RunStats run_stats(const std::vector<EvalSample>& samples,
                                          std::optional<double> elapsed_s = std::nullopt);

/// Overall statistics, one GroupStats per value of each field in options.group_by (all with
/// the same K as overall), and the run's. Each problem is scored once and counted in its group;
/// a problem whose samples disagree on a field counts in each of those groups with the samples
/// it has there. A field value "(none)" from the data shares the group of samples without it.
LEMMA_MATH_RUNS_EXPORT EvalSummary summarize(const std::vector<EvalSample>& samples,
                                             const SummaryOptions& options = {});

/// `lemma eval --compare`: a side-by-side text table of several runs, one column per
/// (label, summary.json object). Rows: model, provider, problems, samples, accuracy ± SE,
/// pass@k and maj@k for k = 1, 2, 4, 8, ... and each run's K (so K = 64 does not give 64 rows),
/// no answer, cut off, errors, success rate, p50 latency, tokens, cost and elapsed time. Rates
/// show as percentages, the SE in percentage points. A value a summary lacks (or holds with the
/// wrong type) shows as "-"; never throws on a malformed summary. No runs: "".
LEMMA_MATH_RUNS_EXPORT std::string compare_table(
    const std::vector<std::pair<std::string, nlohmann::json>>& runs);

}  // namespace lemma::math
