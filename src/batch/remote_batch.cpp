#include "lemma/remote_batch.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <utility>

#include "batch/batch_input_private.hpp"
#include "batch/batch_records_private.hpp"
#include "core/error_text_private.hpp"
#include "core/retry_run_private.hpp"
#include "lemma/clock.hpp"
#include "lemma/url.hpp"
#include "lemma/wire.hpp"
#include "wire/openai/json_reader_private.hpp"

namespace lemma {

namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// The input file.

// One non-blank input line: the local engine's view of it, and its bytes as uploaded.
struct InputLine {
  detail::BatchLine checked;
  std::string text;
};

struct Input {
  std::vector<InputLine> lines;
  std::vector<std::string> warnings;
};

// The same checks as a local run (detail::read_batch_input), plus each line's bytes: a line
// is uploaded as written, with `default_model` inserted into a body that names no model.
Result<Input> read_input(const std::string& path, const std::string& default_model) {
  Result<detail::BatchInput> checked = detail::read_batch_input(path, default_model);
  if (!checked) return checked.error();
  // The reader's numbering: physical lines, 1-based, CR stripped, blank lines skipped.
  std::ifstream in(path, std::ios::binary);
  std::map<std::size_t, std::string> texts;
  std::string text;
  for (std::size_t number = 1; std::getline(in, text); ++number) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    texts.emplace(number, std::move(text));
  }
  Input input;
  input.warnings = std::move(checked->warnings);
  for (detail::BatchLine& line : checked->lines) {
    InputLine out;
    if (!line.error) {
      auto it = texts.find(line.line);
      if (it == texts.end()) {
        return invalid_request_error(
            "input_path", "The batch input '" + path + "' changed while it was read; try again.");
      }
      out.text = std::move(it->second);
      json value = json::parse(out.text, nullptr, false);
      const auto names_model = [](const json& body) {
        const auto model = body.find("model");
        return model != body.end() && model->is_string() &&
               !model->get_ref<const std::string&>().empty();
      };
      if (!default_model.empty() && value.is_object() && value["body"].is_object() &&
          !names_model(value["body"])) {
        value["body"]["model"] = default_model;
        out.text = detail::dump_json(value);
      }
    }
    out.checked = std::move(line);
    input.lines.push_back(std::move(out));
  }
  return input;
}

// ---------------------------------------------------------------------------------------------
// Files.

// A file written whole and then renamed into place: nothing at `path` until commit().
class StagedFile {
 public:
  explicit StagedFile(std::string path) : path_(std::move(path)), temp_(path_ + ".partial") {}
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) std::remove(temp_.c_str());
  }

  Result<Done> open() {
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return failure("create");
    return Done{};
  }
  Result<Done> write(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return failure("write");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return Done{};
  }
  // fsync, close and rename: the whole file appears at once, and survives a power loss.
  Result<Done> commit() {
    if (::fsync(fd_) != 0) return failure("sync");
    ::close(fd_);
    fd_ = -1;
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) return failure("rename");
    committed_ = true;
    return Done{};
  }
  const std::string& temp() const noexcept { return temp_; }

 private:
  Error failure(const char* what) const {
    Error error = make_error(ErrorKind::invalid_request,
                             std::string("Cannot ") + what + " the result file '" + temp_ +
                                 "': " + std::strerror(errno) + "; check the directory.");
    error.param = "output_path";
    error.phase = ErrorPhase::before_send;
    return error;
  }

  std::string path_;
  std::string temp_;
  int fd_ = -1;
  bool committed_ = false;
};

bool exists_with_content(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && info.st_size > 0;
}

// ---------------------------------------------------------------------------------------------
// The provider's Files and Batches endpoints.

// Where they are and what every request carries: those of the model list, minus "/models".
struct Endpoint {
  std::string root;
  Headers headers;
};

