#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lemma/api_key.hpp"
#include "lemma/export.hpp"
#include "lemma/http.hpp"
#include "lemma/providers/openai_compatible.hpp"

namespace lemma::providers {

/// The self-hosted servers lemma knows.
enum class Flavour {
  vllm,         ///< vLLM's OpenAI server
  sglang,       ///< SGLang's OpenAI server
  tgi,          ///< Hugging Face text-generation-inference (Messages API)
  llama_cpp,    ///< llama.cpp's llama-server
  ollama,       ///< Ollama's OpenAI layer (/v1)
  generic,      ///< any OpenAI-compatible server, e.g. a FastAPI wrapper: everything sent as is
  auto_detect,  ///< identify the server on the first call (detect_flavour), then act as it
};

/// The flavour's name: "vllm", "sglang", "tgi", "llama_cpp", "ollama", "generic", "auto".
LEMMA_EXPORT std::string_view to_string(Flavour flavour) noexcept;
/// Parses a flavour name (as to_string writes it; also "llama.cpp", "llamacpp", "auto_detect").
LEMMA_EXPORT Result<Flavour> parse_flavour(std::string_view name);

/// How a flavour differs on the wire. Data, documented per flavour in the README's provider
/// table.
struct FlavourTraits {
  /// Accepts top_k in its chat API.
  bool top_k = false;
  /// Accepts min_p.
  bool min_p = false;
  /// Accepts repetition_penalty (llama.cpp under the name repeat_penalty).
  bool repetition_penalty = false;
  /// The name the server uses for repetition_penalty.
  std::string repetition_penalty_name = "repetition_penalty";
  /// Reasoning models' thoughts arrive inline as <think>...</think> by default (so they are
  /// split into reasoning_content unless SelfHostedOptions says otherwise).
  bool think_tags_inline = false;
  /// Path of the health endpoint on the server (not under /v1).
  std::string health_path = "/health";
  /// Serves OpenAI's Files and Batches API (SGLang does; vLLM, TGI, llama.cpp and Ollama do
  /// not, and generic is assumed to).
  bool batch_api = false;
  /// Returns several choices for `n` > 1 (vLLM and SGLang do; TGI, llama.cpp's server and
  /// Ollama answer with one choice whatever `n` says).
  bool multiple_choices = false;
};

/// The traits of `flavour` (auto_detect: those of generic, until the server is identified).
LEMMA_EXPORT const FlavourTraits& traits_of(Flavour flavour) noexcept;

/// Settings of a self-hosted server.
struct SelfHostedOptions {
  /// The server's API root, e.g. "http://127.0.0.1:8000/v1" (no path means "/v1"; the rule of
  /// OpenAICompatibleOptions::base_url).
  std::string base_url;
  /// Which server it is.
  Flavour flavour = Flavour::generic;
  /// Most self-hosted servers need no key; sent as a Bearer token when set.
  ApiKey api_key;
  /// Split <think> tags into reasoning_content; default: the flavour's think_tags_inline.
  std::optional<bool> split_think_tags;
  /// The template opens the think block itself (DeepSeek-R1 style); default off.
  bool think_starts_open = false;
  /// Deepest JSON nesting accepted from the server (OpenAICompatibleOptions::max_json_depth).
  std::size_t max_json_depth = wire::kDefaultMaxJsonDepth;
};

/// An OpenAI-compatible self-hosted server of a known flavour (auto_detect is treated as
/// generic here; self_hosted() returns an AutoDetectedProvider for it) with its differences
/// handled: parameters it does not accept are refused before sending (invalid_request naming the
/// parameter and the server; SamplingParams::extra still sends anything), parameter names it
/// spells differently are renamed, inline <think> tags are split, and health() asks its
/// health endpoint. Provider name: the flavour's name.
class LEMMA_EXPORT SelfHostedProvider : public OpenAICompatibleProvider {
 public:
  /// Creates the provider (no I/O).
  explicit SelfHostedProvider(SelfHostedOptions options);

  /// The flavour.
  Flavour flavour() const noexcept { return flavour_; }
  Result<HttpRequest> encode_health() const override;

 protected:
  std::optional<Error> validate(const ChatRequest& request) const override;
  void adapt_body(nlohmann::json& body) const override;

