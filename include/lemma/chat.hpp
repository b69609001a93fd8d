#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lemma/export.hpp"
#include "lemma/message.hpp"
#include "lemma/sampling_params.hpp"

namespace lemma {

/// Options that apply when a request is streamed.
struct StreamOptions {
  /// Ask the server for a final usage chunk (`stream_options.include_usage`). Default on.
  bool include_usage = true;
};

/// A chat-completion request: which model, the conversation, and how to sample.
struct ChatRequest {
  /// Model name as the provider knows it, e.g. "deepseek/deepseek-prover-v2". Required.
  std::string model;
  /// The conversation so far; at least one message. Required.
  std::vector<Message> messages;
  /// Sampling parameters; unset fields are not sent.
  SamplingParams sampling;
  /// Ask the server to stream the answer. Client::chat() always sends false and
  /// Client::stream() always sends true; this matters only to custom code calling a Provider.
  bool stream = false;
  /// Streaming options, sent only when the request is streamed.
  StreamOptions stream_options;
};

/// Token counts for one call, as reported by the server.
struct Usage {
  /// Tokens in the prompt.
  std::int64_t prompt_tokens = 0;
  /// Tokens generated (including reasoning tokens on servers that count them here).
  std::int64_t completion_tokens = 0;
  /// prompt_tokens + completion_tokens, as the server reported it.
  std::int64_t total_tokens = 0;
  /// Prompt tokens served from the server's prefix cache (`prompt_tokens_details.cached_tokens`).
  std::optional<std::int64_t> cached_tokens;
  /// Tokens spent on reasoning (`completion_tokens_details.reasoning_tokens`).
  std::optional<std::int64_t> reasoning_tokens;

  /// Field-by-field equality.
  friend bool operator==(const Usage& a, const Usage& b) {
    return a.prompt_tokens == b.prompt_tokens && a.completion_tokens == b.completion_tokens &&
           a.total_tokens == b.total_tokens && a.cached_tokens == b.cached_tokens &&
           a.reasoning_tokens == b.reasoning_tokens;
  }
};

/// One generated alternative.
struct Choice {
  /// Position among the choices (0 unless n > 1).
  std::int64_t index = 0;
  /// The assistant message: content, reasoning_content, refusal, tool_calls.
  Message message;
  /// Why generation stopped: "stop", "length", "tool_calls", "content_filter", ... or empty
  /// when the server did not say.
  std::string finish_reason;
  /// Log-probabilities as the server sent them (null when not requested).
  nlohmann::json logprobs;
};

/// A chat-completion response.
struct LEMMA_EXPORT ChatResponse {
  /// The server's id for this completion.
  std::string id;
  /// Object type, "chat.completion" on OpenAI-compatible servers.
  std::string object;
  /// Creation time, seconds since the Unix epoch (0 when absent).
  std::int64_t created = 0;
  /// The model that answered.
  std::string model;
  /// Backend configuration fingerprint, when the server sends one.
  std::optional<std::string> system_fingerprint;
  /// The generated alternatives (one unless n > 1).
  std::vector<Choice> choices;
  /// Token counts, when the server reported them.
  std::optional<Usage> usage;
  /// What the call cost in US dollars: usage times the model's prices in the ModelCatalog,
  /// when both are known.
  std::optional<double> cost_usd;
  /// The server's request id (x-request-id and similar headers) of a whole (non-streamed)
  /// answer, for support tickets; "" when it sent none.
  std::string request_id;
  /// The whole response body as received, including fields lemma does not model.
  nlohmann::json raw;

  /// The first choice's content, or "" when there is none.
  const std::string& text() const noexcept;
  /// The first choice's reasoning_content, or "" when there is none.
  const std::string& reasoning() const noexcept;
};

}  // namespace lemma
