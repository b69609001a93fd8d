#pragma once

#include <string_view>

#include "lemma/math/compare.hpp"
#include "lemma/math/extract.hpp"
#include "lemma/math_export.hpp"

namespace lemma::math {

/// Options for grade(): how each side is read, then how they are compared.
struct GradeOptions {
  /// How answers are found in a response (and in a reference that is a whole text).
  ExtractOptions extract;
  /// How the two answers are compared.
  CompareOptions compare;
};

/// Reads the answer out of `response` and `reference` the way a grader does, then compares.
///
/// Each side is read by extract_answer()'s anchored rules (so a `\boxed{}` outranks a "final
/// answer is" line, `$...$` is unwrapped, a sentence gives its answer); a side with no anchor
/// is read whole when all of it parses as an answer (parses_as_answer()), and only then by the
/// fallback rules enabled in `extract` (choice letters; the last number, never for the
/// reference, so "x^2+1" is not read as 1). A response with no answer gives
/// not_equal with rule "no_answer"; a reference with none gives undecided with rule
/// "no_reference". Verdict::extracted holds the answer read from the response.
LEMMA_MATH_EXPORT Verdict grade(std::string_view response, std::string_view reference,
                                const GradeOptions& options = {});

}  // namespace lemma::math
