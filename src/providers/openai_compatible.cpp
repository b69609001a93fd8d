#include "lemma/providers/openai_compatible.hpp"

#include <cmath>

#include <map>

#include "lemma/think_splitter.hpp"
#include "lemma/validation.hpp"
#include "lemma/wire.hpp"
#include "wire/openai/json_reader_private.hpp"

namespace lemma::providers {

namespace {

// The documented base-URL rule: no path at all means the server's API lives under /v1.
Result<Url> resolve_root(const std::string& base_url) {
  auto url = Url::parse(base_url, "base_url");
  if (url && url->path.empty()) url->path = "/v1";
  return url;
}

}  // namespace

OpenAICompatibleProvider::OpenAICompatibleProvider(OpenAICompatibleOptions options)
    : options_(std::move(options)), root_(resolve_root(options_.base_url)) {}

std::string OpenAICompatibleProvider::name() const {
  return options_.name;
}

std::optional<Error> OpenAICompatibleProvider::validate(const ChatRequest& request) const {
  if (auto error = validate_chat_request(request)) return error;
  const SamplingParams& s = request.sampling;
  if (auto e = check_range("temperature", s.temperature, Range{0, 2})) return e;
  if (auto e = check_range("top_p", s.top_p, Range{0, 1, /*min_inclusive=*/false})) return e;
  if (auto e = check_range("presence_penalty", s.presence_penalty, Range{-2, 2})) return e;
  if (auto e = check_range("repetition_penalty", s.repetition_penalty,
                           Range{0, HUGE_VAL, /*min_inclusive=*/false})) {
    return e;
  }
  if (auto e = check_range("frequency_penalty", s.frequency_penalty, Range{-2, 2})) return e;
  if (s.top_logprobs) {
    if (auto e = check_range("top_logprobs", static_cast<double>(*s.top_logprobs), Range{0, 20})) {
      return e;
    }
  }
  return std::nullopt;
}

Result<HttpRequest> OpenAICompatibleProvider::make_request(std::string method,
                                                           std::string_view path,
                                                           std::string body) const {
  if (!root_) return root_.error();
  HttpRequest request;
  request.method = std::move(method);
  request.url = root_->join(path);
  request.headers = options_.headers;
  if (!options_.api_key.empty()) {
    request.headers.set("Authorization", "Bearer " + options_.api_key.reveal());
  }
  request.headers.set("Accept", "application/json");
  if (!body.empty()) request.headers.set("Content-Type", "application/json");
  request.body = std::move(body);
  return request;
}

Result<HttpRequest> OpenAICompatibleProvider::encode_chat(const ChatRequest& request) const {
  if (!root_) return root_.error();
  if (auto error = validate(request)) return *error;
  nlohmann::json body = wire::encode_chat_body(request);
  adapt_body(body);
  return make_request("POST", "/chat/completions", detail::dump_json(body));
}

Result<HttpRequest> OpenAICompatibleProvider::make_server_request(std::string method,
                                                                  std::string_view path) const {
  if (!root_) return root_.error();
  Url server = *root_;
  server.path.clear();
  auto request = make_request(std::move(method), "", "");
  if (!request) return request;
  request->url = server.join(path);
  return request;
}

namespace {

void add_reasoning(std::optional<std::string>& target, const std::string& reasoning) {
  if (reasoning.empty()) return;
  target = target.value_or("") + reasoning;
}

// Splits <think> blocks out of each choice's content, with one splitter per choice so that
// tags cut between chunks are still recognised.
class ThinkSplittingDecoder final : public StreamDecoder {
 public:
  ThinkSplittingDecoder(const Provider& provider, bool starts_open)
      : provider_(provider), starts_open_(starts_open) {}

  Result<StreamEvent> decode(const SseEvent& event) override {
    Result<StreamEvent> decoded = provider_.decode_stream_event(event);
    if (!decoded || decoded->kind != StreamEvent::Kind::chunk) return decoded;
    for (ChunkChoice& choice : decoded->chunk.choices) {
      if (!choice.delta.content) continue;
      ThinkTagSplitter::Output out = splitter(choice.index).feed(*choice.delta.content);
      choice.delta.content = std::move(out.content);
      add_reasoning(choice.delta.reasoning_content, out.reasoning);
    }
    return decoded;
  }

  std::optional<ChatChunk> finish() override {
    ChatChunk tail;
    for (auto& [index, splitter] : splitters_) {
      ThinkTagSplitter::Output out = splitter.finish();
      if (out.content.empty() && out.reasoning.empty()) continue;
      ChunkChoice choice;
      choice.index = index;
      if (!out.content.empty()) choice.delta.content = std::move(out.content);
      if (!out.reasoning.empty()) choice.delta.reasoning_content = std::move(out.reasoning);
      tail.choices.push_back(std::move(choice));
    }
    if (tail.choices.empty()) return std::nullopt;
    return tail;
  }

 private:
  ThinkTagSplitter& splitter(std::int64_t index) {
    return splitters_.try_emplace(index, starts_open_).first->second;
  }

  const Provider& provider_;
  bool starts_open_;
  std::map<std::int64_t, ThinkTagSplitter> splitters_;
};

}  // namespace

Result<ChatResponse> OpenAICompatibleProvider::decode_chat(const HttpResponse& response) const {
  auto body = wire::parse_json(response.body, "chat completion", options_.max_json_depth);
  if (!body) return body.error();
  Result<ChatResponse> decoded = wire::decode_chat_response(std::move(*body));
  if (decoded && options_.split_think_tags) {
    for (Choice& choice : decoded->choices) {
      if (!choice.message.content) continue;
      ThinkTagSplitter::Output out =
          ThinkTagSplitter::split(*choice.message.content, options_.think_starts_open);
      choice.message.content = std::move(out.content);
      add_reasoning(choice.message.reasoning_content, out.reasoning);
    }
  }
  return decoded;
}

std::unique_ptr<StreamDecoder> OpenAICompatibleProvider::stream_decoder() const {
  if (!options_.split_think_tags) return Provider::stream_decoder();
  return std::make_unique<ThinkSplittingDecoder>(*this, options_.think_starts_open);
}

Result<HttpRequest> OpenAICompatibleProvider::encode_models() const {
  return make_request("GET", "/models", {});
}

Result<std::vector<ModelInfo>> OpenAICompatibleProvider::decode_models(
    const HttpResponse& response) const {
  auto body = wire::parse_json(response.body, "model list", options_.max_json_depth);
  if (!body) return body.error();
  return wire::decode_models_response(*body);
}

Error OpenAICompatibleProvider::decode_error(const HttpResponse& response) const {
  return wire::decode_error_response(response, options_.max_json_depth);
}

Result<StreamEvent> OpenAICompatibleProvider::decode_stream_event(const SseEvent& event) const {
  return wire::decode_stream_event(event, options_.max_json_depth);
}

void OpenAICompatibleProvider::redact(std::string& text) const {
  options_.api_key.redact_in(text);
}

std::shared_ptr<Provider> openai_compatible(std::string base_url, ApiKey api_key) {
  OpenAICompatibleOptions options;
  options.base_url = std::move(base_url);
  options.api_key = std::move(api_key);
  return std::make_shared<OpenAICompatibleProvider>(std::move(options));
}

}  // namespace lemma::providers
