// lemma::Batch: checks the input, reconciles it with the result files of earlier runs, then
// keeps up to `concurrency` requests in flight on the Client's event loop and records each
// result as it completes. The event loop only hands completions over; this (the caller's)
// thread does all file I/O, so a slow disk never stalls other calls' transfers.

#include "lemma/batch.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "batch/batch_input_private.hpp"
#include "batch/batch_records_private.hpp"
#include "batch/result_file_private.hpp"

namespace lemma {

namespace detail {
namespace {

using steady = std::chrono::steady_clock;

std::chrono::milliseconds since(steady::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start);
}

// Where each input line stands before this run starts.
enum class LineState { pending, succeeded, failed };

// Results of earlier runs, matched to the input's lines.
struct Ledger {
  std::vector<LineState> state;
  // Error-file lines, with the input line each one records (npos: none of this input's).
  std::vector<std::pair<std::string, std::size_t>> error_lines;
};

class BatchRun {
 public:
  BatchRun(const Client& client, const BatchOptions& options)
      : client_(client), options_(options) {}

  Result<BatchSummary> run();

 private:
  struct Completion {
    std::size_t position = 0;  // in this run's work list
    std::size_t index = 0;     // into input_.lines
    Result<ChatResponse> result;
    std::chrono::milliseconds latency{0};  // negative: never sent (a malformed line)
    std::optional<std::chrono::milliseconds> time_to_first_token;
  };
  // A result encoded and waiting to be written (with --ordered, behind earlier ones).
  struct Pending {
    std::string text;
    Completion done;
  };

  Result<Done> open_files();
  Result<Done> reconcile(std::vector<std::string>& output_lines,
                         std::vector<std::string>& error_lines);
  std::size_t find_line(const ResultRecord& record) const;
  Result<Done> run_requests(std::vector<std::size_t> work);
  void start(std::size_t position, std::size_t index);
  // Records one result (in order when options_.ordered).
  Result<Done> record(Completion done);
  // Appends a record to its file, then tells on_result.
  Result<Done> write(const Pending& pending);
  Result<Done> maybe_sync(bool force);
  BatchProgress progress() const;
  void count(const Result<ChatResponse>& result, std::chrono::milliseconds latency);

  Client client_;
  const BatchOptions& options_;
  std::string errors_path_;
  BatchInput input_;
  std::optional<ResultFile> output_;
  std::optional<ResultFile> errors_;
  std::unordered_map<std::string, std::size_t> by_custom_id_;
  std::unordered_multimap<std::string, std::size_t> by_id_;  // lines without a custom_id
  BatchSummary summary_;
  steady::time_point started_ = steady::now();
  steady::time_point last_sync_ = steady::now();
  std::uint64_t in_flight_ = 0;
  std::uint64_t remaining_ = 0;
  Metrics::Histogram latency_;
  bool cost_known_ = false;
  std::size_t next_position_ = 0;  // the next position --ordered writes

