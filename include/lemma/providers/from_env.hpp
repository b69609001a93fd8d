#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "lemma/export.hpp"
#include "lemma/provider.hpp"
#include "lemma/result.hpp"

namespace lemma::providers {

/// A provider and model chosen from configuration.
struct EnvConfig {
  /// The configured provider.
  std::shared_ptr<Provider> provider;
  /// The model to use (LEMMA_MODEL, or the provider's default); empty when neither is set:
  /// then resolve_model() asks the server for its one model.
  std::string model;
  /// One line saying what was chosen, e.g. "aimlapi, model deepseek/deepseek-prover-v2" (no key).
  std::string description;
};

/// Reads an environment variable; nullopt when unset or empty.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

/// Picks and configures a provider from the environment:
/// - `LEMMA_PROVIDER`: `aimlapi`, `dataoorts`, `openai_compatible` (also `openai`,
///   `self_hosted`) or a self-hosted flavour (`vllm`, `sglang`, `tgi`, `llama_cpp`, `ollama`,
///   `generic`, `auto`). When unset: `openai_compatible` if `LEMMA_BASE_URL` is set, else
///   `aimlapi` if `AIMLAPI_API_KEY` is set, else `dataoorts` if `DATAOORTS_API_KEY` is set.
/// - `LEMMA_BASE_URL`: the endpoint (required for OpenAI-compatible and self-hosted servers;
///   overrides the hosted providers' default).
/// - `LEMMA_API_KEY`: the key, for any provider (wins over the two below).
/// - `AIMLAPI_API_KEY`, `DATAOORTS_API_KEY`: the hosted providers' keys.
/// - `LEMMA_MODEL`: the model; defaults `deepseek/deepseek-prover-v2` (aimlapi) and
///   `deepseek-ai/deepseek-math-7b-instruct` (dataoorts); for the others EnvConfig::model is
///   left empty when it is unset, for resolve_model() to fill in from the server's model list.
///
/// Returns an invalid_request Error that lists every missing or wrong variable.
LEMMA_EXPORT Result<EnvConfig> from_env();
/// The same, reading variables through `lookup` (for tests and other configuration sources).
LEMMA_EXPORT Result<EnvConfig> from_env(const EnvLookup& lookup);

}  // namespace lemma::providers
