// The built-in catalogue's entries: the provider layer owns what it knows about its models
// (documented ranges, prices), so the generic ModelCatalog (src/types/catalog.cpp) stays free
// of any one provider's private data.
#include "lemma/catalog.hpp"
#include "providers/dataoorts_ranges_private.hpp"

namespace lemma {

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