  // Handed over from the event loop.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Completion> completions_;
  std::shared_ptr<CancellationToken> stop_ = std::make_shared<CancellationToken>();
  std::map<std::size_t, Pending> ordered_;  // by position, --ordered
};

Result<Done> BatchRun::open_files() {
  errors_path_ = options_.errors_path.empty() ? default_errors_path(options_.output_path)
                                              : options_.errors_path;
  std::vector<std::string> output_lines;
  std::vector<std::string> error_lines;
  std::string torn;
  auto output = ResultFile::open(options_.output_path, output_lines, torn);
  if (!output) return output.error();
  if (!torn.empty()) summary_.warnings.push_back(torn);
  auto errors = ResultFile::open(errors_path_, error_lines, torn);
  if (!errors) return errors.error();
  if (!torn.empty()) summary_.warnings.push_back(torn);
  output_.emplace(std::move(*output));
  errors_.emplace(std::move(*errors));
  return reconcile(output_lines, error_lines);
}

std::size_t BatchRun::find_line(const ResultRecord& record) const {
  if (!record.custom_id.empty()) {
    const auto it = by_custom_id_.find(record.custom_id);
    return it == by_custom_id_.end() ? std::string::npos : it->second;
  }
  // Identical malformed lines share an id: the record's line number tells them apart.
  const auto [first, last] = by_id_.equal_range(record.id);
  for (auto it = first; it != last; ++it) {
    if (!record.line || input_.lines[it->second].line == *record.line) return it->second;
  }
  return std::string::npos;
}

Result<Done> BatchRun::reconcile(std::vector<std::string>& output_lines,
                                 std::vector<std::string>& error_lines) {
  for (std::size_t i = 0; i < input_.lines.size(); ++i) {
    const BatchLine& line = input_.lines[i];
    if (line.custom_id.empty()) {
      by_id_.emplace(line.id, i);
    } else {
      by_custom_id_.emplace(line.custom_id, i);
    }
  }
  std::vector<LineState> state(input_.lines.size(), LineState::pending);
  std::vector<bool> changed(input_.lines.size(), false);
  std::uint64_t unreadable = 0;
  std::uint64_t foreign = 0;
  const auto note = [&](const ResultRecord& record, std::size_t index) {
    const std::string& id = input_.lines[index].id;
    if (record.id.rfind("batch_req_", 0) == 0 && record.id != id) changed[index] = true;
  };
  for (const std::string& text : output_lines) {
    const auto record = read_result_record(text);
    if (!record) {
      ++unreadable;
      continue;
    }
    const std::size_t index = find_line(*record);
    if (index == std::string::npos) {
      ++foreign;
      continue;
    }
    state[index] = record->success ? LineState::succeeded : LineState::failed;
    note(*record, index);
  }
  std::vector<std::string> kept_errors;
  bool dropped_errors = false;
  for (std::string& text : error_lines) {
    const auto record = read_result_record(text);
    if (!record) {
      ++unreadable;
      kept_errors.push_back(std::move(text) + '\n');
      continue;
    }
    const std::size_t index = find_line(*record);
    if (index == std::string::npos) {
      ++foreign;
      kept_errors.push_back(std::move(text) + '\n');
      continue;
    }
    if (state[index] == LineState::succeeded) {
      // Answered after all (e.g. by a run that had --retry-errors but crashed before removing
      // the old error): the success stands, the stale error goes.
      dropped_errors = true;
      continue;
    }
    if (options_.retry_errors) {
      dropped_errors = true;
      state[index] = LineState::pending;
      continue;
    }
    state[index] = LineState::failed;
    note(*record, index);
    kept_errors.push_back(std::move(text) + '\n');
  }
  if (dropped_errors) {
    // Every custom_id in exactly one file: the errors about to be retried go first.
    auto replaced = errors_->replace(kept_errors);
    if (!replaced) return replaced;
  }
  if (unreadable > 0) {
    summary_.warnings.push_back(std::to_string(unreadable) +
                                " unreadable line(s) in the result files were ignored");
  }
  if (foreign > 0) {
    summary_.warnings.push_back(
        std::to_string(foreign) +
        " result(s) for custom_ids not in this input were left as they are");
  }
  for (std::size_t i = 0; i < state.size(); ++i) {
    if (state[i] == LineState::pending) continue;
    ++summary_.resumed;
    if (state[i] == LineState::succeeded) {
      ++summary_.counts.completed;
    } else {
      ++summary_.counts.failed;
    }
    if (changed[i]) {
      const BatchLine& line = input_.lines[i];
      summary_.changed_inputs.push_back(line.custom_id.empty() ? "line " + std::to_string(line.line)
                                                               : line.custom_id);
    }
  }
  std::vector<std::size_t> work;
  for (std::size_t i = 0; i < state.size(); ++i) {
    if (state[i] == LineState::pending) work.push_back(i);
  }
  return run_requests(std::move(work));
}

void BatchRun::start(std::size_t position, std::size_t index) {
  CallOptions call;
  call.cancellation = stop_;
  const auto begun = steady::now();
  ++in_flight_;
  // Written by the stream's callbacks and read in on_done, both on the loop thread.
  auto first_token = std::make_shared<std::optional<std::chrono::milliseconds>>();
  auto on_done = [this, position, index, begun, first_token](Result<ChatResponse> result) {
    Completion done{position, index, std::move(result), since(begun), *first_token};
    // Notified under the lock: once the result is visible the run may end and destroy the
    // condition variable, so it must not be touched after the lock is released.
    std::lock_guard<std::mutex> lock(mutex_);
    completions_.push_back(std::move(done));
    wake_.notify_one();
  };
  const ChatRequest& request = *input_.lines[index].request;
  if (!options_.stream) return client_.chat_async(request, std::move(on_done), call);
  StreamCallbacks callbacks;
  const auto mark = [first_token, begun](std::string_view) {
    if (!*first_token) *first_token = since(begun);
  };
  callbacks.on_reasoning = mark;
  callbacks.on_content = mark;
  client_.stream_async(request, std::move(callbacks), std::move(on_done), call);
}

Result<Done> BatchRun::write(const Pending& pending) {
  const bool success = static_cast<bool>(pending.done.result);
  auto written = success ? output_->append(pending.text) : errors_->append(pending.text);
  if (!written) return written;
  if (success) {
    ++summary_.counts.completed;
  } else {
    ++summary_.counts.failed;
  }
  auto synced = maybe_sync(options_.fsync == BatchFsync::every_result);
  if (!synced) return synced;
  if (options_.on_result) {
    const BatchLine& line = input_.lines[pending.done.index];
    BatchResult result;
    result.custom_id = line.custom_id;
    result.line = line.line;
    result.latency = std::max(pending.done.latency, std::chrono::milliseconds(0));
    result.time_to_first_token = pending.done.time_to_first_token;
    options_.on_result(result, pending.done.result);
  }
  return Done{};
}

Result<Done> BatchRun::maybe_sync(bool force) {
  const bool due = options_.fsync == BatchFsync::periodic &&
                   steady::now() - last_sync_ >= options_.fsync_interval;
  if (!force && !due) return Done{};
  last_sync_ = steady::now();
  auto synced = output_->sync();
  if (!synced) return synced;
  return errors_->sync();
}

void BatchRun::count(const Result<ChatResponse>& result, std::chrono::milliseconds latency) {
  MetricsEntry& m = summary_.metrics;
  ++m.calls;
  latency_.add(latency);
  if (result) {
    ++m.successes;
    if (result->usage) {
      m.prompt_tokens +=
          static_cast<std::uint64_t>(std::max<std::int64_t>(0, result->usage->prompt_tokens));
      m.completion_tokens +=
          static_cast<std::uint64_t>(std::max<std::int64_t>(0, result->usage->completion_tokens));
      m.reasoning_tokens += static_cast<std::uint64_t>(
          std::max<std::int64_t>(0, result->usage->reasoning_tokens.value_or(0)));
    }
    if (result->cost_usd) {
      m.cost_usd += *result->cost_usd;
      cost_known_ = true;
    }
  } else {
    ++m.failures;
    m.retries += static_cast<std::uint64_t>(std::max(0, result.error().attempts - 1));
    ++m.errors_by_kind[std::string(to_string(result.error().kind))];
  }
}

Result<Done> BatchRun::record(Completion done) {
  const BatchLine& line = input_.lines[done.index];
  if (done.latency.count() >= 0) count(done.result, done.latency);
  ++summary_.done_this_run;
  --remaining_;
  std::string text =
      done.result ? success_record(line, *done.result) : failure_record(line, done.result.error());
  Pending pending{std::move(text), std::move(done)};
  if (!options_.ordered) return write(pending);
  const std::size_t position = pending.done.position;
  ordered_.emplace(position, std::move(pending));
  while (!ordered_.empty() && ordered_.begin()->first == next_position_) {
    auto node = ordered_.extract(ordered_.begin());
    auto written = write(node.mapped());
    if (!written) return written;
    ++next_position_;
  }
  return Done{};
}

BatchProgress BatchRun::progress() const {
  BatchProgress p;
  p.counts = summary_.counts;
  p.counts.total = input_.lines.size();
  p.resumed = summary_.resumed;
  p.done_this_run = summary_.done_this_run;
  p.remaining = remaining_;
  p.in_flight = in_flight_;
  p.prompt_tokens = summary_.metrics.prompt_tokens;
  p.completion_tokens = summary_.metrics.completion_tokens;
  p.cost_usd = summary_.metrics.cost_usd;
  p.cost_known = cost_known_;
  p.elapsed = since(started_);
  return p;
}

// Failures of the setup rather than of a request — the server cannot be reached, or it refuses
// the key, the permission or the model — are held back until a request succeeds: when the first
// few all fail that way, the run stops without recording anything (a rerun, once the setup is
// fixed, needs no --retry-errors), instead of recording every line of the file as failed.
constexpr std::size_t kUnreachableProbe = 8;

bool unreachable(const Result<ChatResponse>& result) {
  return !result && result.error().kind == ErrorKind::connection && result.error().http_status == 0;
}

bool refused_setup(const Result<ChatResponse>& result) {
  if (result) return false;
  const ErrorKind kind = result.error().kind;
  return kind == ErrorKind::authentication || kind == ErrorKind::permission_denied ||
         (kind == ErrorKind::not_found && result.error().http_status == 404);
}

Result<Done> BatchRun::run_requests(std::vector<std::size_t> work) {
  remaining_ = work.size();
  CancellationToken::Subscription user;
  if (options_.cancellation) {
    user = CancellationToken::Subscription(options_.cancellation.get(), [this] {
      stop_->cancel();
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    });
  }
  std::size_t sendable = 0;
  for (const std::size_t index : work) sendable += input_.lines[index].request ? 1 : 0;
  const std::size_t probe = std::min(sendable, kUnreachableProbe);
  bool reached = probe == 0;
  std::vector<Completion> held;
  std::optional<Error> down;
  Result<Done> status = Done{};
  std::size_t next = 0;
  auto last_progress = steady::now();
  const auto report = [&] {
    last_progress = steady::now();
    if (options_.on_progress) options_.on_progress(progress());
  };
  while (true) {
    while (status && !stop_->is_cancelled() && next < work.size() &&
           in_flight_ < options_.concurrency) {
      const std::size_t position = next++;
      const std::size_t index = work[position];
      const BatchLine& line = input_.lines[index];
      if (!line.request) {
        // A malformed line: recorded at once, with its line number, and the rest goes on.
        status = record(
            Completion{position, index, *line.error, std::chrono::milliseconds(-1), std::nullopt});
        continue;
      }
      start(position, index);
    }
    if (in_flight_ == 0) break;
    std::deque<Completion> arrived;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait_until(lock, last_progress + options_.progress_interval,
                       [&] { return !completions_.empty(); });
      arrived.swap(completions_);
    }
    for (Completion& done : arrived) {
      --in_flight_;
      // Not recorded (a resume sends them again): calls the stop cancelled, and everything once
      // the server proved unreachable or a file failed. An answer that arrived is kept even
      // after a Ctrl-C: it is paid for.
      if (!status || down) continue;
      if (stop_->is_cancelled() && !done.result &&
          done.result.error().kind == ErrorKind::cancelled) {
        continue;
      }
      if (!reached) {
        if (unreachable(done.result) || refused_setup(done.result)) {
          held.push_back(std::move(done));
          if (held.size() >= probe) {
            down = held.back().result.error();
            stop_->cancel();
          }
          continue;
        }
        reached = true;
        for (Completion& early : held) {
          if (status) status = record(std::move(early));
        }
        held.clear();
      }
      status = record(std::move(done));
    }
    if (!status) stop_->cancel();
    if (steady::now() - last_progress >= options_.progress_interval) report();
  }
  // --ordered: whatever waits behind a gap left by an interruption is written now, still in
  // input order, rather than lost.
  for (auto& [position, pending] : ordered_) {
    if (status) status = write(pending);
  }
  ordered_.clear();
  auto synced = maybe_sync(true);
  if (status && !synced) status = synced;
  // A Ctrl-C after the last result is not an interruption: nothing is left to resume.
  summary_.interrupted =
      remaining_ > 0 && options_.cancellation && options_.cancellation->is_cancelled();
  summary_.not_started = remaining_;
  report();
  if (!status) return status;
  if (down) {
    Error error = *down;
    if (down->kind == ErrorKind::connection) {
      error.message = "None of the first " + std::to_string(held.size()) +
                      " requests reached the server, so the batch stopped and recorded nothing (" +
                      down->message + "). Check --base-url / the server, then run again.";
    } else {
      error.message = "The server refused the first " + std::to_string(held.size()) +
                      " requests, so the batch stopped and recorded nothing (" + down->message +
                      "). Check the API key, its permissions and the model name, then run again.";
    }
    return error;
  }
  return Done{};
}

Result<BatchSummary> BatchRun::run() {
  if (options_.input_path.empty() || options_.output_path.empty()) {
    return invalid_request_error("input_path", "A Batch needs an input and an output path.");
  }
  if (options_.concurrency < 1) {
    return invalid_request_error("concurrency", "BatchOptions::concurrency must be at least 1.");
  }
  constexpr std::chrono::milliseconds kLongestInterval = std::chrono::hours(24);
  if (options_.progress_interval.count() <= 0 || options_.fsync_interval.count() <= 0 ||
      options_.progress_interval > kLongestInterval || options_.fsync_interval > kLongestInterval) {
    return invalid_request_error("progress_interval",
                                 "BatchOptions::progress_interval and fsync_interval must be "
                                 "positive and at most a day.");
  }
  const std::string errors = options_.errors_path.empty()
                                 ? default_errors_path(options_.output_path)
                                 : options_.errors_path;
  if (errors == options_.output_path || options_.output_path == options_.input_path ||
      errors == options_.input_path) {
    return invalid_request_error("output_path",
                                 "The input, output and errors files must be "
                                 "three different files.");
  }
  auto input = read_batch_input(options_.input_path, options_.default_model);
  if (!input) return input.error();
  input_ = std::move(*input);
  summary_.warnings = input_.warnings;
  summary_.counts.total = input_.lines.size();
  summary_.metrics.provider = client_.provider().name();
  for (const BatchLine& line : input_.lines) {
    if (!line.request) continue;
    if (summary_.metrics.model.empty()) {
      summary_.metrics.model = line.request->model;
    } else if (summary_.metrics.model != line.request->model) {
      summary_.metrics.model = "(several)";
      break;
    }
  }
  auto ran = open_files();
  if (!ran) return ran.error();
  summary_.metrics.latency = latency_.summary();
  summary_.elapsed = since(started_);
  return std::move(summary_);
}

}  // namespace
}  // namespace detail

Batch::Batch(Client client, BatchOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

Result<BatchSummary> Batch::run() {
  return detail::BatchRun(client_, options_).run();
}

}  // namespace lemma
