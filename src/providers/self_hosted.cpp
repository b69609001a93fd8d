#include "lemma/providers/self_hosted.hpp"

#include <array>

namespace lemma::providers {

namespace {

FlavourTraits make_traits(bool top_k, bool min_p, bool repetition_penalty, std::string rp_name,
                          bool think_inline, std::string health) {
  FlavourTraits t;
  t.top_k = top_k;
  t.min_p = min_p;
  t.repetition_penalty = repetition_penalty;
  t.repetition_penalty_name = std::move(rp_name);
  t.think_tags_inline = think_inline;
  t.health_path = std::move(health);
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
  }
  return "generic";
}

Result<Flavour> parse_flavour(std::string_view name) {
  for (Flavour f : {Flavour::vllm, Flavour::sglang, Flavour::tgi, Flavour::llama_cpp,
                    Flavour::ollama, Flavour::generic}) {
    if (name == to_string(f)) return f;
  }
  if (name == "llama.cpp" || name == "llamacpp") return Flavour::llama_cpp;
  return invalid_request_error("flavour", "Unknown self-hosted server flavour '" +
                                              std::string(name) +
                                              "'; use vllm, sglang, tgi, llama_cpp, ollama or "
                                              "generic.");
}

const FlavourTraits& traits_of(Flavour flavour) noexcept {
  // From each server's documented OpenAI-compatible chat API.
  static const std::array<FlavourTraits, 6> kTraits = {
      make_traits(true, true, true, "repetition_penalty", false, "/health"),         // vllm
      make_traits(true, true, true, "repetition_penalty", false, "/health"),         // sglang
      make_traits(false, false, false, "repetition_penalty", true, "/health"),       // tgi
      make_traits(true, true, true, "repeat_penalty", false, "/health"),             // llama_cpp
      make_traits(false, false, false, "repetition_penalty", true, "/api/version"),  // ollama
      make_traits(true, true, true, "repetition_penalty", false, "")};               // generic
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

std::shared_ptr<Provider> self_hosted(std::string base_url, Flavour flavour, ApiKey api_key) {
  SelfHostedOptions options;
  options.base_url = std::move(base_url);
  options.flavour = flavour;
  options.api_key = std::move(api_key);
  return std::make_shared<SelfHostedProvider>(std::move(options));
}

}  // namespace lemma::providers
