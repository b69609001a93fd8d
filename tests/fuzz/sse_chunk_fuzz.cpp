// Fuzz target for the streaming decode path: arbitrary bytes, split arbitrarily, through
// SseParser (default limits, so deeply nested JSON events are reachable), both OpenAI chunk
// decoders (SAX fast path and DOM, checked against each other), the accumulator, and the push
// decoder streams use (ChunkPipeline, which must agree with the events decoded one by one).
// Must never crash, leak, hang or grow memory beyond the parser's limits.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/chunk_pipeline_private.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/sse_parser.hpp"
#include "lemma/stream.hpp"
#include "lemma/wire.hpp"
#include "wire/openai/chunk_sax_private.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte chooses the piece size, so the fuzzer explores splits too.
  const std::size_t piece = 1 + data[0] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  lemma::SseParser parser;
  lemma::StreamAccumulator accumulator;
  std::vector<lemma::SseEvent> events;
  bool failed = false;
  for (std::size_t pos = 0; pos < input.size() && !failed; pos += piece) {
    failed = !parser.feed(input.substr(pos, piece), events).ok();
  }
  if (!failed) (void)parser.finish(events);
  // The push decoder, fed the same pieces: every chunk it gives is a chunk of the events.
  lemma::detail::ChunkPipeline pipeline(lemma::providers::openai_compatible("http://127.0.0.1:1"),
                                        {}, std::size_t{1} << 30);
  std::vector<lemma::ChatChunk> pushed;
  bool pipeline_failed = false;
  for (std::size_t pos = 0; pos < input.size() && !pipeline_failed; pos += piece) {
    pipeline_failed = !pipeline.feed(input.substr(pos, piece), pushed).ok();
  }
  if (!pipeline_failed) (void)pipeline.finish(pushed);
  if (pipeline.chunk_count() != pushed.size()) std::abort();
  std::size_t next_pushed = 0;
  for (const auto& event : events) {
    // Differential check: whenever the SAX fast path accepts an event, the DOM decoder must
    // decode it to the same chunk.
    lemma::ChatChunk fast;
    if (lemma::detail::decode_chunk_fast(event.data, fast)) {
      const auto dom = nlohmann::json::parse(event.data, nullptr, false);
      auto slow = lemma::wire::decode_chat_chunk(dom);
      if (dom.is_discarded() || !slow.ok() || !(fast == *slow)) std::abort();
    }
    auto decoded = lemma::wire::decode_stream_event(event);
    if (!decoded) continue;
    if (decoded->kind == lemma::StreamEvent::Kind::chunk) {
      if (next_pushed < pushed.size() && !(pushed[next_pushed++] == decoded->chunk)) std::abort();
      accumulator.add(decoded->chunk);
    }
  }
  (void)accumulator.response().text();
  return 0;
}
