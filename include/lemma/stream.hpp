#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lemma/chat.hpp"
#include "lemma/error.hpp"
#include "lemma/export.hpp"

namespace lemma {

/// A fragment of one tool call inside a streamed delta; fragments with the same `index` belong
/// to the same call.
struct ToolCallDelta {
  /// Which tool call of the choice this fragment extends.
  std::int64_t index = 0;
  /// The call's id (usually only in the first fragment).
  std::optional<std::string> id;
  /// The call's type (usually only in the first fragment).
  std::optional<std::string> type;
  /// The function name (usually only in the first fragment).
  std::optional<std::string> function_name;
  /// The next piece of the arguments' JSON text.
  std::optional<std::string> arguments;

  /// Field-by-field equality.
  friend bool operator==(const ToolCallDelta& a, const ToolCallDelta& b) {
    return a.index == b.index && a.id == b.id && a.type == b.type &&
           a.function_name == b.function_name && a.arguments == b.arguments;
  }
};

/// What one chunk adds to a choice's message.
struct ChunkDelta {
  /// The role, usually only in the first chunk.
  std::optional<std::string> role;
  /// The next piece of the answer.
  std::optional<std::string> content;
  /// The next piece of the reasoning.
  std::optional<std::string> reasoning_content;
  /// The next piece of a refusal.
  std::optional<std::string> refusal;
  /// Fragments of tool calls.
  std::vector<ToolCallDelta> tool_calls;

  /// Field-by-field equality.
  friend bool operator==(const ChunkDelta& a, const ChunkDelta& b) {
    return a.role == b.role && a.content == b.content &&
           a.reasoning_content == b.reasoning_content && a.refusal == b.refusal &&
           a.tool_calls == b.tool_calls;
  }
};

/// One choice's part of a chunk.
struct ChunkChoice {
  /// Which choice this extends (0 unless n > 1).
  std::int64_t index = 0;
  /// What this chunk adds.
  ChunkDelta delta;
  /// Set on the choice's last chunk: "stop", "length", "tool_calls", ... ("" before).
  std::string finish_reason;
  /// Log-probabilities of this chunk's tokens, as the server sent them (null when absent).
  nlohmann::json logprobs;

  /// Field-by-field equality.
  friend bool operator==(const ChunkChoice& a, const ChunkChoice& b) {
    return a.index == b.index && a.delta == b.delta && a.finish_reason == b.finish_reason &&
           a.logprobs == b.logprobs;
  }
};

/// One streamed chunk (`chat.completion.chunk`).
struct ChatChunk {
  /// The completion's id (the same on every chunk).
  std::string id;
  /// Object type, "chat.completion.chunk" on OpenAI-compatible servers.
  std::string object;
  /// Creation time, seconds since the Unix epoch.
  std::int64_t created = 0;
  /// The model that answers.
  std::string model;
  /// Backend fingerprint, when sent.
  std::optional<std::string> system_fingerprint;
  /// The choices this chunk extends; empty on the final usage chunk.
  std::vector<ChunkChoice> choices;
  /// Token counts: on the final chunk when `stream_options.include_usage` is on.
  std::optional<Usage> usage;

  /// Field-by-field equality.
  friend bool operator==(const ChatChunk& a, const ChatChunk& b) {
    return a.id == b.id && a.object == b.object && a.created == b.created && a.model == b.model &&
           a.system_fingerprint == b.system_fingerprint && a.choices == b.choices &&
           a.usage == b.usage;
  }
  /// Field-by-field inequality.
  friend bool operator!=(const ChatChunk& a, const ChatChunk& b) { return !(a == b); }
};

/// Folds chunks into the ChatResponse the non-streaming call would have returned: content,
/// reasoning and refusal concatenated per choice, tool-call arguments joined by index,
/// finish_reason, usage, id and model.
class LEMMA_EXPORT StreamAccumulator {
 public:
  /// Adds one chunk.
  void add(const ChatChunk& chunk);
  /// The response so far (`raw` stays null: there is no single body).
  const ChatResponse& response() const noexcept { return response_; }
  /// Number of chunks added.
  std::size_t chunk_count() const noexcept { return chunks_; }
  /// Sets the response's cost (the Client does, at the end of a stream, when prices are known).
  void set_cost_usd(std::optional<double> cost) { response_.cost_usd = cost; }

