#pragma once

// The push side of a chat stream: body bytes in, ChatChunks out (like openai-python's
// SSEDecoder). It does no I/O and never blocks, so the same decoding serves the pull
// ChatStream (which reads the body and feeds it here) and event-loop callbacks (which feed
// whatever bytes a transfer delivered). Limits, [DONE] handling and the end-of-stream checks
// (truncated, empty_stream) live here, in one place.

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "lemma/export.hpp"
#include "lemma/provider.hpp"
#include "lemma/sse_parser.hpp"

namespace lemma::detail {

// Exported only so that the white-box unit tests link against a shared lemma; not public API.
class LEMMA_EXPORT ChunkPipeline {
 public:
  /// The parser is fed this much at a time and its events decoded before the next slice: at
  /// most a few hundred events are ever queued, however many tiny events one feed holds.
  static constexpr std::size_t kSlice = 4 * 1024;

  /// provider: decodes events (its stream_decoder() is made here); sse: parser limits;
  /// max_body_bytes: ClientOptions::max_stream_bytes.
  ChunkPipeline(std::shared_ptr<const Provider> provider, SseParserOptions sse,
                std::size_t max_body_bytes);

  /// Feeds body bytes (any split); complete chunks are appended to `out`. After "[DONE]" the
  /// rest is ignored. A failure (parser limit, body limit, a decode error -- scrubbed with the
  /// provider's secrets, sanitized) is returned and sticky: every later call returns it again.
  /// Chunks decoded before a failure are in `out`: deliver them, then report the failure.
  Result<Done> feed(std::string_view bytes, std::vector<ChatChunk>& out);
  /// The body ended: the decoder's held-back tail is appended to `out`; then a protocol Error
  /// `truncated` (no [DONE] while the provider requires it) or `empty_stream` (no chunk at all).
  /// Later calls return the same outcome and append nothing.
  Result<Done> finish(std::vector<ChatChunk>& out);
  /// True once "[DONE]" was decoded: the caller may stop reading and reuse the connection.
  bool done() const noexcept { return done_; }
  /// Chunks produced so far.
  std::size_t chunk_count() const noexcept { return chunks_; }

 private:
  Result<Done> decode_events(std::vector<ChatChunk>& out);
  Result<Done> fail(Error failure);
  Error scrubbed_failure(const SseEvent& event, Error failure) const;

  std::shared_ptr<const Provider> provider_;
  std::unique_ptr<StreamDecoder> decoder_;
  SseParser parser_;
  std::vector<SseEvent> events_;
  std::size_t max_body_bytes_;
  std::size_t body_bytes_ = 0;
  std::size_t chunks_ = 0;
  bool done_ = false;      // "[DONE]" decoded
  bool finished_ = false;  // finish() ran
  std::optional<Error> failure_;
};

}  // namespace lemma::detail
