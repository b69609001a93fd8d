#pragma once
// STAND-IN: replaced by the seams branch's ChunkPipeline at merge.
#include <memory>
#include <string_view>
#include <vector>

#include "lemma/provider.hpp"
#include "lemma/sse_parser.hpp"

namespace lemma::detail {

class ChunkPipeline {
 public:
  ChunkPipeline(std::shared_ptr<const Provider> provider, SseParserOptions sse,
                std::size_t max_body_bytes)
      : provider_(std::move(provider)),
        decoder_(provider_->stream_decoder()),
        parser_(sse),
        max_(max_body_bytes) {}
  Result<Done> feed(std::string_view bytes, std::vector<ChatChunk>& out) {
    if (error_) return *error_;
    if (done_) return Done{};
    bytes_ += bytes.size();
    if (bytes_ > max_) return fail(protocol_error("The stream's body exceeds the limit."));
    std::vector<SseEvent> events;
    auto parsed = parser_.feed(bytes, events);
    if (!parsed) return fail(parsed.error());
    return decode(events, out);
  }
  Result<Done> finish(std::vector<ChatChunk>& out) {
    if (error_) return *error_;
    if (!done_) {
      std::vector<SseEvent> events;
      auto parsed = parser_.finish(events);
      if (!parsed) return fail(parsed.error());
      auto decoded = decode(events, out);
      if (!decoded) return decoded;
    }
    if (auto tail = decoder_->finish()) {
      out.push_back(std::move(*tail));
      ++count_;
    }
    if (!done_ && provider_->stream_requires_done()) {
      Error e = protocol_error("The stream was truncated.");
      e.code = "truncated";
      return fail(std::move(e));
    }
    if (count_ == 0) {
      Error e = protocol_error("The stream ended before any chunk.");
      e.code = "empty_stream";
      return fail(std::move(e));
    }
    return Done{};
  }
  bool done() const noexcept { return done_; }
  std::size_t chunk_count() const noexcept { return count_; }

 private:
  Result<Done> decode(const std::vector<SseEvent>& events, std::vector<ChatChunk>& out) {
    for (const auto& event : events) {
      if (done_) break;
      auto decoded = decoder_->decode(event);
      if (!decoded) return fail(decoded.error());
      if (decoded->kind == StreamEvent::Kind::chunk) {
        out.push_back(std::move(decoded->chunk));
        ++count_;
      } else if (decoded->kind == StreamEvent::Kind::done) {
        done_ = true;
      }
    }
    return Done{};
  }
  Result<Done> fail(Error e) {
    error_ = std::move(e);
    return *error_;
  }
  std::shared_ptr<const Provider> provider_;
  std::unique_ptr<StreamDecoder> decoder_;
  SseParser parser_;
  std::size_t max_;
  std::size_t bytes_ = 0;
  std::size_t count_ = 0;
  bool done_ = false;
  std::optional<Error> error_;
};

}  // namespace lemma::detail
