#include "support/fake_batch_api.hpp"

#include <sstream>

namespace lemma::test {

namespace {

using nlohmann::json;

Reply error_reply(int status, const std::string& message, const std::string& code = "") {
  json body = {{"error",
                {{"message", message},
                 {"type", "invalid_request_error"},
                 {"param", nullptr},
                 {"code", code.empty() ? json() : json(code)}}}};
  return Reply::json(status, body.dump());
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// One part of a multipart/form-data body.
struct Part {
  std::string name;
  std::string filename;
  std::string content;
};

// Parses a multipart/form-data body strictly (RFC 7578): the boundary from the content type,
// CRLF line ends, a Content-Disposition per part and the closing delimiter. Empty on any flaw.
std::vector<Part> parse_multipart(const std::string& content_type, const std::string& body) {
  const std::string marker = "boundary=";
  const auto at = content_type.find(marker);
  if (!starts_with(content_type, "multipart/form-data;") || at == std::string::npos) return {};
  std::string boundary = content_type.substr(at + marker.size());
  if (!boundary.empty() && boundary.front() == '"')
    boundary = boundary.substr(1, boundary.size() - 2);
  const std::string delimiter = "--" + boundary;
  if (!starts_with(body, delimiter + "\r\n")) return {};
  std::vector<Part> parts;
  std::size_t pos = delimiter.size() + 2;
  for (;;) {
    const auto head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string::npos) return {};
    const std::string head = body.substr(pos, head_end - pos);
    const auto next = body.find("\r\n" + delimiter, head_end + 4);
    if (next == std::string::npos) return {};
    Part part;
    part.content = body.substr(head_end + 4, next - head_end - 4);
    std::istringstream lines(head);
    std::string line;
    bool disposition = false;
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!starts_with(line, "Content-Disposition: form-data;")) continue;
      disposition = true;
      auto field = [&](const std::string& key) {
        const std::string open = key + "=\"";
        const auto start = line.find(open);
        if (start == std::string::npos) return std::string();
        const auto end = line.find('"', start + open.size());
        return line.substr(start + open.size(), end - start - open.size());
      };
      part.name = field(" name");
      part.filename = field("filename");
    }
    if (!disposition || part.name.empty()) return {};
    parts.push_back(std::move(part));
    pos = next + 2 + delimiter.size();
    if (body.compare(pos, 4, "--\r\n") == 0 && pos + 4 == body.size()) return parts;
    if (body.compare(pos, 2, "\r\n") != 0) return {};
    pos += 2;
  }
}

std::string last_user_text(const json& body) {
  std::string text;
  if (!body.contains("messages") || !body["messages"].is_array()) return text;
  for (const json& message : body["messages"]) {
    if (message.value("role", "") == "user" && message.contains("content") &&
        message["content"].is_string()) {
      text = message["content"].get<std::string>();
    }
  }
  return text;
}

// The provider's answer to one chat request: it quotes the last user message.
json completion(const json& body, const std::string& id) {
  return {
      {"id", id},
      {"object", "chat.completion"},
      {"created", 1700000000},
      {"model", body.value("model", "")},
      {"choices",
       {{{"index", 0},
         {"message", {{"role", "assistant"}, {"content", "Answer to: " + last_user_text(body)}}},
         {"finish_reason", "stop"}}}},
      {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}, {"total_tokens", 15}}}};
}

}  // namespace

FakeBatchApi::FakeBatchApi(FakeBatchApiOptions options) : options_(std::move(options)) {
  server_ = std::make_unique<TestServer>(
      [this](const RecordedRequest& request) { return handle(request); });
}

FakeBatchApi::~FakeBatchApi() {
  server_->stop();
}

std::string FakeBatchApi::base_url() const {
  return server_->base_url();
}

std::vector<RecordedRequest> FakeBatchApi::requests() const {
  return server_->requests();
}

std::size_t FakeBatchApi::count(const std::string& method, const std::string& prefix) const {
  std::size_t n = 0;
  for (const RecordedRequest& request : server_->requests()) {
    if (request.method == method && starts_with(request.target, prefix)) ++n;
  }
  return n;
}

std::vector<std::string> FakeBatchApi::uploads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return uploads_;
}

std::vector<json> FakeBatchApi::creates() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return creates_;
}

