#pragma once

#include <memory>
#include <string>

#include "lemma/api_key.hpp"
#include "lemma/export.hpp"
#include "lemma/provider.hpp"

namespace lemma::providers {

/// AIML API's default base URL.
inline constexpr const char* kAimlApiBaseUrl = "https://api.aimlapi.com/v1";

/// AIML API (OpenAI-compatible; e.g. model "deepseek/deepseek-prover-v2"): Bearer auth,
/// POST <base>/chat/completions, every OpenAI request parameter, `reasoning_content` in
/// responses. Its error bodies (OpenAI's shape, or {"statusCode", "message", "error"}) become
/// typed errors. Provider name: "aimlapi".
LEMMA_EXPORT std::shared_ptr<Provider> aimlapi(ApiKey api_key,
                                               std::string base_url = kAimlApiBaseUrl);

}  // namespace lemma::providers
