#pragma once

// `lemma eval DATASET --output DIR`: runs a model over a dataset, grades every answer and writes
// results.jsonl, summary.json and report.html (lemma::math::Evaluation); `lemma eval --compare
// DIR...` prints several runs side by side.

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "client_config.hpp"
#include "command.hpp"
#include "run_options.hpp"
#include "sampling_options.hpp"

namespace lemma::cli {

/// What `lemma eval` was asked to do (its command-line options).
struct EvalSettings {
  /// The run flags (--concurrency, --rpm, --tpm, --max-retries, --progress-interval).
  RunSettings run;
  /// The dataset (JSONL).
  std::string dataset;
  /// --output: the run directory.
  std::string output;
  /// --compare: run directories to print side by side.
  std::vector<std::string> compare;
  /// --samples: answers per problem.
  int samples = 1;
  /// --sample-mode: auto, n or separate.
  std::string sample_mode = "auto";
  /// --prompt-file: a prompt template ({problem}, {id}, {FIELD}).
  std::string prompt_file;
  /// --system: a system message.
  std::string system;
  /// --group-by, repeatable.
  std::vector<std::string> group_by;
  /// --id-field, --problem-field, --answer-field.
  std::string id_field = "id";
  /// --problem-field.
  std::string problem_field = "problem";
  /// --answer-field.
  std::string answer_field = "answer";
  /// --retry-errors: send the failed requests of an earlier run again.
  bool retry_errors = false;
  /// --regrade: grade the answers already in the directory again.
  bool regrade = false;
  /// --stream.
  bool stream = false;
  /// --no-report: skip report.html.
  bool no_report = false;
  /// The sampling flags.
  SamplingSettings sampling;
};

/// The `eval` subcommand: registers its options on the app and runs it when selected.
class EvalCommand : public Command {
 public:
  /// Adds `eval` and its options to `app`.
  explicit EvalCommand(CLI::App& app);
  /// True when the command line selected `eval`.
  bool selected() const override;
  /// Runs the evaluation (or the comparison); returns 0 (every request answered), 1 (some
  /// failed; see results.jsonl), 2 (bad input or options), 3 (nothing could be done), 130
  /// (interrupted; run again to resume).
  int run(const InterruptGuard& guard) override;

 private:
  int run_compare() const;

  CLI::App* command_;
  ConnectionSettings connection_;
  EvalSettings settings_;
};

}  // namespace lemma::cli
