// Streaming decode speed on a 100 MB synthetic stream of vLLM-style chunks.
//
//   build/bench/lemma_sse_bench
//
// BM_SseParse: SseParser alone (bytes -> events), reported as bytes/s.
// BM_BaselineParseEachChunkWithNlohmann: SseParser + nlohmann::json::parse of each data line,
//   the floor any JSON-based chunk decoder pays.
// BM_LemmaDecodeEachChunk: SseParser + wire::decode_stream_event (parse + typed ChatChunk).
// The figure of merit is LemmaDecodeEachChunk / BaselineParseEachChunkWithNlohmann (target
// <= 1.10), measured in the same run.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "lemma/sse_parser.hpp"
#include "lemma/wire.hpp"

namespace {

const std::string& synthetic_stream() {
  static const std::string stream = [] {
    const std::string words[] = {"Let",     " n",   " be",   " an",    " integer.",
                                 " Then",   " n^2", " -",    " n",     " =",
                                 " n(n-1)", " is",  " even", " \\\\(", "\\\\boxed{0}"};
    std::string out;
    out.reserve(105u * 1024 * 1024);
    std::size_t i = 0;
    while (out.size() < 100u * 1024 * 1024) {
      const bool reasoning = (i / 64) % 2 == 0;
      out +=
          R"(data: {"id":"chatcmpl-8f3c0f4b2d5e4a7c","object":"chat.completion.chunk","created":1748000000,"model":"deepseek-ai/DeepSeek-Math-V2","choices":[{"index":0,"delta":{")";
      out += reasoning ? "reasoning_content" : "content";
      out += R"(":")" + words[i % 15] + R"("},"logprobs":null,"finish_reason":null}]})";
      out += "\n\n";
      if (i % 500 == 0) out += ": keep-alive\n\n";
      ++i;
    }
    out += "data: [DONE]\n\n";
    return out;
  }();
  return stream;
}

constexpr std::size_t kReadSize = 64 * 1024;

template <typename OnEvent>
void parse_stream(const std::string& stream, OnEvent on_event) {
  lemma::SseParser parser;
  std::vector<lemma::SseEvent> events;
  for (std::size_t pos = 0; pos < stream.size(); pos += kReadSize) {
    events.clear();
    (void)parser.feed(std::string_view(stream).substr(pos, kReadSize), events);
    for (const auto& event : events) on_event(event);
  }
  events.clear();
  (void)parser.finish(events);
  for (const auto& event : events) on_event(event);
}

void BM_SseParse(benchmark::State& state) {
  const std::string& stream = synthetic_stream();
  std::size_t count = 0;
  for (auto _ : state) {
    parse_stream(stream, [&](const lemma::SseEvent& e) { count += e.data.size() > 0; });
  }
  benchmark::DoNotOptimize(count);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_SseParse)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_BaselineParseEachChunkWithNlohmann(benchmark::State& state) {
  const std::string& stream = synthetic_stream();
  std::size_t chunks = 0;
  for (auto _ : state) {
    parse_stream(stream, [&](const lemma::SseEvent& e) {
      if (e.data.rfind("[DONE]", 0) == 0) return;
      auto json = nlohmann::json::parse(e.data, nullptr, false);
      chunks += json.is_object();
      benchmark::DoNotOptimize(json);
    });
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
  state.counters["chunks/s"] =
      benchmark::Counter(static_cast<double>(chunks), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BaselineParseEachChunkWithNlohmann)->Unit(benchmark::kMillisecond)->MinTime(3.0);

void BM_LemmaDecodeEachChunk(benchmark::State& state) {
  const std::string& stream = synthetic_stream();
  std::size_t chunks = 0;
  for (auto _ : state) {
    parse_stream(stream, [&](const lemma::SseEvent& e) {
      auto decoded = lemma::wire::decode_stream_event(e);
      chunks += decoded.ok() && decoded->kind == lemma::StreamEvent::Kind::chunk;
      benchmark::DoNotOptimize(decoded);
    });
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
  state.counters["chunks/s"] =
      benchmark::Counter(static_cast<double>(chunks), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LemmaDecodeEachChunk)->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace

BENCHMARK_MAIN();
