#include "lemma/providers/from_env.hpp"

#include <cstdlib>
#include <vector>

#include "lemma/providers/aimlapi.hpp"
#include "lemma/providers/dataoorts.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/providers/self_hosted.hpp"

namespace lemma::providers {

namespace {

std::optional<std::string> real_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : "; ") + item;
  return out;
}

}  // namespace

Result<EnvConfig> from_env() {
  return from_env(real_env);
}

Result<EnvConfig> from_env(const EnvLookup& lookup) {
  const auto base_url = lookup("LEMMA_BASE_URL");
  const auto lemma_key = lookup("LEMMA_API_KEY");
  const auto aimlapi_key = lookup("AIMLAPI_API_KEY");
  const auto dataoorts_key = lookup("DATAOORTS_API_KEY");
  auto model = lookup("LEMMA_MODEL");

  std::string kind = lookup("LEMMA_PROVIDER").value_or("");
  if (kind.empty()) {
    if (base_url) {
      kind = "openai_compatible";
    } else if (aimlapi_key) {
      kind = "aimlapi";
    } else if (dataoorts_key) {
      kind = "dataoorts";
    } else {
      return invalid_request_error(
          "LEMMA_PROVIDER",
          "No provider is configured: set LEMMA_BASE_URL (and LEMMA_MODEL) for an "
          "OpenAI-compatible server, or AIMLAPI_API_KEY for AIML API, or DATAOORTS_API_KEY for "
          "Dataoorts (or LEMMA_PROVIDER with LEMMA_API_KEY).");
    }
  }

  std::vector<std::string> missing;
  EnvConfig config;
  if (kind == "aimlapi") {
    const auto key = lemma_key ? lemma_key : aimlapi_key;
    if (!key) missing.push_back("AIMLAPI_API_KEY (or LEMMA_API_KEY) is not set");
    if (!model) model = "deepseek/deepseek-prover-v2";
    if (missing.empty()) config.provider = aimlapi(*key, base_url.value_or(kAimlApiBaseUrl));
  } else if (kind == "dataoorts") {
    const auto key = lemma_key ? lemma_key : dataoorts_key;
    if (!key) missing.push_back("DATAOORTS_API_KEY (or LEMMA_API_KEY) is not set");
    if (!model) model = "deepseek-ai/deepseek-math-7b-instruct";
    if (missing.empty()) {
      DataoortsOptions options;
      options.api_key = *key;
      if (base_url) options.base_url = *base_url;
      config.provider = std::make_shared<DataoortsProvider>(std::move(options));
    }
  } else if (kind == "openai_compatible" || kind == "openai" || kind == "self_hosted" ||
             parse_flavour(kind)) {
    if (!base_url) missing.push_back("LEMMA_BASE_URL is not set (e.g. http://127.0.0.1:8000/v1)");
    // No LEMMA_MODEL: the model stays empty and resolve_model() asks the server, which often
    // serves exactly one.
    if (missing.empty()) {
      if (auto flavour = parse_flavour(kind)) {
        config.provider = self_hosted(*base_url, *flavour, lemma_key.value_or(""));
      } else {
        config.provider = openai_compatible(*base_url, lemma_key.value_or(""));
      }
    }
  } else {
    return invalid_request_error(
        "LEMMA_PROVIDER", "LEMMA_PROVIDER is '" + kind +
                              "'; use aimlapi, dataoorts, openai_compatible, or a self-hosted "
                              "flavour: vllm, sglang, tgi, llama_cpp, ollama, generic, auto.");
  }
  if (!missing.empty()) {
    return invalid_request_error(
        "environment", "Cannot configure the " + kind + " provider: " + join(missing) + ".");
  }
  config.model = model.value_or("");
  config.description = config.provider->name() + ", model " +
                       (config.model.empty() ? "not set (ask the server)" : config.model);
  return config;
}

}  // namespace lemma::providers
