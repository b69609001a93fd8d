#pragma once

// A loopback server that implements OpenAI's Files and Batches API as its reference describes
// it, for lemma::RemoteBatch tests: POST /v1/files (multipart/form-data with `purpose` =
// "batch" and `file`), POST /v1/batches, GET /v1/batches/{id}, POST /v1/batches/{id}/cancel and
// GET /v1/files/{id}/content (and POST /v1/chat/completions, for a local run to finish what a
// remote one left). A batch moves validating -> in_progress -> finalizing -> its end,
// one step per poll, so a test drives it with a tiny poll interval instead of time passing.
// It answers each input line itself: the answer quotes the line's last user message.
//
// Built on TestServer (the raw-socket loopback server), so that the multipart body it checks is
// the bytes that were actually sent.

#include <cstddef>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/test_server.hpp"

namespace lemma::test {

/// How the fake provider behaves.
struct FakeBatchApiOptions {
  /// The only key it accepts (as "Authorization: Bearer <key>"); a wrong key is a 401 whose
  /// message quotes the key it received, as some providers do.
  std::string api_key = "sk-fake-batch-0123456789abcdef";
  /// custom_ids whose request fails with HTTP 400 (into the error file).
  std::set<std::string> failing_ids;
  /// Lines whose body names this model fail validation: the batch ends `failed`, with one
  /// `errors.data` entry per such line.
  std::string rejected_model = "no-such-model";
  /// Polls spent in_progress before finalizing.
  int in_progress_polls = 1;
  /// End as `expired` after running only this many lines (the rest get `batch_expired` errors);
  /// negative: complete normally.
  int expire_after = -1;
  /// Poll numbers (1-based, counting every GET /batches/{id}) answered 503 without advancing.
  std::set<int> unavailable_polls;
};

/// The fake provider; thread-safe.
class FakeBatchApi {
 public:
  explicit FakeBatchApi(FakeBatchApiOptions options = {});
  ~FakeBatchApi();
  FakeBatchApi(const FakeBatchApi&) = delete;
  FakeBatchApi& operator=(const FakeBatchApi&) = delete;

  /// "http://127.0.0.1:<port>/v1"
  std::string base_url() const;
  /// The key it accepts.
  const std::string& api_key() const { return options_.api_key; }
  /// Every request received, in order.
  std::vector<RecordedRequest> requests() const;
  /// Requests received for `method` and a target starting with `prefix` (e.g. "/v1/files").
  std::size_t count(const std::string& method, const std::string& prefix) const;
  /// The content of every file uploaded so far, in order.
  std::vector<std::string> uploads() const;
  /// The JSON bodies of every POST /v1/batches, in order.
  std::vector<nlohmann::json> creates() const;

 private:
  struct Batch {
    std::string id;
    std::string input_file_id;
    std::string status = "validating";
    int in_progress_left = 0;
    nlohmann::json errors;  // null or {"object": "list", "data": [...]}
    std::string output_file_id;
    std::string error_file_id;
    std::size_t total = 0, completed = 0, failed = 0;
    nlohmann::json metadata;
  };

  Reply handle(const RecordedRequest& request);
  Reply upload(const RecordedRequest& request);
  Reply create(const RecordedRequest& request);
  Reply poll(const std::string& id);
  Reply cancel(const std::string& id);
  Reply content(const std::string& id);
  void advance(Batch& batch);
  void validate(Batch& batch);
  // Runs the batch's lines: the first `run` lines are answered, the rest get `unrun_code`.
  void finish(Batch& batch, std::size_t run, const std::string& unrun_code);
  nlohmann::json object_of(const Batch& batch) const;

  FakeBatchApiOptions options_;
  mutable std::mutex mutex_;
  std::vector<std::string> uploads_;
  std::vector<nlohmann::json> creates_;
  std::vector<std::pair<std::string, std::string>> files_;  // id, content
  std::vector<Batch> batches_;
  int polls_ = 0;
  std::unique_ptr<TestServer> server_;  // last: stopped before the state it uses goes
};

}  // namespace lemma::test
