#pragma once

#include <memory>
#include <optional>
#include <string>

#include "lemma/api_key.hpp"
#include "lemma/export.hpp"
#include "lemma/headers.hpp"
#include "lemma/provider.hpp"
#include "lemma/url.hpp"
#include "lemma/wire.hpp"

namespace lemma::providers {

/// Settings of an OpenAI-compatible endpoint.
struct OpenAICompatibleOptions {
  /// The API root. Rule: trailing slashes are ignored; when the URL has no path at all
  /// ("http://localhost:8000"), "/v1" is appended; any other path is used as given
  /// ("https://api.aimlapi.com/v1", "http://host/openai/v1"). Requests go to
  /// `<root>/chat/completions` and `<root>/models`.
  std::string base_url;
  /// Sent as "Authorization: Bearer <key>" when not empty.
  ApiKey api_key;
  /// Name for logs and metrics.
  std::string name = "openai_compatible";
  /// Extra headers on every request (e.g. an organisation or project header).
  Headers headers;
  /// Move `<think>...</think>` from answer content into reasoning_content, in whole responses
  /// and in streams (tags split across chunks included). For servers that leave a reasoning
  /// model's thoughts inline. Default off.
  bool split_think_tags = false;
  /// With split_think_tags: the chat template opens the think block itself, so content before
  /// the first "</think>" is reasoning (DeepSeek-R1-style templates). Default off.
  bool think_starts_open = false;
  /// Deepest nesting of arrays/objects accepted in any JSON the server sends (responses, stream
  /// events, error bodies, model lists); deeper is a protocol error. Default
  /// wire::kDefaultMaxJsonDepth (256).
  std::size_t max_json_depth = wire::kDefaultMaxJsonDepth;
  /// What the endpoint supports (default: everything, including the Batch API).
  ProviderCapabilities capabilities;
};

/// A provider for any server that speaks OpenAI's chat-completions API: POST
/// {root}/chat/completions, GET {root}/models, Bearer auth, JSON bodies.
///
/// Validation: the shared rules of validate_chat_request() plus OpenAI's ranges
/// (temperature 0..2, top_p (0, 1], presence/frequency penalties -2..2, repetition_penalty > 0,
/// top_logprobs 0..20).
class LEMMA_EXPORT OpenAICompatibleProvider : public Provider {
 public:
  /// Creates the provider. A malformed base_url does not throw: every call then returns an
  /// invalid_request error that names it, before any I/O.
  explicit OpenAICompatibleProvider(OpenAICompatibleOptions options);

  std::string name() const override;
  Result<HttpRequest> encode_chat(const ChatRequest& request) const override;
  Result<ChatResponse> decode_chat(const HttpResponse& response) const override;
  Result<HttpRequest> encode_models() const override;
  Result<std::vector<ModelInfo>> decode_models(const HttpResponse& response) const override;
  Error decode_error(const HttpResponse& response) const override;
  Result<StreamEvent> decode_stream_event(const SseEvent& event) const override;
  std::unique_ptr<StreamDecoder> stream_decoder() const override;
  ProviderCapabilities capabilities() const override { return options_.capabilities; }
  void redact(std::string& text) const override;
  using Provider::redact;

  /// The resolved API root (after the base-URL rule), or the parse error.
  const Result<Url>& root() const noexcept { return root_; }
  /// The options this provider was created with.
  const OpenAICompatibleOptions& options() const noexcept { return options_; }

 protected:
  /// Checks OpenAI's parameter ranges on top of the shared rules; override to change them.
  virtual std::optional<Error> validate(const ChatRequest& request) const;
  /// Builds a request to `<root><path>` with auth, content type and extra headers.
  Result<HttpRequest> make_request(std::string method, std::string_view path,
                                   std::string body) const;
  /// Builds a request to `<server><path>`, where server is the root without its path (for
  /// endpoints outside the API root, such as /health).
  Result<HttpRequest> make_server_request(std::string method, std::string_view path) const;
  /// Last chance to change the encoded chat body (rename or drop server-specific keys); the
  /// default leaves it as is.
  virtual void adapt_body(nlohmann::json& body) const { (void)body; }

 private:
  OpenAICompatibleOptions options_;
  Result<Url> root_;
};

/// An OpenAI-compatible provider at `base_url` (see OpenAICompatibleOptions::base_url for the
/// URL rule) with an optional API key.
LEMMA_EXPORT std::shared_ptr<Provider> openai_compatible(std::string base_url, ApiKey api_key = {});

}  // namespace lemma::providers
