#pragma once

// `lemma prove PROBLEM|-|--file F`: the DeepSeekMath-V2 generate -> verify -> refine loop
// (lemma::math::SelfVerifier) with live progress on stderr and the best proof on stdout.

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "client_config.hpp"
#include "command.hpp"
#include "proof_checker_options.hpp"
#include "sampling_options.hpp"

namespace lemma::cli {

/// What `lemma prove` was asked to do (its command-line options).
struct ProveSettings {
  /// The problem; "-" or empty reads it from standard input (unless --file).
  std::string problem;
  /// --file: read the problem from this file.
  std::string file;
  /// --verifier-model: the verifier's model (default: the generator's).
  std::string verifier_model;
  /// --mode: pool or sequential.
  std::string mode = "pool";
  /// --candidates: candidates per round.
  int candidates = 4;
  /// --verifications: verifications per proof.
  int verifications = 4;
  /// --rounds: rounds (pool) or attempts (sequential).
  int rounds = 3;
  /// --max-total-tokens: the token budget (0: none).
  std::int64_t max_total_tokens = 0;
  /// --max-cost: the cost budget in US dollars (0: none).
  double max_cost = 0;
  /// --max-time: the wall-time budget in seconds (0: none).
  double max_time = 0;
  /// --concurrency: calls in flight at once (0: no limit).
  std::size_t concurrency = 16;
  /// --trace FILE: write the whole run (every prompt, response, score) as JSON.
  std::string trace;
  /// --json: print the result as JSON instead of the proof.
  bool json = false;
  /// The Lean 4 checker flags (--lean-repl, --lean-server, --lean-only, --lean-timeout).
  ProofCheckerSettings checker;
  /// The sampling flags (both roles).
  SamplingSettings sampling;
};

/// The `prove` subcommand: registers its options on the app and runs it when selected.
class ProveCommand : public Command {
 public:
  /// Adds `prove` and its options to `app`.
  explicit ProveCommand(CLI::App& app);
  /// True when the command line selected `prove`.
  bool selected() const override;
  /// Runs the loop; returns 0 (a proof was verified), 1 (the best proof so far is printed but
  /// none was verified: rounds or a budget ran out), 2 (bad input or options), 3 (nothing could
  /// be done), 130 (interrupted; the best so far is printed).
  int run(const InterruptGuard& guard) override;

 private:
  CLI::App* command_;
  ConnectionSettings connection_;
  ProveSettings settings_;
};

}  // namespace lemma::cli
