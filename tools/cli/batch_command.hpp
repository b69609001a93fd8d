#pragma once

// `lemma batch INPUT.jsonl OUTPUT.jsonl`: runs an OpenAI Batch input file (lemma::Batch), or hands
// it to a provider's Batch API with --remote (lemma::RemoteBatch).

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "client_config.hpp"
#include "command.hpp"
#include "run_options.hpp"

namespace lemma::cli {

/// What `lemma batch` was asked to do (its command-line options).
struct BatchSettings {
  /// The run flags (--concurrency, --rpm, --tpm, --max-retries, --progress-interval).
  RunSettings run;
  /// The OpenAI Batch input file.
  std::string input;
  /// The output file (successes).
  std::string output;
  /// --errors: the errors file (default: OUTPUT with .jsonl replaced by .errors.jsonl).
  std::string errors;
  /// --retry-errors: run the requests in the errors file again.
  bool retry_errors = false;
  /// --ordered: write results in input order.
  bool ordered = false;
  /// --stream: send each request streamed (the output is still whole chat.completion bodies).
  bool stream = false;
  /// --fsync: every, periodic or end.
  std::string fsync = "periodic";
  /// --summary-json FILE: also write the summary as JSON.
  std::string summary_json;
  /// --remote: hand the file to the provider's Batch API instead of running it here.
  bool remote = false;
  /// --remote-poll: seconds between status polls of a remote batch.
  double remote_poll = 10;
  /// --remote-batch-id: follow a batch submitted earlier instead of uploading again.
  std::string remote_batch_id;
  /// --remote-cancel: Ctrl-C also cancels the batch at the provider.
  bool remote_cancel = false;
};

/// The `batch` subcommand: registers its options on the app and runs it when selected.
class BatchCommand : public Command {
 public:
  /// Adds `batch` and its options to `app`.
  explicit BatchCommand(CLI::App& app);
  /// True when the command line selected `batch`.
  bool selected() const override;
  /// Runs the batch; returns 0 (all succeeded), 1 (some failed; files complete), 2 (bad input
  /// or options), 3 (nothing could be done), 130 (interrupted; run again to resume).
  int run(const InterruptGuard& guard) override;

 private:
  // --remote: lemma::RemoteBatch instead of lemma::Batch.
  int run_remote(const lemma::Client& client, const std::string& model,
                 const InterruptGuard& guard);

  CLI::App* command_;
  ConnectionSettings connection_;
  BatchSettings settings_;
};

}  // namespace lemma::cli
