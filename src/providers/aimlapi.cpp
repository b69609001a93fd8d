#include "lemma/providers/aimlapi.hpp"

#include "lemma/providers/openai_compatible.hpp"

namespace lemma::providers {

std::shared_ptr<Provider> aimlapi(ApiKey api_key, std::string base_url) {
  OpenAICompatibleOptions options;
  options.base_url = std::move(base_url);
  options.api_key = std::move(api_key);
  options.name = "aimlapi";
  return std::make_shared<OpenAICompatibleProvider>(std::move(options));
}

}  // namespace lemma::providers
