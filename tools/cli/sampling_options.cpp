#include "sampling_options.hpp"

#include <nlohmann/json.hpp>

namespace lemma::cli {

void add_sampling_options(CLI::App& command, SamplingSettings& settings) {
  command.add_option("--temperature", settings.temperature, "Sampling temperature, e.g. 0.6")
      ->group("Sampling");
  command.add_option("--top-p", settings.top_p, "Nucleus sampling mass, in (0, 1]")
      ->group("Sampling");
  command.add_option("--top-k", settings.top_k, "Sample among the k most likely tokens")
      ->group("Sampling");
  command.add_option("--max-tokens", settings.max_tokens, "Upper bound on generated tokens")
      ->group("Sampling");
  command.add_option("--seed", settings.seed, "Seed for reproducible sampling")->group("Sampling");
  command.add_option("--stop", settings.stop, "A string that ends generation (repeat for several)")
      ->allow_extra_args(false)
      ->group("Sampling");
  command
      .add_option("--extra", settings.extra,
                  "A JSON object merged into the request body, for server-specific parameters, "
                  "e.g. '{\"min_p\": 0.05}'")
      ->group("Sampling");
}

Result<SamplingParams> sampling_from(const CLI::App& command, const SamplingSettings& settings) {
  SamplingParams sampling;
  if (!settings.extra.empty()) {
    nlohmann::json extra = nlohmann::json::parse(settings.extra, nullptr, false);
    if (extra.is_discarded() || !extra.is_object()) {
      return invalid_request_error(
          "extra",
          "--extra is not a JSON object (pass one such as '{\"min_p\": 0.05}', quoted for the "
          "shell)");
    }
    sampling.extra = std::move(extra);
  }
  if (command.count("--temperature") > 0) sampling.temperature = settings.temperature;
  if (command.count("--top-p") > 0) sampling.top_p = settings.top_p;
  if (command.count("--top-k") > 0) sampling.top_k = settings.top_k;
  if (command.count("--max-tokens") > 0) sampling.max_tokens = settings.max_tokens;
  if (command.count("--seed") > 0) sampling.seed = settings.seed;
  if (!settings.stop.empty()) sampling.stop = settings.stop;
  return sampling;
}

}  // namespace lemma::cli