Reply FakeBatchApi::handle(const RecordedRequest& request) {
  const std::string auth = request.headers.get("authorization").value_or("");
  if (auth != "Bearer " + options_.api_key) {
    const std::string given = starts_with(auth, "Bearer ") ? auth.substr(7) : auth;
    return error_reply(401, "Incorrect API key provided: " + given + ".", "invalid_api_key");
  }
  std::string target = request.target.substr(0, request.target.find('?'));
  std::lock_guard<std::mutex> lock(mutex_);
  if (request.method == "POST" && target == "/v1/files") return upload(request);
  if (request.method == "POST" && target == "/v1/batches") return create(request);
  if (request.method == "POST" && target == "/v1/chat/completions") {
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return error_reply(400, "Body is not JSON.");
    return Reply::json(200, completion(body, "chatcmpl-direct").dump());
  }
  const std::string batches = "/v1/batches/";
  if (starts_with(target, batches)) {
    std::string id = target.substr(batches.size());
    const std::string cancel_suffix = "/cancel";
    if (request.method == "POST" && id.size() > cancel_suffix.size() &&
        id.compare(id.size() - cancel_suffix.size(), cancel_suffix.size(), cancel_suffix) == 0) {
      return cancel(id.substr(0, id.size() - cancel_suffix.size()));
    }
    if (request.method == "GET") return poll(id);
  }
  const std::string files = "/v1/files/";
  const std::string content_suffix = "/content";
  if (request.method == "GET" && starts_with(target, files) &&
      target.size() > files.size() + content_suffix.size() &&
      target.compare(target.size() - content_suffix.size(), content_suffix.size(),
                     content_suffix) == 0) {
    return content(
        target.substr(files.size(), target.size() - files.size() - content_suffix.size()));
  }
  return error_reply(404, "Unknown endpoint " + request.method + " " + target + ".");
}

Reply FakeBatchApi::upload(const RecordedRequest& request) {
  const std::vector<Part> parts =
      parse_multipart(request.headers.get("content-type").value_or(""), request.body);
  const Part* purpose = nullptr;
  const Part* file = nullptr;
  for (const Part& part : parts) {
    if (part.name == "purpose") purpose = &part;
    if (part.name == "file") file = &part;
  }
  if (!purpose || !file || file->filename.empty()) {
    return error_reply(400, "Expected a multipart/form-data body with 'purpose' and 'file'.");
  }
  if (purpose->content != "batch") {
    return error_reply(400, "'" + purpose->content + "' is not a valid purpose for a batch.");
  }
  const std::string id = "file-" + std::to_string(files_.size() + 1);
  files_.emplace_back(id, file->content);
  uploads_.push_back(file->content);
  json object = {{"id", id},
                 {"object", "file"},
                 {"bytes", file->content.size()},
                 {"created_at", 1700000000},
                 {"filename", file->filename},
                 {"purpose", "batch"}};
  return Reply::json(200, object.dump());
}

Reply FakeBatchApi::create(const RecordedRequest& request) {
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return error_reply(400, "Body is not JSON.");
  creates_.push_back(body);
  const std::string input = body.value("input_file_id", "");
  bool known = false;
  for (const auto& [id, text] : files_) known = known || id == input;
  if (!known) return error_reply(404, "No such file: " + input + ".");
  if (body.value("endpoint", "") != "/v1/chat/completions" ||
      body.value("completion_window", "") != "24h") {
    return error_reply(400, "endpoint must be /v1/chat/completions and completion_window 24h.");
  }
  Batch batch;
  batch.id = "batch_" + std::to_string(batches_.size() + 1);
  batch.input_file_id = input;
  batch.in_progress_left = options_.in_progress_polls;
  if (body.contains("metadata")) batch.metadata = body["metadata"];
  batches_.push_back(batch);
  return Reply::json(200, object_of(batches_.back()).dump());
}

Reply FakeBatchApi::poll(const std::string& id) {
  ++polls_;
  if (options_.unavailable_polls.count(polls_) != 0) {
    return error_reply(503, "The server is overloaded; try again.");
  }
  for (Batch& batch : batches_) {
    if (batch.id != id) continue;
    advance(batch);
    return Reply::json(200, object_of(batch).dump());
  }
  return error_reply(404, "No such batch: " + id + ".");
}

Reply FakeBatchApi::cancel(const std::string& id) {
  for (Batch& batch : batches_) {
    if (batch.id != id) continue;
    if (batch.status == "validating" || batch.status == "in_progress" ||
        batch.status == "finalizing") {
      batch.status = "cancelling";
    }
    return Reply::json(200, object_of(batch).dump());
  }
  return error_reply(404, "No such batch: " + id + ".");
}

Reply FakeBatchApi::content(const std::string& id) {
  for (const auto& [file_id, text] : files_) {
    if (file_id == id) return Reply::http(200, text, {}, "application/octet-stream");
  }
  return error_reply(404, "No such file: " + id + ".");
}

