// The Lean verdict from a REPL or kimina-lean-server answer: pure classification, no I/O.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "lemma/math/lean_checker.hpp"

namespace lemma::math {
namespace {

using ::testing::HasSubstr;

constexpr const char* kSorryResponse = R"({"sorries": [{"proofState": 0,
    "pos": {"line": 2, "column": 2}, "endPos": {"line": 2, "column": 7},
    "goal": "x : ℕ\n⊢ x + 0 = x"}],
  "messages": [{"severity": "warning", "pos": {"line": 1, "column": 8},
    "endPos": {"line": 1, "column": 12}, "data": "declaration uses 'sorry'"}],
  "env": 0})";

constexpr const char* kErrorResponse = R"({"messages": [
    {"severity": "error", "pos": {"line": 3, "column": 2}, "endPos": {"line": 3, "column": 8},
     "data": "linarith failed to find a contradiction\ncase a\n⊢ False"},
    {"severity": "warning", "pos": {"line": 1, "column": 8}, "endPos": null,
     "data": "declaration uses 'sorry'"}],
  "env": 1})";

TEST(LeanReplVerdict, ACleanResponseIsValid) {
  const LeanVerdict verdict = classify_repl_response(std::string_view(R"({"env": 0})"));
  EXPECT_EQ(verdict.status, LeanStatus::valid);
  EXPECT_TRUE(verdict.valid());
  EXPECT_TRUE(verdict.messages.empty());
  EXPECT_EQ(verdict.explanation, "Lean accepted the proof");
  // Empty arrays spelled out are the same answer.
  EXPECT_TRUE(
      classify_repl_response(std::string_view(R"({"env": 3, "messages": [], "sorries": []})"))
          .valid());
}

TEST(LeanReplVerdict, ATacticSorryUsesSorryWithItsGoal) {
  const LeanVerdict verdict = classify_repl_response(std::string_view(kSorryResponse));
  EXPECT_EQ(verdict.status, LeanStatus::uses_sorry);
  EXPECT_FALSE(verdict.valid());
  ASSERT_EQ(verdict.sorries.size(), 1u);
  EXPECT_EQ(verdict.sorries[0].pos.line, 2);
  EXPECT_EQ(verdict.sorries[0].pos.column, 2);
  ASSERT_TRUE(verdict.sorries[0].end_pos.has_value());
  EXPECT_EQ(verdict.sorries[0].end_pos->column, 7);
  EXPECT_EQ(verdict.sorries[0].goal, "x : ℕ\n⊢ x + 0 = x");
  EXPECT_THAT(verdict.explanation, HasSubstr("line 2:2"));
}

TEST(LeanReplVerdict, TheSorryWarningAloneUsesSorry) {
  // A term-mode sorry: no sorries entry, only the warning. The REPL's exit status and the
  // absence of errors would call this a success.
  const LeanVerdict verdict = classify_repl_response(std::string_view(
      R"({"messages": [{"severity": "warning", "pos": {"line": 1, "column": 8},
          "data": "declaration uses 'sorry'"}], "env": 0})"));
  EXPECT_EQ(verdict.status, LeanStatus::uses_sorry);
  EXPECT_TRUE(verdict.sorries.empty());
  EXPECT_THAT(verdict.explanation, HasSubstr("declaration uses 'sorry'"));
}

TEST(LeanReplVerdict, ASorriesEntryAloneUsesSorry) {
  const LeanVerdict verdict = classify_repl_response(std::string_view(
      R"({"sorries": [{"pos": {"line": 4, "column": 6}, "endPos": {"line": 4, "column": 11},
          "goal": "⊢ True"}], "env": 0})"));
  EXPECT_EQ(verdict.status, LeanStatus::uses_sorry);
}

TEST(LeanReplVerdict, AnErrorWinsOverSorryAndKeepsPositions) {
  const LeanVerdict verdict = classify_repl_response(std::string_view(kErrorResponse));
  EXPECT_EQ(verdict.status, LeanStatus::lean_error);
  ASSERT_EQ(verdict.messages.size(), 2u);
  const std::vector<LeanMessage> errors = verdict.errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pos.line, 3);
  EXPECT_EQ(errors[0].pos.column, 2);
  ASSERT_TRUE(errors[0].end_pos.has_value());
  EXPECT_EQ(errors[0].end_pos->line, 3);
  EXPECT_EQ(errors[0].end_pos->column, 8);
  EXPECT_EQ(errors[0].text, "linarith failed to find a contradiction\ncase a\n⊢ False");
  EXPECT_FALSE(verdict.messages[1].end_pos.has_value());  // "endPos": null
  // One line, starting with where and what.
  EXPECT_THAT(verdict.explanation, HasSubstr("line 3:2: linarith failed"));
  EXPECT_EQ(verdict.explanation.find('\n'), std::string::npos);
}

