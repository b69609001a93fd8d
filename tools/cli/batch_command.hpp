#pragma once

// `lemma batch INPUT.jsonl OUTPUT.jsonl`: runs an OpenAI Batch input file (lemma::Batch), or hands
// it to a provider's Batch API with --remote (lemma::RemoteBatch).

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "client_config.hpp"
#include "command.hpp"

namespace lemma::cli {

/// What `lemma batch` was asked to do (its command-line options).
struct BatchSettings {
  /// The OpenAI Batch input file.
  std::string input;
  /// The output file (successes).
  std::string output;
  /// --errors: the errors file (default: OUTPUT with .jsonl replaced by .errors.jsonl).
  std::string errors;
  /// --concurrency: requests in flight.
  std::size_t concurrency = 16;
  /// --rpm: requests per minute (0: no limit).
  std::int64_t rpm = 0;
  /// --tpm: tokens per minute (0: no limit).
  std::int64_t tpm = 0;
  /// --max-retries: retries per request before it is recorded as failed.
  int max_retries = 4;
  /// --retry-errors: run the requests in the errors file again.
  bool retry_errors = false;
  /// --ordered: write results in input order.
  bool ordered = false;
  /// --stream: send each request streamed (the output is still whole chat.completion bodies).
  bool stream = false;
  /// --fsync: every, periodic or end.
  std::string fsync = "periodic";
  /// --progress-interval: seconds between plain progress lines when not on a terminal.
  double progress_interval = 10;
  /// --summary-json FILE: also write the summary as JSON.
  std::string summary_json;
  /// --remote: hand the file to the provider's Batch API instead of running it here.
  bool remote = false;
  /// --remote-poll: seconds between status polls of a remote batch.
  double remote_poll = 10;
  /// --remote-batch-id: follow a batch submitted earlier instead of uploading again.
  std::string remote_batch_id;
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
  CLI::App* command_;
  ConnectionSettings connection_;
  BatchSettings settings_;
};

}  // namespace lemma::cli
