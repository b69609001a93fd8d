// extract_answer(): a table of named cases, each a text a model could write and the answer (and
// rule) a grader must read out of it, or none.

#include "lemma/math/extract.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lemma/math/lean.hpp"

namespace {

using lemma::math::extract_answer;
using lemma::math::Extracted;
using lemma::math::ExtractOptions;

struct Case {
  const char* name;
  std::string text;
  std::optional<std::string> answer;  // nullopt: nothing may be found
  std::string rule;
  ExtractOptions options = {};
};

ExtractOptions with(void (*edit)(ExtractOptions&)) {
  ExtractOptions o;
  edit(o);
  return o;
}

const ExtractOptions kMultipleChoice = with([](ExtractOptions& o) { o.multiple_choice = true; });
const ExtractOptions kLastNumber = with([](ExtractOptions& o) { o.last_number = true; });
const ExtractOptions kAllBoxes = with([](ExtractOptions& o) { o.all_boxes = true; });
const ExtractOptions kPhrasesFirst = with([](ExtractOptions& o) { o.boxed_first = false; });
const ExtractOptions kEnglishOnly = with([](ExtractOptions& o) { o.multilingual = false; });
const ExtractOptions kNoBold = with([](ExtractOptions& o) { o.bold = false; });
const ExtractOptions kNoSpans = with([](ExtractOptions& o) { o.math_span = false; });
const ExtractOptions kNoBoxes = with([](ExtractOptions& o) { o.boxed = false; });
const ExtractOptions kKeepThink = with([](ExtractOptions& o) { o.skip_think = false; });
const ExtractOptions kResultPhrase = with([](ExtractOptions& o) {
  o.extra_phrases = {"Result:", "  SO WE GET  "};
});
const ExtractOptions kLettersAtoH = with([](ExtractOptions& o) {
  o.multiple_choice = true;
  o.choice_letters = "ABCDEFGH";
});

const std::vector<Case>& cases() {
  static const std::vector<Case> table = {
      // --- boxed ---------------------------------------------------------------------------
      {"BoxedSimple", "So $x = \\boxed{5}$.", "5", "boxed"},
      {"BoxedLastWins", "First \\boxed{3}, corrected: \\boxed{4}.", "4", "boxed"},
      {"BoxedNestedBraces", "\\boxed{\\frac{1}{2}}", "\\frac{1}{2}", "boxed"},
      {"BoxedDeeplyNested", "\\boxed{\\sqrt{\\frac{a^{2}}{b_{1}}}}", "\\sqrt{\\frac{a^{2}}{b_{1}}}",
       "boxed"},
      {"BoxedEscapedBraces", "\\boxed{\\{1, 2\\}}", "\\{1, 2\\}", "boxed"},
      {"BoxedEscapedOpenBraceOnly", "\\boxed{\\{x \\mid x > 0}", "\\{x \\mid x > 0", "boxed"},
      {"BoxedPercentKept", "The rate is \\boxed{50}\\%.", "50\\%", "boxed"},
      {"BoxedPlainPercentKept", "\\boxed{12.5}% of them", "12.5%", "boxed"},
      {"BoxedPercentInside", "\\boxed{50\\%}", "50\\%", "boxed"},
      {"BoxedSpaceForm", "so the answer is $\\boxed 7$", "7", "boxed"},
      {"BoxedSpaceFormCommand", "$\\boxed \\pi$", "\\pi", "boxed"},
      {"BoxedDigitWithoutSpace", "$\\boxed5$", "5", "boxed"},
      {"Fbox", "\\fbox{42}", "42", "boxed"},
      {"FboxAfterBoxed", "\\boxed{1} then \\fbox{2}", "2", "boxed"},
      {"BoxInBoxUnwrapped", "\\boxed{\\boxed{9}}", "9", "boxed"},
      {"BoxedWithSpaceBeforeBrace", "\\boxed {x+1}", "x+1", "boxed"},
      {"BoxedEmptyIgnored", "\\boxed{} and later $7$", "7", "math_span"},
      {"BoxedUnterminatedFallsBack", "\\boxed{3} is wrong, it is \\boxed{\\frac{1}{", "3", "boxed"},
      {"BoxedUnterminatedOnly", "The result: \\boxed{\\frac{1}{2", std::nullopt, ""},
      {"BoxedsymbolIsNotABox", "\\boxedsymbol{3}", std::nullopt, ""},
      {"FboxsepIsNotABox", "\\setlength{\\fboxsep}{2pt} text", std::nullopt, ""},
      {"BoxedTuple", "\\boxed{(1, 2)}", "(1, 2)", "boxed"},
      {"BoxedEquation", "Hence \\boxed{p = 5, q = 2}.", "p = 5, q = 2", "boxed"},
      {"BoxedInDisplayMath", "\\[\n\\boxed{\\dfrac{3}{4}}\n\\]", "\\dfrac{3}{4}", "boxed"},
      {"BoxedText", "\\boxed{\\text{Paris}}", "\\text{Paris}", "boxed"},
      {"BoxedWithLineBreakInside", "\\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}",
       "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "boxed"},
      {"BoxedOutranksFinalAnswerLine", "\\boxed{6}\nThe final answer is 7.", "6", "boxed"},
      {"PhrasesFirstOption", "\\boxed{6}\nThe final answer is 7.", "7", "answer_is", kPhrasesFirst},
      {"BoxesOffByOption", "\\boxed{6}, so the answer is 7", "7", "answer_is", kNoBoxes},
      {"AllBoxesAsSet", "$x=\\boxed{2}$ or $x=\\boxed{-3}$", "\\{2, -3\\}", "boxed_all", kAllBoxes},
      {"AllBoxesDuplicatesOnce", "\\boxed{2} so again \\boxed{2}", "2", "boxed", kAllBoxes},
      {"AllBoxesOffTakesLast", "$x=\\boxed{2}$ or $x=\\boxed{-3}$", "-3", "boxed"},
      // --- minerva -------------------------------------------------------------------------
      {"MinervaLine",
       "Work...\nFinal Answer: The final answer is $\\frac{3}{5}$. I hope it is correct.",
       "\\frac{3}{5}", "minerva"},
      {"MinervaWithoutDollars", "Final Answer: The final answer is 12. I hope it is correct.", "12",
       "minerva"},
      {"MinervaDecimalKeepsPoint", "Final Answer: The final answer is 3.5. I hope it is correct.",
       "3.5", "minerva"},
      {"MinervaLastOfTwo",
       "Final Answer: The final answer is $1$. I hope it is correct.\nFinal Answer: The final "
       "answer is $2$. I hope it is correct.",
       "2", "minerva"},
      {"MinervaWithoutHopeLine", "Final Answer: The final answer is $8$.", "8", "minerva"},
      {"MinervaCaseInsensitive", "FINAL ANSWER: THE FINAL ANSWER IS $4$. I HOPE IT IS CORRECT.",
       "4", "minerva"},
      // --- answer phrases (English) --------------------------------------------------------
      {"AnswerIsPeriodTrimmed", "The answer is 5.", "5", "answer_is"},
      {"AnswerIsDecimal", "The answer is 0.25.", "0.25", "answer_is"},
      {"AnswerIsPercentKept", "The answer is 5\\%.", "5\\%", "answer_is"},
      {"AnswerIsMathSpan", "Thus the answer is $\\frac{1}{2}$, as shown.", "\\frac{1}{2}",
       "answer_is"},
      {"AnswerIsSentenceEnds", "The answer is 12. Let me double check this.", "12", "answer_is"},
      {"FinalAnswerIs", "Therefore, the final answer is 2024", "2024", "answer_is"},
      {"FinalAnswerColon", "Final answer: x = 3", "x = 3", "answer_is"},
      {"AnswerColonOnNextLine", "Answer:\n\n$$\\sqrt{2}$$", "\\sqrt{2}", "answer_is"},
      {"AnswerColonLowercase", "answer: -7", "-7", "answer_is"},
      {"AnswerBoldLabel", "**Answer:** 42", "42", "answer_is"},
      {"AnswerBoldWhole", "**The answer is 42.**", "42", "answer_is"},
      {"AnswerIsLastOccurrence", "The answer is 3? No. The answer is 4.", "4", "answer_is"},
      {"CorrectAnswerIs", "So the correct answer is 17.", "17", "answer_is"},
      {"AnswerIsDisplayMath", "The answer is \\[x^2+1\\]", "x^2+1", "answer_is"},
      {"AnswerIsInlineParens", "The answer is \\(2\\pi\\).", "2\\pi", "answer_is"},
      {"AnswerIsColonSeparator", "The answer is: 15", "15", "answer_is"},
      {"AnswerIsNegativeNotDash", "Answer: -15", "-15", "answer_is"},
      {"AnswerIsNoWordInside", "The answeris 5", std::nullopt, ""},
      {"AnswerIsNotInsideWord", "Theanswer: 5", std::nullopt, ""},
      {"AnswerIsUppercase", "THE ANSWER IS 9", "9", "answer_is"},
      {"AnswerIsLdotsKept", "The answer is 1, 2, \\ldots, n.", "1, 2, \\ldots, n", "answer_is"},
      {"AnswerIsBoxedWhenBoxesOff", "The answer is \\boxed{11}.", "11", "answer_is", kNoBoxes},
      {"AnswerIsNothingAfter", "The answer is", std::nullopt, ""},
      {"ExtraPhrase", "Result: 64", "64", "answer_is", kResultPhrase},
      {"ExtraPhraseCaseAndSpaces", "so we get 3/4", "3/4", "answer_is", kResultPhrase},
      // --- answer phrases (other languages) -------------------------------------------------
      {"ChineseAnswerIs", "所以答案是 $12$。", "12", "answer_is"},
      {"ChineseAnswerIsNoSpan", "答案是 7。", "7", "answer_is"},
      {"ChineseAnswerWei", "最后，答案为 \\frac{1}{3}", "\\frac{1}{3}", "answer_is"},
      {"ChineseFullwidthColon", "答案：25", "25", "answer_is"},
      {"ChineseFinalAnswer", "最终答案是 100", "100", "answer_is"},
      {"TraditionalChinese", "答案為 8", "8", "answer_is"},
      {"JapaneseCopulaTrimmed", "答えは 6 です。", "6", "answer_is"},
      {"JapaneseColon", "答え：$\\sqrt{3}$", "\\sqrt{3}", "answer_is"},
      {"KoreanCopulaTrimmed", "따라서 답은 24입니다.", "24", "answer_is"},
      {"KoreanCorrect", "정답은 $5$", "5", "answer_is"},
      {"SpanishRespuestaEs", "Por lo tanto, la respuesta es 9.", "9", "answer_is"},
      {"SpanishCapitalised", "La respuesta final es $\\pi$.", "\\pi", "answer_is"},
      {"PortugueseRespostaE", "Portanto, a resposta é 3.", "3", "answer_is"},
      {"FrenchReponseEst", "Donc la réponse est $\\frac{2}{3}$.", "\\frac{2}{3}", "answer_is"},
      {"FrenchReponseColonWithSpace", "Réponse : 14", "14", "answer_is"},
      {"GermanAntwortIst", "Somit: Die Antwort ist 5.", "5", "answer_is"},
      {"GermanAntwortLautet", "Die Antwort lautet $x = 2$.", "x = 2", "answer_is"},
      {"GermanAntwortColon", "Antwort: 81", "81", "answer_is"},
      {"ItalianRisposta", "Quindi la risposta è 27.", "27", "answer_is"},
      {"RussianOtvetColon", "Ответ: 16", "16", "answer_is"},
      {"RussianOtvetLowercase", "итак, ответ: $2\\sqrt{2}$", "2\\sqrt{2}", "answer_is"},
      {"RussianOtvetDash", "Ответ — 10.", "10", "answer_is"},
      {"RussianOtvetRaven", "Ответ равен 4.", "4", "answer_is"},
      {"MultilingualOff", "Ответ: 16", std::nullopt, "", kEnglishOnly},
      {"MultilingualOffEnglishStillOn", "Ответ: 16. The answer is 15", "15", "answer_is",
       kEnglishOnly},
      // --- gsm8k ---------------------------------------------------------------------------
      {"Gsm8kHashes", "She has 3 + 4 = 7 apples.\n#### 7", "7", "gsm8k"},
      {"Gsm8kThousands", "Total cost...\n#### 1,200", "1,200", "gsm8k"},
      {"Gsm8kNegative", "#### -3", "-3", "gsm8k"},
      {"Gsm8kLastOfTwo", "#### 5\nwait\n#### 6", "6", "gsm8k"},
      {"Gsm8kMarkdownHeadingIgnored", "#### Step 2: Compute the sum\nIt is $9$.", "9", "math_span"},
      {"Gsm8kHeadingFinalAnswerIgnored", "#### Final Answer\n$12$", "12", "math_span"},
      {"Gsm8kFiveHashesIgnored", "##### 4", std::nullopt, ""},
      {"AnswerPhraseOutranksGsm8k", "#### 8\nThe answer is 9", "9", "answer_is"},
      // --- bold ----------------------------------------------------------------------------
      {"BoldLast", "We get **12** first, then **15**.", "15", "bold"},
      {"BoldHeadingSkipped", "**Step 1:** compute.\nSo **7**", "7", "bold"},
      {"BoldProseSkipped", "**Final Answer**\n$3$", "3", "math_span"},
      {"BoldOnlyHeading", "**Solution**\nno number here", std::nullopt, ""},
      {"BoldWithMath", "The total is **$x = 4$**", "x = 4", "bold"},
      {"BoldOffByOption", "**12**", std::nullopt, "", kNoBold},
      {"BoldOutranksMathSpan", "$a$ and $b$ give **3**", "3", "bold"},
      {"BoldAcrossLinesIgnored", "**5\n6** and $7$", "7", "math_span"},
      // --- math spans ----------------------------------------------------------------------
      {"InlineMathLast", "We have $x=2$ and so $y = 4$", "y = 4", "math_span"},
      {"DisplayDollarMath", "Thus\n$$\\frac{\\pi}{4}$$", "\\frac{\\pi}{4}", "math_span"},
      {"ParenMath", "so \\(3^{10}\\) in total", "3^{10}", "math_span"},
      {"BracketMath", "so \\[ 2^{10} = 1024 \\]", "2^{10} = 1024", "math_span"},
      {"EscapedDollarIsNotMath", "It costs \\$5 and \\$6.", std::nullopt, ""},
      {"DollarAmountsInMath", "It costs $\\$5$.", "\\$5", "math_span"},
      {"UnterminatedDollarIgnored", "we have $x=1$ and $y", "x=1", "math_span"},
      {"EmptySpanSkipped", "$3$ and $ $", "3", "math_span"},
      {"MathSpansOff", "$3$", std::nullopt, "", kNoSpans},
      {"DisplayMathTrailingPeriod", "$$x = 5.$$", "x = 5", "math_span"},
      // --- think blocks --------------------------------------------------------------------
      {"ThinkBlockSkipped", "<think>maybe \\boxed{1}</think>The answer is \\boxed{2}", "2",
       "boxed"},
      {"ThinkBlockOnlyBoxInside", "<think>\\boxed{1}</think>I am not sure.", std::nullopt, ""},
      {"UnclosedThinkIsNoAnswer", "<think>so \\boxed{1} hmm, wait", std::nullopt, ""},
      {"BareClosingThink", "reasoning \\boxed{1}\n</think>\n\\boxed{2}", "2", "boxed"},
      {"KeepThinkOption", "<think>\\boxed{1}", "1", "boxed", kKeepThink},
      // --- multiple choice -----------------------------------------------------------------
      {"ChoiceBoxedLetter", "\\boxed{B}", "B", "boxed", kMultipleChoice},
      {"ChoiceBoxedParenLetter", "\\boxed{(C)}", "C", "boxed", kMultipleChoice},
      {"ChoiceBoxedTextLetter", "\\boxed{\\text{(D)}}", "D", "boxed", kMultipleChoice},
      {"ChoiceAnswerIsWithValue", "The answer is (A) 42.", "A", "answer_is", kMultipleChoice},
      {"ChoiceAnswerLetterPeriod", "Answer: E.", "E", "answer_is", kMultipleChoice},
      {"ChoiceOptionWord", "The correct answer is option B", "B", "answer_is", kMultipleChoice},
      {"ChoiceLastParen", "Between (A) and (C), we pick (C) as it fits", "C", "choice",
       kMultipleChoice},
      {"ChoiceLineAlone", "Checking each option...\nB", "B", "choice", kMultipleChoice},
      {"ChoiceOffNoLetterRule", "Between (A) and (C), we pick (C)", std::nullopt, ""},
      {"ChoiceOffKeepsParenText", "The answer is (C).", "(C)", "answer_is"},
      {"ChoiceLetterOutsideSet", "The answer is (F).", "(F)", "answer_is", kMultipleChoice},
      {"ChoiceLettersConfigured", "The answer is (F).", "F", "answer_is", kLettersAtoH},
      {"ChoiceNumberStaysNumber", "\\boxed{42}", "42", "boxed", kMultipleChoice},
      {"ChoiceWordIsNotLetter", "Because of that we get Apples", std::nullopt, "", kMultipleChoice},
      // --- last number ---------------------------------------------------------------------
      {"LastNumberOffByDefault", "so 3 + 4 = 7", std::nullopt, ""},
      {"LastNumberFallback", "so 3 + 4 = 7", "7", "last_number", kLastNumber},
      {"LastNumberDecimal", "the speed is 2.5 m/s", "2.5", "last_number", kLastNumber},
      {"LastNumberNegative", "it drops to -12 degrees", "-12", "last_number", kLastNumber},
      {"LastNumberThousands", "about 1,234,567 people", "1,234,567", "last_number", kLastNumber},
      {"LastNumberTupleCommaNotThousands", "pairs 1,2", "2", "last_number", kLastNumber},
      {"LastNumberSkipsNames", "we had 4 values x2", "4", "last_number", kLastNumber},
      {"LastNumberLeadingPoint", "roughly .5 of it", ".5", "last_number", kLastNumber},
      {"LastNumberSentencePeriod", "It is 8.", "8", "last_number", kLastNumber},
      // --- review findings
      {"FactorialInMathSpanKept", "The answer is $10!$.", "10!", "answer_is"},
      {"FactorialInBoxKept", "\\boxed{2004!}", "2004!", "boxed"},
      {"FactorialLastMathSpanKept", "so we get $5!$", "5!", "math_span"},
      {"FactorialAfterBraceKept", "The answer is $\\binom{5}{2}!$.", "\\binom{5}{2}!", "answer_is"},
      {"ExclamationInProseStripped", "The answer is 12!", "12", "answer_is"},
      {"LastNumberAfterNameAndPoint", "p.1 and 2", "2", "last_number", kLastNumber},
      {"DollarAmountsAreNotAMathSpan", "It costs $5 and then $10.", std::nullopt, ""},
      {"DollarAmountThenRealSpan", "It costs $5 and then $10, so $x = 3$.", "x = 3", "math_span"},
      {"LastNumberAfterAnchorsFail", "no anchor, got 5 then 6", "6", "last_number", kLastNumber},
      {"AnchorsOutrankLastNumber", "The answer is 5, checked with 6 cases",
       "5, checked with 6 cases", "answer_is", kLastNumber},
      // --- nothing to find ---------------------------------------------------------------
      {"EmptyText", "", std::nullopt, ""},
      {"OnlySpaces", "   \n\t ", std::nullopt, ""},
      {"ProseWithoutAnchor", "I think it is probably five or so", std::nullopt, ""},
      {"BareNumberIsNotExtracted", "42", std::nullopt, ""},
  };
  return table;
}

class ExtractTable : public ::testing::TestWithParam<Case> {};

TEST_P(ExtractTable, FindsTheDocumentedAnswer) {
  const Case& c = GetParam();
  const std::optional<Extracted> got = extract_answer(c.text, c.options);
  if (!c.answer) {
    EXPECT_FALSE(got.has_value()) << "found \"" << got->text << "\" by rule " << got->rule;
    return;
  }
  ASSERT_TRUE(got.has_value()) << "nothing found in: " << c.text;
  EXPECT_EQ(got->text, *c.answer);
  EXPECT_EQ(got->rule, c.rule);
}

INSTANTIATE_TEST_SUITE_P(Cases, ExtractTable, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           return std::string(param.param.name);
                         });

TEST(ExtractTableSize, HasAtLeastOneHundredCases) {
  EXPECT_GE(cases().size(), 100U);
}

TEST(ExtractAnswerTest, LongTextIsScannedInLinearTime) {
  // 2 MB of unclosed boxes and spans, then runs of markers: no hang, nothing found.
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "\\boxed{\\frac{\\(\\[";
  text += std::string(200000, '*') + std::string(200000, '$') + std::string(200000, '.');
  const auto none = extract_answer(text);
  EXPECT_FALSE(none.has_value()) << none->rule << ": " << none->text.substr(0, 40);
  text += " The answer is 3.";
  const auto got = extract_answer(text);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->text, "3");
}

