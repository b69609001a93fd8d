#pragma once

// The flags of the commands that run many requests through lemma::Batch (`batch`, `eval`):
// --concurrency, --rpm, --tpm, --max-retries, --progress-interval.

#include <chrono>
#include <cstddef>
#include <cstdint>

#include <CLI/CLI.hpp>

#include "lemma/client_options.hpp"

namespace lemma::cli {

/// The values of the run flags.
struct RunSettings {
  /// --concurrency: requests in flight.
  std::size_t concurrency = 16;
  /// --rpm: requests per minute (0: no limit).
  std::int64_t rpm = 0;
  /// --tpm: tokens per minute (0: no limit).
  std::int64_t tpm = 0;
  /// --max-retries: retries per request before it is recorded as failed.
  int max_retries = 4;
  /// --progress-interval: seconds between plain progress lines when not on a terminal.
  double progress_interval = 10;

  /// The Client options the flags ask for (rate limits, retries).
  ClientOptions client_options() const;
  /// --progress-interval as a duration.
  std::chrono::milliseconds plain_progress_interval() const;
};

/// Adds the run flags to `command`.
void add_run_options(CLI::App& command, RunSettings& settings);

}  // namespace lemma::cli
