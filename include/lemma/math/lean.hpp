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
  /// True when LeanOptions::statement replaced the model's own statement of the theorem.
  bool restated = false;
};

/// How extract_lean() picks and rewrites the block; every field has a documented default.
struct LeanOptions {
  /// Text to put before the code, e.g. "import Mathlib\nimport Aesop\nset_option
  /// maxHeartbeats 400000\nopen BigOperators Real Nat". Its `import` lines go first and the
  /// block's own imports are kept once after them (Lean wants every import at the top).
  /// Default empty: the code as the model wrote it.
  std::string header;
  /// A canonical theorem statement, e.g. "theorem foo (x : ℕ) : x + 0 = x" (anything from
  /// `:=` on, such as ":= by sorry", is ignored). When set, the model's statement of the
  /// theorem with the same name (else of its last theorem) is replaced by it, up to its `:=`,
  /// so a model cannot prove a different statement; LeanBlock::restated says it happened.
  /// Default empty: no restating.
  std::string statement;
  /// Take the first block instead of the last. Default off: DeepSeek-Prover-V2 writes a proof
  /// sketch full of `sorry` first and the complete proof last.
  bool first_block = false;
};

/// Finds the last complete ```lean / ```lean4 block in `text` (when there is none, a block cut
/// off by the end of the text, with complete = false), with its theorem names and whether it
/// uses `sorry` / `admit` outside comments and strings; std::nullopt when there is no block.
LEMMA_MATH_EXPORT std::optional<LeanBlock> extract_lean(std::string_view text,
                                                        const LeanOptions& options = {});

}  // namespace lemma::math