TEST(ExtractAnswerTest, EveryPrefixOfEveryCaseIsSafe) {
  // A response can be cut off anywhere: every prefix must give an answer or none, never read
  // out of bounds (ASan checks) or hang; with every rule on.
  ExtractOptions all;
  all.all_boxes = true;
  all.multiple_choice = true;
  all.last_number = true;
  std::size_t found = 0;
  for (const Case& c : cases()) {
    for (std::size_t n = 0; n <= c.text.size(); ++n) {
      const std::string prefix = c.text.substr(0, n);
      const auto got = extract_answer(prefix, all);
      if (got) {
        EXPECT_FALSE(got->text.empty()) << c.name << " prefix " << n;
        ++found;
      }
      (void)lemma::math::extract_lean(prefix);
    }
  }
  EXPECT_GT(found, 0U);
}

TEST(ExtractAnswerTest, SameAnswersFromManyThreads) {
  std::vector<std::optional<Extracted>> expected;
  for (const Case& c : cases()) expected.push_back(extract_answer(c.text, c.options));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (std::size_t i = 0; i < cases().size(); ++i) {
          const auto got = extract_answer(cases()[i].text, cases()[i].options);
          const bool same =
              got.has_value() == expected[i].has_value() &&
              (!got || (got->text == expected[i]->text && got->rule == expected[i]->rule));
          if (!same) ++mismatches[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_THAT(mismatches, ::testing::Each(0));
}

TEST(ExtractResponseAnswerTest, LengthFinishMeansTruncated) {
  const auto got = lemma::math::extract_response_answer("so \\boxed{", "length");
  EXPECT_TRUE(got.truncated);
  EXPECT_FALSE(got.answer.has_value());
}

TEST(ExtractResponseAnswerTest, StopFinishWithAnswer) {
  const auto got = lemma::math::extract_response_answer("\\boxed{3}", "stop");
  EXPECT_FALSE(got.truncated);
  ASSERT_TRUE(got.answer.has_value());
  EXPECT_EQ(got.answer->text, "3");
}

TEST(ExtractResponseAnswerTest, AbsentContentHasNoAnswer) {
  const auto got = lemma::math::extract_response_answer(std::nullopt, "tool_calls");
  EXPECT_FALSE(got.truncated);
  EXPECT_FALSE(got.answer.has_value());
}

}  // namespace
