// lemma::math compare() throughput: comparisons per second over the whole named equivalence
// table (tests/math/compare_cases.hpp), and the cost of pathological inputs that the step
// budget stops (each must end as undecided, quickly).
//
//   cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release
//   cmake --build build/release --target lemma_math_bench && build/release/bench/lemma_math_bench

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "compare_cases.hpp"
#include "lemma/math/compare.hpp"

namespace {

using lemma::math::compare;
using lemma::math::testing::kCompareCases;

constexpr std::size_t kCases = sizeof(kCompareCases) / sizeof(kCompareCases[0]);

void BM_CompareWholeTable(benchmark::State& state) {
  for (auto _ : state) {
    for (const auto& c : kCompareCases) {
      auto v = compare(c.predicted, c.reference);
      benchmark::DoNotOptimize(v);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kCases));
  state.counters["cases"] = static_cast<double>(kCases);
}
BENCHMARK(BM_CompareWholeTable)->Unit(benchmark::kMillisecond);

// The slowest single case of the table (found once by timing every case).
void BM_CompareSlowestTableCase(benchmark::State& state) {
  std::size_t slowest = 0;
  double worst = 0;
  for (std::size_t i = 0; i < kCases; ++i) {
    auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < 3; ++r)
      benchmark::DoNotOptimize(compare(kCompareCases[i].predicted, kCompareCases[i].reference));
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (t > worst) {
      worst = t;
      slowest = i;
    }
  }
  state.SetLabel(kCompareCases[slowest].name);
  for (auto _ : state) {
    auto v = compare(kCompareCases[slowest].predicted, kCompareCases[slowest].reference);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_CompareSlowestTableCase)->Unit(benchmark::kMicrosecond);

struct Pathological {
  const char* name;
  std::string predicted;
  std::string reference;
};

std::vector<Pathological> pathological_inputs() {
  std::string long_sum;
  for (int k = 0; k < 200000; ++k) long_sum += "1+";
  long_sum += "1";
  std::string pms;
  for (int k = 0; k < 8; ++k) pms += "\\pm 1";
  return {
      {"nested_braces_10000", std::string(10000, '{') + "1" + std::string(10000, '}'), "1"},
      {"tower_10^10^10", "10^{10^{10}}", "10^{10^{10}}+1"},
      {"factorial_100000", "100000!", "100001!"},
      {"power_of_power", "(3^{50000})^{50000}", "(3^{50000})^{50001}"},
      {"sum_of_200001_ones", long_sum, "200001"},
      {"eight_pm_signs", pms, "0"},
      {"factorial_2006_exact", "\\frac{1}{2004!}", "\\frac{1}{2006!}"},
      {"factorial_12345_times_variables", "12345! xy", "12346! xy"},
      {"factorial_chain_40000", "1" + std::string(40000, '!'), "1"},
      {"huge_power_plus_one", "10^{100000}+1", "10^{100000}"},
  };
}

void BM_ComparePathological(benchmark::State& state) {
  static const std::vector<Pathological> inputs = pathological_inputs();
  const auto& p = inputs[static_cast<std::size_t>(state.range(0))];
  state.SetLabel(p.name);
  for (auto _ : state) {
    auto v = compare(p.predicted, p.reference);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_ComparePathological)->DenseRange(0, 9)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
