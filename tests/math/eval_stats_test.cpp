// The statistics of `lemma eval` (lemma/math/eval_stats.hpp): pass@k against brute force,
// standard errors against hand computation, majority by equivalence and its tie rule, failed
// and unanswered samples, group-by, request statistics and the --compare table.
#include "lemma/math/eval_stats.hpp"

#include "lemma/math/compare.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using lemma::math::AnswerEquivalence;
using lemma::math::compare_table;
using lemma::math::EvalSample;
using lemma::math::group_stats;
using lemma::math::pass_at_k;
using lemma::math::run_stats;
using lemma::math::summarize;
using lemma::math::SummaryOptions;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// An answered sample; `correct` as the grader decided.
EvalSample answered(const std::string& problem, int index, const std::string& answer,
                    bool correct) {
  EvalSample s;
  s.problem_id = problem;
  s.sample = index;
  s.extracted = answer;
  s.correct = correct;
  s.finish_reason = "stop";
  return s;
}

EvalSample unanswered(const std::string& problem, int index) {
  EvalSample s;
  s.problem_id = problem;
  s.sample = index;
  s.finish_reason = "stop";
  return s;
}

EvalSample failed(const std::string& problem, int index) {
  EvalSample s;
  s.problem_id = problem;
  s.sample = index;
  s.failed = true;
  return s;
}

const AnswerEquivalence kSameString = [](const std::string& a, const std::string& b) {
  return a == b;
};

// The fraction of k-subsets of n samples (the first c correct) that contain a correct one.
double brute_force_pass_at_k(int n, int c, int k) {
  std::int64_t with_correct = 0, total = 0;
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
    int size = 0;
    bool hit = false;
    for (int i = 0; i < n; ++i) {
      if (mask & (1u << i)) {
        ++size;
        hit = hit || i < c;
      }
    }
    if (size != k) continue;
    ++total;
    with_correct += hit ? 1 : 0;
  }
  return static_cast<double>(with_correct) / static_cast<double>(total);
}

TEST(PassAtK, EqualsBruteForceEnumerationForSmallN) {
  for (int n = 1; n <= 10; ++n) {
    for (int c = 0; c <= n; ++c) {
      for (int k = 1; k <= n; ++k) {
        EXPECT_NEAR(pass_at_k(n, c, k), brute_force_pass_at_k(n, c, k), 1e-12)
            << "n=" << n << " c=" << c << " k=" << k;
      }
    }
  }
}

TEST(PassAtK, KnownValues) {
  EXPECT_DOUBLE_EQ(pass_at_k(10, 3, 1), 0.3);
  EXPECT_DOUBLE_EQ(pass_at_k(4, 1, 2), 0.5);
  EXPECT_DOUBLE_EQ(pass_at_k(5, 0, 3), 0.0);
  EXPECT_DOUBLE_EQ(pass_at_k(5, 3, 3), 1.0);  // 2 wrong cannot fill 3 draws
  // Large n: the product form neither overflows nor loses the value (C(200, 100) is ~1e59).
  EXPECT_NEAR(pass_at_k(200, 1, 100), 0.5, 1e-12);
}

TEST(PassAtK, KBeyondNReadsAsN) {
  EXPECT_DOUBLE_EQ(pass_at_k(2, 1, 4), pass_at_k(2, 1, 2));
  EXPECT_DOUBLE_EQ(pass_at_k(2, 1, 4), 1.0);
  EXPECT_DOUBLE_EQ(pass_at_k(3, 0, 8), 0.0);
}

TEST(PassAtK, ImpossibleInputsAreNaN) {
  EXPECT_TRUE(std::isnan(pass_at_k(0, 0, 1)));
  EXPECT_TRUE(std::isnan(pass_at_k(4, 5, 1)));
  EXPECT_TRUE(std::isnan(pass_at_k(4, -1, 1)));
  EXPECT_TRUE(std::isnan(pass_at_k(4, 1, 0)));
}

// Three problems, two samples each: p1 2/2, p2 1/2, p3 0/2.
std::vector<EvalSample> three_problems() {
  return {answered("p1", 0, "1", true),  answered("p1", 1, "1", true),
          answered("p2", 0, "2", true),  answered("p2", 1, "9", false),
          answered("p3", 0, "8", false), answered("p3", 1, "7", false)};
}

