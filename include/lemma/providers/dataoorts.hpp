#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lemma/api_key.hpp"
#include "lemma/export.hpp"
#include "lemma/message.hpp"
#include "lemma/provider.hpp"
#include "lemma/url.hpp"
#include "lemma/wire.hpp"

namespace lemma::providers {

/// Dataoorts' serverless endpoint.
inline constexpr const char* kDataoortsBaseUrl = "https://cloud.dataoorts.com/api/v1";

/// Settings of the Dataoorts provider.
struct DataoortsOptions {
  /// Sent as "Authorization: Bearer <key>".
  ApiKey api_key;
  /// The endpoint; requests are POSTed to this URL itself.
  std::string base_url = kDataoortsBaseUrl;
  /// Refuse, before sending, requests whose estimated prompt plus max_tokens exceed the model's
  /// context window from the ModelCatalog (see estimate_prompt_tokens()). Default on.
  bool check_context_window = true;
  /// Deepest JSON nesting accepted from the server; deeper is a protocol error. Default
  /// wire::kDefaultMaxJsonDepth (256).
  std::size_t max_json_depth = wire::kDefaultMaxJsonDepth;
};

/// Dataoorts' serverless API, which wraps requests in its own envelope:
/// `{"model", "data": {"messages", temperature, top_p, top_k, max_tokens, seed,
/// repetition_penalty, frequency_penalty, presence_penalty}}` in, and
/// `{"errors", "messages", "result": {"response", "usage"}, "success"}` out.
///
/// - Parameter ranges are Dataoorts' documented ones (temperature 0-5, top_p 0-2, top_k 1-50,
///   seed 1-9999999999, penalties 0-2), taken from the model's ModelCatalog entry; parameters
///   Dataoorts does not document (min_p, n, stop, logprobs, top_logprobs, response_format,
///   user) are refused with an invalid_request error rather than dropped silently. Keys in
///   SamplingParams::extra are merged into "data" unchecked.
/// - Responses become one choice; finish_reason is left empty (Dataoorts does not report it).
/// - `success: false` or a non-empty "errors" array is an Error carrying each error's code and
///   message, whatever the HTTP status.
/// - No streaming and no model list: Client::stream() delivers the whole answer as one chunk,
///   and Client::models() is an invalid_request error naming the catalogue's models.
class LEMMA_EXPORT DataoortsProvider : public Provider {
 public:
  /// Creates the provider; a malformed base_url makes every call an invalid_request error.
  explicit DataoortsProvider(DataoortsOptions options);

  std::string name() const override { return "dataoorts"; }
  Result<HttpRequest> encode_chat(const ChatRequest& request) const override;
  Result<ChatResponse> decode_chat(const HttpResponse& response) const override;
  Result<HttpRequest> encode_models() const override;
  Result<std::vector<ModelInfo>> decode_models(const HttpResponse& response) const override;
  Error decode_error(const HttpResponse& response) const override;
  /// An event of a server that streams anyway, decoded as OpenAI's with max_json_depth.
  Result<StreamEvent> decode_stream_event(const SseEvent& event) const override;
  void redact(std::string& text) const override { options_.api_key.redact_in(text); }
  using Provider::redact;
  ProviderCapabilities capabilities() const override;

 private:
  std::optional<Error> validate(const ChatRequest& request) const;

  DataoortsOptions options_;
  Result<Url> url_;
};

/// A Dataoorts provider with `api_key`.
LEMMA_EXPORT std::shared_ptr<Provider> dataoorts(ApiKey api_key);

/// The rough prompt-size estimate used by context-window checks: per message, one token per 4
/// bytes of content (rounded up) plus 4 tokens of chat-template overhead, plus 3 for the reply's
/// start. It is meant to catch clear overflows before paying for a request, not to count
/// exactly (a tokenizer can differ by tens of percent on LaTeX-heavy text).
LEMMA_EXPORT std::int64_t estimate_prompt_tokens(const std::vector<Message>& messages);

}  // namespace lemma::providers
