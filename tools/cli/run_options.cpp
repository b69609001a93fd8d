#include "run_options.hpp"

namespace lemma::cli {

ClientOptions RunSettings::client_options() const {
  ClientOptions options;
  options.rate_limit.requests_per_minute = rpm;
  options.rate_limit.tokens_per_minute = tpm;
  options.retry.max_retries = max_retries;
  return options;
}

std::chrono::milliseconds RunSettings::plain_progress_interval() const {
  return std::chrono::milliseconds(static_cast<std::int64_t>(progress_interval * 1000));
}

void add_run_options(CLI::App& command, RunSettings& settings) {
  command.add_option("--concurrency", settings.concurrency, "Requests in flight at once")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command
      .add_option("--rpm", settings.rpm,
                  "Requests per minute (never more than rpm/60 start in any second)")
      ->check(CLI::NonNegativeNumber);
  command
      .add_option("--tpm", settings.tpm,
                  "Tokens per minute, by each request's estimate (prompt/4 + max_tokens)")
      ->check(CLI::NonNegativeNumber);
  command
      .add_option("--max-retries", settings.max_retries,
                  "Retries per request (429, 5xx, resets) before it is recorded as failed")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  command
      .add_option("--progress-interval", settings.progress_interval,
                  "Seconds between progress lines when not on a terminal")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str();
}

}  // namespace lemma::cli
