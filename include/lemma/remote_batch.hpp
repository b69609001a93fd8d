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

#include "lemma/batch.hpp"
#include "lemma/client.hpp"
#include "lemma/export.hpp"
#include "lemma/http.hpp"
#include "lemma/result.hpp"

namespace lemma {

/// Where a batch at the provider stands, from its Batch object (`GET /batches/{id}`).
struct RemoteBatchStatus {
  /// The batch's id at the provider (e.g. "batch_abc123"): pass it as
  /// RemoteBatchOptions::resume_batch_id to fetch its results later.
  std::string id;
  /// OpenAI's status: validating, in_progress, finalizing, completed, failed, expired,
  /// cancelling or cancelled.
  std::string status;
  /// The provider's `request_counts` (zero while it reports none).
  BatchRequestCounts counts;
  /// The file of successful results, once the provider made one.
  std::string output_file_id;
  /// The file of failed requests, once the provider made one.
  std::string error_file_id;
  /// The messages of the Batch object's `errors.data` (why validation failed), each with its
  /// input line when the provider named one.
  std::vector<std::string> errors;
  /// How many times the batch has been polled (0 for the Batch object that creating it
  /// returned).
  std::uint64_t polls = 0;
  /// True for the statuses after which nothing changes: completed, failed, expired, cancelled.
  bool is_terminal() const noexcept {
    return status == "completed" || status == "failed" || status == "expired" ||
           status == "cancelled";
  }
};

/// How a RemoteBatch runs.
struct RemoteBatchOptions {
  /// The OpenAI Batch input file (JSONL), checked like lemma::Batch's input before upload.
  std::string input_path;
  /// Where the successes go. Written whole at the end (a temporary file renamed into place);
  /// it must not exist yet, or be empty.
  std::string output_path;
  /// Where the failures go; empty: default_errors_path(output_path). Written like output_path.
  std::string errors_path;
  /// The model for lines whose body names none: inserted into those lines before upload
  /// (lines that name a model keep it). Without it such lines are recorded as failures.
  std::string default_model;
  /// The batch's `completion_window` (OpenAI accepts only "24h").
  std::string completion_window = "24h";
  /// The batch's optional `metadata` (an object of up to 16 string values), sent when not null.
  nlohmann::json metadata;
  /// Time between two polls of the batch's status, on the Client's Clock
  /// (ClientOptions::clock). Must be positive. Default 10 s.
  std::chrono::milliseconds poll_interval{10000};
  /// Called on the calling thread with every status polled (and the one after creating the
  /// batch); must not block for long.
  std::function<void(const RemoteBatchStatus&)> on_status;
  /// Stops the run from any thread: the wait between polls ends at once and run() returns a
  /// summary with `interrupted` set (nothing is written). The batch keeps running at the
  /// provider (it is paid for either way) unless cancel_remote is set; fetch its results later
  /// with resume_batch_id.
  std::shared_ptr<const CancellationToken> cancellation;
  /// When `cancellation` fires after the batch was created: also ask the provider to cancel it
  /// (`POST /batches/{id}/cancel`, once, not waited for). Results of requests already done stay
  /// available through resume_batch_id once the batch reaches `cancelled`. Default off.
  bool cancel_remote = false;
  /// Largest output or error file accepted from the provider (bytes); larger is a protocol
  /// Error. Default 8 GiB (50,000 long proofs). The other replies are bounded by
  /// ClientOptions::max_response_bytes.
  std::size_t max_download_bytes = std::size_t{8} * 1024 * 1024 * 1024;
  /// Poll this already-submitted batch instead of uploading the input again (the input is
  /// still read, to check the results against it and count what is missing).
  std::string resume_batch_id;
};

/// Hands an OpenAI Batch input file to the provider's own Batch API and writes the results in
/// the layout of lemma::Batch (OpenAI's output and error files), for runs that are cheaper or
/// larger at the provider than from this machine.
///
/// The steps follow OpenAI's published API: upload the input (`POST {root}/files`,
/// multipart/form-data with fields `purpose` = "batch" and `file`), create the batch
/// (`POST {root}/batches` with `input_file_id`, `endpoint` "/v1/chat/completions",
/// `completion_window`, `metadata`), poll `GET {root}/batches/{id}` every poll_interval until
/// completed, failed, expired or cancelled, then download `output_file_id` and `error_file_id`
/// (`GET {root}/files/{id}/content`). `{root}` and the credentials are those of the
/// provider's model list (Provider::encode_models(), whose URL is `{root}/models`), plus
/// ClientOptions::default_headers; requests go through the Client's Transport.
///
/// Providers: the provider must declare ProviderCapabilities::batch_api (OpenAI-compatible
/// endpoints and SGLang do; AIML API, Dataoorts, vLLM, TGI, llama.cpp and Ollama do not, and
/// are refused with an invalid_request Error before any I/O).
///
/// Retries follow the Client's RetryPolicy, waiting on its Clock: polls and downloads are
/// retried on what Error::is_retryable() allows (429, 5xx, connection failures); the upload
/// and the batch creation only on a 429 (the provider did nothing), since repeating them
/// could create a second file or batch.
///
/// Results: a success line keeps the provider's `chat.completion` body; every line's `id`
/// becomes lemma::Batch's (a hash of its input line), so a local Batch run on the same files
/// (e.g. with retry_errors, to finish what an expired batch left) resumes them. A line whose
/// `response.status_code` is 400 or more goes to the errors file, as do the provider's error
/// lines (`"response": null`, `"error": {code, message}`, given the `line` of its custom_id in
/// the input); a vLLM-style string `error` is kept as the error's message. Both files are
/// written to temporary files next to them and renamed into place once complete, so a crash
/// never leaves a half file.
///
/// @code
///   lemma::RemoteBatchOptions options;
///   options.input_path = "requests.jsonl";
///   options.output_path = "results.jsonl";
///   options.on_status = [](const lemma::RemoteBatchStatus& s) { std::cerr << s.status << '\n'; };
///   auto summary = lemma::RemoteBatch(client, options).run();
/// @endcode
class LEMMA_EXPORT RemoteBatch {
 public:
  /// A remote batch at `client`'s provider.
  RemoteBatch(Client client, RemoteBatchOptions options);
  /// Checks the input and the options (an invalid_request Error before any I/O), uploads,
  /// creates, polls and downloads, and returns the summary: counts over the written files
  /// (`total` = input lines; requests the provider never ran, e.g. in an expired batch, are
  /// `not_started`, with a warning). A batch that failed validation is an invalid_request Error
  /// with the provider's messages (a `provider` Error for a failure without reasons); an unreadable
  /// reply is a `protocol` Error. Every Error names the batch once it exists, so that the run
  /// can be resumed with resume_batch_id.
  Result<BatchSummary> run();
  /// The provider's id of the batch, once run() created or resumed it (empty before).
  const std::string& batch_id() const noexcept { return batch_id_; }

 private:
  Client client_;
  RemoteBatchOptions options_;
  std::string batch_id_;
};

}  // namespace lemma
