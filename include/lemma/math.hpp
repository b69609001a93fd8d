#pragma once

/// lemma::math: read final answers and Lean 4 proofs out of model responses and decide whether
/// an answer equals a reference. A separate library (target lemma::math) that needs neither
/// libcurl nor the network part of lemma. Every function is thread-safe.

#include "lemma/math/compare.hpp"
#include "lemma/math/extract.hpp"
#include "lemma/math/grade.hpp"
#include "lemma/math/lean.hpp"
