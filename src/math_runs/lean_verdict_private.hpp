#pragma once

// Helpers shared by the Lean verdict classification and the checker. Private to
// lemma::math_runs.

#include <string>
#include <string_view>

#include "lemma/math/lean_checker.hpp"

namespace lemma::math::detail {

/// `text` as one line for an explanation: valid UTF-8, line breaks and tabs as spaces, clipped
/// at 400 bytes (on a code point) with "...".
std::string one_line(std::string_view text);

/// A checker_error verdict saying `explanation`.
LeanVerdict checker_error_verdict(std::string explanation);

}  // namespace lemma::math::detail
