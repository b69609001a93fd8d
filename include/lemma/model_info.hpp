#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace lemma {

/// One entry of a server's model list (GET /models).
struct ModelInfo {
  /// The model name to put in ChatRequest::model.
  std::string id;
  /// Object type, usually "model".
  std::string object;
  /// Creation time, seconds since the Unix epoch (0 when absent).
  std::int64_t created = 0;
  /// Owner as reported by the server ("" when absent).
  std::string owned_by;
  /// Context window in tokens, when the server reports one (vLLM `max_model_len`, ...).
  std::optional<std::int64_t> context_length;
  /// The entry as received, including server-specific fields.
  nlohmann::json raw;
};

}  // namespace lemma
