// grade(): read each side the way a grader does, then compare().

#include "lemma/math/grade.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "text_scan.hpp"

namespace lemma::math {
namespace {

// An answer read from one side, and how it was read.
struct Reading {
  std::string answer;
  std::string how;  // an extraction rule, or "whole"
};

// By the anchored extraction rules (boxed, phrases, bold, spans), else the whole text when all
// of it parses as an answer (a bare "1/2", "x^2+1" or "x = 3"), else the fallback rules
// (multiple-choice letters, the last number) when enabled. The last number never reads a
// reference: "x^2+1" is not 1.
std::optional<Reading> read_side(std::string_view text, const GradeOptions& options,
                                 bool reference) {
  const std::string_view t = detail::scan::trim(text);
  if (t.empty()) return std::nullopt;
  ExtractOptions anchored = options.extract;
  anchored.multiple_choice = false;
  anchored.last_number = false;
  if (auto found = extract_answer(t, anchored)) {
    if (options.extract.multiple_choice) {
      // The fallback pass maps "(B) 12" to the letter; run it so the letter is the answer.
      if (auto letter = extract_answer(t, options.extract)) found = std::move(letter);
    }
    return Reading{std::move(found->text), std::move(found->rule)};
  }
  if (parses_as_answer(t, options.compare)) return Reading{std::string(t), "whole"};
  ExtractOptions fallback = options.extract;
  if (reference) fallback.last_number = false;
  if (fallback.multiple_choice || fallback.last_number) {
    if (auto found = extract_answer(t, fallback)) {
      return Reading{std::move(found->text), std::move(found->rule)};
    }
  }
  return std::nullopt;
}

}  // namespace

Verdict grade(std::string_view response, std::string_view reference, const GradeOptions& options) {
  const std::optional<Reading> ref = read_side(reference, options, true);
  const std::optional<Reading> pred = read_side(response, options, false);
  auto unread = [&pred](Verdict::Result result, const char* rule, const char* explanation) {
    Verdict v;
    v.result = result;
    v.rule = rule;
    v.explanation = explanation;
    if (pred) v.extracted = pred->answer;
    return v;
  };
  if (!ref) {
    return unread(
        Verdict::Result::undecided, "no_reference",
        "the reference has no answer that can be read (no \\boxed{}, answer phrase or "
        "math span, and the whole text does not parse as an answer): fix the dataset row");
  }
  if (!pred) {
    return unread(Verdict::Result::not_equal, "no_answer",
                  "no answer found in the response (no \\boxed{}, answer phrase, #### line, bold "
                  "or math span, and the whole text does not parse as an answer)");
  }
  Verdict v = compare(pred->answer, ref->answer, options.compare);
  v.explanation += " (response read by rule " + pred->how + ", reference by rule " + ref->how + ")";
  v.extracted = pred->answer;
  return v;
}

}  // namespace lemma::math
