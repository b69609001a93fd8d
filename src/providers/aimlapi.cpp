#include "lemma/providers/aimlapi.hpp"

#include "lemma/providers/openai_compatible.hpp"

namespace lemma::providers {

std::shared_ptr<Provider> aimlapi(ApiKey api_key, std::string base_url) {
  OpenAICompatibleOptions options;
  options.base_url = std::move(base_url);
  options.api_key = std::move(api_key);
  options.name = "aimlapi";
  // AIML API's /v1/batches takes Anthropic-style message batches (a JSON list of requests),
  // not OpenAI's Files + Batches flow.
  options.capabilities.batch_api = false;
  // Not every model behind AIML API honours `n`; one choice per request is always right.
  options.capabilities.multiple_choices = false;
  return std::make_shared<OpenAICompatibleProvider>(std::move(options));
}

}  // namespace lemma::providers
