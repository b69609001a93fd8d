#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lemma/math_export.hpp"

namespace lemma::math {

/// A Lean 4 code block found in a model's answer.
struct LeanBlock {
  /// The code, with the header prepended and the statement restated when LeanOptions ask.
  std::string code;
  /// Names of the theorems / lemmas it declares, in order.
  std::vector<std::string> theorems;
  /// True when the code uses `sorry` (or `admit`).
  bool has_sorry = false;
  /// False when the block was not terminated (the answer was cut off).
  bool complete = true;
};

/// How extract_lean() picks and rewrites the block; every field has a documented default.
struct LeanOptions {
  // The extraction helper adds the documented option fields here.
};

/// Finds the last complete ```lean / ```lean4 block in `text`; std::nullopt when there is none.
LEMMA_MATH_EXPORT std::optional<LeanBlock> extract_lean(std::string_view text,
                                                        const LeanOptions& options = {});

}  // namespace lemma::math
