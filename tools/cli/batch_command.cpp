#include "batch_command.hpp"

#include <unistd.h>

#include <fstream>
#include <iostream>

#include "error_report.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "lemma/batch.hpp"
#include "lemma/remote_batch.hpp"
#include "lemma/resolve_model.hpp"
#include "lemma/wire.hpp"
#include "progress.hpp"

namespace lemma::cli {

namespace {

// The whole result decides the exit status, not only what this run did: a resume with
// nothing left exits 0 when everything succeeded and 1 when the errors file holds failures.
int exit_code_for(const BatchSummary& summary) {
  if (summary.interrupted) return kExitInterrupted;
  // Failures, or requests a remote batch never ran (expired, cancelled).
  if (summary.counts.failed > 0 || summary.not_started > 0) return kExitSomeFailed;
  return kExitSuccess;
}

// True when some well-formed line's body names no model (malformed lines are the engine's to
// report). A file that cannot be read is the engine's to report too.
bool has_line_without_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto parsed = wire::parse_json(line, "Batch input line");
    if (!parsed || !parsed->is_object()) continue;
    const auto body = parsed->find("body");
    if (body == parsed->end() || !body->is_object()) continue;
    const auto model = body->find("model");
    if (model == body->end() || !model->is_string() ||
        model->get_ref<const std::string&>().empty()) {
      return true;
    }
  }
  return false;
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
  command_->add_option("--summary-json", settings_.summary_json,
                       "Also write the final summary as JSON to this file");
  command_->add_flag("--remote", settings_.remote,
                     "Hand the file to the provider's Batch API (upload, create, poll, download) "
                     "instead of running it here; writes the same OUTPUT and errors files");
  command_
      ->add_option("--remote-poll", settings_.remote_poll,
                   "With --remote: seconds between status polls")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str();
  command_->add_option("--remote-batch-id", settings_.remote_batch_id,
                       "With --remote: follow this batch, submitted earlier, instead of "
                       "uploading again");
  command_->add_flag("--remote-cancel", settings_.remote_cancel,
                     "With --remote: Ctrl-C also cancels the batch at the provider");
  add_run_options(*command_, settings_.run);
  add_connection_options(*command_, connection_);
  command_->footer(
      "Input lines: {\"custom_id\": \"q1\", \"method\": \"POST\", \"url\": "
      "\"/v1/chat/completions\", \"body\": {\"model\": ..., \"messages\": [...]}}\n"
      "Examples:\n"
      "  lemma batch requests.jsonl results.jsonl --concurrency 64 --rpm 600\n"
      "  lemma batch requests.jsonl results.jsonl --retry-errors   # resume, retrying failures\n"
      "  lemma batch requests.jsonl results.jsonl --remote         # the provider's Batch API\n"
      "Run it again with the same OUTPUT to resume: finished custom_ids are skipped.\n"
      "Exit codes: 0 all succeeded, 1 some failed (see the errors file), 2 bad input or "
      "options, 3 nothing could be done, 130 interrupted (run again to resume).");
}

bool BatchCommand::selected() const {
  return command_->parsed();
}

int BatchCommand::run_remote(const Client& client, const std::string& model,
                             const InterruptGuard& guard) {
  RemoteBatchOptions remote;
  remote.input_path = settings_.input;
  remote.output_path = settings_.output;
  remote.errors_path = settings_.errors;
  remote.default_model = model;
  remote.poll_interval =
      std::chrono::milliseconds(static_cast<std::int64_t>(settings_.remote_poll * 1000));
  remote.resume_batch_id = settings_.remote_batch_id;
  remote.cancellation = guard.token();
  remote.cancel_remote = settings_.remote_cancel;
  // One line per status change: polls are seconds to hours apart, a redrawn bar adds nothing.
  std::string last;
  remote.on_status = [&last](const RemoteBatchStatus& status) {
    const std::string line = status.id + " " + status.status + " " +
                             std::to_string(status.counts.completed) + "/" +
                             std::to_string(status.counts.total) + " done, " +
                             std::to_string(status.counts.failed) + " failed";
    if (line == last) return;
    last = line;
    std::cerr << "lemma batch: " << one_line(line) << '\n';
  };
  RemoteBatch batch(client, remote);
  Result<BatchSummary> summary = batch.run();
  if (!summary) {
    if (!batch.batch_id().empty()) {
      std::cerr << "lemma batch: the batch is " << one_line(batch.batch_id())
                << " (follow it with --remote --remote-batch-id " << one_line(batch.batch_id())
                << ")\n";
    }
    return report_failure(std::cerr, "batch", summary.error(), guard.interrupted());
  }
  std::cerr << summary->to_text();
  if (summary->interrupted && !batch.batch_id().empty()) {
    std::cerr << "lemma batch: the batch goes on at the provider; fetch its results with "
                 "--remote --remote-batch-id "
              << one_line(batch.batch_id()) << '\n';
  }
  return exit_code_for(*summary);
}

int BatchCommand::run(const InterruptGuard& guard) {
  Result<Connection> connection = connect(connection_, settings_.run.client_options(), std::cerr,
                                          /*need_model=*/false, guard.token());
  if (!connection) {
    return report_failure(std::cerr, "batch", connection.error(), guard.interrupted());
  }

  if (connection->model.empty() && has_line_without_model(settings_.input)) {
    // Lines that name no model take the server's only one. When it cannot be told (server
    // down, several models), nothing is sent or recorded: the error says what to set.
    CallOptions call;
    call.cancellation = guard.token();
    Result<std::string> model = resolve_model(connection->client, "", call);
    if (!model) return report_failure(std::cerr, "batch", model.error(), guard.interrupted());
    connection->model = *model;
    std::cerr << "lemma batch: lines without a model use " << one_line(*model)
              << ", the only one the server serves\n";
  }
  if (settings_.remote) return run_remote(connection->client, connection->model, guard);
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  // on_fd: the bar follows the terminal's width (read at each redraw), not a fixed 80.
  ProgressDisplay display =
      ProgressDisplay::on_fd(std::cerr, STDERR_FILENO, settings_.run.plain_progress_interval());
  BatchOptions batch;
  batch.input_path = settings_.input;
  batch.output_path = settings_.output;
  batch.errors_path = settings_.errors;
  batch.concurrency = settings_.run.concurrency;
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
    // Paths and provider texts in warnings may not be UTF-8: replaced, never a throw.
    out << summary->to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    if (!out) {
      std::cerr << "lemma batch: could not write the summary to \"" << settings_.summary_json
                << "\" (check the path)\n";
      return kExitNothingDone;
    }
  }
  return exit_code_for(*summary);
}

}  // namespace lemma::cli