Result<Endpoint> batch_endpoint(const Client& client) {
  const Provider& provider = client.provider();
  if (!provider.capabilities().batch_api) {
    return invalid_request_error(
        "provider", "The provider '" + provider.name() +
                        "' has no OpenAI-compatible Batch API (Files and Batches endpoints); "
                        "run the batch locally with lemma::Batch instead, or use "
                        "providers::openai_compatible() for a server that has one.");
  }
  Result<HttpRequest> models = provider.encode_models();
  if (!models) return models.error();
  constexpr std::string_view kModels = "/models";
  const std::string& url = models->url;
  if (url.size() <= kModels.size() ||
      url.compare(url.size() - kModels.size(), kModels.size(), kModels) != 0) {
    return invalid_request_error(
        "provider", "The provider '" + provider.name() + "' lists its models at " +
                        Url::shown(url) +
                        ", not at <root>/models, so lemma cannot tell where its Files and "
                        "Batches endpoints are.");
  }
  Endpoint endpoint;
  endpoint.root = url.substr(0, url.size() - kModels.size());
  endpoint.headers = models->headers;
  endpoint.headers.remove("Content-Type");
  // The Client's own headers, never replacing the provider's (so never its credentials).
  for (const auto& [name, value] : client.options().default_headers) {
    if (!endpoint.headers.contains(name)) endpoint.headers.add(name, value);
  }
  return endpoint;
}

struct Multipart {
  std::string content_type;
  std::string body;
};

// multipart/form-data (RFC 7578) with OpenAI's two fields: purpose = "batch" and the file.
Multipart multipart_upload(const std::string& file_name, const std::string& content,
                           std::mt19937_64& random) {
  std::string boundary;
  do {
    char hex[33];
    std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(random()),
                  static_cast<unsigned long long>(random()));
    boundary = std::string("lemma-") + hex;
  } while (content.find(boundary) != std::string::npos);
  Multipart out;
  out.content_type = "multipart/form-data; boundary=" + boundary;
  out.body.reserve(content.size() + 512);
  out.body += "--" + boundary + "\r\n";
  out.body += "Content-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n";
  out.body += "--" + boundary + "\r\n";
  out.body += "Content-Disposition: form-data; name=\"file\"; filename=\"" + file_name + "\"\r\n";
  out.body += "Content-Type: application/jsonl\r\n\r\n";
  out.body += content;
  out.body += "\r\n--" + boundary + "--\r\n";
  return out;
}

// A file name safe inside a quoted header parameter: the input's base name.
std::string upload_name(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  std::string safe;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    safe += (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') ? '_' : c;
  }
  return safe.empty() ? "batch.jsonl" : safe;
}

