#pragma once

#include <string>

#include "lemma/client.hpp"
#include "lemma/client_options.hpp"
#include "lemma/export.hpp"
#include "lemma/result.hpp"

namespace lemma {

/// The model to use: `configured` when it is not empty (no I/O); otherwise the server's only
/// model, asked through `client.models()` (a self-hosted vLLM, llama.cpp or Ollama box usually
/// serves exactly one). Several models are an invalid_request Error that lists them (the first
/// 20) so the caller can choose; an empty list is an invalid_request Error too; a failed model
/// list keeps its own kind (e.g. `connection`) and says to configure the model instead.
LEMMA_EXPORT Result<std::string> resolve_model(const Client& client, std::string configured,
                                               const CallOptions& call = {});

}  // namespace lemma
