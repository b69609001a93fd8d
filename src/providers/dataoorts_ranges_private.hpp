#pragma once

#include <map>
#include <string>

#include "lemma/validation.hpp"

namespace lemma::providers::internal {

/// Dataoorts' documented parameter ranges (seed 002), the one copy the catalogue and the
/// provider share.
const std::map<std::string, Range>& dataoorts_documented_ranges();

}  // namespace lemma::providers::internal
