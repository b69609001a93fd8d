// compare(): the named equivalence table (compare_cases.hpp), the policy options, the step
// budget on pathological inputs, many threads at once, and a deterministic fuzz loop.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "compare_cases.hpp"
#include "lemma/math/compare.hpp"

namespace lemma::math {
namespace {

using testing::CompareCase;
using testing::Expect;
using testing::kCompareCases;

Verdict::Result to_result(Expect e) {
  switch (e) {
    case Expect::equal: return Verdict::Result::equal;
    case Expect::not_equal: return Verdict::Result::not_equal;
    case Expect::undecided: return Verdict::Result::undecided;
  }
  return Verdict::Result::undecided;
}

}  // namespace

namespace testing {
// Names the case in gtest's failure messages instead of dumping its bytes.
void PrintTo(const CompareCase& c, std::ostream* os) {
  *os << c.name;
}
}  // namespace testing

namespace {

class CompareTable : public ::testing::TestWithParam<CompareCase> {};

TEST_P(CompareTable, Verdict) {
  const CompareCase& c = GetParam();
  Verdict v = compare(c.predicted, c.reference);
  EXPECT_EQ(to_string(v.result), std::string(to_string(to_result(c.expect))))
      << "predicted: " << c.predicted << "\nreference: " << c.reference << "\nrule: " << v.rule
      << "\nexplanation: " << v.explanation;
  if (std::string(c.rule).size() > 0) {
    EXPECT_EQ(v.rule, c.rule) << v.explanation;
  }
  EXPECT_FALSE(v.rule.empty());
  EXPECT_FALSE(v.explanation.empty());
  EXPECT_FALSE(v.extracted.has_value());
}

INSTANTIATE_TEST_SUITE_P(Cases, CompareTable, ::testing::ValuesIn(kCompareCases),
                         [](const ::testing::TestParamInfo<CompareCase>& case_info) {
                           return std::string(case_info.param.name);
                         });

// Equivalence is symmetric except for the documented asymmetries: a reference inequality may
// match a predicted interval but not the reverse, an empty reference is undecided, and a
// prediction more precise than a decimal reference rounds to it but not the reverse.
TEST(CompareSymmetry, SwappingSidesKeepsTheVerdict) {
  for (const auto& c : kCompareCases) {
    Verdict forward = compare(c.predicted, c.reference);
    Verdict swapped = compare(c.reference, c.predicted);
    bool asymmetric = forward.rule == "relation_vs_interval" ||
                      swapped.rule == "relation_vs_interval" || forward.rule == "empty" ||
                      forward.rule == "numeric_rounding";
    if (asymmetric) continue;
    EXPECT_EQ(to_string(forward.result), std::string(to_string(swapped.result)))
        << c.name << ": swapped rule " << swapped.rule << ", " << swapped.explanation;
  }
}

TEST(CompareTableSize, AtLeastThreeHundredNamedCases) {
  EXPECT_GE(sizeof(kCompareCases) / sizeof(kCompareCases[0]), 300u);
}

TEST(CompareOptions, DecimalCommaReadsCommaAsPoint) {
  CompareOptions o;
  o.decimal_comma = true;
  EXPECT_TRUE(compare("3,5", "3.5", o).equal());
  EXPECT_TRUE(compare("(1,5; 2)", "(1.5, 2)", o).equal());
  EXPECT_FALSE(compare("3,5", "3.5").equal());  // off by default: a list of 3 and 5
}

TEST(CompareOptions, LenientSetTupleComparesAsSets) {
  CompareOptions o;
  o.strict_set_tuple = false;
  EXPECT_TRUE(compare(R"(\{2, 1\})", "(1, 2)", o).equal());
  EXPECT_TRUE(compare(R"(\{5\})", "5", o).equal());
  EXPECT_EQ(compare(R"(\{2, 1\})", "(1, 2)").rule, "set_vs_tuple");
}

TEST(CompareOptions, PredictedRelationAgainstIntervalOnlyWhenAllowed) {
  CompareOptions o;
  o.allow_predicted_relation_vs_interval = true;
  EXPECT_TRUE(compare("x > 3", R"((3, \infty))", o).equal());
  EXPECT_FALSE(compare("x >= 3", R"((3, \infty))", o).equal());
  EXPECT_EQ(compare("x > 3", R"((3, \infty))").result, Verdict::Result::not_equal);
}

TEST(CompareOptions, RoundingPlacesRoundsBothSides) {
  CompareOptions o;
  o.rounding_places = 1;
  EXPECT_TRUE(compare("0.33", "0.3", o).equal());
  EXPECT_EQ(compare("0.33", "0.3", o).rule, "numeric_rounding");
  EXPECT_FALSE(compare("0.33", "0.3").equal());
}

TEST(CompareOptions, RelativeToleranceIsRelative) {
  CompareOptions o;
  o.relative_tolerance = 1e-2;
  EXPECT_TRUE(compare("100.5", "100", o).equal());
  EXPECT_FALSE(compare("0.0001", "0.0009", o).equal());  // never absolute
}

TEST(CompareOptions, RoundingRuleCanBeTurnedOff) {
  CompareOptions o;
  o.min_rounding_places = -1;
  EXPECT_FALSE(compare("3.14", R"(\pi)", o).equal());
  o.min_rounding_places = 4;
  EXPECT_FALSE(compare("3.142", R"(\pi)", o).equal());
  EXPECT_TRUE(compare("3.1416", R"(\pi)", o).equal());
}

TEST(CompareOptions, PercentGuessOnlyWhenAsked) {
  CompareOptions o;
  o.percent_guess = true;
  EXPECT_TRUE(compare(R"(50\%)", "0.5", o).equal());
  EXPECT_EQ(compare(R"(50\%)", "0.5", o).rule, "percent_guess");
  EXPECT_TRUE(compare("0.25", "25", o).equal());
  EXPECT_FALSE(compare("0.25", "26", o).equal());
  EXPECT_FALSE(compare(R"(50\%)", "0.5").equal());
}

TEST(CompareOptions, SymbolicPointsIsUsed) {
  CompareOptions o;
  o.symbolic_points = 1;
  Verdict v = compare("(x+1)^2", "x^2+2x+1", o);
  EXPECT_TRUE(v.equal());
  EXPECT_NE(v.explanation.find("1 random point"), std::string::npos) << v.explanation;
}

// symbolic_points is clamped to 1..64: zero or negative used to read an empty ratio (UB) and
// call x and y equal; a huge value overflowed points * 3.
TEST(CompareOptions, SymbolicPointsIsClamped) {
  for (int points : {0, -5, std::numeric_limits<int>::min()}) {
    CompareOptions o;
    o.symbolic_points = points;
    EXPECT_EQ(compare("x", "y", o).result, Verdict::Result::not_equal) << points;
    EXPECT_EQ(compare("2x+2y=2", "x+y=1", o).result, Verdict::Result::equal) << points;
    EXPECT_EQ(compare("x+1", "x+2", o).result, Verdict::Result::not_equal) << points;
  }
  CompareOptions many;
  many.symbolic_points = std::numeric_limits<int>::max();
  Verdict v = compare("(x+1)^2", "x^2+2x+1", many);
  EXPECT_TRUE(v.equal()) << v.rule << ": " << v.explanation;
  EXPECT_NE(v.explanation.find("64 random points"), std::string::npos) << v.explanation;
}

TEST(CompareBudget, DeeplyNestedBracesAreUndecidedNotACrash) {
  std::string deep(10000, '{');
  deep += "1";
  deep += std::string(10000, '}');
  Verdict v = compare(deep, "1");
  EXPECT_EQ(v.result, Verdict::Result::undecided);
  EXPECT_EQ(v.rule, "budget");
  std::string parens(10000, '(');
  parens += "1" + std::string(10000, ')');
  EXPECT_EQ(compare(parens, "2").rule, "budget");
}

TEST(CompareBudget, LegitimateNestingIsWithinTheDepthLimit) {
  std::string continued = "1";
  for (int k = 0; k < 15; ++k) continued = "1+\\frac{1}{" + continued + "}";
  Verdict v = compare(continued, "\\frac{1597}{987}");
  EXPECT_TRUE(v.equal()) << v.rule << ": " << v.explanation;
  EXPECT_EQ(v.rule, "numeric_exact");
  std::string parens = std::string(40, '(') + "2" + std::string(40, ')');
  EXPECT_TRUE(compare(parens, "2").equal());
}

// Postfix !, a/b/c and \pm chains wrap the previous node iteratively: the tree's height is
// bounded too, so copying, walking or destroying it cannot overflow the stack.
TEST(CompareBudget, LongFactorialChainIsUndecided) {
  std::string bangs = "1" + std::string(40000, '!');
  Verdict v = compare(bangs, "1");
  EXPECT_EQ(v.result, Verdict::Result::undecided) << v.rule << ": " << v.explanation;
  EXPECT_EQ(v.rule, "budget");
}

TEST(CompareBudget, LongDivisionChainIsUndecided) {
  std::string chain = "1";
  for (int k = 0; k < 40000; ++k) chain += "/1";
  Verdict v = compare(chain, "1");
  EXPECT_EQ(v.result, Verdict::Result::undecided) << v.rule << ": " << v.explanation;
  EXPECT_EQ(v.rule, "budget");
}

TEST(CompareBudget, LongPlusMinusChainIsUndecided) {
  std::string chain = "1";
  for (int k = 0; k < 40000; ++k) chain += R"(\pm 1)";
  CompareOptions o;
  o.step_budget = 10000000;  // the height limit, not the step budget, stops it
  Verdict v = compare(chain, "1", o);
  EXPECT_EQ(v.result, Verdict::Result::undecided) << v.rule << ": " << v.explanation;
  EXPECT_EQ(v.rule, "budget");
}

TEST(CompareBudget, ModerateChainsStayExact) {
  std::string chain = "720";
  for (int k = 0; k < 5; ++k) chain += "/2";
  EXPECT_TRUE(compare(chain, "22.5").equal());
  EXPECT_TRUE(compare("3!!", "720").equal());
}

TEST(CompareBudget, EachFactorialChargesAStep) {
  CompareOptions o;
  o.step_budget = 2000;
  std::string bangs = "1" + std::string(1900, '!');
  EXPECT_EQ(compare(bangs, "1", o).rule, "budget");
}

TEST(CompareBudget, TowerOfPowersIsUndecided) {
  Verdict v = compare("10^{10^{10}}", "10^{10^{10}}+1");
  EXPECT_EQ(v.result, Verdict::Result::undecided) << v.rule << ": " << v.explanation;
}

TEST(CompareBudget, HugeFactorialIsUndecided) {
  Verdict v = compare("100000!", "100001!");
  EXPECT_EQ(v.result, Verdict::Result::undecided) << v.rule << ": " << v.explanation;
}

TEST(CompareBudget, HugePowerOfHugeBaseIsUndecided) {
  Verdict v = compare("(3^{50000})^{50000}", "(3^{50000})^{50001}");
  EXPECT_EQ(v.result, Verdict::Result::undecided) << v.rule << ": " << v.explanation;
}

TEST(CompareBudget, LongInputRunsOutOfBudget) {
  std::string sum;
  for (int k = 0; k < 200000; ++k) sum += "1+";
  sum += "1";
  Verdict v = compare(sum, "200001");
  EXPECT_EQ(v.result, Verdict::Result::undecided);
  EXPECT_EQ(v.rule, "budget");
}

TEST(CompareBudget, TinyBudgetIsUndecided) {
  CompareOptions o;
  o.step_budget = 10;
  Verdict v = compare("(x+1)^2", "x^2+2x+1", o);
  EXPECT_EQ(v.result, Verdict::Result::undecided);
  EXPECT_EQ(v.rule, "budget");
}

TEST(CompareBudget, ManyPlusMinusSignsAreUndecided) {
  std::string many;
  for (int k = 0; k < 8; ++k) many += R"(\pm 1)";
  Verdict v = compare(many, "0");
  EXPECT_EQ(v.result, Verdict::Result::undecided) << v.rule;
}

TEST(CompareThreads, ManyThreadsAgreeWithOneThread) {
  std::vector<Verdict::Result> expected;
  for (const auto& c : kCompareCases) expected.push_back(compare(c.predicted, c.reference).result);
  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &expected, &mismatches] {
      std::size_t n = sizeof(kCompareCases) / sizeof(kCompareCases[0]);
      for (std::size_t k = 0; k < n; ++k) {
        std::size_t i = (k * 7 + static_cast<std::size_t>(t) * 31) % n;
        if (compare(kCompareCases[i].predicted, kCompareCases[i].reference).result != expected[i]) {
          ++mismatches[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

// Deterministic mutations of the table's inputs: no crash, no exception, a verdict with a rule.
TEST(CompareFuzz, MutatedInputsAlwaysGiveAVerdict) {
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(state >> 33);
  };
  const std::string alphabet = "{}()[]\\^_$,.-+*/!|=<>0123456789xe &";
  std::size_t n = sizeof(kCompareCases) / sizeof(kCompareCases[0]);
  int verdicts = 0;
  for (int round = 0; round < 1500; ++round) {
    const auto& c = kCompareCases[next() % n];
    std::string s = c.predicted;
    int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t pos = s.empty() ? 0 : next() % (s.size() + 1);
      switch (next() % 4) {
        case 0:
          if (pos < s.size()) s.erase(pos, 1);
          break;
        case 1: s.insert(pos, 1, alphabet[next() % alphabet.size()]); break;
        case 2: s = s.substr(0, pos); break;
        default: s.insert(pos, s.substr(0, pos)); break;
      }
    }
    Verdict v = compare(s, c.reference);
    EXPECT_FALSE(v.rule.empty()) << s;
    ++verdicts;
  }
  EXPECT_EQ(verdicts, 1500);
}

// A parse error quotes the text after the error; the excerpt never ends inside a UTF-8
// sequence (it used to cut 12 bytes blindly).
void expect_utf8(const std::string& e);

TEST(CompareExplanation, ParseErrorExcerptIsWholeUtf8) {
  for (const char* text :
       {"(1) \xC2\xA9\xE7\xAD\x94\xE6\xA1\x88\xE7\xAD\x94\xE6\xA1\x88", "\xE7\xAD\x94 1"}) {
    Verdict v = compare(text, "1");
    EXPECT_EQ(v.rule, "parse") << v.explanation;
    expect_utf8(v.explanation);
  }
}

void expect_utf8(const std::string& e) {
  for (std::size_t i = 0; i < e.size();) {
    auto c = static_cast<unsigned char>(e[i]);
    std::size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    ASSERT_NE(n, 0u) << "stray continuation byte at " << i << " in " << e;
    ASSERT_LE(i + n, e.size()) << "cut sequence at the end of " << e;
    for (std::size_t k = 1; k < n; ++k) {
      ASSERT_EQ(static_cast<unsigned char>(e[i + k]) & 0xC0, 0x80) << e;
    }
    i += n;
  }
}

TEST(ParsesAsAnswer, MathYesProseNo) {
  EXPECT_TRUE(parses_as_answer(R"(\frac{1}{2})"));
  EXPECT_TRUE(parses_as_answer("x = 3"));
  EXPECT_TRUE(parses_as_answer("$(1, 2]$"));
  EXPECT_TRUE(parses_as_answer(R"(\begin{pmatrix} 1 & 2 \end{pmatrix})"));
  EXPECT_TRUE(parses_as_answer("42 cm"));
  EXPECT_FALSE(parses_as_answer("The answer is five."));
  EXPECT_FALSE(parses_as_answer("We compute the sum and get"));
  EXPECT_FALSE(parses_as_answer(""));
  EXPECT_FALSE(parses_as_answer(std::string(5000, '{')));
}

TEST(VerdictToString, NamesEveryResult) {
  EXPECT_STREQ(to_string(Verdict::Result::equal), "equal");
  EXPECT_STREQ(to_string(Verdict::Result::not_equal), "not_equal");
  EXPECT_STREQ(to_string(Verdict::Result::undecided), "undecided");
}

}  // namespace
}  // namespace lemma::math
