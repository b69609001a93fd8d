#pragma once

// The function names the parser reads (\sin, \arccot, ...), shared with the normaliser, which
// turns \mathrm{arccot} and \operatorname{sgn} into the command the parser knows.

#include <algorithm>
#include <array>
#include <string_view>

namespace lemma::math::detail {

inline constexpr std::array<std::string_view, 21> kFunctions = {
    "sin",  "cos", "tan", "cot", "sec",    "csc",    "arcsin", "arccos", "arctan", "sinh", "cosh",
    "tanh", "ln",  "log", "exp", "arcsec", "arccsc", "arccot", "lg",     "sgn",    "abs"};

/// True when `w` names a function of kFunctions.
inline bool is_function_name(std::string_view w) {
  return std::find(kFunctions.begin(), kFunctions.end(), w) != kFunctions.end();
}

}  // namespace lemma::math::detail
