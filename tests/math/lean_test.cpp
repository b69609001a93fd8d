// extract_lean(): which block is taken, theorem names, sorry detection outside comments and
// strings, cut-off blocks, the header and the restated canonical statement.

#include "lemma/math/lean.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace {

using lemma::math::extract_lean;
using lemma::math::LeanBlock;
using lemma::math::LeanOptions;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

struct LeanCase {
  const char* name;
  std::string text;
  bool found;
  std::vector<std::string> theorems;
  bool has_sorry;
  bool complete;
};

const std::vector<LeanCase>& lean_cases() {
  static const std::vector<LeanCase> table = {
      {"SingleBlock",
       "```lean4\ntheorem t : 1 + 1 = 2 := by norm_num\n```",
       true,
       {"t"},
       false,
       true},
      {"LeanTag", "```lean\nlemma l (n : ℕ) : n + 0 = n := by simp\n```", true, {"l"}, false, true},
      {"NoBlock", "The proof is by induction.", false, {}, false, false},
      {"OtherLanguageBlockIgnored", "```python\nprint(1)\n```", false, {}, false, false},
      {"SorrySketchThenFinalProof",
       "### Sketch\n```lean4\ntheorem t : P := by\n  have h : Q := by sorry\n  sorry\n```\n"
       "### Proof\n```lean4\ntheorem t : P := by\n  have h : Q := by simp\n  exact h\n```",
       true,
       {"t"},
       false,
       true},
      {"SorryDetected", "```lean4\ntheorem t : P := by\n  sorry\n```", true, {"t"}, true, true},
      {"AdmitDetected", "```lean4\ntheorem t : P := by\n  admit\n```", true, {"t"}, true, true},
      {"SorryAxDetected", "```lean4\ntheorem t : P := sorryAx P\n```", true, {"t"}, true, true},
      {"SorryBeforeDot",
       "```lean4\ntheorem t : P := by\n  exact sorry.\n```",
       true,
       {"t"},
       true,
       true},
      {"SorryInLineCommentIgnored",
       "```lean4\ntheorem t : P := by\n  simp -- no sorry here\n```",
       true,
       {"t"},
       false,
       true},
      {"SorryInBlockCommentIgnored",
       "```lean4\n/- we avoid sorry /- nested sorry -/ still comment sorry -/\ntheorem t : P := "
       "by simp\n```",
       true,
       {"t"},
       false,
       true},
      {"SorryInDocCommentIgnored",
       "```lean4\n/-- Proof without sorry. -/\ntheorem t : P := rfl\n```",
       true,
       {"t"},
       false,
       true},
      {"CharLiteralQuoteIsNotAString",
       "```lean\ntheorem t : 'a' \u2260 '\"' := by sorry\n```",
       true,
       {"t"},
       true,
       true},
      {"EscapedCharLiteral",
       "```lean\ntheorem t : '\\'' \u2260 '\"' := by\n  sorry\n```",
       true,
       {"t"},
       true,
       true},
      {"PrimesInNamesAreNotCharLiterals",
       "```lean\ntheorem t' (h' : x' = 1) : \"s'\" = \"s'\" := by sorry\n```",
       true,
       {"t'"},
       true,
       true},
      {"SorryInStringIgnored",
       "```lean4\ntheorem t : \"sorry\" = \"sorry\" := rfl\n```",
       true,
       {"t"},
       false,
       true},
      {"SorryInIdentifierIgnored",
       "```lean4\ntheorem t : P := by\n  exact no_sorry_lemma\n```",
       true,
       {"t"},
       false,
       true},
      {"FieldNamedSorryIgnored",
       "```lean4\ntheorem t : P := Foo.sorry\n```",
       true,
       {"t"},
       false,
       true},
      {"SeveralTheorems",
       "```lean4\nlemma helper : Q := by simp\n\ntheorem main_thm : P := by\n  exact helper\n```",
       true,
       {"helper", "main_thm"},
       false,
       true},
      {"PrivateAndAttributes",
       "```lean4\n@[simp] private theorem a.b : P := rfl\nprotected lemma c' : Q := rfl\n```",
       true,
       {"a.b", "c'"},
       false,
       true},
      {"GuillemetName",
       "```lean4\ntheorem «my thm» : P := rfl\n```",
       true,
       {"«my thm»"},
       false,
       true},
      {"NameBeforeParen",
       "```lean4\ntheorem foo(x : ℕ) : x = x := rfl\n```",
       true,
       {"foo"},
       false,
       true},
      {"TheoremInCommentNotListed",
       "```lean4\n-- theorem fake : P\ntheorem real : P := rfl\n```",
       true,
       {"real"},
       false,
       true},
      {"ExampleHasNoName", "```lean4\nexample : 1 = 1 := rfl\n```", true, {}, false, true},
      {"CutOffBlockIncomplete",
       "```lean4\ntheorem t : P := by\n  induction n with",
       true,
       {"t"},
       false,
       false},
      {"CompleteBlockPreferredOverCutOff",
       "```lean4\ntheorem a : P := by simp\n```\nNow the full proof:\n```lean4\ntheorem b : P := "
       "by\n  intro",
       true,
       {"a"},
       false,
       true},
      {"IndentedFence",
       "1. Proof:\n   ```lean4\n   theorem t : P := rfl\n   ```",
       true,
       {"t"},
       false,
       true},
      {"FenceWithMoreBackticks", "```lean4\ntheorem t : P := rfl\n````", true, {"t"}, false, true},
  };
  return table;
}