std::string string_or_empty(const json& object, const char* key) {
  const json* value = detail::JsonReader::member(object, key);
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

std::uint64_t count_of(const json& counts, const char* key) {
  const json* value = detail::JsonReader::member(counts, key);
  return value && value->is_number_unsigned() ? value->get<std::uint64_t>() : 0;
}

// The parts of OpenAI's Batch object lemma acts on.
Result<RemoteBatchStatus> decode_batch(const json& body) {
  RemoteBatchStatus status;
  if (!body.is_object()) return protocol_error("The provider's Batch object is not a JSON object.");
  status.id = string_or_empty(body, "id");
  status.status = string_or_empty(body, "status");
  if (status.id.empty() || status.status.empty()) {
    return protocol_error("The provider's Batch object has no id or status: " +
                          wire::body_excerpt(detail::dump_json(body)));
  }
  static const std::set<std::string> kStatuses = {"validating", "failed",    "in_progress",
                                                  "finalizing", "completed", "expired",
                                                  "cancelling", "cancelled"};
  if (kStatuses.count(status.status) == 0) {
    return protocol_error("The provider reported the unknown batch status '" + status.status +
                          "' (OpenAI's are validating, in_progress, finalizing, completed, "
                          "failed, expired, cancelling and cancelled).");
  }
  status.output_file_id = string_or_empty(body, "output_file_id");
  status.error_file_id = string_or_empty(body, "error_file_id");
  if (const json* counts = detail::JsonReader::member(body, "request_counts");
      counts && counts->is_object()) {
    status.counts.total = count_of(*counts, "total");
    status.counts.completed = count_of(*counts, "completed");
    status.counts.failed = count_of(*counts, "failed");
  }
  if (const json* errors = detail::JsonReader::member(body, "errors");
      errors && errors->is_object()) {
    if (const json* data = detail::JsonReader::member(*errors, "data"); data && data->is_array()) {
      for (const json& item : *data) {
        if (!item.is_object()) continue;
        std::string text = string_or_empty(item, "message");
        const std::string code = string_or_empty(item, "code");
        if (text.empty()) text = code.empty() ? detail::dump_json(item) : code;
        if (const json* line = detail::JsonReader::member(item, "line");
            line && line->is_number_integer()) {
          text += " (line " + std::to_string(line->get<std::int64_t>()) + ")";
        }
        status.errors.push_back(std::move(text));
      }
    }
  }
  return status;
}

// One run's requests to the provider: shaped like the Client's, retried under its policy on
// its clock.
class Session {
 public:
  Session(const Client& client, Endpoint endpoint, std::shared_ptr<const CancellationToken> token)
      : client_(client),
        endpoint_(std::move(endpoint)),
        token_(std::move(token)),
        clock_(client.options().clock ? client.options().clock : Clock::steady()),
        random_(std::random_device{}()) {}

  std::mt19937_64& random() { return random_; }

  // A JSON exchange. `idempotent`: retried on whatever Error::is_retryable() allows; otherwise
  // only on a 429, when the provider certainly did nothing.
  Result<json> call(const std::string& method, const std::string& path, std::string body,
                    const std::string& content_type, bool idempotent, const std::string& what) {
    HttpRequest request = make(method, path);
    request.body = std::move(body);
    if (!content_type.empty()) request.headers.set("Content-Type", content_type);
    request.max_response_bytes = client_.options().max_response_bytes;
    return with_retries<json>(idempotent, [&]() -> Result<json> {
      Result<HttpResponse> response = client_.options().transport->send(request);
      if (!response) return response.error();
      if (!response->is_success()) return decode_error(*response);
      Result<json> parsed = wire::parse_json(response->body, what);
      if (!parsed) parsed.error().http_status = response->status;
      return parsed;
    });
  }

  // Downloads a file's content into `path` (replacing what an earlier attempt wrote).
  Result<Done> download(const std::string& file_id, const std::string& path,
                        std::size_t max_bytes) {
    HttpRequest request = make("GET", "/files/" + file_id + "/content");
    request.headers.set("Accept", "*/*");
    request.max_response_bytes = max_bytes;
    return with_retries<Done>(true, [&]() -> Result<Done> {
      Result<std::unique_ptr<ResponseStream>> opened = client_.options().transport->open(request);
      if (!opened) return opened.error();
      ResponseStream& body = **opened;
      if (body.status() < 200 || body.status() >= 300) {
        HttpResponse whole;
        whole.status = body.status();
        whole.headers = body.headers();
        Result<std::string> text = body.read_all(client_.options().max_response_bytes);
        if (!text) return text.error();
        whole.body = std::move(*text);
        return decode_error(whole);
      }
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      if (!out) {
        return make_error(ErrorKind::invalid_request,
                          "Cannot write '" + path + "': " + std::strerror(errno) + ".");
      }
      std::vector<char> buffer(64 * 1024);
      for (;;) {
        Result<std::size_t> n = body.read(buffer.data(), buffer.size());
        if (!n) {
          Error error = n.error();
          // The body broke after the headers: nothing half-read is kept, the download starts
          // over (it changes nothing at the provider).
          if (error.kind == ErrorKind::connection || error.kind == ErrorKind::timeout) {
            error.phase = ErrorPhase::before_response;
          }
          return error;
        }
        if (*n == 0) break;
        out.write(buffer.data(), static_cast<std::streamsize>(*n));
      }
      out.close();
      if (!out) return make_error(ErrorKind::invalid_request, "Writing '" + path + "' failed.");
      return Done{};
    });
  }

  // Waits `interval` on the Client's clock; true when cancelled meanwhile.
  bool wait(std::chrono::milliseconds interval) const {
    return clock_->sleep_until(clock_->now() + interval, token_.get());
  }
  Clock::time_point now() const { return clock_->now(); }

 private:
  HttpRequest make(const std::string& method, const std::string& path) const {
    HttpRequest request;
    request.method = method;
    request.url = endpoint_.root + path;
    request.headers = endpoint_.headers;
    request.connect_timeout = client_.options().connect_timeout;
    request.timeout = client_.options().timeout;
    request.cancellation = token_;
    return request;
  }

  Error decode_error(const HttpResponse& response) const {
    HttpResponse scrubbed = response;
    client_.provider().redact(scrubbed.body);
    Error error = client_.provider().decode_error(scrubbed);
    error.phase = ErrorPhase::response_started;
    return error;
  }

  template <typename T, typename Attempt>
  Result<T> with_retries(bool idempotent, Attempt attempt) {
    const RetryPolicy& policy = client_.options().retry;
    detail::RetryRun run(policy, token_, random_(), clock_);
    for (int n = 1;; ++n) {
      Result<T> result = attempt();
      if (result) return result;
      Error error = std::move(result.error());
      if (!idempotent && error.http_status != 429) {
        error.attempts = n;
        return error;
      }
      detail::RetryStep step = run.next(std::move(error), n);
      if (step.action == detail::RetryStep::Action::give_up) return *step.error;
      if (run.wait(step)) return run.cancelled_while_waiting(n);
    }
  }

  const Client& client_;
  Endpoint endpoint_;
  std::shared_ptr<const CancellationToken> token_;
  std::shared_ptr<const Clock> clock_;
  std::mt19937_64 random_;
};

// ---------------------------------------------------------------------------------------------
// Results.

// Routes the provider's result lines to the output and errors files, in lemma::Batch's layout.
class ResultWriter {
 public:
  ResultWriter(const Input& input, StagedFile& output, StagedFile& errors)
      : output_(output), errors_(errors) {
    for (const InputLine& line : input.lines) {
      if (!line.checked.custom_id.empty()) by_id_.emplace(line.checked.custom_id, &line.checked);
    }
  }

  // Every line of a downloaded file; a line that is not a result record is a protocol Error.
  Result<Done> route_file(const std::string& path, const std::string& file_id) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorKind::invalid_request, "Cannot read back '" + path + "'.");
    std::string text;
    for (std::size_t number = 1; std::getline(in, text); ++number) {
      if (!text.empty() && text.back() == '\r') text.pop_back();
      if (text.find_first_not_of(" \t") == std::string::npos) continue;
      Result<Done> routed = route(text, number, file_id);
      if (!routed) return routed;
    }
    return Done{};
  }

  // The input lines that could not be sent, as lemma::Batch records them.
  Result<Done> record_malformed(const Input& input) {
    for (const InputLine& input_line : input.lines) {
      const detail::BatchLine& line = input_line.checked;
      if (!line.error) continue;
      // A line edited since the batch was submitted may already have the provider's result.
      if (!line.custom_id.empty() && !done_.insert(line.custom_id).second) continue;
      Result<Done> written = errors_.write(detail::failure_record(line, *line.error));
      if (!written) return written;
      ++failed_;
    }
    return Done{};
  }

  std::uint64_t completed() const noexcept { return completed_; }
  std::uint64_t failed() const noexcept { return failed_; }
  bool done(const std::string& custom_id) const { return done_.count(custom_id) != 0; }
  std::vector<std::string>& warnings() { return warnings_; }

 private:
  Result<Done> route(const std::string& text, std::size_t number, const std::string& file_id) {
    const std::string where =
        "line " + std::to_string(number) + " of the provider's file " + file_id;
    json record = json::parse(text, nullptr, false);
    if (record.is_discarded() || !record.is_object()) {
      return protocol_error("The provider's result " + where +
                            " is not a JSON object; the batch's results cannot be trusted. "
                            "Report it to the provider.");
    }
    const std::string custom_id = string_or_empty(record, "custom_id");
    auto it = by_id_.find(custom_id);
    if (it == by_id_.end()) {
      warnings_.push_back("The provider returned a result for custom_id '" + custom_id + "' (" +
                          where + "), which is not in the input; it was dropped.");
      return Done{};
    }
    if (!done_.insert(custom_id).second) {
      warnings_.push_back("The provider returned custom_id '" + custom_id + "' twice (again at " +
                          where + "); the first result was kept.");
      return Done{};
    }
    const detail::BatchLine& line = *it->second;
    // lemma::Batch's id, so that a local run resuming these files sees unchanged inputs.
    record["id"] = line.id;
    const json* response = detail::JsonReader::member(record, "response");
    const json* error = detail::JsonReader::member(record, "error");
    int status = 0;
    if (response && response->is_object()) {
      if (const json* code = detail::JsonReader::member(*response, "status_code");
          code && code->is_number_integer()) {
        status = code->get<int>();
      }
    }
    const bool has_error = error && !error->is_null();
    const bool has_response = response && response->is_object();
    if (has_response && status > 0 && status < 400 && !has_error) {
      ++completed_;
      return output_.write(detail::dump_json(record) + "\n");
    }
    if (error && error->is_string()) {
      // vLLM's run-batch writes errors as plain strings.
      record["error"] = {{"code", nullptr}, {"message", error->get<std::string>()}};
    } else if (!has_error && !has_response) {
      record["error"] = {{"code", "no_result"},
                         {"message", "The provider's record has neither a response nor an error."}};
    }
    if (!has_response) record["line"] = line.line;
    ++failed_;
    return errors_.write(detail::dump_json(record) + "\n");
  }

  StagedFile& output_;
  StagedFile& errors_;
  std::map<std::string, const detail::BatchLine*> by_id_;
  std::set<std::string> done_;
  std::uint64_t completed_ = 0;
  std::uint64_t failed_ = 0;
  std::vector<std::string> warnings_;
};

