#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lemma/client.hpp"
#include "lemma/export.hpp"
#include "lemma/http.hpp"
#include "lemma/metrics.hpp"
#include "lemma/result.hpp"

namespace lemma {

/// When a Batch asks the operating system to put its result files on disk (fsync). Each result
/// is written with a single write(2) as soon as it completes, whatever the policy, so a crash
/// or SIGKILL of the process loses no finished result; the policy only matters for a power
/// loss or a kernel crash.
enum class BatchFsync {
  /// fsync after every result (safest, slowest: one disk flush per request).
  every_result,
  /// fsync at most once per BatchOptions::fsync_interval and at the end (default).
  periodic,
  /// Only at the end of the run.
  at_end,
};

/// Counts in the form of OpenAI's Batch object (`request_counts`), over the whole result files
/// (earlier runs included), not only what one run did.
struct BatchRequestCounts {
  /// Requests in the input file (every line, malformed ones included).
  std::uint64_t total = 0;
  /// Requests answered with a success (in the output file).
  std::uint64_t completed = 0;
  /// Requests recorded as failed (in the errors file).
  std::uint64_t failed = 0;
};

/// A live view of a running Batch, passed to BatchOptions::on_progress.
struct BatchProgress {
  /// Counts over the whole result files so far (earlier runs included).
  BatchRequestCounts counts;
  /// Requests found already done in the result files when this run started.
  std::uint64_t resumed = 0;
  /// Requests this run has finished (successes and failures).
  std::uint64_t done_this_run = 0;
  /// Requests this run still has to finish (in flight or not started).
  std::uint64_t remaining = 0;
  /// Requests in flight now.
  std::uint64_t in_flight = 0;
  /// Prompt tokens of this run's successes.
  std::uint64_t prompt_tokens = 0;
  /// Completion tokens of this run's successes.
  std::uint64_t completion_tokens = 0;
  /// Cost of this run's successes in US dollars, when the model's prices are known.
  double cost_usd = 0;
  /// True when at least one success had a known price (so cost_usd means something).
  bool cost_known = false;
  /// Time since this run started.
  std::chrono::milliseconds elapsed{0};
};

/// What a Batch run did and the state of its result files afterwards.
struct BatchSummary {
  /// Counts over the whole result files (OpenAI's `request_counts`).
  BatchRequestCounts counts;
  /// Requests found already done when the run started (skipped).
  std::uint64_t resumed = 0;
  /// Requests this run sent and finished.
  std::uint64_t done_this_run = 0;
  /// Requests not finished because the run was cancelled (resume to finish them).
  std::uint64_t not_started = 0;
  /// True when the run stopped early because BatchOptions::cancellation was cancelled; the
  /// result files are consistent and a new run with the same files resumes.
  bool interrupted = false;
  /// custom_ids answered by an earlier run whose input line has changed since: their old result
  /// is kept (not silently reused as the answer to the new line, not paid for twice). Remove
  /// them from the result files, or use a new output file, to run them again.
  std::vector<std::string> changed_inputs;
  /// Warnings about the input or the result files (limits past OpenAI's, a dropped torn line).
  std::vector<std::string> warnings;
  /// Calls, latency percentiles, tokens and cost of this run (from lemma::Metrics).
  MetricsEntry metrics;
  /// Wall time of this run.
  std::chrono::milliseconds elapsed{0};
  /// The summary as JSON: {"request_counts": {total, completed, failed}, "resumed", ...}.
  LEMMA_EXPORT nlohmann::json to_json() const;
  /// A few human-readable lines (counts, success rate, latency p50/p90/p99, tokens, cost).
  LEMMA_EXPORT std::string to_text() const;
};

/// The timing of one finished request, passed to BatchOptions::on_result with its result.
struct BatchResult {
  /// The request's custom_id ("" for a malformed line without one).
  std::string custom_id;
  /// Its 1-based line in the input file.
  std::size_t line = 0;
  /// Time from the request's submission to its result, including any wait for the rate limit
  /// (0 for a malformed line, which is never sent).
  std::chrono::milliseconds latency{0};
  /// Streamed runs (BatchOptions::stream): time from submission to the first token.
  std::optional<std::chrono::milliseconds> time_to_first_token;
};

/// How a Batch runs.
struct BatchOptions {
  /// The OpenAI Batch input file (JSONL): one request per line,
  /// `{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body": {...}}`.
  std::string input_path;
  /// Where successes go (appended; created when missing), one OpenAI Batch output line each.
  std::string output_path;
  /// Where failures go; empty: output_path with ".jsonl" replaced by ".errors.jsonl" (or
  /// ".errors.jsonl" appended when it does not end in ".jsonl").
  std::string errors_path;
  /// Requests in flight at once (>= 1).
  std::size_t concurrency = 16;
  /// Retry the requests an earlier run recorded in the errors file (without it they count as
  /// done). Their old error lines are removed first, so every custom_id stays in exactly one
  /// of the two files.
  bool retry_errors = false;
  /// Write results in input order (a result waits until all earlier lines have theirs) instead
  /// of as they complete.
  bool ordered = false;
  /// The model for lines whose body names none (e.g. a file written for one server, run
  /// against another); lines that name a model keep it.
  std::string default_model;
  /// Send each request streamed and write the accumulated answer (still an OpenAI
  /// chat.completion in the output): long reasoning then keeps the connection busy (no proxy
  /// idle timeout) and BatchResult::time_to_first_token is measured. A request is retried only
  /// until its first token arrived.
  bool stream = false;
  /// Called on the Batch's thread with each result of this run, right after it was written to
  /// its file (in input order with `ordered`); a malformed line's result is its Error. Must not
  /// block for long.
  std::function<void(const BatchResult&, const Result<ChatResponse>&)> on_result;
  /// When results are flushed to disk (see BatchFsync).
  BatchFsync fsync = BatchFsync::periodic;
  /// The interval of BatchFsync::periodic.
  std::chrono::milliseconds fsync_interval{1000};
  /// Called on the Batch's thread about every progress_interval while the run goes on, and
  /// once at the end. Must not block for long.
  std::function<void(const BatchProgress&)> on_progress;
  /// How often on_progress is called.
  std::chrono::milliseconds progress_interval{500};
  /// Cancels the run from any thread (e.g. a Ctrl-C handler): no new request starts, requests in
  /// flight are cancelled and not recorded (a resume sends them again), and run() returns a
  /// summary with `interrupted` set.
  std::shared_ptr<const CancellationToken> cancellation;
};

/// Runs an OpenAI Batch input file through a Client, resumably: many requests in flight on the
/// Client's event loop, within its rate limits (ClientOptions::rate_limit) and retry policy,
/// each result appended to the output or errors file as it completes.
///
/// The files are OpenAI's: the same input works with the OpenAI Batch API and vLLM's
/// `run-batch`, and the output has OpenAI's layout. A success line is
/// `{"id", "custom_id", "response": {"status_code": 200, "request_id", "body"}, "error": null}`
/// with an OpenAI `chat.completion` body whatever the provider; an HTTP failure has the same
/// shape with its status and error body, in the errors file; a failure without an HTTP
/// response (connection, timeout, a malformed input line) is
/// `{"id", "custom_id", "response": null, "error": {"code", "message"}, "line": N}`. A request
/// is recorded as failed only after the Client's RetryPolicy gave up.
///
/// Running again with the same files resumes: custom_ids already in the output (or, without
/// retry_errors, the errors file) are skipped. An `id` is "batch_req_" + a hash of the input
/// line, so a finished id whose line changed is reported (BatchSummary::changed_inputs) instead
/// of being reused. A torn last line (a crash mid-write) is dropped on resume.
///
/// @code
///   lemma::BatchOptions options;
///   options.input_path = "requests.jsonl";
///   options.output_path = "results.jsonl";
///   auto summary = lemma::Batch(client, options).run();
///   if (!summary) std::cerr << summary.error().what() << '\n';
///   else std::cout << summary->to_text();
/// @endcode
class LEMMA_EXPORT Batch {
 public:
  /// A batch that sends its requests through `client`.
  Batch(Client client, BatchOptions options);
  /// Checks the whole input, then runs what is left and returns the summary. An input that
  /// cannot be run at all is an invalid_request Error before anything is sent: a file that
  /// cannot be read, a duplicate custom_id, lines with different URLs or a URL other than
  /// /v1/chat/completions, options out of range. A malformed line (not JSON, no custom_id or
  /// body, a method other than POST, `"stream": true`, a body that is not a chat request) is
  /// recorded in the errors file with its line number, and the rest goes on. Result files that
  /// cannot be written are an Error too. When the first 8 requests sent all fail because of the
  /// setup — the server cannot be reached, or it refuses the key (401), the permission (403) or
  /// the model (404) — the run stops, records none of them and returns that Error (a rerun
  /// after the fix needs no retry_errors).
  Result<BatchSummary> run();

 private:
  Client client_;
  BatchOptions options_;
};

/// The errors file a Batch writes next to `output_path` by default (".jsonl" replaced by
/// ".errors.jsonl").
LEMMA_EXPORT std::string default_errors_path(const std::string& output_path);

}  // namespace lemma
