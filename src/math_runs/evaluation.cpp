// lemma::math::Evaluation: a dataset in, a graded run directory out, resumably. The batch
// engine does the calling (rate limits, retries, crash safety); this file plans the requests,
// keeps results.jsonl in step with the batch output, and writes the summary and the report.

#include "lemma/math/evaluation.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "eval_results.hpp"
#include "lemma/catalog.hpp"
#include "lemma/math/eval_report.hpp"
#include "lemma/providers/dataoorts.hpp"
#include "lemma/wire.hpp"
#include "run_files.hpp"

namespace lemma::math {
namespace {

using detail::EvalRequestPlan;
using nlohmann::json;

constexpr int kMaxSamples = 1024;
constexpr const char* kRequestsFile = "requests.jsonl";
constexpr const char* kAnswersFile = "answers.jsonl";
constexpr const char* kResponsesFile = "responses.jsonl";
constexpr const char* kResultsFile = "results.jsonl";
constexpr const char* kSummaryFile = "summary.json";
constexpr const char* kRunFile = "run.json";

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

std::string base_name(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

const char* to_string(SampleMode mode) {
  switch (mode) {
    case SampleMode::n: return "n";
    case SampleMode::separate: return "separate";
    case SampleMode::automatic: break;
  }
  return "automatic";
}

// The run, planned: one OpenAI Batch input line per request and what each request is.
struct Plan {
  std::string requests_file;  // the whole requests.jsonl
  std::string answers_file;   // answers.jsonl: custom_id -> reference, for `lemma grade`
  std::string grading;        // every problem's id, reference and fields: what grades depend on
  std::unordered_map<std::string, EvalRequestPlan> requests;
  std::vector<std::string> order;  // custom_ids in file order
  json sampling = json::object();  // what every request's body says besides model and messages
  std::size_t capped = 0;          // requests whose max_tokens was lowered to fit the context
  std::int64_t lowest_cap = 0;
};

Result<Plan> plan_requests(const Dataset& dataset, const EvaluationOptions& options,
                           SampleMode mode, const Provider& provider) {
  Plan plan;
  const std::string& prompt_template =
      options.prompt_template.empty() ? default_eval_prompt() : options.prompt_template;
  const ModelSpec* spec = provider.model_spec(options.model);
  for (std::size_t index = 0; index < dataset.problems.size(); ++index) {
    const EvalProblem& problem = dataset.problems[index];
    Result<std::string> prompt = render_eval_prompt(prompt_template, problem);
    if (!prompt) return prompt.error();
    ChatRequest request;
    request.model = options.model;
    if (!options.system_prompt.empty()) {
      request.messages.push_back(Message::system(options.system_prompt));
    }
    request.messages.push_back(Message::user(*prompt));
    request.sampling = options.sampling;
    request.sampling.n.reset();
    if (spec != nullptr && spec->context_window && request.sampling.max_tokens) {
      // Leave room for the prompt: a request over the context is refused by the server (or,
      // for Dataoorts, by lemma before sending) and would be a failed sample.
      const std::int64_t room =
          *spec->context_window - providers::estimate_prompt_tokens(request.messages);
      if (room > 0 && *request.sampling.max_tokens > room) {
        request.sampling.max_tokens = room;
        plan.lowest_cap = plan.capped == 0 ? room : std::min(plan.lowest_cap, room);
        ++plan.capped;
      }
    }
    const int requests = mode == SampleMode::n ? 1 : options.samples;
    const int per_request = mode == SampleMode::n ? options.samples : 1;
    if (per_request > 1) request.sampling.n = per_request;
    if (index == 0) {
      // What was asked (before any max_tokens cap), for summary.json.
      ChatRequest asked = request;
      asked.sampling.max_tokens = options.sampling.max_tokens;
      plan.sampling = wire::encode_chat_body(asked);
      plan.sampling.erase("model");
      plan.sampling.erase("messages");
      plan.sampling.erase("stream");
    }
    // The problem's identity for grading: its reference and the fields results carry.
    plan.grading += problem.id + '\x1f' + problem.answer + '\x1f' +
                    problem.fields.dump(-1, ' ', false, json::error_handler_t::replace) + '\n';
    for (int r = 0; r < requests; ++r) {
      const std::string custom_id =
          mode == SampleMode::n ? problem.id : problem.id + "#" + std::to_string(r);
      ChatRequest sample = request;
      // K identical requests with one seed would give K identical answers from a server that
      // honours seeds: sample r gets seed + r.
      if (requests > 1 && sample.sampling.seed) *sample.sampling.seed += r;
      // OpenAI's key order, so the file reads like the Batch guide's examples.
      nlohmann::ordered_json line;
      line["custom_id"] = custom_id;
      line["method"] = "POST";
      line["url"] = "/v1/chat/completions";
      line["body"] = wire::encode_chat_body(sample);
      plan.requests_file += line.dump(-1, ' ', false, json::error_handler_t::replace);
      plan.requests_file += '\n';
      nlohmann::ordered_json answer;
      answer["custom_id"] = custom_id;
      answer["answer"] = problem.answer;
      plan.answers_file += answer.dump(-1, ' ', false, json::error_handler_t::replace);
      plan.answers_file += '\n';
      plan.requests.emplace(custom_id, EvalRequestPlan{index, r * per_request, per_request});
      plan.order.push_back(custom_id);
    }
  }
  return plan;
}

// The first line where two files differ (1-based), for the "another run" message.
std::size_t first_different_line(const std::string& a, const std::string& b) {
  std::size_t line = 1;
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return line;
    if (a[i] == '\n') ++line;
  }
  return line;
}

// results.jsonl as found at the start of a run: which requests are fully graded.
struct ResultsState {
  std::set<std::string> complete;  // custom_ids with a line for each of their samples
  std::vector<std::string> warnings;
};

// Reads results.jsonl, keeps the lines of requests that are complete (all samples present; a
// crash can tear only the last write) and, with `drop_failed`, not failed; rewrites the file
// when anything was dropped.
Result<ResultsState> load_results(const std::string& path, const Plan& plan, bool drop_failed) {
  ResultsState state;
  const std::optional<std::string> content = detail::read_whole_file(path);
  if (!content) return state;
  struct Kept {
    std::string text;
    std::string custom_id;
  };
  std::vector<Kept> lines;
  std::map<std::string, std::set<int>> samples;
  std::set<std::string> failed;
  bool dropped = false;
  detail::for_each_line(*content, [&](std::size_t number, const std::string& text, bool ended) {
    const json line = json::parse(text, nullptr, false);
    // Read as the summary reads it, so a line kept here is never left out of the summary.
    const bool readable = line.is_object() && line.contains("custom_id") &&
                          line["custom_id"].is_string() &&
                          static_cast<bool>(eval_sample_from_json(line));
    if (!ended || !readable) {
      dropped = true;
      // A torn last line is what a crash mid-write leaves: dropped quietly, it is graded again.
      if (ended) {
        state.warnings.push_back(path + " line " + std::to_string(number) +
                                 " could not be read; it was dropped and its request is graded "
                                 "again");
      }
      return;
    }
    const std::string custom_id = line["custom_id"].get<std::string>();
    if (plan.requests.count(custom_id) == 0) {
      dropped = true;
      state.warnings.push_back(path + " line " + std::to_string(number) + " is for \"" + custom_id +
                               "\", which this run does not ask; it was dropped");
      return;
    }
    if (!samples[custom_id].insert(line["sample"].get<int>()).second) {
      dropped = true;  // the same sample twice (two runs at once before the lock existed)
      return;
    }
    if (line.contains("error") && !line["error"].is_null()) failed.insert(custom_id);
    lines.push_back(Kept{text, custom_id});
  });
  for (const auto& [custom_id, seen] : samples) {
    const EvalRequestPlan& request = plan.requests.at(custom_id);
    const bool whole = static_cast<int>(seen.size()) == request.samples;
    if (whole && !(drop_failed && failed.count(custom_id) > 0)) {
      state.complete.insert(custom_id);
    } else {
      dropped = true;
    }
  }
  if (dropped) {
    std::string kept;
    for (const Kept& line : lines) {
      if (state.complete.count(line.custom_id) > 0) kept += line.text + "\n";
    }
    if (Result<Done> replaced = detail::replace_file(path, kept); !replaced) {
      return replaced.error();
    }
  }
  return state;
}

// Grades the batch records of requests that have no results yet (answers that reached the
// output file before a crash, or failures recorded by an earlier run), appending their lines.
Result<std::size_t> grade_missing(const std::string& records_path, const Plan& plan,
                                  const Dataset& dataset, const EvaluationOptions& options,
                                  const Provider& provider,
                                  const std::map<std::string, detail::EvalTiming>& timings,
                                  ResultsState& state, detail::AppendFile& results) {
  std::size_t graded = 0;
  const std::optional<std::string> content = detail::read_whole_file(records_path);
  if (!content) return graded;
  std::optional<Error> failure;
  detail::for_each_line(*content, [&](std::size_t number, const std::string& text, bool ended) {
    if (failure || !ended) return;  // a torn line is the batch engine's to repair
    const json record = json::parse(text, nullptr, false);
    if (!record.is_object() || !record.contains("custom_id") || !record["custom_id"].is_string()) {
      return;
    }
    const std::string custom_id = record["custom_id"].get<std::string>();
    const auto request = plan.requests.find(custom_id);
    if (request == plan.requests.end() || state.complete.count(custom_id) > 0) return;
    const auto timing = timings.find(custom_id);
    std::optional<std::string> lines = detail::lines_from_batch_record(
        record, custom_id, request->second, dataset.problems[request->second.problem],
        options.grade, provider, timing != timings.end() ? timing->second : detail::EvalTiming{});
    if (!lines) {
      state.warnings.push_back(records_path + " line " + std::to_string(number) +
                               " could not be read; its request has no result");
      return;
    }
    if (Result<Done> appended = results.append(*lines); !appended) {
      failure = appended.error();
      return;
    }
    state.complete.insert(custom_id);
    ++graded;
  });
  if (failure) return *failure;
  return graded;
}

// FNV-1a, 64 bits, as hex: a stable fingerprint of what the grades depend on.
std::string grading_digest(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

// The grading fingerprint an earlier run of the directory recorded in run.json, if any.
std::optional<std::string> recorded_grading(const std::string& path) {
  const std::optional<std::string> content = detail::read_whole_file(path);
  if (!content) return std::nullopt;
  const json run = json::parse(*content, nullptr, false);
  if (!run.is_object() || !run.contains("grading") || !run["grading"].is_string()) {
    return std::nullopt;
  }
  return run["grading"].get<std::string>();
}

// Each request's latency and time to first token from results.jsonl, kept through a regrade.
std::map<std::string, detail::EvalTiming> read_timings(const std::string& path) {
  std::map<std::string, detail::EvalTiming> timings;
  const std::optional<std::string> content = detail::read_whole_file(path);
  if (!content) return timings;
  detail::for_each_line(*content, [&](std::size_t, const std::string& text, bool) {
    const json line = json::parse(text, nullptr, false);
    if (!line.is_object() || !line.contains("custom_id") || !line["custom_id"].is_string()) return;
    detail::EvalTiming timing;
    if (line.contains("latency_ms") && line["latency_ms"].is_number()) {
      timing.latency_ms = line["latency_ms"].get<double>();
    }
    if (line.contains("ttft_ms") && line["ttft_ms"].is_number()) {
      timing.ttft_ms = line["ttft_ms"].get<double>();
    }
    timings.emplace(line["custom_id"].get<std::string>(), timing);
  });
  return timings;
}

// Every line of results.jsonl as an EvalSample; unreadable lines become warnings.
std::vector<EvalSample> read_samples(const std::string& path, std::vector<std::string>& warnings) {
  std::vector<EvalSample> samples;
  const std::optional<std::string> content = detail::read_whole_file(path);
  if (!content) return samples;
  detail::for_each_line(*content, [&](std::size_t number, const std::string& text, bool) {
    const json line = json::parse(text, nullptr, false);
    Result<EvalSample> sample = eval_sample_from_json(line);
    if (!sample) {
      warnings.push_back(path + " line " + std::to_string(number) + ": " + sample.error().message +
                         " (left out of the summary)");
      return;
    }
    samples.push_back(std::move(*sample));
  });
  return samples;
}

// The run time of earlier runs of this directory, from the summary they left.
double earlier_elapsed_s(const std::string& summary_path) {
  const std::optional<std::string> content = detail::read_whole_file(summary_path);
  if (!content) return 0;
  const json summary = json::parse(*content, nullptr, false);
  const json::json_pointer pointer("/run/elapsed_s");
  if (!summary.is_object() || !summary.contains(pointer) || !summary[pointer].is_number()) {
    return 0;
  }
  return summary[pointer].get<double>();
}

std::optional<Error> check_options(const EvaluationOptions& options) {
  if (options.dataset_path.empty()) {
    return invalid_request_error("dataset_path",
                                 "No dataset given; pass a JSONL file of problems.");
  }
  if (options.output_dir.empty()) {
    return invalid_request_error("output_dir",
                                 "No output directory given; pass one (--output DIR).");
  }
  if (options.model.empty()) {
    return invalid_request_error("model", "No model given; set --model or LEMMA_MODEL.");
  }
  if (options.samples < 1 || options.samples > kMaxSamples) {
    return invalid_request_error("samples", "samples must be between 1 and " +
                                                std::to_string(kMaxSamples) + ", not " +
                                                std::to_string(options.samples) + ".");
  }
  if (options.sampling.n && *options.sampling.n != 1) {
    return invalid_request_error(
        "n", "Set the number of samples with samples (--samples), not sampling.n.");
  }
  if (options.concurrency < 1) {
    return invalid_request_error("concurrency", "concurrency must be at least 1.");
  }
  if (!options.prompt_template.empty() &&
      options.prompt_template.find("{problem}") == std::string::npos) {
    return invalid_request_error(
        "prompt_template",
        "The prompt template has no {problem}; put {problem} where the problem's text goes.");
  }
  for (const std::string& field : options.group_by) {
    if (field.empty()) return invalid_request_error("group_by", "A group-by field name is empty.");
  }
  return std::nullopt;
}

}  // namespace

Evaluation::Evaluation(Client client, EvaluationOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

Result<EvaluationOutcome> Evaluation::run() {
  if (std::optional<Error> error = check_options(options_)) return *error;
  const auto started = std::chrono::steady_clock::now();
  Result<Dataset> dataset = read_dataset(options_.dataset_path, options_.dataset_fields);
  if (!dataset) return dataset.error();

  const Provider& provider = client_.provider();
  SampleMode mode = options_.sample_mode;
  if (mode == SampleMode::automatic) {
    mode = options_.samples > 1 && provider.capabilities().multiple_choices ? SampleMode::n
                                                                            : SampleMode::separate;
  }
  Result<Plan> plan = plan_requests(*dataset, options_, mode, provider);
  if (!plan) return plan.error();

  EvaluationOutcome outcome;
  outcome.dataset_errors = dataset->errors;
  for (const std::string& field : options_.group_by) {
    const bool known = std::any_of(
        dataset->problems.begin(), dataset->problems.end(), [&](const EvalProblem& problem) {
          return problem.fields.is_object() && problem.fields.contains(field);
        });
    if (!known) {
      outcome.warnings.push_back("no problem has the field \"" + field +
                                 "\" to group by; all are in its group \"(none)\"");
    }
  }
  const std::string& dir = options_.output_dir;
  outcome.requests_path = detail::join_path(dir, kRequestsFile);
  outcome.results_path = detail::join_path(dir, kResultsFile);
  outcome.summary_path = detail::join_path(dir, kSummaryFile);
  const std::string responses_path = detail::join_path(dir, kResponsesFile);
  const std::string errors_path = default_errors_path(responses_path);
  if (plan->capped > 0) {
    outcome.warnings.push_back("max_tokens lowered to fit " + options_.model + "'s context for " +
                               std::to_string(plan->capped) + " request(s) (to " +
                               std::to_string(plan->lowest_cap) + " at the lowest)");
  }

  if (Result<Done> made = detail::make_directories(dir); !made) return made.error();
  // One run per directory at a time: two would send every request twice and count every
  // sample twice.
  Result<detail::DirectoryLock> lock = detail::DirectoryLock::acquire(dir);
  if (!lock) return lock.error();
  const std::optional<std::string> existing = detail::read_whole_file(outcome.requests_path);
  const bool resuming = existing.has_value();
  if (!existing &&
      (detail::read_whole_file(outcome.results_path) || detail::read_whole_file(responses_path))) {
    return invalid_request_error(
        "output_dir", "\"" + dir +
                          "\" holds results but no requests.jsonl, so which run they belong to "
                          "cannot be told; use another output directory, or delete this one.");
  }
  if (existing && *existing != plan->requests_file) {
    return invalid_request_error(
        "output_dir",
        "\"" + outcome.requests_path + "\" holds another run (it differs from this one at line " +
            std::to_string(first_different_line(*existing, plan->requests_file)) +
            ": the dataset, prompt, model, sampling or samples changed); use another output "
            "directory, or delete this one to start over.");
  }
  if (!existing) {
    if (Result<Done> written = detail::replace_file(outcome.requests_path, plan->requests_file);
        !written) {
      return written.error();
    }
  }
  // The references by custom_id: with requests.jsonl, what grading the run's Batch output
  // elsewhere needs (`lemma grade OUTPUT --answers answers.jsonl`).
  if (Result<Done> written =
          detail::replace_file(detail::join_path(dir, kAnswersFile), plan->answers_file);
      !written) {
    return written.error();
  }

  // The grades depend on the references and fields too, which requests.jsonl does not hold: a
  // dataset whose answers changed is graded again (regrade) or refused, never mixed.
  const std::string run_path = detail::join_path(dir, kRunFile);
  const std::string grading = grading_digest(plan->grading);
  const std::optional<std::string> recorded = recorded_grading(run_path);
  if (resuming && recorded && *recorded != grading && !options_.regrade) {
    return invalid_request_error(
        "output_dir",
        "The dataset's reference answers or fields changed since \"" + dir +
            "\" was run; grade the answers already there again with them (regrade, `lemma eval "
            "--regrade`: nothing is sent again), or use another output directory.");
  }
  std::map<std::string, detail::EvalTiming> timings;
  if (options_.regrade || (recorded && *recorded != grading)) {
    // Every results line is made again from the batch files; their timing is kept.
    timings = read_timings(outcome.results_path);
    if (Result<Done> cleared = detail::replace_file(outcome.results_path, ""); !cleared) {
      return cleared.error();
    }
  }
  if (Result<Done> written =
          detail::replace_file(run_path, json{{"grading", grading}}.dump() + "\n");
      !written) {
    return written.error();
  }

  Result<ResultsState> state = load_results(outcome.results_path, *plan, options_.retry_errors);
  if (!state) return state.error();
  outcome.warnings.insert(outcome.warnings.end(), state->warnings.begin(), state->warnings.end());
  state->warnings.clear();
  detail::AppendFile results(outcome.results_path);
  if (!results.ok()) return detail::file_error(outcome.results_path, "open", errno);
  std::size_t graded_from_files = 0;
  // Answers already in the batch files but not graded (a crash in between). Failures are left
  // to the batch engine when they are to be retried.
  for (const std::string* path : {&responses_path, &errors_path}) {
    if (path == &errors_path && options_.retry_errors) continue;
    Result<std::size_t> graded =
        grade_missing(*path, *plan, *dataset, options_, provider, timings, *state, results);
    if (!graded) return graded.error();
    graded_from_files += *graded;
  }
  outcome.warnings.insert(outcome.warnings.end(), state->warnings.begin(), state->warnings.end());

  BatchOptions batch;
  batch.input_path = outcome.requests_path;
  batch.output_path = responses_path;
  batch.errors_path = errors_path;
  batch.concurrency = options_.concurrency;
  batch.retry_errors = options_.retry_errors;
  batch.stream = options_.stream;
  batch.default_model = options_.model;
  batch.fsync = options_.fsync;
  batch.on_progress = options_.on_progress;
  batch.progress_interval = options_.progress_interval;
  // The batch stops on the caller's token, or on ours when results can no longer be written
  // (no point paying for answers that cannot be recorded).
  const auto stop = std::make_shared<CancellationToken>();
  const CancellationToken::Subscription follow_caller(options_.cancellation.get(),
                                                      [stop] { stop->cancel(); });
  batch.cancellation = stop;
  std::optional<Error> write_failure;
  batch.on_result = [&](const BatchResult& timing, const Result<ChatResponse>& result) {
    if (write_failure) return;
    const auto request = plan->requests.find(timing.custom_id);
    if (request == plan->requests.end()) return;
    const EvalProblem& problem = dataset->problems[request->second.problem];
    detail::EvalTiming times;
    times.latency_ms = static_cast<double>(timing.latency.count());
    if (timing.time_to_first_token) {
      times.ttft_ms = static_cast<double>(timing.time_to_first_token->count());
    }
    const std::string lines =
        result ? detail::graded_lines(timing.custom_id, request->second, problem, *result, times,
                                      options_.grade)
               : detail::failed_lines(timing.custom_id, request->second, problem,
                                      std::string(lemma::to_string(result.error().kind)),
                                      result.error().message, times);
    Result<Done> appended = results.append(lines);
    if (appended && options_.fsync == BatchFsync::every_result) appended = results.sync();
    if (!appended) {
      write_failure = appended.error();
      stop->cancel();
    }
  };
  Result<BatchSummary> ran = Batch(client_, batch).run();
  if (write_failure) return *write_failure;
  if (!ran) return ran.error();
  if (Result<Done> synced = results.sync(); !synced) return synced.error();
  outcome.batch = *ran;
  outcome.interrupted = ran->interrupted;
  outcome.warnings.insert(outcome.warnings.end(), ran->warnings.begin(), ran->warnings.end());

  // The summary always describes the whole directory: every results line, every run.
  std::vector<EvalSample> samples = read_samples(outcome.results_path, outcome.warnings);
  // Wall time over the runs that did something: re-running a finished directory (to rewrite
  // its summary or report) does not add to it.
  const bool worked = ran->done_this_run > 0 || graded_from_files > 0 || options_.regrade;
  const double elapsed =
      (worked || !resuming
           ? std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
           : 0.0) +
      (resuming ? earlier_elapsed_s(outcome.summary_path) : 0.0);
  SummaryOptions summary_options;
  summary_options.samples_per_problem = options_.samples;
  summary_options.group_by = options_.group_by;
  summary_options.elapsed_s = elapsed;
  const CompareOptions compare_options = options_.grade.compare;
  summary_options.equivalent = [compare_options](const std::string& a, const std::string& b) {
    return compare(a, b, compare_options).equal();
  };
  const EvalSummary stats = summarize(samples, summary_options);

  json summary = json::object();
  summary["model"] = options_.model;
  summary["provider"] = provider.name();
  summary["dataset"] = base_name(options_.dataset_path);
  summary["samples_per_problem"] = options_.samples;
  summary["sample_mode"] = to_string(mode);
  summary["prompt_template"] =
      options_.prompt_template.empty() ? default_eval_prompt() : options_.prompt_template;
  if (!options_.system_prompt.empty()) summary["system_prompt"] = options_.system_prompt;
  summary["sampling"] = plan->sampling;
  summary["group_by"] = options_.group_by;
  summary["created"] = utc_now();
  summary["complete"] = !ran->interrupted &&
                        stats.overall.samples ==
                            static_cast<std::int64_t>(dataset->problems.size()) * options_.samples;
  json dataset_errors = json::array();
  for (const DatasetLineError& error : dataset->errors) {
    dataset_errors.push_back({{"line", error.line}, {"message", error.message}});
  }
  summary["dataset_errors"] = std::move(dataset_errors);
  summary["warnings"] = outcome.warnings;
  summary.update(stats.to_json());
  if (Result<Done> written = detail::replace_file(
          outcome.summary_path, summary.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
      !written) {
    return written.error();
  }
  outcome.summary = std::move(summary);

  if (options_.write_report) {
    Result<EvalReportFile> report = write_eval_report(dir);
    if (!report) return report.error();
    outcome.report_path = report->path;
    outcome.warnings.insert(outcome.warnings.end(), report->skipped_lines.begin(),
                            report->skipped_lines.end());
  }
  return outcome;
}

Result<nlohmann::json> read_eval_summary(const std::string& dir) {
  const std::string path = detail::join_path(dir, kSummaryFile);
  const std::optional<std::string> content = detail::read_whole_file(path);
  if (!content) {
    return invalid_request_error("dir", "Cannot read \"" + path +
                                            "\"; give the directory of a `lemma eval --output "
                                            "DIR` run.");
  }
  json summary = json::parse(*content, nullptr, false);
  if (summary.is_discarded() || !summary.is_object()) {
    return invalid_request_error("dir", "\"" + path +
                                            "\" is not a JSON object; run `lemma eval` on the "
                                            "directory again to rewrite it.");
  }
  return summary;
}

}  // namespace lemma::math