class LeanTable : public ::testing::TestWithParam<LeanCase> {};

TEST_P(LeanTable, ReadsTheBlock) {
  const LeanCase& c = GetParam();
  const std::optional<LeanBlock> got = extract_lean(c.text);
  ASSERT_EQ(got.has_value(), c.found);
  if (!got) return;
  EXPECT_EQ(got->theorems, c.theorems);
  EXPECT_EQ(got->has_sorry, c.has_sorry);
  EXPECT_EQ(got->complete, c.complete);
  EXPECT_FALSE(got->restated);
}

INSTANTIATE_TEST_SUITE_P(Cases, LeanTable, ::testing::ValuesIn(lean_cases()),
                         [](const ::testing::TestParamInfo<LeanCase>& param) {
                           return std::string(param.param.name);
                         });

TEST(ExtractLeanTest, CodeIsTheLastCompleteBlockVerbatim) {
  const auto got = extract_lean("```lean4\nfirst\n```\ntext\n```lean4\nsecond line\n```\n");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code, "second line\n");
}

TEST(ExtractLeanTest, ScanningResumesAfterTheClosingFence) {
  // An opening-fence line inside a block is content (only a bare ``` closes a block).
  const auto got = extract_lean("```lean4\n```lean4\ninner\n```\ntext");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code, "```lean4\ninner\n");
}

TEST(ExtractLeanTest, FirstBlockOption) {
  LeanOptions o;
  o.first_block = true;
  const auto got = extract_lean("```lean4\nfirst\n```\n```lean4\nsecond\n```", o);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code, "first\n");
}

TEST(ExtractLeanTest, HeaderImportsGoFirstOnce) {
  LeanOptions o;
  o.header = "import Mathlib\nimport Aesop\n\nset_option maxHeartbeats 400000\nopen Real";
  const auto got = extract_lean(
      "```lean4\nimport Mathlib\nimport Mathlib.Tactic\n\ntheorem t : P := by simp\n```", o);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code,
            "import Mathlib\nimport Aesop\nimport Mathlib.Tactic\n\n"
            "set_option maxHeartbeats 400000\nopen Real\n\n"
            "theorem t : P := by simp\n");
  EXPECT_THAT(got->theorems, ElementsAre("t"));
}

TEST(ExtractLeanTest, HeaderWithoutImports) {
  LeanOptions o;
  o.header = "open Nat";
  const auto got = extract_lean("```lean4\ntheorem t : P := rfl\n```", o);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code, "open Nat\n\ntheorem t : P := rfl\n");
}