// A step's Error with the batch named, so that the run can be resumed.
Error in_step(Error error, const std::string& step, const std::string& batch_id) {
  std::string context = step;
  if (!batch_id.empty()) {
    context += " of batch " + batch_id + " (resume with resume_batch_id \"" + batch_id + "\")";
  }
  error.message = context + " failed: " + error.message;
  return error;
}

}  // namespace

RemoteBatch::RemoteBatch(Client client, RemoteBatchOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

Result<BatchSummary> RemoteBatch::run() {
  const Provider& provider = client_.provider();
  auto finish = [&](Error error) -> Result<BatchSummary> {
    detail::sanitize(error, &provider);
    return error;
  };

  // Caller mistakes, before any I/O.
  if (options_.input_path.empty()) return invalid_request_error("input_path", "No input file.");
  if (options_.output_path.empty()) {
    return invalid_request_error("output_path", "No output file.");
  }
  if (options_.max_download_bytes == 0) {
    return invalid_request_error("max_download_bytes", "max_download_bytes must be positive.");
  }
  if (options_.poll_interval.count() <= 0) {
    return invalid_request_error("poll_interval", "poll_interval must be positive.");
  }
  if (options_.completion_window.empty()) {
    return invalid_request_error("completion_window",
                                 "completion_window must be set (OpenAI accepts \"24h\").");
  }
  if (!options_.metadata.is_null() && !options_.metadata.is_object()) {
    return invalid_request_error("metadata", "metadata must be a JSON object (or null).");
  }
  const std::string errors_path = options_.errors_path.empty()
                                      ? default_errors_path(options_.output_path)
                                      : options_.errors_path;
  if (errors_path == options_.output_path) {
    return invalid_request_error("errors_path", "The errors file must differ from the output.");
  }
  for (const std::string& path : {options_.output_path, errors_path}) {
    if (exists_with_content(path)) {
      return invalid_request_error(
          "output_path", "'" + path +
                             "' already holds results; a remote run writes its files whole. "
                             "Move it away or choose another output file.");
    }
  }
  Result<Input> input = read_input(options_.input_path, options_.default_model);
  if (!input) return finish(input.error());

  const auto start = std::chrono::steady_clock::now();
  BatchSummary summary;
  summary.warnings = input->warnings;
  summary.counts.total = input->lines.size();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
  };
  RemoteBatchStatus status;
  auto interrupted = [&](const std::string& where) {
    if (options_.cancel_remote && !batch_id_.empty() && !status.is_terminal()) {
      // Without the run's token, which is cancelled: the cancel request must still go.
      Result<Endpoint> endpoint = batch_endpoint(client_);
      Result<json> cancel = endpoint ? Session(client_, std::move(*endpoint), nullptr)
                                           .call("POST", "/batches/" + batch_id_ + "/cancel", "",
                                                 "", false, "batch cancel reply")
                                     : Result<json>(endpoint.error());
      if (cancel) {
        summary.warnings.push_back("Asked the provider to cancel batch " + batch_id_ + ".");
      } else {
        Error error = cancel.error();
        detail::sanitize(error, &provider);
        summary.warnings.push_back("Could not cancel batch " + batch_id_ + ": " + error.what());
      }
    }
    summary.interrupted = true;
    summary.not_started = summary.counts.total;
    summary.elapsed = elapsed();
    if (!batch_id_.empty()) {
      summary.warnings.push_back("Stopped while " + where + "; batch " + batch_id_ +
                                 " is still at the provider: fetch its results with "
                                 "resume_batch_id \"" +
                                 batch_id_ + "\".");
    } else {
      summary.warnings.push_back("Stopped while " + where + "; no batch was created.");
    }
    return summary;
  };
  const auto& token = options_.cancellation;
  auto cancelled = [&] { return token && token->is_cancelled(); };

  std::string upload;
  std::size_t to_send = 0;
  for (const InputLine& line : input->lines) {
    if (line.checked.error) continue;
    upload += line.text;
    upload += '\n';
    ++to_send;
  }

  // The provider learns what it is first (a self-hosted server of flavour auto), then says
  // whether it has a Batch API.
  if (Result<Done> ready = provider.prepare(*client_.options().transport); !ready) {
    return finish(ready.error());
  }
  Result<Endpoint> endpoint = batch_endpoint(client_);
  if (!endpoint) return finish(endpoint.error());
  Session session(client_, std::move(*endpoint), token);

  StagedFile output(options_.output_path);
  StagedFile errors(errors_path);
  if (auto opened = output.open(); !opened) return finish(opened.error());
  if (auto opened = errors.open(); !opened) return finish(opened.error());
  ResultWriter writer(*input, output, errors);

  batch_id_ = options_.resume_batch_id;
  if (batch_id_.empty() && to_send > 0) {
    if (cancelled()) return interrupted("uploading");
    Multipart form = multipart_upload(upload_name(options_.input_path), upload, session.random());
    upload.clear();
    upload.shrink_to_fit();
    Result<json> file = session.call("POST", "/files", std::move(form.body), form.content_type,
                                     false, "file upload reply");
    if (!file) {
      if (cancelled()) return interrupted("uploading");
      return finish(in_step(file.error(), "Uploading the batch input", ""));
    }
    const std::string file_id = string_or_empty(*file, "id");
    if (file_id.empty()) {
      return finish(in_step(protocol_error("The provider's File object has no id: " +
                                           wire::body_excerpt(detail::dump_json(*file))),
                            "Uploading the batch input", ""));
    }
    if (cancelled()) return interrupted("creating the batch");
    json create = {{"input_file_id", file_id},
                   {"endpoint", detail::kBatchChatUrl},
                   {"completion_window", options_.completion_window}};
    if (options_.metadata.is_object()) create["metadata"] = options_.metadata;
    Result<json> created = session.call("POST", "/batches", detail::dump_json(create),
                                        "application/json", false, "batch creation reply");
    if (!created) {
      if (cancelled()) return interrupted("creating the batch");
      return finish(in_step(created.error(), "Creating the batch", ""));
    }
    Result<RemoteBatchStatus> decoded = decode_batch(*created);
    if (!decoded) return finish(in_step(decoded.error(), "Creating the batch", ""));
    status = std::move(*decoded);
    batch_id_ = status.id;
  } else if (!batch_id_.empty()) {
    status.id = batch_id_;
  } else {
    status.status = "completed";  // nothing to send: every line is malformed
  }

  // Poll until the batch is done; the first poll of a resumed batch is at once.
  bool poll_now = !options_.resume_batch_id.empty();
  while (!batch_id_.empty() && (poll_now || !status.is_terminal())) {
    if (!poll_now) {
      if (options_.on_status) options_.on_status(status);
      if (session.wait(options_.poll_interval)) {
        return interrupted("waiting for the batch");
      }
    }
    poll_now = false;
    const std::uint64_t polls = status.polls + 1;
    Result<json> polled =
        session.call("GET", "/batches/" + batch_id_, "", "", true, "batch status reply");
    if (!polled) {
      if (cancelled()) return interrupted("waiting for the batch");
      return finish(in_step(polled.error(), "Polling", batch_id_));
    }
    Result<RemoteBatchStatus> decoded = decode_batch(*polled);
    if (!decoded) return finish(in_step(decoded.error(), "Polling", batch_id_));
    status = std::move(*decoded);
    status.polls = polls;
  }
  if (!batch_id_.empty() && options_.on_status) options_.on_status(status);

  if (status.status == "failed") {
    std::string reasons;
    for (const std::string& reason : status.errors) {
      reasons += (reasons.empty() ? "" : "; ") + reason;
    }
    Error error = reasons.empty()
                      ? make_error(ErrorKind::provider,
                                   "The provider reports batch " + batch_id_ +
                                       " as failed without saying why; check its dashboard.")
                      : make_error(ErrorKind::invalid_request,
                                   "The provider rejected batch " + batch_id_ + ": " + reasons +
                                       ". Fix the input and submit it again.");
    error.provider_message = reasons;
    error.phase = ErrorPhase::response_started;
    return finish(error);
  }

  // completed, expired or cancelled: whatever came back.
  for (const auto& [file_id, suffix] : {std::pair{status.output_file_id, ".download-output"},
                                        std::pair{status.error_file_id, ".download-errors"}}) {
    if (file_id.empty()) continue;
    const std::string raw = options_.output_path + suffix;
    Result<Done> fetched = session.download(file_id, raw, options_.max_download_bytes);
    if (fetched) fetched = writer.route_file(raw, file_id);
    std::remove(raw.c_str());
    if (!fetched) {
      if (cancelled()) return interrupted("downloading the results");
      return finish(in_step(fetched.error(), "Downloading the results", batch_id_));
    }
  }
  if (auto recorded = writer.record_malformed(*input); !recorded) {
    return finish(recorded.error());
  }
  if (auto done = output.commit(); !done) return finish(done.error());
  if (auto done = errors.commit(); !done) return finish(done.error());

  summary.counts.completed = writer.completed();
  summary.counts.failed = writer.failed();
  summary.done_this_run = summary.counts.completed + summary.counts.failed;
  summary.not_started = summary.counts.total > summary.done_this_run
                            ? summary.counts.total - summary.done_this_run
                            : 0;
  for (std::string& warning : writer.warnings()) summary.warnings.push_back(std::move(warning));
  if (status.status != "completed") {
    summary.warnings.push_back("Batch " + batch_id_ + " ended " + status.status + ": " +
                               std::to_string(summary.counts.completed) + " answered, " +
                               std::to_string(summary.counts.failed) +
                               " failed (the provider's unrun requests among them).");
  }
  if (summary.not_started > 0) {
    std::string example;
    for (const InputLine& line : input->lines) {
      if (!line.checked.custom_id.empty() && !writer.done(line.checked.custom_id)) {
        example = line.checked.custom_id;
        break;
      }
    }
    summary.warnings.push_back(
        "Batch " + batch_id_ + " ended " + status.status + " with " +
        std::to_string(summary.not_started) + " request(s) not run (e.g. custom_id '" + example +
        "'); run the same input locally with lemma::Batch on these files to finish them.");
  }
  summary.elapsed = elapsed();
  return summary;
}

}  // namespace lemma