TEST(GroupStats, AccuracyPassAtKAndStandardErrorsByHand) {
  const auto stats = group_stats(three_problems(), 2, kSameString);
  EXPECT_EQ(stats.problems, 3);
  EXPECT_EQ(stats.samples, 6);
  EXPECT_DOUBLE_EQ(stats.accuracy, 0.5);
  // Per-problem means 1, .5, 0: sample variance (.25 + 0 + .25) / 2 = .25, sd .5, / sqrt(3).
  ASSERT_TRUE(stats.accuracy_se.has_value());
  EXPECT_NEAR(*stats.accuracy_se, 0.5 / std::sqrt(3.0), 1e-12);
  ASSERT_EQ(stats.pass_at_k.size(), 2u);
  EXPECT_DOUBLE_EQ(stats.pass_at_k[0], 0.5);
  EXPECT_NEAR(*stats.pass_at_k_se[0], 0.5 / std::sqrt(3.0), 1e-12);
  // pass@2 per problem 1, 1, 0: mean 2/3; deviations 1/3, 1/3, -2/3: variance (6/9) / 2 = 1/3.
  EXPECT_NEAR(stats.pass_at_k[1], 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(*stats.pass_at_k_se[1], std::sqrt(1.0 / 3.0) / std::sqrt(3.0), 1e-12);
  // majority@1: first samples 1 (right), 2 (right), 8 (wrong). majority@2: p2 ties 2 vs 9 and
  // the lower first index (2, right) wins.
  EXPECT_NEAR(stats.majority_at_k[0], 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(stats.majority_at_k[1], 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(stats.no_answer_rate, 0.0);
  EXPECT_DOUBLE_EQ(stats.error_rate, 0.0);
}

TEST(GroupStats, OneProblemHasNoStandardError) {
  const auto stats = group_stats({answered("p", 0, "1", true), answered("p", 1, "2", false)}, 2);
  EXPECT_FALSE(stats.accuracy_se.has_value());
  EXPECT_FALSE(stats.pass_at_k_se[0].has_value());
  const auto json = stats.to_json();
  EXPECT_TRUE(json["accuracy_se"].is_null());
  EXPECT_TRUE(json["pass_at_k_se"]["1"].is_null());
}

TEST(GroupStats, AccuracyIsPerSampleAndItsSeClusteredByProblem) {
  // p1 has 1 sample (right), p2 has 3 (1 right): accuracy 2/4 over samples, not the mean of
  // per-problem means (2/3); the SE is over those means: sd(1, 1/3) / sqrt(2).
  const auto stats = group_stats({answered("p1", 0, "1", true), answered("p2", 0, "1", true),
                                  answered("p2", 1, "2", false), answered("p2", 2, "3", false)},
                                 3, kSameString);
  EXPECT_DOUBLE_EQ(stats.accuracy, 0.5);
  const double sd = std::sqrt((2.0 / 3.0) * (2.0 / 3.0) / 2.0);
  EXPECT_NEAR(*stats.accuracy_se, sd / std::sqrt(2.0), 1e-12);
}

// Reference 1/2: the three spellings of a half are right, "3" is wrong.
std::vector<EvalSample> halves_against_threes() {
  return {answered("p", 0, "3", false), answered("p", 1, "1/2", true),
          answered("p", 2, "0.5", true), answered("p", 3, "\\frac{1}{2}", true),
          answered("p", 4, "3", false)};
}

TEST(Majority, GroupsByEquivalenceNotByString) {
  // Default equivalence is lemma::math::compare: 1/2, 0.5 and \frac{1}{2} are one group of 3.
  const auto by_equivalence = group_stats(halves_against_threes(), 5);
  EXPECT_DOUBLE_EQ(by_equivalence.majority_at_k[4], 1.0);
  // By string "3" is the only answer given twice and wins.
  const auto by_string = group_stats(halves_against_threes(), 5, kSameString);
  EXPECT_DOUBLE_EQ(by_string.majority_at_k[4], 0.0);
  // After 3 samples: "3", "1/2", "0.5": the halves lead 2 to 1 by equivalence; by string it is a
  // three-way tie that the earliest ("3", wrong) wins.
  EXPECT_DOUBLE_EQ(by_equivalence.majority_at_k[2], 1.0);
  EXPECT_DOUBLE_EQ(by_string.majority_at_k[2], 0.0);
}

TEST(Majority, DefaultGroupingAgreesWithCompare) {
  // Sample 0 is `a` (right), samples 1 and 2 are `b` (wrong): majority@3 is right exactly when
  // b joins a's group. Plain integers take a shortcut that must decide as compare() does.
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"12", "12.0"},
      {"12", "13"},
      {"007", "7"},
      {"-0", "0"},
      {"-5", "5"},
      {"00", "0"},
      {"-007", "-7"},
      {"1000", "1,000"},
      {"5", "\\boxed{5}"},
      {"3", "+3"},
      {"123456789012345678901234567890", "123456789012345678901234567890.0"},
      {"123456789012345678901234567890", "123456789012345678901234567891"},
      {"1/2", "0.5"},
      {"x", "2"}};
  for (const auto& [a, b] : pairs) {
    const auto stats = group_stats(
        {answered("p", 0, a, true), answered("p", 1, b, false), answered("p", 2, b, false)}, 3);
    EXPECT_EQ(stats.majority_at_k[2] == 1.0, lemma::math::compare(b, a).equal()) << a << " / " << b;
  }
}

TEST(Majority, TieGoesToTheGroupFirstSeenAtTheLowestSampleIndex) {
  // Given out of order: sorted by sample index the answers are 7 (wrong), 5, 5, 7.
  const std::vector<EvalSample> samples = {
      answered("p", 3, "7", false), answered("p", 1, "5", true), answered("p", 0, "7", false),
      answered("p", 2, "5", true)};
  const auto stats = group_stats(samples, 4, kSameString);
  EXPECT_DOUBLE_EQ(stats.majority_at_k[0], 0.0);  // 7
  EXPECT_DOUBLE_EQ(stats.majority_at_k[1], 0.0);  // 7 vs 5, tie: 7 came first
  EXPECT_DOUBLE_EQ(stats.majority_at_k[2], 1.0);  // 5 leads 2 to 1
  EXPECT_DOUBLE_EQ(stats.majority_at_k[3], 0.0);  // 2 to 2: 7 came first
}

TEST(Majority, WinnerIsJudgedByItsFirstMember) {
  // An equivalence that groups everything: the group's first member (sample 0) decides.
  const AnswerEquivalence everything = [](const std::string&, const std::string&) { return true; };
  const auto stats =
      group_stats({answered("p", 0, "x", false), answered("p", 1, "y", true)}, 2, everything);
  EXPECT_DOUBLE_EQ(stats.majority_at_k[1], 0.0);
}

TEST(Majority, AllNoAnswerProblemCountsWrong) {
  const std::vector<EvalSample> samples = {unanswered("p", 0), unanswered("p", 1),
                                           answered("q", 0, "1", true), unanswered("q", 1)};
  const auto stats = group_stats(samples, 2, kSameString);
  EXPECT_DOUBLE_EQ(stats.majority_at_k[0], 0.5);
  EXPECT_DOUBLE_EQ(stats.majority_at_k[1], 0.5);
  EXPECT_DOUBLE_EQ(stats.no_answer_rate, 0.75);
  EXPECT_DOUBLE_EQ(stats.error_rate, 0.0);
}

TEST(Majority, UnansweredSamplesAbstainAndLaterAnswersStillCount) {
  // Sample 0 gives nothing, sample 1 answers right: maj@1 wrong (no answer yet), maj@2 right.
  const auto stats = group_stats({unanswered("p", 0), answered("p", 1, "4", true)}, 2, kSameString);
  EXPECT_DOUBLE_EQ(stats.majority_at_k[0], 0.0);
  EXPECT_DOUBLE_EQ(stats.majority_at_k[1], 1.0);
}

TEST(FailedSamples, CountIncorrectAsErrorsNotAsNoAnswer) {
  EvalSample bad = failed("p", 0);
  bad.correct = true;   // a malformed record: a failure is never correct
  bad.extracted = "4";  // nor an answer
  const std::vector<EvalSample> samples = {bad, answered("p", 1, "4", true), failed("p", 2),
                                           answered("p", 3, "5", false)};
  const auto stats = group_stats(samples, 4, kSameString);
  EXPECT_DOUBLE_EQ(stats.accuracy, 0.25);
  EXPECT_DOUBLE_EQ(stats.error_rate, 0.5);
  EXPECT_DOUBLE_EQ(stats.no_answer_rate, 0.0);
  // pass@k with n = 4, c = 1.
  EXPECT_DOUBLE_EQ(stats.pass_at_k[0], 0.25);
  EXPECT_DOUBLE_EQ(stats.pass_at_k[1], pass_at_k(4, 1, 2));
  // The failed sample 0 abstains: maj@1 has no answer, maj@2 is "4".
  EXPECT_DOUBLE_EQ(stats.majority_at_k[0], 0.0);
  EXPECT_DOUBLE_EQ(stats.majority_at_k[1], 1.0);
  // 4 vs 5 at k = 4: tie, 4 came first.
  EXPECT_DOUBLE_EQ(stats.majority_at_k[3], 1.0);
}

TEST(GroupStats, ProblemWithFewerSamplesCountsWithItsN) {
  // p has 4 samples (1 right), q only 2 (1 right, e.g. two requests never sent).
  const std::vector<EvalSample> samples = {
      answered("p", 0, "1", false), answered("p", 1, "2", false), answered("p", 2, "3", true),
      answered("p", 3, "4", false), answered("q", 0, "8", false), answered("q", 1, "9", true)};
  const auto stats = group_stats(samples, 4, kSameString);
  ASSERT_EQ(stats.pass_at_k.size(), 4u);
  EXPECT_DOUBLE_EQ(stats.pass_at_k[3], (pass_at_k(4, 1, 4) + pass_at_k(2, 1, 2)) / 2);
  EXPECT_DOUBLE_EQ(stats.pass_at_k[2], (pass_at_k(4, 1, 3) + 1.0) / 2);
  // q's vote at k = 3 and 4 is its vote at 2 (tie 8 vs 9: 8, wrong); p's is 1 (wrong).
  EXPECT_DOUBLE_EQ(stats.majority_at_k[3], 0.0);
}

TEST(GroupStats, KDefaultsToTheLargestProblem) {
  const auto stats = group_stats(three_problems());
  EXPECT_EQ(stats.pass_at_k.size(), 2u);
  EXPECT_EQ(stats.majority_at_k.size(), 2u);
}

TEST(GroupStats, CutOffSamplesAreCounted) {
  auto samples = three_problems();
  samples[1].finish_reason = "length";
  samples[4].finish_reason = "length";
  samples[4].extracted.reset();
  const auto stats = group_stats(samples, 2, kSameString);
  EXPECT_DOUBLE_EQ(stats.cutoff_rate, 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(stats.no_answer_rate, 1.0 / 6.0);
}

TEST(GroupStats, EmptyInput) {
  const auto stats = group_stats({}, 4);
  EXPECT_EQ(stats.problems, 0);
  EXPECT_EQ(stats.samples, 0);
  EXPECT_THAT(stats.pass_at_k, IsEmpty());
  EXPECT_TRUE(stats.to_json()["pass_at_k"].is_object());
}

TEST(Majority, EachAnswerMeetsEachGroupOnceAcrossAllK) {
  // 64 distinct answers: a naive recount per k would need sum_k k(k-1)/2 = 43,680 comparisons;
  // incremental grouping needs 64 * 63 / 2 = 2,016.
  std::vector<EvalSample> samples;
  for (int i = 0; i < 64; ++i) samples.push_back(answered("p", i, std::to_string(i), false));
  std::int64_t calls = 0;
  const AnswerEquivalence counting = [&calls](const std::string& a, const std::string& b) {
    ++calls;
    return a == b;
  };
  (void)group_stats(samples, 64, counting);
  EXPECT_EQ(calls, 64 * 63 / 2);

  // Repeated strings are matched without calling the equivalence at all.
  calls = 0;
  for (auto& s : samples) s.extracted = std::to_string(s.sample % 2);
  (void)group_stats(samples, 64, counting);
  EXPECT_EQ(calls, 1);  // "1" against "0", once
}

TEST(Majority, EquivalenceVerdictsAreMemoisedAcrossProblemsAndGroups) {
  // Ten problems answering "2" then "3": one comparison for the whole summary, group-by
  // included.
  std::vector<EvalSample> samples;
  for (int p = 0; p < 10; ++p) {
    samples.push_back(answered("p" + std::to_string(p), 0, "2", true));
    samples.push_back(answered("p" + std::to_string(p), 1, "3", false));
    samples[samples.size() - 1].fields["level"] = samples[samples.size() - 2].fields["level"] =
        p % 2 ? "odd" : "even";
  }
  std::int64_t calls = 0;
  SummaryOptions options;
  options.group_by = {"level"};
  options.equivalent = [&calls](const std::string& a, const std::string& b) {
    ++calls;
    return a == b;
  };
  const auto summary = summarize(samples, options);
  EXPECT_EQ(calls, 1);
  EXPECT_DOUBLE_EQ(summary.overall.majority_at_k[1], 1.0);  // tie: "2" came first
  EXPECT_DOUBLE_EQ(summary.groups.at("level").at("odd").majority_at_k[1], 1.0);
}

TEST(Majority, HundredThousandSamplesWithCompare) {
  // 25,000 problems x 4 samples with the default equivalence (lemma::math::compare). Problem p
  // has the value v = 2 (p mod 1000) + 1, so answers recur across problems as small answers do
  // in real datasets (a few thousand distinct comparisons; the rest are memoised). A problem's
  // answers are spellings p, p+1, p+2, p+3 (mod 6) of: v/2 three ways (right), v, and v + 1 two
  // ways.
  std::vector<EvalSample> samples;
  samples.reserve(100000);
  for (int p = 0; p < 25000; ++p) {
    const int half = p % 1000;
    const std::string v = std::to_string(2 * half + 1);
    const std::string w = std::to_string(2 * half + 2);
    const std::vector<std::string> spellings = {
        "\\frac{" + v + "}{2}", v + "/2", std::to_string(half) + ".5", v, "\\sqrt{" + w + "^2}", w};
    for (int i = 0; i < 4; ++i) {
      const auto spelling = static_cast<std::size_t>((p + i) % 6);
      samples.push_back(answered("p" + std::to_string(p), i, spellings[spelling], spelling < 3));
      samples.back().fields["level"] = "Level " + std::to_string(p % 5 + 1);
    }
  }
  SummaryOptions options;
  options.samples_per_problem = 4;
  options.group_by = {"level"};
  const auto summary = summarize(samples, options);
  EXPECT_EQ(summary.overall.samples, 100000);
  EXPECT_EQ(summary.overall.problems, 25000);
  EXPECT_EQ(summary.groups.at("level").size(), 5u);
  // Halves win for p = 0, 1, 5 (mod 6); p = 4 ties two v + 1 against two halves and the earlier
  // group (v + 1) wins: 12,500 of 25,000.
  EXPECT_DOUBLE_EQ(summary.overall.majority_at_k[3], 0.5);
  // Every problem has 4 samples: pass@1 is the accuracy, to the last bit.
  EXPECT_EQ(summary.overall.pass_at_k[0], summary.overall.accuracy);
}

TEST(Summarize, GroupsByFieldWithMissingFieldsUnderNone) {
  auto samples = three_problems();
  samples[0].fields["level"] = "1";
  samples[1].fields["level"] = "1";
  samples[2].fields["level"] = "2";
  samples[3].fields["level"] = "2";
  // p3 has no level.
  SummaryOptions options;
  options.group_by = {"level", "subject"};
  options.equivalent = kSameString;
  const auto summary = summarize(samples, options);
  const auto& level = summary.groups.at("level");
  ASSERT_EQ(level.size(), 3u);
  EXPECT_DOUBLE_EQ(level.at("1").accuracy, 1.0);
  EXPECT_DOUBLE_EQ(level.at("2").accuracy, 0.5);
  EXPECT_DOUBLE_EQ(level.at("(none)").accuracy, 0.0);
  EXPECT_EQ(level.at("(none)").problems, 1);
  // Nobody has a subject: one group with everything, equal to overall.
  const auto& subject = summary.groups.at("subject");
  ASSERT_EQ(subject.size(), 1u);
  EXPECT_EQ(subject.at("(none)").to_json(), summary.overall.to_json());
}

TEST(Summarize, AProblemWhoseSamplesDisagreeOnAFieldCountsInEachGroup) {
  // p's samples 0 and 1 say level "a", sample 2 says "b": p counts in both, with those samples.
  std::vector<EvalSample> samples = {answered("p", 0, "1", true), answered("p", 1, "2", false),
                                     answered("p", 2, "2", false)};
  samples[0].fields["level"] = samples[1].fields["level"] = "a";
  samples[2].fields["level"] = "b";
  SummaryOptions options;
  options.group_by = {"level"};
  options.equivalent = kSameString;
  const auto summary = summarize(samples, options);
  EXPECT_DOUBLE_EQ(summary.overall.majority_at_k[2], 0.0);  // "2" twice
  const auto& a = summary.groups.at("level").at("a");
  EXPECT_EQ(a.problems, 1);
  EXPECT_EQ(a.samples, 2);
  EXPECT_DOUBLE_EQ(a.majority_at_k[2], 1.0);  // "1" vs "2" tie: "1" first, right
  const auto& b = summary.groups.at("level").at("b");
  EXPECT_EQ(b.samples, 1);
  EXPECT_DOUBLE_EQ(b.accuracy, 0.0);
  EXPECT_EQ(b.pass_at_k.size(), 3u);
}

TEST(Summarize, GroupsReportTheRunsK) {
  auto samples = three_problems();
  samples.push_back(answered("p4", 0, "1", true));
  samples.push_back(answered("p4", 1, "1", true));
  samples.push_back(answered("p4", 2, "1", true));
  for (auto& s : samples) s.fields["big"] = s.problem_id == "p4" ? "yes" : "no";
  SummaryOptions options;
  options.group_by = {"big"};
  const auto summary = summarize(samples, options);
  EXPECT_EQ(summary.overall.pass_at_k.size(), 3u);
  EXPECT_EQ(summary.groups.at("big").at("no").pass_at_k.size(), 3u);
}

TEST(RunStats, RequestsLatencyTokensAndCost) {
  std::vector<EvalSample> samples;
  // Ten single-sample requests with latencies 10..100 ms, one failed (its latency ignored).
  for (int i = 1; i <= 10; ++i) {
    EvalSample s = answered("p" + std::to_string(i), 0, "1", true);
    s.custom_id = "p" + std::to_string(i) + "#0";
    s.latency_ms = 10.0 * i;
    s.prompt_tokens = 5;
    s.completion_tokens = 7;
    samples.push_back(s);
  }
  EvalSample bad = failed("p11", 0);
  bad.custom_id = "p11#0";
  bad.latency_ms = 99999;
  samples.push_back(bad);
  const auto run = run_stats(samples, 12.5);
  EXPECT_EQ(run.requests, 11);
  EXPECT_EQ(run.completed, 10);
  EXPECT_EQ(run.failed, 1);
  EXPECT_DOUBLE_EQ(run.success_rate, 10.0 / 11.0);
  ASSERT_TRUE(run.latency_ms.has_value());
  EXPECT_EQ(run.latency_ms->count, 10);
  EXPECT_DOUBLE_EQ(run.latency_ms->p50, 50);  // nearest rank 5 of 10
  EXPECT_DOUBLE_EQ(run.latency_ms->p90, 90);  // rank 9, not 10
  EXPECT_DOUBLE_EQ(run.latency_ms->p99, 100);
  EXPECT_FALSE(run.ttft_ms.has_value());
  EXPECT_EQ(run.prompt_tokens, 50);
  EXPECT_EQ(run.completion_tokens, 70);
  EXPECT_FALSE(run.cost_usd.has_value());
  const auto json = run.to_json();
  EXPECT_TRUE(json["ttft_ms"].is_null());
  EXPECT_TRUE(json["cost_usd"].is_null());
  EXPECT_EQ(json["request_counts"]["total"], 11);
  EXPECT_EQ(json["latency_ms"]["p90"], 90.0);
  EXPECT_EQ(json["elapsed_s"], 12.5);
}

TEST(RunStats, NSamplingCountsOneRequestWithItsLatencyOnce) {
  // One request "p" with 4 choices (usage and cost on sample 0), another request "q" of 1.
  std::vector<EvalSample> samples;
  for (int i = 0; i < 4; ++i) {
    EvalSample s = answered("p", i, "1", true);
    s.custom_id = "p";
    s.latency_ms = 800;
    s.ttft_ms = 90;
    s.prompt_tokens = i == 0 ? 50 : 0;
    s.completion_tokens = 100;
    s.cost_usd = i == 0 ? 0.004 : 0.0;
    samples.push_back(s);
  }
  EvalSample q = answered("q", 0, "2", false);
  q.custom_id = "q";
  q.latency_ms = 200;
  q.cost_usd = 0.001;
  samples.push_back(q);
  const auto run = run_stats(samples);
  EXPECT_EQ(run.requests, 2);
  ASSERT_TRUE(run.latency_ms.has_value());
  EXPECT_EQ(run.latency_ms->count, 2);
  EXPECT_DOUBLE_EQ(run.latency_ms->p50, 200);
  EXPECT_DOUBLE_EQ(run.latency_ms->p90, 800);
  ASSERT_TRUE(run.ttft_ms.has_value());
  EXPECT_EQ(run.ttft_ms->count, 1);
  EXPECT_EQ(run.prompt_tokens, 50);
  EXPECT_EQ(run.completion_tokens, 400);
  ASSERT_TRUE(run.cost_usd.has_value());
  EXPECT_NEAR(*run.cost_usd, 0.005, 1e-12);
  EXPECT_FALSE(run.to_json()["elapsed_s"].is_number());
}

TEST(RunStats, SamplesWithoutCustomIdAreRequestsOfTheirOwn) {
  auto samples = three_problems();
  EXPECT_EQ(run_stats(samples).requests, 6);
  EXPECT_EQ(run_stats({}).requests, 0);
  EXPECT_DOUBLE_EQ(run_stats({}).success_rate, 0.0);
}

TEST(Summarize, JsonHasTheSummarySchema) {
  auto samples = three_problems();
  samples[0].fields["level"] = "1";
  SummaryOptions options;
  options.samples_per_problem = 2;
  options.group_by = {"level"};
  options.elapsed_s = 3.0;
  const auto json = summarize(samples, options).to_json();
  const auto& overall = json.at("overall");
  for (const char* key :
       {"problems", "samples", "accuracy", "accuracy_se", "pass_at_k", "pass_at_k_se",
        "majority_at_k", "no_answer_rate", "cutoff_rate", "error_rate"}) {
    EXPECT_TRUE(overall.contains(key)) << key;
  }
  EXPECT_EQ(overall["pass_at_k"].size(), 2u);
  EXPECT_TRUE(overall["pass_at_k"].contains("1"));
  EXPECT_TRUE(overall["pass_at_k"].contains("2"));
  EXPECT_TRUE(overall["majority_at_k"].contains("2"));
  EXPECT_EQ(overall["problems"], 3);
  EXPECT_TRUE(json.at("groups").at("level").contains("1"));
  EXPECT_TRUE(json.at("groups").at("level").contains("(none)"));
  for (const char* key : {"request_counts", "success_rate", "latency_ms", "ttft_ms", "tokens",
                          "cost_usd", "elapsed_s"}) {
    EXPECT_TRUE(json.at("run").contains(key)) << key;
  }
}

TEST(EvalSampleFromJson, ReadsTheDesignsResultsLine) {
  const auto line = nlohmann::json::parse(R"({"id": "p1", "sample": 2, "custom_id": "p1#2",
      "extracted": "12", "verdict": "equal", "rule": "boxed", "correct": true,
      "finish_reason": "stop", "latency_ms": 812, "ttft_ms": 90, "prompt_tokens": 51,
      "completion_tokens": 402, "cost_usd": 0.0004, "error": null, "reference": "12",
      "fields": {"level": "Level 2", "subject": "Algebra", "year": 2021, "tags": ["a"],
                 "note": null}})");
  const auto sample = lemma::math::eval_sample_from_json(line);
  ASSERT_TRUE(sample.ok()) << sample.error();
  EXPECT_EQ(sample->problem_id, "p1");
  EXPECT_EQ(sample->sample, 2);
  EXPECT_EQ(sample->custom_id, "p1#2");
  EXPECT_EQ(sample->extracted, std::optional<std::string>("12"));
  EXPECT_TRUE(sample->correct);
  EXPECT_FALSE(sample->failed);
  EXPECT_EQ(sample->finish_reason, "stop");
  EXPECT_EQ(sample->latency_ms, std::optional<double>(812));
  EXPECT_EQ(sample->ttft_ms, std::optional<double>(90));
  EXPECT_EQ(sample->prompt_tokens, 51);
  EXPECT_EQ(sample->completion_tokens, 402);
  EXPECT_EQ(sample->cost_usd, std::optional<double>(0.0004));
  const std::map<std::string, std::string> fields = {
      {"level", "Level 2"}, {"subject", "Algebra"}, {"year", "2021"}, {"tags", "[\"a\"]"}};
  EXPECT_EQ(sample->fields, fields);
}

TEST(EvalSampleFromJson, AFailedRequestIsFailedWithoutAnswer) {
  const auto sample = lemma::math::eval_sample_from_json(nlohmann::json::parse(
      R"({"id": 7, "sample": 0, "extracted": "3", "correct": true, "latency_ms": null,
          "ttft_ms": null, "cost_usd": null, "finish_reason": null,
          "error": {"code": "server_error", "message": "HTTP 503"}})"));
  ASSERT_TRUE(sample.ok()) << sample.error();
  EXPECT_EQ(sample->problem_id, "7");
  EXPECT_TRUE(sample->failed);
  EXPECT_FALSE(sample->extracted.has_value());
  EXPECT_FALSE(sample->latency_ms.has_value());
  EXPECT_EQ(sample->finish_reason, "");
  // And it counts as an error, not as correct.
  const auto stats = group_stats({*sample});
  EXPECT_DOUBLE_EQ(stats.accuracy, 0.0);
  EXPECT_DOUBLE_EQ(stats.error_rate, 1.0);
}

TEST(EvalSampleFromJson, BadLinesNameTheKey) {
  struct Case {
    const char* line;
    const char* key;
  };
  const Case cases[] = {
      {R"([1, 2])", ""},
      {R"({"sample": 0})", "id"},
      {R"({"id": 1.5, "sample": 0})", "id"},
      {R"({"id": "p"})", "sample"},
      {R"({"id": "p", "sample": -1})", "sample"},
      {R"({"id": "p", "sample": 0.5})", "sample"},
      {R"({"id": "p", "sample": 1e300})", "sample"},
      {R"({"id": "p", "sample": 0, "extracted": 12})", "extracted"},
      {R"({"id": "p", "sample": 0, "correct": "yes"})", "correct"},
      {R"({"id": "p", "sample": 0, "latency_ms": "812"})", "latency_ms"},
      {R"({"id": "p", "sample": 0, "prompt_tokens": -3})", "prompt_tokens"},
      {R"({"id": "p", "sample": 0, "fields": ["level"]})", "fields"},
      {R"({"id": "p", "sample": 0, "custom_id": 3})", "custom_id"},
  };
  for (const auto& c : cases) {
    const auto sample = lemma::math::eval_sample_from_json(nlohmann::json::parse(c.line));
    ASSERT_FALSE(sample.ok()) << c.line;
    EXPECT_EQ(sample.error().kind, lemma::ErrorKind::invalid_request) << c.line;
    EXPECT_EQ(sample.error().param, c.key) << c.line;
    if (*c.key != '\0') {
      EXPECT_THAT(sample.error().message, HasSubstr(c.key)) << c.line;
    }
  }
  // Integral floats are counts (some writers emit 12.0).
  const auto sample = lemma::math::eval_sample_from_json(
      nlohmann::json::parse(R"({"id": "p", "sample": 1.0, "completion_tokens": 12.0})"));
  ASSERT_TRUE(sample.ok()) << sample.error();
  EXPECT_EQ(sample->completion_tokens, 12);
}

nlohmann::json summary_for_table(const std::string& model, int k, double accuracy) {
  auto samples = three_problems();
  for (int extra = 2; extra < k; ++extra) samples.push_back(answered("p1", extra, "1", true));
  for (auto& s : samples) {
    s.custom_id = s.problem_id + "#" + std::to_string(s.sample);
    s.latency_ms = 1500;
    s.prompt_tokens = 1000;
    s.cost_usd = 0.01;
  }
  SummaryOptions options;
  options.samples_per_problem = k;
  options.equivalent = kSameString;
  auto json = summarize(samples, options).to_json();
  json["model"] = model;
  json["provider"] = "mock";
  json["overall"]["accuracy"] = accuracy;
  return json;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The display width of a UTF-8 line ("±" is one column).
std::size_t columns(const std::string& line) {
  std::size_t n = 0;
  for (char c : line) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

TEST(CompareTable, SideBySideRowsForEveryRun) {
  const auto table = compare_table({{"runs/a", summary_for_table("model-a", 2, 0.5)},
                                    {"runs/b", summary_for_table("model-b", 4, 0.625)}});
  const auto lines = lines_of(table);
  ASSERT_GE(lines.size(), 10u);
  EXPECT_THAT(lines[0], HasSubstr("runs/a"));
  EXPECT_THAT(lines[0], HasSubstr("runs/b"));
  EXPECT_THAT(table, HasSubstr("model-a"));
  EXPECT_THAT(table, HasSubstr("50.0% ± 28.9"));  // SE 0.5 / sqrt(3) in points
  EXPECT_THAT(table, HasSubstr("62.5%"));
  EXPECT_THAT(table, HasSubstr("1.50 s"));
  EXPECT_THAT(table, HasSubstr("$0.0600"));  // run a: 6 samples x $0.01
  // K is 2 for a and 4 for b: rows pass@1, 2, 4 and maj@1, 2, 4; run a has no pass@4.
  std::string pass4;
  for (const auto& line : lines) {
    if (line.rfind("pass@4", 0) == 0) pass4 = line;
  }
  ASSERT_FALSE(pass4.empty()) << table;
  EXPECT_THAT(pass4, HasSubstr(" - "));
  EXPECT_THAT(table, HasSubstr("maj@4"));
  EXPECT_THAT(table, Not(HasSubstr("pass@3")));
  // Columns line up: every row but the separator has the width of the header's.
  for (std::size_t i = 2; i < lines.size(); ++i) {
    EXPECT_EQ(columns(lines[i]), columns(lines[0])) << lines[i];
  }
}

TEST(CompareTable, MalformedSummariesShowDashesAndNeverThrow) {
  nlohmann::json wrong_types = {
      {"model", 7},
      {"overall", {{"accuracy", "high"}, {"pass_at_k", {{"x", 1}}}, {"problems", 1e300}}},
      {"run", nullptr}};
  std::string table;
  ASSERT_NO_THROW(
      table = compare_table(
          {{"a", nlohmann::json::array({1, 2})}, {"b", wrong_types}, {"c", nlohmann::json()}}));
  EXPECT_THAT(table, HasSubstr("accuracy"));
  EXPECT_THAT(table, Not(HasSubstr("high")));
  EXPECT_THAT(table, Not(HasSubstr("pass@")));  // no run has a valid k
  EXPECT_EQ(compare_table({}), "");
}

}  // namespace
