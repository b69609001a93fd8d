#pragma once

// The Lean 4 checker flags of `lemma prove` and `lemma grade-proof`: --lean-repl (a program that
// speaks the Lean REPL's JSON), --lean-server (kimina-lean-server), and how its verdict is used.

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "client_config.hpp"
#include "lemma/math/self_verifier.hpp"
#include "lemma/result.hpp"

namespace lemma::cli {

/// The values of the Lean checker flags.
struct ProofCheckerSettings {
  /// --lean-repl "PROGRAM ARGS...": words separated by spaces (no shell, no quoting).
  std::string repl;
  /// --lean-dir: the directory the REPL runs in (the Lean project with Mathlib).
  std::string repl_dir;
  /// --lean-server URL: kimina-lean-server's check endpoint.
  std::string server;
  /// --lean-server-key-env NAME: the server's API key is read from $NAME.
  std::string server_key_env;
  /// --lean-header FILE: text put before each proof's code (imports, options).
  std::string header_file;
  /// --lean-only: the Lean verdict replaces the LLM verifier.
  bool lean_only = false;
  /// --lean-timeout: seconds Lean may take per proof.
  double timeout_seconds = 60;
};

/// Adds the Lean checker flags to `command`, in a "Lean 4" group of its --help.
void add_proof_checker_options(CLI::App& command, ProofCheckerSettings& settings);

/// The checker the flags ask for: none without --lean-repl or --lean-server; an
/// invalid_request Error for both at once, --lean-only without either, an unreadable header
/// file, an unset key variable, or settings LeanChecker refuses.
Result<std::optional<math::ProofChecker>> make_proof_checker(const ProofCheckerSettings& settings);

/// The SelfVerifierConfig `prove` and `grade-proof` start from: generator and verifier are
/// `connection`'s Client and model with `sampling`, stopped by `cancellation`, with `checker`
/// (if any) joined to the verifier, or replacing it with --lean-only.
math::SelfVerifierConfig verifier_config(const Connection& connection,
                                         const SamplingParams& sampling,
                                         std::optional<math::ProofChecker> checker,
                                         const ProofCheckerSettings& settings,
                                         std::shared_ptr<const CancellationToken> cancellation);

}  // namespace lemma::cli
