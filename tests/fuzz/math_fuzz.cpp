// Fuzz target for lemma::math: arbitrary bytes through compare(), extract_answer(),
// extract_lean() and grade(). None may crash, throw, hang or leave a verdict without a rule;
// compare() of a text with itself is never not_equal.
//
// The first byte chooses the entry point and options; the rest is split at the first NUL (or
// in the middle) into the two sides.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lemma/math.hpp"

namespace {

void check(const lemma::math::Verdict& v) {
  if (v.rule.empty() || v.explanation.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  std::size_t cut = input.find('\0');
  if (cut == std::string_view::npos) cut = input.size() / 2;
  const std::string_view a = input.substr(0, cut);
  const std::string_view b = input.substr(cut < input.size() ? cut + 1 : cut);

  lemma::math::CompareOptions compare;
  compare.decimal_comma = (mode & 0x10) != 0;
  compare.strict_set_tuple = (mode & 0x20) == 0;
  compare.percent_guess = (mode & 0x40) != 0;
  compare.step_budget = 50000;  // a pathological input must be cheap; keeps the fuzzer fast

  switch (mode % 4) {
    case 0: {
      check(lemma::math::compare(a, b, compare));
      auto self = lemma::math::compare(a, a, compare);
      check(self);
      if (self.result == lemma::math::Verdict::Result::not_equal && !a.empty()) std::abort();
      break;
    }
    case 1: {
      lemma::math::ExtractOptions extract;
      extract.all_boxes = (mode & 0x10) != 0;
      extract.multiple_choice = (mode & 0x20) != 0;
      extract.last_number = (mode & 0x40) != 0;
      auto found = lemma::math::extract_answer(input, extract);
      if (found && found->rule.empty()) std::abort();
      break;
    }
    case 2: {
      lemma::math::LeanOptions lean;
      if ((mode & 0x10) != 0) lean.header = "import Mathlib\nopen Real";
      if ((mode & 0x20) != 0) lean.statement = std::string(b);
      lean.first_block = (mode & 0x40) != 0;
      auto block = lemma::math::extract_lean((mode & 0x20) != 0 ? a : input, lean);
      (void)block;
      break;
    }
    default: {
      lemma::math::GradeOptions grade;
      grade.compare = compare;
      grade.extract.last_number = (mode & 0x80) != 0;
      check(lemma::math::grade(a, b, grade));
      break;
    }
  }
  return 0;
}