void FakeBatchApi::advance(Batch& batch) {
  if (batch.status == "validating") {
    validate(batch);
  } else if (batch.status == "in_progress") {
    if (--batch.in_progress_left <= 0) batch.status = "finalizing";
  } else if (batch.status == "finalizing") {
    if (options_.expire_after >= 0) {
      finish(batch, static_cast<std::size_t>(options_.expire_after), "batch_expired");
      batch.status = "expired";
    } else {
      finish(batch, batch.total, "");
      batch.status = "completed";
    }
  } else if (batch.status == "cancelling") {
    finish(batch, batch.total / 2, "batch_cancelled");
    batch.status = "cancelled";
  }
}

void FakeBatchApi::validate(Batch& batch) {
  std::string input;
  for (const auto& [id, text] : files_) {
    if (id == batch.input_file_id) input = text;
  }
  json data = json::array();
  std::istringstream lines(input);
  std::string line;
  std::size_t total = 0;
  for (std::size_t number = 1; std::getline(lines, line); ++number) {
    if (line.empty()) continue;
    ++total;
    json request = json::parse(line, nullptr, false);
    if (request.is_discarded()) {
      data.push_back({{"code", "invalid_json"},
                      {"message", "Line is not valid JSON."},
                      {"param", nullptr},
                      {"line", number}});
    } else if (request["body"].value("model", "") == options_.rejected_model) {
      data.push_back({{"code", "model_not_found"},
                      {"message", "The model '" + options_.rejected_model +
                                      "' does not exist or is not available for batch."},
                      {"param", "body.model"},
                      {"line", number}});
    }
  }
  batch.total = total;
  if (!data.empty()) {
    batch.status = "failed";
    batch.errors = {{"object", "list"}, {"data", data}};
  } else {
    batch.status = "in_progress";
  }
}

void FakeBatchApi::finish(Batch& batch, std::size_t run, const std::string& unrun_code) {
  std::string input;
  for (const auto& [id, text] : files_) {
    if (id == batch.input_file_id) input = text;
  }
  std::string output;
  std::string errors;
  std::istringstream lines(input);
  std::string line;
  std::size_t index = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const json request = json::parse(line);
    const std::string custom_id = request.value("custom_id", "");
    const std::string request_id = "req_" + std::to_string(index + 1);
    json record = {{"id", "batch_req_fake" + std::to_string(index + 1)},
                   {"custom_id", custom_id},
                   {"response", nullptr},
                   {"error", nullptr}};
    if (index >= run) {
      record["error"] = {{"code", unrun_code},
                         {"message", unrun_code == "batch_expired"
                                         ? "This request could not be executed before the "
                                           "completion window expired."
                                         : "This request was cancelled."}};
      errors += record.dump() + "\n";
      ++batch.failed;
    } else if (options_.failing_ids.count(custom_id) != 0) {
      record["response"] = {{"status_code", 400},
                            {"request_id", request_id},
                            {"body",
                             {{"error",
                               {{"message", "Invalid request for " + custom_id + "."},
                                {"type", "invalid_request_error"},
                                {"param", "messages"},
                                {"code", nullptr}}}}}};
      errors += record.dump() + "\n";
      ++batch.failed;
    } else {
      record["response"] = {
          {"status_code", 200},
          {"request_id", request_id},
          {"body", completion(request["body"], "chatcmpl-" + std::to_string(index + 1))}};
      output += record.dump() + "\n";
      ++batch.completed;
    }
    ++index;
  }
  if (!output.empty()) {
    batch.output_file_id = "file-" + std::to_string(files_.size() + 1);
    files_.emplace_back(batch.output_file_id, output);
  }
  if (!errors.empty()) {
    batch.error_file_id = "file-" + std::to_string(files_.size() + 1);
    files_.emplace_back(batch.error_file_id, errors);
  }
}

json FakeBatchApi::object_of(const Batch& batch) const {
  return {{"id", batch.id},
          {"object", "batch"},
          {"endpoint", "/v1/chat/completions"},
          {"errors", batch.errors},
          {"input_file_id", batch.input_file_id},
          {"completion_window", "24h"},
          {"status", batch.status},
          {"output_file_id", batch.output_file_id.empty() ? json() : json(batch.output_file_id)},
          {"error_file_id", batch.error_file_id.empty() ? json() : json(batch.error_file_id)},
          {"created_at", 1700000000},
          {"request_counts",
           {{"total", batch.total}, {"completed", batch.completed}, {"failed", batch.failed}}},
          {"metadata", batch.metadata}};
}

}  // namespace lemma::test
