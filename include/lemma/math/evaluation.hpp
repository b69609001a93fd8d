#pragma once

/// The evaluation engine behind `lemma eval`: runs a model over a dataset of math problems,
/// K samples per problem, through the resumable batch engine (lemma::Batch), grades every answer
/// (lemma::math::grade) and writes results.jsonl, summary.json and report.html into one
/// directory. Target lemma::math_runs.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lemma/batch.hpp"
#include "lemma/chat.hpp"
#include "lemma/client.hpp"
#include "lemma/math/eval_stats.hpp"
#include "lemma/math/grade.hpp"
#include "lemma/math_runs_export.hpp"
#include "lemma/result.hpp"

namespace lemma::math {

/// One problem of an evaluation dataset.
struct EvalProblem {
  /// The problem's id (the dataset's id field; numbers are written as JSON).
  std::string id;
  /// The problem statement.
  std::string problem;
  /// The reference answer (a JSON number is written as JSON, e.g. 72).
  std::string answer;
  /// Every other field of the dataset line, passed through to results.jsonl (for group-by).
  nlohmann::json fields = nlohmann::json::object();
  /// The problem's 1-based line in the dataset file.
  std::size_t line = 0;
};

/// A dataset line that could not be used, with its 1-based line number.
struct DatasetLineError {
  /// The 1-based line in the dataset file.
  std::size_t line = 0;
  /// What is wrong with it and what to do.
  std::string message;
};

/// Where read_dataset() finds each part of a problem.
struct DatasetFields {
  /// The id field; a line without it gets the id "line<N>" (its line number).
  std::string id = "id";
  /// The problem field; when absent, "question" (GSM8K's name) is tried.
  std::string problem = "problem";
  /// The reference-answer field (a string or a number).
  std::string answer = "answer";
};

/// A dataset, read.
struct Dataset {
  /// The usable problems, in file order.
  std::vector<EvalProblem> problems;
  /// The lines that could not be used (not JSON, no problem or answer, a duplicate id, ...).
  std::vector<DatasetLineError> errors;
};

/// Reads a JSONL dataset: one problem per line, `{"id", "problem", "answer", ...}`. Blank lines
/// are skipped. A line that cannot be used is reported in Dataset::errors with its line number
/// and the rest is read (a duplicate id: the later line is the error). A file that cannot be
/// read, or holds no usable problem, gives an invalid_request Error.
LEMMA_MATH_RUNS_EXPORT Result<Dataset> read_dataset(const std::string& path,
                                                    const DatasetFields& fields = {});

/// DeepSeek-Math's prompt for chain-of-thought answers, the default of
/// EvaluationOptions::prompt_template: "{problem}\nPlease reason step by step, and put your
/// final answer within \boxed{}."
LEMMA_MATH_RUNS_EXPORT const std::string& default_eval_prompt();

/// Fills a prompt template: "{problem}" becomes the problem's text, "{id}" its id, and
/// "{NAME}" the value of the problem's dataset field NAME (strings as they are, other values as
/// JSON). Every other brace is left as written, so LaTeX such as "\boxed{}" or "\frac{a}{b}"
/// needs no escaping; the reference answer is never put into a prompt (the answer field is not
/// one of the fields; with DatasetFields::answer set to another name, a field that happens to be
/// called "answer" is an ordinary field). A template without "{problem}" gives an invalid_request
/// Error.
LEMMA_MATH_RUNS_EXPORT Result<std::string> render_eval_prompt(const std::string& prompt_template,
                                                              const EvalProblem& problem);

/// How Evaluation asks for K samples of one problem.
enum class SampleMode {
  /// One request with `n` = K when the provider says it returns several choices
  /// (ProviderCapabilities::multiple_choices), K requests otherwise.
  automatic,
  /// One request with `n` = K (custom_id = the problem id).
  n,
  /// K requests (custom_id "<id>#<i>").
  separate,
};

/// How an Evaluation runs.
struct EvaluationOptions {
  /// The dataset (JSONL, see read_dataset()).
  std::string dataset_path;
  /// Where the dataset's fields are.
  DatasetFields dataset_fields;
  /// The run's directory (created when missing). Running again with the same directory
  /// resumes; a directory holding a run of a different dataset or settings is refused.
  std::string output_dir;
  /// The model to ask (required).
  std::string model;
  /// Sampling for every request (temperature, top_p, max_tokens, ...); `n` is set by
  /// `samples`. max_tokens is capped to what the model's context leaves after the prompt when
  /// the catalogue knows the context (e.g. Dataoorts' 4,096), with a warning.
  SamplingParams sampling;
  /// K, the samples per problem (1..1024): pass@k and maj@k are reported for k = 1..K.
  int samples = 1;
  /// How the samples are asked for.
  SampleMode sample_mode = SampleMode::automatic;
  /// The user message; empty: default_eval_prompt(). See render_eval_prompt().
  std::string prompt_template;
  /// A system message before it; empty: none.
  std::string system_prompt;
  /// How answers are read and compared with the reference.
  GradeOptions grade;
  /// Dataset fields to report statistics by (`--group-by level`).
  std::vector<std::string> group_by;
  /// Requests in flight at once.
  std::size_t concurrency = 16;
  /// Stream every request (long reasoning keeps the connection busy; time to first token is
  /// measured).
  bool stream = false;
  /// Send again the requests an earlier run recorded as failed (their old results are
  /// replaced).
  bool retry_errors = false;
  /// Grade the answers already in the directory again (after a grader update, or when the
  /// dataset's reference answers or fields changed, which a run otherwise refuses): every
  /// results line is made again from the batch files, keeping its timing; nothing is sent again.
  /// Requests not finished yet are still sent.
  bool regrade = false;
  /// Write DIR/report.html at the end.
  bool write_report = true;
  /// When results are flushed to disk (see lemma::BatchFsync).
  BatchFsync fsync = BatchFsync::periodic;
  /// Called about every progress_interval with the batch's progress (requests, not samples).
  std::function<void(const BatchProgress&)> on_progress;
  /// How often on_progress is called.
  std::chrono::milliseconds progress_interval{500};
  /// Stops the run from any thread; a later run with the same directory resumes.
  std::shared_ptr<const CancellationToken> cancellation;
};

/// What an Evaluation run did.
struct EvaluationOutcome {
  /// summary.json as written (the run's description and EvalSummary::to_json()).
  nlohmann::json summary;
  /// The batch engine's summary of this run (request counts over the whole run directory).
  BatchSummary batch;
  /// Dataset lines that could not be used (also in summary.json's "dataset_errors").
  std::vector<DatasetLineError> dataset_errors;
  /// Warnings (max_tokens capped, lines skipped in result files, ...).
  std::vector<std::string> warnings;
  /// True when the run was cancelled: the files are consistent; run again to finish.
  bool interrupted = false;
  /// DIR/requests.jsonl: the run as an OpenAI Batch input file.
  std::string requests_path;
  /// DIR/results.jsonl: one graded line per sample.
  std::string results_path;
  /// DIR/summary.json.
  std::string summary_path;
  /// DIR/report.html; empty when not written.
  std::string report_path;
};

/// Runs a model over a dataset and grades it, resumably.
///
/// The directory holds: requests.jsonl (the OpenAI Batch input of the run: one line per
/// request, custom_id "<id>#<i>" for separate samples or "<id>" with `n`, written first),
/// run.json (what the grades depend on), answers.jsonl (`{"custom_id", "answer"}` per request:
/// with requests.jsonl, what `lemma grade
/// OUTPUT --answers answers.jsonl` needs to grade the run's output from another batch engine),
/// responses.jsonl / responses.errors.jsonl (lemma::Batch's output and errors files: the raw
/// answers), results.jsonl (one line per sample, appended as answers arrive: id, sample,
/// custom_id, extracted, verdict, rule, correct, finish_reason, latency_ms, ttft_ms,
/// prompt_tokens, completion_tokens, cost_usd, error, reference, fields), summary.json
/// (written at the end of every run from the whole of results.jsonl: the run's settings,
/// "overall", "groups" and "run" as in lemma::math::summarize(), "dataset_errors") and
/// report.html (write_eval_report()).
///
/// Running again with the same directory resumes: finished requests are not sent again, and
/// answers that reached responses.jsonl but not results.jsonl (a crash in between) are graded
/// from the file. The directory is locked while a run uses it (DIR/.lock); run.json holds a
/// fingerprint of the references and fields, so a dataset whose answers changed is refused
/// unless `regrade` is set (a changed GradeOptions also needs `regrade` to apply to old
/// answers). With separate samples and a seed, sample i is sent with seed + i. A failed request is
/// a sample with an "error" (it counts as wrong). With `n` sampling, one request's tokens and cost
/// are put on its sample 0 so sums stay exact.
///
/// @code
///   lemma::math::EvaluationOptions options;
///   options.dataset_path = "math500.jsonl";
///   options.output_dir = "runs/math500";
///   options.model = "deepseek-math-7b-instruct";
///   options.samples = 4;
///   auto outcome = lemma::math::Evaluation(client, options).run();
///   if (outcome) std::cout << outcome->summary["overall"]["accuracy"] << '\n';
/// @endcode
class LEMMA_MATH_RUNS_EXPORT Evaluation {
 public:
  /// An evaluation that sends its requests through `client`.
  Evaluation(Client client, EvaluationOptions options);
  /// Reads the dataset, writes or checks requests.jsonl, runs what is left, grades, and writes
  /// summary.json and the report. Caller mistakes (no model, samples out of range, a template
  /// without {problem}, an unreadable dataset, a directory of another run) are an
  /// invalid_request Error before anything is sent; a batch that cannot run at all keeps the
  /// batch engine's Error (e.g. connection when the server is unreachable).
  Result<EvaluationOutcome> run();

 private:
  Client client_;
  EvaluationOptions options_;
};

/// Reads DIR/summary.json of a finished run (for `lemma eval --compare`); a missing or malformed
/// file gives an invalid_request Error naming it.
LEMMA_MATH_RUNS_EXPORT Result<nlohmann::json> read_eval_summary(const std::string& dir);

}  // namespace lemma::math
