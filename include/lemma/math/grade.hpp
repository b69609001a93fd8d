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
LEMMA_MATH_EXPORT Verdict grade(std::string_view response, std::string_view reference,
                                const GradeOptions& options = {});

}  // namespace lemma::math
