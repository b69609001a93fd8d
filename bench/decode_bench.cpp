// Decoding a chat completion: lemma's typed decode against the baseline of nlohmann::json
// parsing the same body (the floor any JSON-based decoder pays), in the same run.
//
//   build/bench/lemma_decode_bench --benchmark_min_time=1
//
// Report the ratio of BM_LemmaDecode to BM_BaselineJsonParse.

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "lemma/wire.hpp"

namespace {

std::string fixture() {
  std::ifstream in(LEMMA_BENCH_FIXTURE, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void BM_BaselineJsonParse(benchmark::State& state) {
  const std::string body = fixture();
  for (auto _ : state) {
    auto parsed = nlohmann::json::parse(body);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_BaselineJsonParse);

void BM_LemmaDecode(benchmark::State& state) {
  const std::string body = fixture();
  for (auto _ : state) {
    auto parsed = lemma::wire::parse_json(body, "chat completion");
    auto response = lemma::wire::decode_chat_response(std::move(*parsed));
    benchmark::DoNotOptimize(response);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_LemmaDecode);

void BM_LemmaEncode(benchmark::State& state) {
  lemma::ChatRequest request;
  request.model = "deepseek/deepseek-prover-v2";
  request.messages = {lemma::Message::system("You are a careful prover."),
                      lemma::Message::user(std::string(2000, 'x'))};
  request.sampling.temperature = 0.6;
  request.sampling.max_tokens = 4096;
  for (auto _ : state) {
    auto body = lemma::wire::encode_chat_body(request).dump();
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(BM_LemmaEncode);

}  // namespace

BENCHMARK_MAIN();
