#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lemma/chat.hpp"
#include "lemma/export.hpp"
#include "lemma/validation.hpp"

namespace lemma {

/// What lemma knows about one model at one provider: limits, features and prices. Data, not
/// code: providers consult it, users can add their own entries.
struct LEMMA_EXPORT ModelSpec {
  /// Provider::name() of the provider that serves it, e.g. "dataoorts".
  std::string provider;
  /// The model name as the provider knows it.
  std::string model;
  /// Context window in tokens (prompt + completion), when known.
  std::optional<std::int64_t> context_window;
  /// The provider's default max_tokens, when known.
  std::optional<std::int64_t> default_max_tokens;
  /// Whether the provider can stream this model.
  bool streaming = true;
  /// Whether the model emits separate reasoning (reasoning_content or <think> tags).
  bool reasoning = false;
  /// Price in US dollars per million prompt tokens, when known.
  std::optional<double> input_usd_per_million;
  /// Price in US dollars per million completion tokens, when known.
  std::optional<double> output_usd_per_million;
  /// Accepted ranges of sampling parameters, by name ("temperature", "top_p", ...); a
  /// parameter not listed is checked by the provider's general rules only.
  std::map<std::string, Range> ranges;

  /// Cost of `usage` in US dollars, when both prices are known.
  std::optional<double> cost(const Usage& usage) const;
};

/// A set of ModelSpecs, looked up by provider and model.
class LEMMA_EXPORT ModelCatalog {
 public:
  /// An empty catalogue.
  ModelCatalog() = default;
  /// The entries lemma ships with (from the providers' published pages; prices where the
  /// provider publishes them, unknown otherwise).
  static const ModelCatalog& builtin();

  /// Adds or replaces the entry for (spec.provider, spec.model).
  void add(ModelSpec spec);
  /// The entry, or nullptr.
  const ModelSpec* find(const std::string& provider, const std::string& model) const;
  /// All entries of `provider`.
  std::vector<ModelSpec> models_of(const std::string& provider) const;

 private:
  std::map<std::pair<std::string, std::string>, ModelSpec> specs_;
};

}  // namespace lemma