 private:
  Choice& choice_at(std::int64_t index);

  ChatResponse response_;
  std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> tool_call_positions_;
  std::size_t chunks_ = 0;
};

/// A streaming chat completion being received. Move-only; belongs to one thread, except
/// cancel(), which any thread may call.
///
/// @code
///   lemma::ChatStream stream = client.stream(request);
///   for (const lemma::ChatChunk& chunk : stream) { ... }
///   if (stream.error()) std::cerr << stream.error()->what();
///   const lemma::ChatResponse& whole = stream.response();
/// @endcode
///
/// Each token is delivered exactly once, in order. When the stream fails midway, error() says
/// why and how much was received; response() still holds everything received.
class LEMMA_EXPORT ChatStream {
 public:
  class State;
  class Iterator;

  /// A stream that failed before it started (used for caller mistakes and connection errors).
  explicit ChatStream(Error error);
  /// Takes over a running stream (Client::stream() builds these).
  explicit ChatStream(std::unique_ptr<State> state);
  /// Ends the stream, closing its connection if it is unfinished (reported as abandoned).
  ~ChatStream();
  /// Takes over another stream.
  ChatStream(ChatStream&& other) noexcept;
  /// Takes over another stream (ending this one first).
  ChatStream& operator=(ChatStream&& other) noexcept;
  ChatStream(const ChatStream&) = delete;
  ChatStream& operator=(const ChatStream&) = delete;

  /// Blocks for the next chunk; nullptr at the end of the stream or on an error (see error()).
  /// The pointer stays valid until the next call.
  const ChatChunk* next();
  /// The error that ended the stream, if any.
  const std::optional<Error>& error() const noexcept;
  /// True once the stream ended, normally or not.
  bool finished() const noexcept;
  /// Everything received so far, accumulated into one response.
  const ChatResponse& response() const noexcept;
  /// Stops the stream from any thread: the blocked next() returns promptly with a `cancelled`
  /// error and the connection is closed.
  void cancel() noexcept;
  /// Time from the call until the first content or reasoning token, once one arrived.
  std::optional<std::chrono::milliseconds> time_to_first_token() const noexcept;

  /// Range-for support: iterates the remaining chunks.
  Iterator begin();
  /// Range-for support.
  Iterator end() noexcept;

 private:
  std::unique_ptr<State> state_;
};

/// Input iterator over a ChatStream's chunks.
class LEMMA_EXPORT ChatStream::Iterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = ChatChunk;
  using difference_type = std::ptrdiff_t;
  using pointer = const ChatChunk*;
  using reference = const ChatChunk&;

  /// The end iterator.
  Iterator() = default;
  /// An iterator positioned at `chunk` of `stream`.
  Iterator(ChatStream* stream, const ChatChunk* chunk) : stream_(stream), chunk_(chunk) {}
  /// The current chunk.
  reference operator*() const { return *chunk_; }
  /// The current chunk.
  pointer operator->() const { return chunk_; }
  /// Advances to the next chunk (blocking).
  Iterator& operator++() {
    chunk_ = stream_->next();
    return *this;
  }
  /// Equal when both are at the end (or at the same chunk).
  friend bool operator==(const Iterator& a, const Iterator& b) { return a.chunk_ == b.chunk_; }
  /// Not equal.
  friend bool operator!=(const Iterator& a, const Iterator& b) { return !(a == b); }

 private:
  ChatStream* stream_ = nullptr;
  const ChatChunk* chunk_ = nullptr;
};

/// Callbacks for Client::stream(request, callbacks); each is optional.
struct StreamCallbacks {
  /// Every chunk; return false to stop the stream (the call then ends with `cancelled`).
  std::function<bool(const ChatChunk&)> on_chunk;
  /// Each piece of reasoning text (reasoning_content deltas of choice 0).
  std::function<void(std::string_view)> on_reasoning;
  /// Each piece of answer text (content deltas of choice 0).
  std::function<void(std::string_view)> on_content;
};

}  // namespace lemma
