#include "lemma/catalog.hpp"

#include "providers/dataoorts_ranges_private.hpp"

namespace lemma {

std::optional<double> ModelSpec::cost(const Usage& usage) const {
  if (!input_usd_per_million || !output_usd_per_million) return std::nullopt;
  return (static_cast<double>(usage.prompt_tokens) * *input_usd_per_million +
          static_cast<double>(usage.completion_tokens) * *output_usd_per_million) /
         1e6;
}

void ModelCatalog::add(ModelSpec spec) {
  auto key = std::make_pair(spec.provider, spec.model);
  specs_[std::move(key)] = std::move(spec);
}

const ModelSpec* ModelCatalog::find(const std::string& provider, const std::string& model) const {
  auto it = specs_.find({provider, model});
  return it == specs_.end() ? nullptr : &it->second;
}

std::vector<ModelSpec> ModelCatalog::models_of(const std::string& provider) const {
  std::vector<ModelSpec> out;
  for (const auto& [key, spec] : specs_) {
    if (key.first == provider) out.push_back(spec);
  }
  return out;
}

const ModelCatalog& ModelCatalog::builtin() {
  // Immutable after first use; built once, thread-safely.
  static const ModelCatalog catalog = [] {
    ModelCatalog c;
    {
      // Seed 002: Dataoorts' page for deepseek-math-7b-instruct.
      ModelSpec spec;
      spec.provider = "dataoorts";
      spec.model = "deepseek-ai/deepseek-math-7b-instruct";
      spec.context_window = 4096;
      spec.streaming = false;  // the page documents no stream format
      spec.reasoning = false;
      spec.input_usd_per_million = 0.10;
      spec.output_usd_per_million = 0.11;
      spec.ranges = providers::internal::dataoorts_documented_ranges();
      c.add(std::move(spec));
    }
    {
      // Seed 001: AIML API's page for DeepSeek-Prover-V2 (no prices or limits published there).
      ModelSpec spec;
      spec.provider = "aimlapi";
      spec.model = "deepseek/deepseek-prover-v2";
      spec.streaming = true;
      spec.reasoning = true;
      c.add(std::move(spec));
    }
    return c;
  }();
  return catalog;
}

}  // namespace lemma