TEST(LeanReplVerdict, WarningsAndInfosAloneAreValid) {
  const LeanVerdict verdict = classify_repl_response(std::string_view(
      R"({"messages": [
          {"severity": "warning", "pos": {"line": 2, "column": 4}, "data": "unused variable `h`"},
          {"severity": "info", "pos": {"line": 5, "column": 0}, "data": "Try this: simp"},
          {"severity": "trace", "pos": {"line": 5, "column": 0}, "data": "[Meta] ..."}],
          "env": 0})"));
  EXPECT_EQ(verdict.status, LeanStatus::valid);
  EXPECT_EQ(verdict.messages.size(), 3u);
  EXPECT_THAT(verdict.explanation, HasSubstr("1 warning"));
}

TEST(LeanReplVerdict, AWarningThatReportsAFailureIsAnError) {
  // DeepSeek-Prover's rule: complete requires no warning containing "failed".
  const LeanVerdict verdict = classify_repl_response(std::string_view(
      R"({"messages": [{"severity": "warning", "pos": {"line": 7, "column": 2},
          "data": "aesop: failed to prove the goal after exhaustive search."}], "env": 0})"));
  EXPECT_EQ(verdict.status, LeanStatus::lean_error);
  EXPECT_THAT(verdict.explanation, HasSubstr("line 7:2"));
}

TEST(LeanReplVerdict, MalformedOutputIsACheckerErrorNeverValid) {
  const char* const cases[] = {
      "",
      "   \n\n",
      "uncaught exception: not JSON",
      "[]",
      "{}",
      "42",
      R"({"env": 0} {"env": 1})",
      R"({"message": "Unknown environment."})",
      R"({"message": "Could not parse JSON"})",
      R"({"env": "zero"})",
      R"({"env": 0, "messages": {"severity": "error"}})",
      R"({"env": 0, "messages": [{"severity": "error", "data": "no position"}]})",
      R"({"env": 0, "messages": [{"severity": "fatal", "pos": {"line": 1, "column": 0}, "data": "x"}]})",
      R"({"env": 0, "messages": [{"severity": "warning", "pos": {"line": -1, "column": 0}, "data": "x"}]})",
      R"({"env": 0, "messages": [{"severity": "info", "pos": {"line": 1, "column": 0}, "data": 5}]})",
      R"({"env": 0, "messages": [{"severity": "info", "pos": {"line": 1, "column": 0}, "endPos": 3, "data": "x"}]})",
      R"({"env": 0, "sorries": [{"goal": "no position"}]})",
      R"({"env": 0, "sorries": "none"})",
  };
  for (const char* text : cases) {
    SCOPED_TRACE(text);
    const LeanVerdict verdict = classify_repl_response(std::string_view(text));
    EXPECT_EQ(verdict.status, LeanStatus::checker_error);
    EXPECT_FALSE(verdict.valid());
    EXPECT_FALSE(verdict.explanation.empty());
  }
}

TEST(LeanReplVerdict, TheReplsOwnFailureIsQuoted) {
  const LeanVerdict verdict =
      classify_repl_response(std::string_view(R"({"message": "Unknown environment."})"));
  EXPECT_THAT(verdict.explanation, HasSubstr("Unknown environment."));
}

TEST(LeanReplVerdict, DeepNestingIsRefusedNotRecursed) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(classify_repl_response(std::string_view(deep)).status, LeanStatus::checker_error);
}

TEST(KiminaVerdict, ASingleResultIsClassifiedByItsResponse) {
  EXPECT_EQ(classify_kimina_response(R"({"id": "a", "time": 0.8, "response": {"env": 0}})").status,
            LeanStatus::valid);
  EXPECT_EQ(classify_kimina_response(std::string(R"({"id": "a", "time": 0.8, "response": )") +
                                     kSorryResponse + "}")
                .status,
            LeanStatus::uses_sorry);
  const LeanVerdict error = classify_kimina_response(
      std::string(R"({"id": "a", "time": 0.8, "response": )") + kErrorResponse + "}");
  EXPECT_EQ(error.status, LeanStatus::lean_error);
  EXPECT_EQ(error.errors().size(), 1u);
}

