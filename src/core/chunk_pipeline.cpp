#include "core/chunk_pipeline_private.hpp"

#include <string>

#include "core/error_text_private.hpp"

namespace lemma::detail {

ChunkPipeline::ChunkPipeline(std::shared_ptr<const Provider> provider, SseParserOptions sse,
                             std::size_t max_body_bytes)
    : provider_(std::move(provider)),
      decoder_(provider_->stream_decoder()),
      parser_(sse),
      max_body_bytes_(max_body_bytes) {}

Result<Done> ChunkPipeline::feed(std::string_view bytes, std::vector<ChatChunk>& out) {
  if (failure_) return *failure_;
  if (done_ || finished_) return Done{};
  // Counted before parsing, so that no byte beyond the limit is ever decoded, whatever the
  // transport's own limit.
  body_bytes_ += bytes.size();
  if (body_bytes_ > max_body_bytes_) {
    return fail(protocol_error("The stream's body exceeds the limit of " +
                               std::to_string(max_body_bytes_) +
                               " bytes; raise ClientOptions::max_stream_bytes if the server is "
                               "trusted and answers that long are expected."));
  }
  while (!bytes.empty() && !done_) {
    const std::string_view slice = bytes.substr(0, kSlice);
    bytes.remove_prefix(slice.size());
    Result<std::size_t> parsed = parser_.feed(slice, events_);
    if (!parsed) return fail(parsed.error());
    if (Result<Done> decoded = decode_events(out); !decoded) return decoded;
  }
  return Done{};
}

Result<Done> ChunkPipeline::finish(std::vector<ChatChunk>& out) {
  if (failure_) return *failure_;
  if (finished_) return Done{};
  finished_ = true;
  if (!done_) {
    Result<std::size_t> parsed = parser_.finish(events_);
    if (!parsed) return fail(parsed.error());
    if (Result<Done> decoded = decode_events(out); !decoded) return decoded;
  }
  // Text the decoder held back (e.g. a possible partial tag) comes before the end.
  if (std::optional<ChatChunk> tail = decoder_->finish()) {
    out.push_back(std::move(*tail));
    ++chunks_;
  }
  if (done_ || !provider_->stream_requires_done()) {
    if (chunks_ > 0) return Done{};
    // "[DONE]" alone is no answer: a server that failed and said so in a way lemma did not
    // recognise must not look like an empty success.
    Error empty = protocol_error(
        done_ ? "The stream ended with \"data: [DONE]\" before any chunk: the server sent no "
                "answer and no error lemma recognises. Check the server's log."
              : "The stream ended without any event.");
    empty.code = "empty_stream";
    return fail(std::move(empty));
  }
  Error truncated = protocol_error(
      chunks_ == 0 ? "The stream ended before any event and without the final \"data: [DONE]\"; "
                     "the server or a proxy closed it early."
                   : "The stream was truncated: it ended without the final \"data: [DONE]\", "
                     "so the server or a proxy closed it early.");
  truncated.code = "truncated";
  return fail(std::move(truncated));
}

Result<Done> ChunkPipeline::decode_events(std::vector<ChatChunk>& out) {
  Result<Done> outcome = Done{};
  for (const SseEvent& event : events_) {
    Result<StreamEvent> decoded = decoder_->decode(event);
    if (!decoded) {
      outcome = fail(scrubbed_failure(event, decoded.error()));
      break;
    }
    if (decoded->kind == StreamEvent::Kind::chunk) {
      out.push_back(std::move(decoded->chunk));
      ++chunks_;
    } else if (decoded->kind == StreamEvent::Kind::done) {
      done_ = true;  // what follows "[DONE]" is ignored
      break;
    }
  }
  events_.clear();
  return outcome;
}

Result<Done> ChunkPipeline::fail(Error failure) {
  sanitize(failure, provider_.get());
  failure_ = failure;
  return failure;
}

Error ChunkPipeline::scrubbed_failure(const SseEvent& event, Error failure) const {
  // Decoded again with the provider's secrets scrubbed from the event, so that no excerpt cut
  // from it can end inside a key.
  SseEvent clean = event;
  provider_->redact(clean.data);
  provider_->redact(clean.error);
  if (clean.data == event.data && clean.error == event.error) return failure;
  Result<StreamEvent> again = provider_->decode_stream_event(clean);
  return again ? failure : again.error();
}

}  // namespace lemma::detail
