#include "lemma/testing/mock_transport.hpp"

#include <algorithm>
#include <cstring>

#include "lemma/wire.hpp"

namespace lemma::testing {

namespace {

// Serves a canned body through the pull interface, in pieces of a chosen size.
class CannedStream final : public ResponseStream {
 public:
  CannedStream(HttpResponse response, std::size_t chunk_size)
      : response_(std::move(response)), chunk_size_(chunk_size) {}

  int status() const noexcept override { return response_.status; }
  const Headers& headers() const noexcept override { return response_.headers; }
  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    if (cancelled_) return make_error(ErrorKind::cancelled, "The mock stream was cancelled.");
    std::size_t n = std::min(capacity, response_.body.size() - position_);
    if (chunk_size_ > 0) n = std::min(n, chunk_size_);
    std::memcpy(buffer, response_.body.data() + position_, n);
    position_ += n;
    return n;
  }
  void cancel() noexcept override { cancelled_ = true; }

 private:
  HttpResponse response_;
  std::size_t chunk_size_;
  std::size_t position_ = 0;
  bool cancelled_ = false;
};

}  // namespace

void MockTransport::enqueue(HttpResponse response) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.emplace_back(std::move(response));
}

void MockTransport::enqueue_json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.set("Content-Type", "application/json");
  response.body = std::move(body);
  enqueue(std::move(response));
}

void MockTransport::enqueue_response(const ChatResponse& response) {
  // replace: a test's invalid UTF-8 is sent as U+FFFD rather than thrown out of a test helper.
  enqueue_json(200, wire::encode_chat_response(response).dump(
                        -1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void MockTransport::enqueue_stream(const std::vector<ChatChunk>& chunks) {
  HttpResponse response;
  response.status = 200;
  response.headers.set("Content-Type", "text/event-stream");
  response.body = wire::encode_sse_stream(chunks);
  enqueue(std::move(response));
}

void MockTransport::enqueue_error_response(int status, std::string message, std::string type,
                                           std::string code) {
  nlohmann::json error = {{"message", std::move(message)}};
  error["type"] = type.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::move(type));
  error["code"] = code.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::move(code));
  enqueue_json(status, nlohmann::json{{"error", std::move(error)}}.dump(
                           -1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void MockTransport::enqueue_error(Error error) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.emplace_back(std::move(error));
}

void MockTransport::set_read_chunk_size(std::size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  chunk_size_ = bytes;
}

Result<HttpResponse> MockTransport::next(const HttpRequest& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  requests_.push_back(request);
  if (queue_.empty()) {
    return make_error(ErrorKind::connection, "MockTransport has no queued response for " +
                                                 request.method + " " + request.url +
                                                 "; call enqueue() or enqueue_json() first.");
  }
  auto next = std::move(queue_.front());
  queue_.pop_front();
  if (auto* error = std::get_if<Error>(&next)) return std::move(*error);
  return std::get<HttpResponse>(std::move(next));
}

Result<HttpResponse> MockTransport::send(const HttpRequest& request) {
  auto response = next(request);
  if (response && response->body.size() > request.max_response_bytes) {
    return protocol_error("The response body exceeds the limit of " +
                          std::to_string(request.max_response_bytes) + " bytes.");
  }
  return response;
}

Result<std::unique_ptr<ResponseStream>> MockTransport::open(const HttpRequest& request) {
  auto response = next(request);
  if (!response) return response.error();
  std::size_t chunk_size = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    chunk_size = chunk_size_;
  }
  return std::unique_ptr<ResponseStream>(
      std::make_unique<CannedStream>(std::move(*response), chunk_size));
}

std::vector<HttpRequest> MockTransport::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::size_t MockTransport::request_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

std::size_t MockTransport::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

ChatResponse answer(std::string content, std::string reasoning, std::string model) {
  ChatResponse response;
  response.id = "chatcmpl-mock";
  response.object = "chat.completion";
  response.created = 1700000000;
  response.model = std::move(model);
  Choice choice;
  choice.message = Message::assistant(std::move(content));
  if (!reasoning.empty()) choice.message.reasoning_content = std::move(reasoning);
  choice.finish_reason = "stop";
  Usage usage;
  usage.prompt_tokens = 12;
  // About four bytes a token, like the servers' tokenizers on English and LaTeX.
  usage.completion_tokens = static_cast<std::int64_t>(
      (choice.message.text().size() + choice.message.reasoning_content.value_or("").size()) / 4 +
      1);
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  response.choices.push_back(std::move(choice));
  response.usage = usage;
  return response;
}

namespace {

// Pieces of at most `bytes` bytes, each ending on a UTF-8 character boundary.
std::vector<std::string> utf8_pieces(const std::string& text, std::size_t bytes) {
  std::vector<std::string> pieces;
  auto continuation = [&text](std::size_t i) {
    return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
  };
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = std::min(text.size(), pos + bytes);
    while (end > pos && continuation(end)) --end;
    if (end == pos) {  // one character longer than `bytes`: keep it whole
      end = pos + 1;
      while (continuation(end)) ++end;
    }
    pieces.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  if (pieces.empty()) pieces.emplace_back();  // a set but empty field still arrives once
  return pieces;
}

}  // namespace

std::vector<ChatChunk> chunks_of(const ChatResponse& response, std::size_t piece_bytes) {
  piece_bytes = std::max<std::size_t>(piece_bytes, 1);
  std::vector<ChatChunk> out;
  auto chunk_for = [&response](std::int64_t index) {
    ChatChunk chunk;
    chunk.id = response.id;
    chunk.object = "chat.completion.chunk";
    chunk.created = response.created;
    chunk.model = response.model;
    chunk.system_fingerprint = response.system_fingerprint;
    chunk.choices.emplace_back();
    chunk.choices.back().index = index;
    return chunk;
  };
  for (const Choice& choice : response.choices) {
    const Message& message = choice.message;
    ChatChunk first = chunk_for(choice.index);
    first.choices[0].delta.role = message.role.empty() ? "assistant" : message.role;
    out.push_back(std::move(first));
    auto stream_text = [&](const std::optional<std::string>& text,
                           std::optional<std::string> ChunkDelta::*field) {
      if (!text) return;
      for (std::string& piece : utf8_pieces(*text, piece_bytes)) {
        ChatChunk chunk = chunk_for(choice.index);
        chunk.choices[0].delta.*field = std::move(piece);
        out.push_back(std::move(chunk));
      }
    };
    stream_text(message.reasoning_content, &ChunkDelta::reasoning_content);
    stream_text(message.content, &ChunkDelta::content);
    stream_text(message.refusal, &ChunkDelta::refusal);
    for (std::size_t i = 0; i < message.tool_calls.size(); ++i) {
      const ToolCall& call = message.tool_calls[i];
      ChatChunk chunk = chunk_for(choice.index);
      ToolCallDelta delta;
      delta.index = static_cast<std::int64_t>(i);
      delta.id = call.id;
      delta.type = call.type;
      delta.function_name = call.function_name;
      delta.arguments = call.arguments;
      chunk.choices[0].delta.tool_calls.push_back(std::move(delta));
      out.push_back(std::move(chunk));
    }
    ChatChunk last = chunk_for(choice.index);
    last.choices[0].finish_reason = choice.finish_reason.empty() ? "stop" : choice.finish_reason;
    out.push_back(std::move(last));
  }
  if (response.usage) {
    ChatChunk usage = chunk_for(0);
    usage.choices.clear();
    usage.usage = response.usage;
    out.push_back(std::move(usage));
  }
  return out;
}

}  // namespace lemma::testing
