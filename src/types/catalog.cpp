#include "lemma/catalog.hpp"

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

}  // namespace lemma
