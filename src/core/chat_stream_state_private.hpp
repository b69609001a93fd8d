#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/call_queue_private.hpp"
#include "core/chunk_pipeline_private.hpp"
#include "lemma/http.hpp"
#include "lemma/observer.hpp"
#include "lemma/provider.hpp"
#include "lemma/sse_parser.hpp"
#include "lemma/stream.hpp"

namespace lemma {

/// The moving parts of one ChatStream: body bytes -> ChunkPipeline (SseParser -> provider) ->
/// chunks -> accumulator. Failures are recorded once and end the stream.
class ChatStream::State {
 public:
  using Clock = std::chrono::steady_clock;

  /// A stream that already failed.
  explicit State(Error error);
  /// A live server-sent-event stream over `body`.
  State(std::shared_ptr<const Provider> provider, std::unique_ptr<ResponseStream> body,
        SseParserOptions sse, std::size_t max_body_bytes, Clock::time_point start);
  /// A stream whose chunks are already known (a server that replied with plain JSON).
  State(std::shared_ptr<const Provider> provider, std::vector<ChatChunk> chunks,
        Clock::time_point start);

  ~State();
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  /// Reports this stream's first token, chunks and end to `observer` (may be null).
  void observe(std::shared_ptr<Observer> observer, CallInfo call, Clock::time_point start,
               int attempts, std::chrono::milliseconds queue_time, const ModelSpec* spec);
  /// Runs `callback` once with the accumulated response when the stream ends (its end, a
  /// failure, cancellation or destruction); at once when it already has.
  void on_end(std::function<void(const ChatResponse&)> callback);
  /// Keeps the call's place among the Client's calls in flight while the body is open.
  void hold(detail::CallQueue::Place place);
  /// Reads until the first chunk is decoded (not yet delivered), or the stream failed or ended.
  /// Lets a retried attempt cover everything before a chunk reaches the caller.
  Result<Done> prime();
  const ChatChunk* next();
  void cancel() noexcept;

  std::optional<Error> error;
  StreamAccumulator accumulator;
  std::optional<std::chrono::milliseconds> time_to_first_token;
  bool finished = false;

 private:
  const ChatChunk* deliver(ChatChunk chunk);
  const ChatChunk* fail(Error failure);
  const ChatChunk* succeed();
  void pump();
  void end_body();
  void release_body(bool reuse_connection);
  void report_end();
  void run_end_callback();
  std::function<void(const ChatResponse&)> end_callback_;
  std::string progress() const;

  std::shared_ptr<const Provider> provider_;
  detail::CallQueue::Place place_;  // given up with the body (declared first: destroyed last)
  std::optional<detail::ChunkPipeline> pipeline_;  // none when the chunks were known upfront
  std::unique_ptr<ResponseStream> body_;
  std::mutex body_mutex_;  // guards body_ and place_ against cancel() from another thread
  std::atomic<bool> cancelled_{false};
  std::vector<ChatChunk> ready_;  // decoded, not yet delivered
  std::size_t next_ready_ = 0;
  std::optional<Error> pending_;  // the failure to report once ready_ is delivered
  bool ended_ = false;            // the body ended well: success once ready_ is delivered
  std::vector<char> buffer_;
  std::size_t unparsed_begin_ = 0;  // buffer_[unparsed_begin_, unparsed_end_) awaits the pipeline
  std::size_t unparsed_end_ = 0;
  ChatChunk current_;
  Clock::time_point start_;
  std::shared_ptr<Observer> observer_;
  CallInfo call_;
  int attempts_ = 1;
  std::chrono::milliseconds queue_time_{0};
  bool reported_ = false;
  const ModelSpec* spec_ = nullptr;  // from the immutable catalogue; may be null
};

}  // namespace lemma
