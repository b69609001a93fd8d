#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lemma {

/// Sampling and output parameters. Every field is optional and is sent only when set, so the
/// server's (or model's) own default applies otherwise.
///
/// Which ranges are valid depends on the provider: lemma checks them before sending and refuses
/// out-of-range values with an invalid_request error naming the field.
struct SamplingParams {
  /// Randomness; 0 is greedy. OpenAI-compatible servers accept 0..2.
  std::optional<double> temperature;
  /// Nucleus sampling mass, in (0, 1] on OpenAI-compatible servers.
  std::optional<double> top_p;
  /// Sample among the k most likely tokens (vLLM, SGLang, TGI, llama.cpp, Dataoorts).
  std::optional<std::int64_t> top_k;
  /// Minimum probability relative to the top token (vLLM, SGLang, llama.cpp).
  std::optional<double> min_p;
  /// Upper bound on generated tokens; must be >= 1.
  std::optional<std::int64_t> max_tokens;
  /// Seed for reproducible sampling where the server supports it.
  std::optional<std::int64_t> seed;
  /// Up to a few strings that end generation when produced.
  std::optional<std::vector<std::string>> stop;
  /// How many choices to generate; must be >= 1.
  std::optional<std::int64_t> n;
  /// Penalises tokens that already appeared (OpenAI: -2..2).
  std::optional<double> presence_penalty;
  /// Penalises tokens by how often they appeared (OpenAI: -2..2).
  std::optional<double> frequency_penalty;
  /// Multiplicative repetition penalty (vLLM, TGI, llama.cpp, Dataoorts); must be > 0.
  std::optional<double> repetition_penalty;
  /// Return log-probabilities of the output tokens.
  std::optional<bool> logprobs;
  /// With logprobs: how many alternatives per position (0..20).
  std::optional<std::int64_t> top_logprobs;
  /// Output format, e.g. {"type": "json_object"}, sent verbatim.
  std::optional<nlohmann::json> response_format;
  /// An end-user id for the provider's abuse monitoring.
  std::optional<std::string> user;
  /// A JSON object merged into the request body last, for server-specific parameters
  /// (vLLM `guided_json`, `chat_template_kwargs`, llama.cpp `n_probs`, ...). Its keys override
  /// anything lemma wrote, so it is also the escape hatch for a field lemma encodes differently.
  nlohmann::json extra = nlohmann::json::object();
};

}  // namespace lemma