 private:
  Flavour flavour_;
  const FlavourTraits& traits_;
};

/// What detect_flavour() found, and why.
struct DetectedFlavour {
  /// The flavour (generic when nothing identified the server).
  Flavour flavour = Flavour::generic;
  /// The observation it rests on, e.g. "GET /v1/models: owned_by is \"vllm\"".
  std::string evidence;
};

/// Identifies the server at `base_url` by asking it, in this order, stopping at the first
/// answer that identifies it (each probe a GET with a 5 s timeout, no retries):
/// 1. `<root>/models`: `owned_by` "vllm" -> vllm, "sglang" -> sglang, "llamacpp" or a `meta`
///    object -> llama_cpp;
/// 2. `<server>/api/version` answering JSON with "version" -> ollama;
/// 3. `<server>/info` answering JSON with "model_id" and "router" or "sha" -> tgi;
/// 4. `<server>/props` answering JSON with "default_generation_settings" -> llama_cpp.
/// Nothing identified is `generic`, with the evidence saying so: lemma never guesses. A server
/// that cannot be reached at all is the connection Error. A probe's answer nested deeper than
/// `max_json_depth` (SelfHostedOptions::max_json_depth) identifies nothing.
LEMMA_EXPORT Result<DetectedFlavour> detect_flavour(
    const std::string& base_url, Transport& transport, const ApiKey& api_key = {},
    std::size_t max_json_depth = wire::kDefaultMaxJsonDepth);

/// A self-hosted server whose flavour is found by asking it: on the first call through a
/// Client, prepare() runs detect_flavour() over the Client's transport and from then on the
/// provider acts exactly as the SelfHostedProvider of the flavour found (name(), parameter
/// policy, <think> splitting, health endpoint). Concurrent first calls wait for one detection.
/// When the server cannot be reached, the call fails with the connection Error and the next
/// call asks again; nothing is guessed. Encoding before the server is identified is an
/// invalid_request Error (call prepare() or go through a Client).
class LEMMA_EXPORT AutoDetectedProvider : public Provider {
 public:
  /// Creates the provider (no I/O); options.flavour is ignored.
  explicit AutoDetectedProvider(SelfHostedOptions options);
  ~AutoDetectedProvider() override;
  AutoDetectedProvider(const AutoDetectedProvider&) = delete;
  AutoDetectedProvider& operator=(const AutoDetectedProvider&) = delete;

  /// What detection found, with its evidence; nullopt until the server has been identified.
  std::optional<DetectedFlavour> detected() const;

  /// Identifies the server once (later calls return at once).
  Result<Done> prepare(Transport& transport) const override;
  /// "auto" until identified, then the flavour's name.
  std::string name() const override;

  /// @name The Provider interface, delegated to the identified flavour
  /// (encode_*: invalid_request before identification; the rest: as generic until then).
  ///@{
  Result<HttpRequest> encode_chat(const ChatRequest& request) const override;
  Result<ChatResponse> decode_chat(const HttpResponse& response) const override;
  Result<HttpRequest> encode_models() const override;
  Result<std::vector<ModelInfo>> decode_models(const HttpResponse& response) const override;
  Result<HttpRequest> encode_health() const override;
  Error decode_error(const HttpResponse& response) const override;
  Result<StreamEvent> decode_stream_event(const SseEvent& event) const override;
  std::unique_ptr<StreamDecoder> stream_decoder() const override;
  ProviderCapabilities capabilities() const override;
  const ModelSpec* model_spec(const std::string& model) const override;
  bool stream_requires_done() const override;
  void redact(std::string& text) const override;
  using Provider::redact;
  ///@}

 private:
  struct State;
  // The identified provider; nullptr until prepare() succeeded.
  const SelfHostedProvider* identified() const;
  // The identified provider, or the generic stand-in (for decoding and redaction) before that.
  const SelfHostedProvider& current() const;
  Error not_identified() const;
  std::unique_ptr<State> state_;
};

/// detect_flavour() with a default CurlTransport, then self_hosted() with what it found.
LEMMA_EXPORT Result<std::shared_ptr<Provider>> detect_self_hosted(const std::string& base_url,
                                                                  ApiKey api_key = {});

/// A self-hosted server of `flavour` at `base_url` (auto_detect: an AutoDetectedProvider).
LEMMA_EXPORT std::shared_ptr<Provider> self_hosted(std::string base_url, Flavour flavour,
                                                   ApiKey api_key = {});

}  // namespace lemma::providers