TEST(ExtractLeanTest, CanonicalStatementReplacesTheModelsOwn) {
  LeanOptions o;
  o.statement = "theorem mathd_1 (x : ℝ) (h : 2 * x = 4) : x = 2 := by\n  sorry";
  // The model weakened the statement (x = 2 ∨ True): the canonical one goes back in.
  const auto got = extract_lean(
      "```lean4\ntheorem mathd_1 (x : ℝ) (h : 2 * x = 4) : x = 2 ∨ True := by\n  right; trivial\n"
      "```",
      o);
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->restated);
  EXPECT_EQ(got->code, "theorem mathd_1 (x : ℝ) (h : 2 * x = 4) : x = 2 := by\n  right; trivial\n");
  EXPECT_FALSE(got->has_sorry);  // the canonical statement's own `sorry` is not copied
}

TEST(ExtractLeanTest, StatementTargetsTheTheoremWithItsName) {
  LeanOptions o;
  o.statement = "theorem main (n : ℕ) : n + 0 = n";
  const auto got = extract_lean(
      "```lean4\nlemma aux : True := trivial\ntheorem main (n : ℕ) : True := by simp\n"
      "lemma after : True := trivial\n```",
      o);
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->restated);
  EXPECT_THAT(got->code, HasSubstr("theorem main (n : ℕ) : n + 0 = n := by simp"));
  EXPECT_THAT(got->code, HasSubstr("lemma aux : True := trivial"));
  EXPECT_THAT(got->code, HasSubstr("lemma after : True := trivial"));
}

TEST(ExtractLeanTest, StatementWithRenamedTheoremTargetsTheLast) {
  LeanOptions o;
  o.statement = "theorem official : 2 + 2 = 4";
  const auto got = extract_lean(
      "```lean4\nlemma aux : True := trivial\ntheorem my_name : 2 + 2 = 5 := by norm_num\n```", o);
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->restated);
  EXPECT_THAT(got->code, HasSubstr("theorem official : 2 + 2 = 4 := by norm_num"));
  EXPECT_THAT(got->code, Not(HasSubstr("2 + 2 = 5")));
  EXPECT_THAT(got->theorems, ElementsAre("aux", "official"));
}

TEST(ExtractLeanTest, DefaultArgumentAssignIsNotTheProof) {
  LeanOptions o;
  o.statement = "theorem t (k : ℕ := 3) : k = k";
  const auto got = extract_lean("```lean4\ntheorem t (k : ℕ := 3) : k = k + 0 := by simp\n```", o);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code, "theorem t (k : ℕ := 3) : k = k := by simp\n");
}

TEST(ExtractLeanTest, NothingToRestateIsReported) {
  LeanOptions o;
  o.statement = "theorem t : P";
  const auto got = extract_lean("```lean4\nexample : P := rfl\n```", o);
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->restated);
  EXPECT_EQ(got->code, "example : P := rfl\n");
}

TEST(ExtractLeanTest, StatementAndHeaderTogether) {
  LeanOptions o;
  o.header = "import Mathlib";
  o.statement = "theorem t : (1 : ℕ) = 1 := by sorry";
  const auto got = extract_lean("```lean4\ntheorem t : True := by trivial\n```", o);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code, "import Mathlib\n\ntheorem t : (1 : ℕ) = 1 := by trivial\n");
}

TEST(ExtractLeanTest, UnterminatedBlockCommentHidesTheRest) {
  const auto got = extract_lean("```lean4\ntheorem t : P := by\n  /- sorry\n```");
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->has_sorry);
  EXPECT_THAT(got->theorems, ElementsAre("t"));
}

TEST(ExtractLeanTest, EmptyTextHasNoBlock) {
  EXPECT_FALSE(extract_lean("").has_value());
}

TEST(ExtractLeanTest, EmptyBlockIsABlockWithNothing) {
  const auto got = extract_lean("```lean4\n```");
  ASSERT_TRUE(got.has_value());
  EXPECT_THAT(got->theorems, IsEmpty());
  EXPECT_TRUE(got->complete);
}

}  // namespace