TEST(KiminaVerdict, ResultsListsAndTheLegacyFormAreRead) {
  EXPECT_EQ(classify_kimina_response(
                R"({"results": [{"id": "a", "time": 1.0, "error": null, "response": {"env": 0}}]})")
                .status,
            LeanStatus::valid);
  EXPECT_EQ(classify_kimina_response(
                R"([{"id": "a", "time": 1.0, "response": {"env": 0, "sorries": [
                    {"pos": {"line": 1, "column": 1}, "goal": "⊢ 1 = 1"}]}}])")
                .status,
            LeanStatus::uses_sorry);
  // /verify: custom_id, the REPL response with the time inside.
  EXPECT_EQ(classify_kimina_response(
                R"({"results": [{"custom_id": "p1", "error": null,
                    "response": {"env": 0, "messages": [], "time": 2.5}}]})")
                .status,
            LeanStatus::valid);
}

TEST(KiminaVerdict, ATimeoutErrorIsATimeout) {
  const LeanVerdict verdict = classify_kimina_response(
      R"({"id": "a", "time": 30.0, "error": "Lean REPL command timed out in 30 seconds"})");
  EXPECT_EQ(verdict.status, LeanStatus::timeout);
  EXPECT_THAT(verdict.explanation, HasSubstr("timed out in 30 seconds"));
}

TEST(KiminaVerdict, ServerErrorsAndMalformedAnswersAreCheckerErrors) {
  const char* const cases[] = {
      R"({"id": "a", "error": "Lean process died unexpectedly"})",
      R"({"id": "a", "time": 1.0})",
      R"({"id": "a", "error": null, "response": null})",
      R"({"id": "a", "error": 7, "response": {"env": 0}})",
      R"({"id": "a", "error": "REPL crashed", "response": {"env": 0}})",
      R"({"results": []})",
      R"({"results": [{"id": "a", "response": {"env": 0}}, {"id": "b", "response": {"env": 0}}]})",
      R"([])",
      R"("valid")",
      R"(<html><body>502 Bad Gateway</body></html>)",
      R"({"id": "a", "response": {"not": "a repl response"}})",
  };
  for (const char* body : cases) {
    SCOPED_TRACE(body);
    const LeanVerdict verdict = classify_kimina_response(body);
    EXPECT_EQ(verdict.status, LeanStatus::checker_error);
    EXPECT_FALSE(verdict.explanation.empty());
  }
}

TEST(KiminaVerdict, AnErrorBesideLeanErrorsKeepsTheLeanErrors) {
  const LeanVerdict verdict = classify_kimina_response(
      std::string(R"({"id": "a", "error": "header failed", "response": )") + kErrorResponse + "}");
  EXPECT_EQ(verdict.status, LeanStatus::lean_error);
}

TEST(LeanVerdictJson, CarriesStatusMessagesAndSorries) {
  LeanVerdict verdict = classify_repl_response(std::string_view(kErrorResponse));
  verdict.time = std::chrono::milliseconds(1234);
  const nlohmann::json json = to_json(verdict);
  EXPECT_EQ(json["status"], "lean_error");
  EXPECT_EQ(json["time_ms"], 1234);
  ASSERT_EQ(json["messages"].size(), 2u);
  EXPECT_EQ(json["messages"][0]["severity"], "error");
  EXPECT_EQ(json["messages"][0]["line"], 3);
  EXPECT_EQ(json["messages"][0]["end_column"], 8);
  EXPECT_FALSE(json["messages"][1].contains("end_line"));
  const nlohmann::json sorry = to_json(classify_repl_response(std::string_view(kSorryResponse)));
  EXPECT_EQ(sorry["status"], "uses_sorry");
  EXPECT_EQ(sorry["sorries"][0]["goal"], "x : ℕ\n⊢ x + 0 = x");
}

TEST(LeanStatusNames, AreTheJsonNames) {
  EXPECT_EQ(to_string(LeanStatus::valid), "valid");
  EXPECT_EQ(to_string(LeanStatus::uses_sorry), "uses_sorry");
  EXPECT_EQ(to_string(LeanStatus::lean_error), "lean_error");
  EXPECT_EQ(to_string(LeanStatus::timeout), "timeout");
  EXPECT_EQ(to_string(LeanStatus::checker_error), "checker_error");
  EXPECT_EQ(to_string(LeanStatus::no_proof), "no_proof");
}

}  // namespace
}  // namespace lemma::math
