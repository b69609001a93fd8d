#include "lemma/providers/self_hosted.hpp"

#include "lemma/curl_transport.hpp"

#include <array>

#include "core/error_text_private.hpp"
#include "lemma/wire.hpp"
#include "wire/openai/json_reader_private.hpp"

namespace lemma::providers {

namespace {

FlavourTraits make_traits(bool top_k, bool min_p, bool repetition_penalty, std::string rp_name,
                          bool think_inline, std::string health, bool batch_api,
                          bool multiple_choices) {
  FlavourTraits t;
  t.top_k = top_k;
  t.min_p = min_p;
  t.repetition_penalty = repetition_penalty;
  t.repetition_penalty_name = std::move(rp_name);
  t.think_tags_inline = think_inline;
  t.health_path = std::move(health);
  t.batch_api = batch_api;
  t.multiple_choices = multiple_choices;
  return t;
}

OpenAICompatibleOptions base_options(const SelfHostedOptions& options) {
  OpenAICompatibleOptions base;
  base.base_url = options.base_url;
  base.api_key = options.api_key;
  base.name = std::string(to_string(options.flavour));
  base.split_think_tags =
      options.split_think_tags.value_or(traits_of(options.flavour).think_tags_inline);
  base.think_starts_open = options.think_starts_open;
  base.max_json_depth = options.max_json_depth;
  base.capabilities.batch_api = traits_of(options.flavour).batch_api;
  base.capabilities.multiple_choices = traits_of(options.flavour).multiple_choices;
  return base;
}

}  // namespace

std::string_view to_string(Flavour flavour) noexcept {
  switch (flavour) {
    case Flavour::vllm: return "vllm";
    case Flavour::sglang: return "sglang";
    case Flavour::tgi: return "tgi";
    case Flavour::llama_cpp: return "llama_cpp";
    case Flavour::ollama: return "ollama";
    case Flavour::generic: return "generic";
    case Flavour::auto_detect: return "auto";
  }
  return "generic";
}

Result<Flavour> parse_flavour(std::string_view name) {
  for (Flavour f : {Flavour::vllm, Flavour::sglang, Flavour::tgi, Flavour::llama_cpp,
                    Flavour::ollama, Flavour::generic, Flavour::auto_detect}) {
    if (name == to_string(f)) return f;
  }
  if (name == "llama.cpp" || name == "llamacpp") return Flavour::llama_cpp;
  if (name == "auto_detect") return Flavour::auto_detect;
  return invalid_request_error("flavour", "Unknown self-hosted server flavour '" +
                                              std::string(name) +
                                              "'; use vllm, sglang, tgi, llama_cpp, ollama, "
                                              "generic or auto.");
}

const FlavourTraits& traits_of(Flavour flavour) noexcept {
  // From each server's documented OpenAI-compatible chat API.
  // Batch API: SGLang serves OpenAI's Files and Batches endpoints; vLLM's server does not
  // (only the offline `vllm run-batch`), nor do TGI, llama.cpp or Ollama.
  // n > 1: vLLM and SGLang return n choices; TGI, llama.cpp and Ollama return one.
  static const std::array<FlavourTraits, 7> kTraits = {
      make_traits(true, true, true, "repetition_penalty", false, "/health", false, true),  // vllm
      make_traits(true, true, true, "repetition_penalty", false, "/health", true, true),   // sglang
      make_traits(false, false, false, "repetition_penalty", true, "/health", false,
                  false),                                                               // tgi
      make_traits(true, true, true, "repeat_penalty", false, "/health", false, false),  // llama
      make_traits(false, false, false, "repetition_penalty", true, "/api/version", false,
                  false),                                                           // ollama
      make_traits(true, true, true, "repetition_penalty", false, "", true, true),   // generic
      make_traits(true, true, true, "repetition_penalty", false, "", true, true)};  // auto
  return kTraits[static_cast<std::size_t>(flavour)];
}

SelfHostedProvider::SelfHostedProvider(SelfHostedOptions options)
    : OpenAICompatibleProvider(base_options(options)),
      flavour_(options.flavour),
      traits_(traits_of(options.flavour)) {}

std::optional<Error> SelfHostedProvider::validate(const ChatRequest& request) const {
  if (auto error = OpenAICompatibleProvider::validate(request)) return error;
  const SamplingParams& s = request.sampling;
  const std::pair<const char*, bool> unsupported[] = {
      {"top_k", s.top_k && !traits_.top_k},
      {"min_p", s.min_p && !traits_.min_p},
      {"repetition_penalty", s.repetition_penalty && !traits_.repetition_penalty}};
  for (const auto& [param, refused] : unsupported) {
    if (refused) {
      return invalid_request_error(
          param, std::string(to_string(flavour_)) + " does not accept '" + param +
                     "' in its OpenAI-compatible chat API (it would be ignored); remove it, or "
                     "put it in SamplingParams::extra to send it anyway.");
    }
  }
  return std::nullopt;
}

void SelfHostedProvider::adapt_body(nlohmann::json& body) const {
  if (traits_.repetition_penalty_name != "repetition_penalty") {
    auto it = body.find("repetition_penalty");
    if (it != body.end()) {
      body[traits_.repetition_penalty_name] = *it;
      body.erase("repetition_penalty");
    }
  }
}

Result<HttpRequest> SelfHostedProvider::encode_health() const {
  if (traits_.health_path.empty()) return encode_models();
  auto request = make_server_request("GET", traits_.health_path);
  if (request) request->headers.remove("Content-Type");
  return request;
}

namespace {

// One probe: GET, short timeout; the JSON body when it answered 2xx with JSON, else null.
struct Probe {
  bool reachable = false;
  nlohmann::json body;  // null unless a 2xx JSON answer
};

Probe probe(Transport& transport, const std::string& url, const ApiKey& api_key,
            std::size_t max_json_depth, std::optional<Error>& unreachable) {
  HttpRequest request;
  request.method = "GET";
  request.url = url;
  request.timeout = std::chrono::seconds(5);
  request.connect_timeout = std::chrono::seconds(5);
  request.max_response_bytes = 1024 * 1024;
  if (!api_key.empty()) request.headers.set("Authorization", "Bearer " + api_key.reveal());
  Probe out;
  auto response = transport.send(request);
  if (!response) {
    if (response.error().kind == ErrorKind::connection && !unreachable) {
      unreachable = response.error();
    }
    return out;
  }
  out.reachable = true;
  if (response->is_success()) {
    // Bounded like every server body; an unparsable or too-deep answer just identifies nothing.
    auto parsed = detail::parse_bounded(response->body, max_json_depth);
    if (parsed.status == detail::BoundedParse::Status::ok) out.body = std::move(parsed.value);
  }
  return out;
}

// The first model entry of a /models answer, or nullptr. Checked reads only: the answer is
// whatever the server sent, and nothing may throw out of detection.
const nlohmann::json* first_model_of(const nlohmann::json& models) {
  const nlohmann::json* data = detail::JsonReader::member(models, "data");
  if (!data || !data->is_array() || data->empty() || !(*data)[0].is_object()) return nullptr;
  return &(*data)[0];
}

std::string owned_by_of(const nlohmann::json& models) {
  const nlohmann::json* model = first_model_of(models);
  const nlohmann::json* owner = model ? detail::JsonReader::member(*model, "owned_by") : nullptr;
  return owner && owner->is_string() ? owner->get_ref<const std::string&>() : std::string();
}

}  // namespace

Result<DetectedFlavour> detect_flavour(const std::string& base_url, Transport& transport,
                                       const ApiKey& api_key, std::size_t max_json_depth) {
  OpenAICompatibleOptions options;
  options.base_url = base_url;
  const OpenAICompatibleProvider layout(options);  // applies the base-URL rule
  if (!layout.root()) return layout.root().error();
  const Url root = *layout.root();
  Url server = root;
  server.path.clear();
  std::optional<Error> unreachable;
  bool any_answer = false;

  const Probe models = probe(transport, root.join("/models"), api_key, max_json_depth, unreachable);
  any_answer = any_answer || models.reachable;
  const std::string owner = owned_by_of(models.body);
  if (owner == "vllm")
    return DetectedFlavour{Flavour::vllm, "GET " + root.path + "/models: owned_by is \"vllm\""};
  if (owner == "sglang")
    return DetectedFlavour{Flavour::sglang, "GET " + root.path + "/models: owned_by is \"sglang\""};
  const nlohmann::json* first_model = first_model_of(models.body);
  if (owner == "llamacpp" || (first_model && first_model->contains("meta"))) {
    return DetectedFlavour{Flavour::llama_cpp,
                           "GET " + root.path + "/models: llama.cpp's owned_by/meta"};
  }
  if (unreachable && !any_answer) return *unreachable;

  const Probe version =
      probe(transport, server.join("/api/version"), api_key, max_json_depth, unreachable);
  if (version.body.is_object() && version.body.contains("version")) {
    return DetectedFlavour{Flavour::ollama,
                           "GET /api/version answered {\"version\": ...} (Ollama)"};
  }
  const Probe info = probe(transport, server.join("/info"), api_key, max_json_depth, unreachable);
  if (info.body.is_object() && info.body.contains("model_id") &&
      (info.body.contains("router") || info.body.contains("sha"))) {
    return DetectedFlavour{Flavour::tgi, "GET /info answered model_id and router/sha (TGI)"};
  }
  const Probe props = probe(transport, server.join("/props"), api_key, max_json_depth, unreachable);
  if (props.body.is_object() && props.body.contains("default_generation_settings")) {
    return DetectedFlavour{Flavour::llama_cpp,
                           "GET /props answered default_generation_settings (llama.cpp)"};
  }
  return DetectedFlavour{Flavour::generic,
                         "no probe identified the server (models owned_by \"" + owner +
                             "\", no Ollama /api/version, TGI /info or llama.cpp /props)"};
}

Result<std::shared_ptr<Provider>> detect_self_hosted(const std::string& base_url, ApiKey api_key) {
  CurlTransport transport;
  auto detected = detect_flavour(base_url, transport, api_key);
  if (!detected) {
    Error error = detected.error();
    for (std::string* text : {&error.message, &error.provider_message, &error.code, &error.type,
                              &error.param, &error.request_id, &error.body_excerpt}) {
      api_key.redact_in(*text);
    }
    detail::sanitize(error, nullptr);  // control characters from the server made visible
    return error;
  }
  return self_hosted(base_url, detected->flavour, std::move(api_key));
}

std::shared_ptr<Provider> self_hosted(std::string base_url, Flavour flavour, ApiKey api_key) {
  SelfHostedOptions options;
  options.base_url = std::move(base_url);
  options.flavour = flavour;
  options.api_key = std::move(api_key);
  if (flavour == Flavour::auto_detect) {
    return std::make_shared<AutoDetectedProvider>(std::move(options));
  }
  return std::make_shared<SelfHostedProvider>(std::move(options));
}

}  // namespace lemma::providers
