#pragma once

/// A LeanChecker as SelfVerifier's external ProofChecker: each candidate proof's Lean 4 block is
/// compiled, and the verdict becomes a score the loop can join with (or put in place of) the
/// LLM verifier's. Target lemma::math_runs.

#include "lemma/math/lean.hpp"
#include "lemma/math/lean_checker.hpp"
#include "lemma/math/self_verifier.hpp"
#include "lemma/math_runs_export.hpp"

namespace lemma::math {

/// A ProofChecker that runs `checker.check_answer(proof, options)` on each candidate:
/// `valid` scores 1; `uses_sorry`, `lean_error`, `timeout` (a proof Lean cannot check in time
/// is not accepted, as in DeepSeek-Prover's evaluation) and `no_proof` (no complete ```lean4
/// block) score 0, with Lean's messages (first errors with their line numbers, the open goals
/// of sorries) as the evaluation shown to the generator when it refines; `checker_error` (the
/// checker could not run) is an Error: recorded, and the proof gets no checker verdict.
LEMMA_MATH_RUNS_EXPORT ProofChecker lean_proof_checker(LeanChecker checker,
                                                       LeanOptions options = {});

/// The evaluation text lean_proof_checker() gives for `verdict` (at most 5 messages, each
/// clipped to 1,000 characters), e.g. "Lean 4 rejected the proof:\nline 3, column 2: error: ...".
LEMMA_MATH_RUNS_EXPORT std::string lean_evaluation_text(const LeanVerdict& verdict);

}  // namespace lemma::math
