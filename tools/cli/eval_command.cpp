#include "eval_command.hpp"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <utility>

#include "error_report.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "lemma/math/eval_stats.hpp"
#include "lemma/math/evaluation.hpp"
#include "progress.hpp"

namespace lemma::cli {
namespace {

constexpr std::string_view kCommand = "eval";

int usage_error(const std::string& message) {
  std::cerr << "lemma eval: " << message << '\n';
  return kExitUsage;
}

math::SampleMode sample_mode_of(const std::string& name) {
  if (name == "n") return math::SampleMode::n;
  if (name == "separate") return math::SampleMode::separate;
  return math::SampleMode::automatic;
}

}  // namespace

EvalCommand::EvalCommand(CLI::App& app)
    : command_(app.add_subcommand(
          "eval",
          "Run a model over a dataset of problems, grade every answer, and report accuracy, "
          "pass@k, maj@k, latency, tokens and cost")) {
  command_
      ->add_option("DATASET", settings_.dataset,
                   "Dataset (JSONL): one {\"id\", \"problem\", \"answer\", ...} per line")
      ->check(CLI::ExistingFile);
  command_->add_option("-o,--output", settings_.output,
                       "Run directory: requests, responses, results.jsonl, summary.json, "
                       "report.html (an existing run is resumed)");
  command_
      ->add_option("--compare", settings_.compare,
                   "Print the summaries of these run directories side by side (no model is "
                   "called)")
      ->check(CLI::ExistingDirectory);
  command_->add_option("-k,--samples", settings_.samples, "Answers per problem (K)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  command_
      ->add_option("--sample-mode", settings_.sample_mode,
                   "How K answers are asked for: n (one request with n = K), separate (K "
                   "requests), auto (n where the provider supports it)")
      ->check(CLI::IsMember({"auto", "n", "separate"}))
      ->capture_default_str();
  command_
      ->add_option("--prompt-file", settings_.prompt_file,
                   "Prompt template file: {problem}, {id} and {FIELD} (a dataset field) are "
                   "filled in (default: DeepSeek-Math's \"{problem}\\nPlease reason step by "
                   "step, and put your final answer within \\boxed{}.\")")
      ->check(CLI::ExistingFile);
  command_->add_option("--system", settings_.system, "A system message before each prompt");
  command_->add_option("--group-by", settings_.group_by,
                       "Also report by this dataset field (repeat for several), e.g. level");
  command_->add_option("--id-field", settings_.id_field, "Dataset field of the problem id")
      ->capture_default_str();
  command_
      ->add_option("--problem-field", settings_.problem_field,
                   "Dataset field of the problem text (\"question\" is tried when \"problem\" "
                   "is absent)")
      ->capture_default_str();
  command_
      ->add_option("--answer-field", settings_.answer_field,
                   "Dataset field of the reference answer")
      ->capture_default_str();
  command_->add_flag("--retry-errors", settings_.retry_errors,
                     "Send again the requests an earlier run of this directory recorded as failed");
  command_->add_flag("--regrade", settings_.regrade,
                     "Grade the answers already in --output again (a new grader, or changed "
                     "reference answers; nothing is sent again)");
  command_->add_flag("--stream", settings_.stream,
                     "Stream each request (long reasoning keeps the connection busy; time to "
                     "first token is measured)");
  command_->add_flag("--no-report", settings_.no_report, "Do not write report.html");
  add_sampling_options(*command_, settings_.sampling);
  add_run_options(*command_, settings_.run);
  add_connection_options(*command_, connection_);
  command_->footer(
      "Examples:\n"
      "  lemma eval examples/data/sample.jsonl --output runs/sample --samples 4\n"
      "  lemma eval math500.jsonl -o runs/m500 -k 8 --temperature 0.6 --max-tokens 8192 "
      "--group-by level --rpm 600\n"
      "  lemma eval --compare runs/model-a runs/model-b\n"
      "Run it again with the same --output to resume (finished requests are not sent again).\n"
      "Exit codes: 0 every request answered, 1 some failed (see results.jsonl) or dataset lines "
      "were left out, 2 bad input or options, 3 nothing could be done, 130 interrupted (run "
      "again to resume).");
}

bool EvalCommand::selected() const {
  return command_->parsed();
}

int EvalCommand::run_compare() const {
  std::vector<std::pair<std::string, nlohmann::json>> runs;
  for (const std::string& dir : settings_.compare) {
    Result<nlohmann::json> summary = math::read_eval_summary(dir);
    if (!summary) {
      report_error(std::cerr, kCommand, summary.error());
      return kExitUsage;
    }
    runs.emplace_back(dir, std::move(*summary));
  }
  std::cout << math::compare_table(runs);
  return kExitSuccess;
}

int EvalCommand::run(const InterruptGuard& guard) {
  if (!settings_.compare.empty()) {
    if (!settings_.dataset.empty() || !settings_.output.empty()) {
      return usage_error("--compare takes run directories only (no DATASET or --output)");
    }
    return run_compare();
  }
  if (settings_.dataset.empty()) {
    return usage_error("give a DATASET (JSONL) and --output DIR, or --compare DIR DIR...");
  }
  if (settings_.output.empty()) {
    return usage_error("give --output DIR: the run directory (an existing one is resumed)");
  }
  Result<SamplingParams> sampling = sampling_from(*command_, settings_.sampling);
  if (!sampling) return usage_error(sampling.error().message);

  math::EvaluationOptions options;
  options.dataset_path = settings_.dataset;
  options.dataset_fields.id = settings_.id_field;
  options.dataset_fields.problem = settings_.problem_field;
  options.dataset_fields.answer = settings_.answer_field;
  options.output_dir = settings_.output;
  options.sampling = std::move(*sampling);
  options.samples = settings_.samples;
  options.sample_mode = sample_mode_of(settings_.sample_mode);
  options.system_prompt = settings_.system;
  options.group_by = settings_.group_by;
  options.concurrency = settings_.run.concurrency;
  options.retry_errors = settings_.retry_errors;
  options.regrade = settings_.regrade;
  options.stream = settings_.stream;
  options.write_report = !settings_.no_report;
  options.cancellation = guard.token();
  if (!settings_.prompt_file.empty()) {
    std::ifstream in(settings_.prompt_file, std::ios::binary);
    options.prompt_template.assign(std::istreambuf_iterator<char>(in),
                                   std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      return usage_error("cannot read the prompt file \"" + settings_.prompt_file + "\"");
    }
    while (!options.prompt_template.empty() &&
           (options.prompt_template.back() == '\n' || options.prompt_template.back() == '\r')) {
      options.prompt_template.pop_back();
    }
    if (options.prompt_template.find("{problem}") == std::string::npos) {
      return usage_error("the prompt file \"" + settings_.prompt_file +
                         "\" has no {problem}; put {problem} where the problem's text goes");
    }
  }

  Result<Connection> connection = connect(connection_, settings_.run.client_options(), std::cerr,
                                          /*need_model=*/true, guard.token());
  if (!connection) {
    return report_failure(std::cerr, kCommand, connection.error(), guard.interrupted());
  }
  options.model = connection->model;

  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  ProgressDisplay display =
      ProgressDisplay::on_fd(std::cerr, STDERR_FILENO, settings_.run.plain_progress_interval());
  display.set_label("lemma eval");
  options.on_progress = [&display](const BatchProgress& progress) { display.update(progress); };
  options.progress_interval =
      terminal ? std::chrono::milliseconds(200) : std::chrono::milliseconds(500);

  Result<math::EvaluationOutcome> outcome = math::Evaluation(connection->client, options).run();
  if (!outcome) return report_failure(std::cerr, kCommand, outcome.error(), guard.interrupted());
  display.finish(outcome->batch);
  for (const math::DatasetLineError& error : outcome->dataset_errors) {
    std::cerr << "lemma eval: " << settings_.dataset << " line " << error.line << ": "
              << one_line(error.message) << " (left out)\n";
  }
  for (const std::string& warning : outcome->warnings) {
    std::cerr << "lemma eval: " << one_line(warning) << '\n';
  }
  std::cout << math::compare_table({{settings_.output, outcome->summary}});
  std::cout << "results: " << outcome->results_path << "\nsummary: " << outcome->summary_path
            << '\n';
  if (!outcome->report_path.empty()) std::cout << "report:  " << outcome->report_path << '\n';
  if (outcome->interrupted) {
    std::cerr << "lemma eval: interrupted; run the same command again to finish\n";
    return kExitInterrupted;
  }
  // A sample can fail inside a request that succeeded (a server that ignores n), so the
  // samples decide, not only the request counts.
  const nlohmann::json::json_pointer errors("/overall/error_rate");
  const bool some_failed =
      outcome->batch.counts.failed > 0 ||
      (outcome->summary.contains(errors) && outcome->summary[errors].is_number() &&
       outcome->summary[errors].get<double>() > 0);
  return some_failed ? kExitSomeFailed : kExitSuccess;
}

}  // namespace lemma::cli
