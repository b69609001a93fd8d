#pragma once

// `lemma grade-proof FILE|-`: scores given proofs with the verifier alone (and optionally a Lean 4
// checker) — the automated proof-grading use of a DeepSeekMath-V2 verifier, many at once.

#include <string>

#include <CLI/CLI.hpp>

#include "client_config.hpp"
#include "command.hpp"
#include "proof_checker_options.hpp"
#include "sampling_options.hpp"

namespace lemma::cli {

/// What `lemma grade-proof` was asked to do (its command-line options).
struct GradeProofSettings {
  /// The JSONL input ("-": standard input): {"problem", "proof", ...} per line.
  std::string input = "-";
  /// --problem: grade one proof of this problem (with --proof-file).
  std::string problem;
  /// --proof-file: the proof of --problem.
  std::string proof_file;
  /// -o/--output: where the scored lines go (default standard output).
  std::string output;
  /// --verifications: verifications per proof.
  int verifications = 4;
  /// --concurrency: calls in flight at once.
  std::size_t concurrency = 16;
  /// The Lean checker flags.
  ProofCheckerSettings checker;
  /// The sampling flags of the verifier.
  SamplingSettings sampling;
};

/// The `grade-proof` subcommand: registers its options on the app and runs it when selected.
class GradeProofCommand : public Command {
 public:
  /// Adds `grade-proof` and its options to `app`.
  explicit GradeProofCommand(CLI::App& app);
  /// True when the command line selected `grade-proof`.
  bool selected() const override;
  /// Scores every proof; returns 0 (every line scored), 1 (some lines could not be read or
  /// scored), 2 (bad options), 3 (nothing could be done), 130 (interrupted).
  int run(const InterruptGuard& guard) override;

 private:
  CLI::App* command_;
  ConnectionSettings connection_;
  GradeProofSettings settings_;
};

}  // namespace lemma::cli
