#include "batch_command.hpp"

#include <unistd.h>

#include <fstream>
#include <iostream>

#include "error_report.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "lemma/batch.hpp"
#include "lemma/resolve_model.hpp"
#include "progress.hpp"

namespace lemma::cli {

namespace {

// The whole result decides the exit status, not only what this run did: a resume with
// nothing left exits 0 when everything succeeded and 1 when the errors file holds failures.
int exit_code_for(const BatchSummary& summary) {
  if (summary.interrupted) return kExitInterrupted;
  if (summary.counts.failed > 0) return kExitSomeFailed;
  return kExitSuccess;
}

}  // namespace

BatchCommand::BatchCommand(CLI::App& app)
    : command_(app.add_subcommand(
          "batch",
          "Run an OpenAI Batch file (JSONL) resumably: results to OUTPUT, failures to "
          "the errors file")) {
  command_->add_option("INPUT", settings_.input, "OpenAI Batch input file (JSONL)")
      ->required()
      ->check(CLI::ExistingFile);
  command_
      ->add_option("OUTPUT", settings_.output,
                   "Output file for successes (appended; an existing one is resumed)")
      ->required();
  command_->add_option("--errors", settings_.errors,
                       "Errors file (default: OUTPUT with .jsonl replaced by .errors.jsonl)");
  command_->add_option("--concurrency", settings_.concurrency, "Requests in flight at once")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command_
      ->add_option("--rpm", settings_.rpm,
                   "Requests per minute (never more than rpm/60 start in any second)")
      ->check(CLI::NonNegativeNumber);
  command_
      ->add_option("--tpm", settings_.tpm,
                   "Tokens per minute, by each request's estimate (prompt/4 + max_tokens)")
      ->check(CLI::NonNegativeNumber);
  command_
      ->add_option("--max-retries", settings_.max_retries,
                   "Retries per request (429, 5xx, resets) before it is recorded as failed")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  command_->add_flag("--retry-errors", settings_.retry_errors,
                     "Run the requests in the errors file again (otherwise they count as done)");
  command_->add_flag("--ordered", settings_.ordered, "Write results in input order");
  command_->add_flag("--stream", settings_.stream,
                     "Send requests streamed (long answers keep the connection busy; the "
                     "output still holds whole chat.completion bodies)");
  command_
      ->add_option("--fsync", settings_.fsync,
                   "When results are forced to disk: every (each result), periodic (each "
                   "second), end")
      ->check(CLI::IsMember({"every", "periodic", "end"}))
      ->capture_default_str();
  command_
      ->add_option("--progress-interval", settings_.progress_interval,
                   "Seconds between progress lines when not on a terminal")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command_->add_option("--summary-json", settings_.summary_json,
                       "Also write the final summary as JSON to this file");
  add_connection_options(*command_, connection_);
  command_->footer(
      "Input lines: {\"custom_id\": \"q1\", \"method\": \"POST\", \"url\": "
      "\"/v1/chat/completions\", \"body\": {\"model\": ..., \"messages\": [...]}}\n"
      "Examples:\n"
      "  lemma batch requests.jsonl results.jsonl --concurrency 64 --rpm 600\n"
      "  lemma batch requests.jsonl results.jsonl --retry-errors   # resume, retrying failures\n"
      "Run it again with the same OUTPUT to resume: finished custom_ids are skipped.\n"
      "Exit codes: 0 all succeeded, 1 some failed (see the errors file), 2 bad input or "
      "options, 3 nothing could be done, 130 interrupted (run again to resume).");
}

bool BatchCommand::selected() const {
  return command_->parsed();
}

int BatchCommand::run(const InterruptGuard& guard) {
  ClientOptions options;
  options.rate_limit.requests_per_minute = settings_.rpm;
  options.rate_limit.tokens_per_minute = settings_.tpm;
  options.retry.max_retries = settings_.max_retries;
  Result<Connection> connection =
      connect(connection_, options, std::cerr, /*need_model=*/false, guard.token());
  if (!connection) {
    return report_failure(std::cerr, "batch", connection.error(), guard.interrupted());
  }

  if (connection->model.empty()) {
    // Lines that name no model take the server's only one, when it serves exactly one; asked
    // once, without retries, and only as a default (lines that name a model keep it).
    CallOptions call;
    call.cancellation = guard.token();
    call.retry = RetryPolicy::none();
    if (auto model = resolve_model(connection->client, "", call)) {
      connection->model = *model;
      std::cerr << "lemma batch: lines without a model use " << one_line(*model)
                << ", the only one the server serves\n";
    }
  }
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  // on_fd: the bar follows the terminal's width (read at each redraw), not a fixed 80.
  ProgressDisplay display = ProgressDisplay::on_fd(
      std::cerr, STDERR_FILENO,
      std::chrono::milliseconds(static_cast<std::int64_t>(settings_.progress_interval * 1000)));
  BatchOptions batch;
  batch.input_path = settings_.input;
  batch.output_path = settings_.output;
  batch.errors_path = settings_.errors;
  batch.concurrency = settings_.concurrency;
  batch.retry_errors = settings_.retry_errors;
  batch.ordered = settings_.ordered;
  batch.stream = settings_.stream;
  batch.default_model = connection->model;
  batch.fsync = settings_.fsync == "every" ? BatchFsync::every_result
                : settings_.fsync == "end" ? BatchFsync::at_end
                                           : BatchFsync::periodic;
  batch.cancellation = guard.token();
  batch.on_progress = [&display](const BatchProgress& progress) { display.update(progress); };
  batch.progress_interval =
      terminal ? std::chrono::milliseconds(200) : std::chrono::milliseconds(500);

  Result<BatchSummary> summary = Batch(connection->client, batch).run();
  if (!summary) return report_failure(std::cerr, "batch", summary.error(), guard.interrupted());
  display.finish(*summary);
  if (!settings_.summary_json.empty()) {
    std::ofstream out(settings_.summary_json);
    out << summary->to_json().dump(2) << '\n';
    if (!out) {
      std::cerr << "lemma batch: could not write the summary to \"" << settings_.summary_json
                << "\" (check the path)\n";
      return kExitNothingDone;
    }
  }
  return exit_code_for(*summary);
}

}  // namespace lemma::cli
