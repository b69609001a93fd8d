// What `lemma eval` costs on top of the batch engine it runs through: the same N requests, the
// same in-process mock endpoint, once as a plain lemma::Batch (the baseline) and once as a
// lemma::math::Evaluation (plan, requests.jsonl, grading every answer, results.jsonl,
// summary.json with pass@k / maj@k, report.html). Rounds alternate (batch, eval, batch, ...)
// and the median round counts, so a slow spell of the machine hits both.
//
//   lemma_eval_bench [--problems N] [--samples K] [--rounds R] [--concurrency C]
//
// Prints one table row per peer: median wall time, requests/s, and the eval/batch ratio.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lemma/batch.hpp"
#include "lemma/client.hpp"
#include "lemma/math/evaluation.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "mock_server/mock_endpoint.hpp"

namespace {

namespace fs = std::filesystem;

struct Settings {
  int problems = 500;
  int samples = 4;
  int rounds = 5;
  std::size_t concurrency = 16;
};

Settings parse(int argc, char** argv) {
  Settings s;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const long value = std::strtol(argv[i + 1], nullptr, 10);
    if (flag == "--problems") s.problems = static_cast<int>(value);
    if (flag == "--samples") s.samples = static_cast<int>(value);
    if (flag == "--rounds") s.rounds = static_cast<int>(value);
    if (flag == "--concurrency") s.concurrency = static_cast<std::size_t>(value);
  }
  return s;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const Settings settings = parse(argc, argv);
  lemma::tools::MockEndpoint endpoint;
  if (endpoint.start() <= 0) {
    std::fprintf(stderr, "eval_bench: the mock endpoint did not start\n");
    return 1;
  }
  const fs::path work =
      fs::temp_directory_path() / ("lemma_eval_bench_" + std::to_string(::getpid()));
  fs::create_directories(work);
  // Arithmetic problems the mock answers; every third reference is off by one, so the grader
  // sees both verdicts.
  {
    std::ofstream dataset(work / "dataset.jsonl");
    for (int i = 0; i < settings.problems; ++i) {
      const int answer = i + i + (i % 3 == 0 ? 1 : 0);
      dataset << nlohmann::json{{"id", "p" + std::to_string(i)},
                                {"problem",
                                 "What is " + std::to_string(i) + " + " + std::to_string(i) + "?"},
                                {"answer", std::to_string(answer)},
                                {"level", "Level " + std::to_string(i % 5 + 1)}}
                     .dump()
              << '\n';
    }
  }
  // The baseline's input: the very requests the evaluation sends (written by a first run).
  const lemma::Client client(lemma::providers::openai_compatible(endpoint.base_url(), ""));
  lemma::math::EvaluationOptions eval;
  eval.dataset_path = (work / "dataset.jsonl").string();
  eval.model = "lemma-mock-math";
  eval.samples = settings.samples;
  eval.sample_mode = lemma::math::SampleMode::separate;
  eval.concurrency = settings.concurrency;
  eval.group_by = {"level"};
  eval.output_dir = (work / "warmup").string();
  if (auto warm = lemma::math::Evaluation(client, eval).run(); !warm) {
    std::fprintf(stderr, "eval_bench: %s\n", warm.error().what().c_str());
    return 1;
  }
  const std::size_t requests = static_cast<std::size_t>(settings.problems) * settings.samples;

  std::vector<double> batch_times, eval_times;
  for (int round = 0; round < settings.rounds; ++round) {
    const fs::path dir = work / ("round" + std::to_string(round));
    fs::create_directories(dir);
    lemma::BatchOptions batch;
    batch.input_path = (work / "warmup" / "requests.jsonl").string();
    batch.output_path = (dir / "batch_output.jsonl").string();
    batch.concurrency = settings.concurrency;
    auto start = std::chrono::steady_clock::now();
    if (auto done = lemma::Batch(client, batch).run(); !done) {
      std::fprintf(stderr, "eval_bench: %s\n", done.error().what().c_str());
      return 1;
    }
    batch_times.push_back(seconds_since(start));

    eval.output_dir = (dir / "eval").string();
    start = std::chrono::steady_clock::now();
    if (auto done = lemma::math::Evaluation(client, eval).run(); !done) {
      std::fprintf(stderr, "eval_bench: %s\n", done.error().what().c_str());
      return 1;
    }
    eval_times.push_back(seconds_since(start));
  }
  const double batch_s = median(batch_times);
  const double eval_s = median(eval_times);
  std::printf("%zu requests (%d problems x %d samples), concurrency %zu, median of %d rounds\n",
              requests, settings.problems, settings.samples, settings.concurrency, settings.rounds);
  std::printf("| peer | median wall | requests/s | vs batch |\n| --- | --- | --- | --- |\n");
  std::printf("| lemma::Batch (baseline) | %.3f s | %.0f | 1.00x |\n", batch_s,
              static_cast<double>(requests) / batch_s);
  std::printf("| lemma::math::Evaluation | %.3f s | %.0f | %.2fx |\n", eval_s,
              static_cast<double>(requests) / eval_s, eval_s / batch_s);
  std::error_code ignored;
  fs::remove_all(work, ignored);
  return 0;
}
