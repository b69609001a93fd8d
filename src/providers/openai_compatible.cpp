#include "lemma/providers/openai_compatible.hpp"

#include <cmath>

#include "lemma/validation.hpp"
#include "lemma/wire.hpp"

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
  return make_request("POST", "/chat/completions", wire::encode_chat_body(request).dump());
}

Result<ChatResponse> OpenAICompatibleProvider::decode_chat(const HttpResponse& response) const {
  auto body = wire::parse_json(response.body, "chat completion");
  if (!body) return body.error();
  return wire::decode_chat_response(std::move(*body));
}

Result<HttpRequest> OpenAICompatibleProvider::encode_models() const {
  return make_request("GET", "/models", {});
}

Result<std::vector<ModelInfo>> OpenAICompatibleProvider::decode_models(
    const HttpResponse& response) const {
  auto body = wire::parse_json(response.body, "model list");
  if (!body) return body.error();
  return wire::decode_models_response(*body);
}

Error OpenAICompatibleProvider::decode_error(const HttpResponse& response) const {
  return wire::decode_error_response(response);
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
