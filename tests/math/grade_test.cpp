// grade(): each side read the way a grader does, then compared. Named cases.

#include "lemma/math/grade.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace {

using lemma::math::grade;
using lemma::math::GradeOptions;
using lemma::math::Verdict;
using Result = lemma::math::Verdict::Result;
using ::testing::HasSubstr;

struct GradeCase {
  const char* name;
  std::string response;
  std::string reference;
  Result result;
  std::optional<std::string> extracted;  // nullopt: no answer read from the response
  std::string rule = "";                 // checked when not empty
  GradeOptions options = {};
};

GradeOptions multiple_choice() {
  GradeOptions o;
  o.extract.multiple_choice = true;
  return o;
}

GradeOptions last_number() {
  GradeOptions o;
  o.extract.last_number = true;
  return o;
}

GradeOptions phrases_first() {
  GradeOptions o;
  o.extract.boxed_first = false;
  return o;
}

const std::vector<GradeCase>& grade_cases() {
  static const std::vector<GradeCase> table = {
      {"BoxedEqualsBareReference", "So $x = \\boxed{\\frac{1}{2}}$.", "1/2", Result::equal,
       "\\frac{1}{2}"},
      {"BoxedDiffersFromReference", "\\boxed{3}", "4", Result::not_equal, "3"},
      {"BareResponseReadWhole", "0.5", "\\frac12", Result::equal, "0.5"},
      {"BareEquationReadWhole", "x = 3", "3", Result::equal, "x = 3"},
      {"DollarWrappedReference", "\\boxed{\\frac{1}{2004!}}", "$\\frac{1}{2004!}$", Result::equal,
       "\\frac{1}{2004!}"},
      {"FactorialFalsePositiveAvoided", "\\boxed{\\frac{1}{2006!}}", "$\\frac{1}{2004!}$",
       Result::not_equal, "\\frac{1}{2006!}"},
      {"BoxedReferenceWithTwoValues", "We get $p=5$ and $q=2$, so \\boxed{p = 5, q = 2}",
       "\\boxed{p = 5, q = 2}", Result::equal, "p = 5, q = 2"},
      {"SentenceReference", "\\boxed{12}", "The answer is 12.", Result::equal, "12"},
      {"ProseResponseHasNoAnswer", "I think it is probably five or so", "5", Result::not_equal,
       std::nullopt, "no_answer"},
      {"EmptyResponseHasNoAnswer", "", "5", Result::not_equal, std::nullopt, "no_answer"},
      {"CutOffThinkHasNoAnswer", "<think>so it is \\boxed{5} maybe", "5", Result::not_equal,
       std::nullopt, "no_answer"},
      {"ThinkDraftIgnored", "<think>\\boxed{4}</think>The answer is $5$.", "5", Result::equal, "5"},
      {"ProseReferenceIsUndecided", "\\boxed{5}", "see the textbook", Result::undecided, "5",
       "no_reference"},
      {"EmptyReferenceIsUndecided", "\\boxed{5}", "  ", Result::undecided, "5", "no_reference"},
      {"BoxedOutranksFinalAnswerLine", "\\boxed{6}\nThe final answer is 7.", "6", Result::equal,
       "6"},
      {"PhrasesFirstOption", "\\boxed{6}\nThe final answer is 7.", "7", Result::equal, "7", "",
       phrases_first()},
      {"MinervaResponse", "Final Answer: The final answer is $\\sqrt{12}$. I hope it is correct.",
       "2\\sqrt{3}", Result::equal, "\\sqrt{12}"},
      {"Gsm8kResponse", "3 + 4 = 7\n#### 1,000", "1000", Result::equal, "1,000"},
      {"ChineseResponse", "所以答案是 $\\frac{3}{4}$。", "0.75", Result::equal, "\\frac{3}{4}"},
      {"RussianResponse", "Ответ: 16", "16", Result::equal, "16"},
      {"BoldResponse", "Adding them we get **42**", "42", Result::equal, "42"},
      {"PercentKeptFromBox", "\\boxed{50}\\%", "50\\%", Result::equal, "50\\%"},
      {"MultipleChoiceLetter", "The correct answer is (B) 12.", "B", Result::equal, "B", "",
       multiple_choice()},
      {"MultipleChoiceWrongLetter", "\\boxed{\\text{(C)}}", "(B)", Result::not_equal, "C", "",
       multiple_choice()},
      {"ReferenceInMinervaForm", "\\boxed{4}",
       "Final Answer: The final answer is $4$. I hope it is correct.", Result::equal, "4"},
      {"SymbolicSides", "The answer is $1-\\frac{1}{e}$.", "1+1/e", Result::not_equal,
       "1-\\frac{1}{e}"},
      // --- review findings
      {"FactorialBoxedAgainstDollarReference", "\\boxed{2004!}", "$2004!$", Result::equal, "2004!"},
      {"LastNumberNeverReadsTheReference", "\\boxed{x^2+1}", "x^2+1", Result::equal, "x^2+1", "",
       last_number()},
      {"WholeTextBeforeLastNumber", "x^2+1", "x^2+1", Result::equal, "x^2+1", "", last_number()},
      {"LastNumberStillAFallback", "so we end with 7 apples", "7", Result::equal, "7", "",
       last_number()},
      {"WorkedEquationAgainstValue", "The answer is $3 \\times 4 = 12$.", "12", Result::equal,
       "3 \\times 4 = 12"},
      {"WorkedEquationInProseAgainstValue", "The answer is 3 \\times 4 = 12.", "12", Result::equal,
       "3 \\times 4 = 12"},
      {"AssignmentChainAgainstValue", "$x = 2+3 = 5$", "5", Result::equal, "x = 2+3 = 5"},
  };
  return table;
}

class GradeTable : public ::testing::TestWithParam<GradeCase> {};

TEST_P(GradeTable, ReadsBothSidesThenCompares) {
  const GradeCase& c = GetParam();
  const Verdict v = grade(c.response, c.reference, c.options);
  EXPECT_EQ(v.result, c.result) << v.rule << ": " << v.explanation;
  EXPECT_EQ(v.extracted, c.extracted);
  if (!c.rule.empty()) {
    EXPECT_EQ(v.rule, c.rule);
  }
  EXPECT_FALSE(v.explanation.empty());
}

INSTANTIATE_TEST_SUITE_P(Cases, GradeTable, ::testing::ValuesIn(grade_cases()),
                         [](const ::testing::TestParamInfo<GradeCase>& param) {
                           return std::string(param.param.name);
                         });

TEST(GradeTest, ExplanationSaysHowEachSideWasRead) {
  const Verdict v = grade("\\boxed{2}", "2");
  EXPECT_TRUE(v.equal());
  EXPECT_THAT(v.explanation, HasSubstr("response read by rule boxed"));
  EXPECT_THAT(v.explanation, HasSubstr("reference by rule whole"));
}

TEST(GradeTest, CompareOptionsReachCompare) {
  GradeOptions o;
  o.compare.decimal_comma = true;
  EXPECT_TRUE(grade("\\boxed{3,5}", "3.5", o).equal());
}

}  // namespace
