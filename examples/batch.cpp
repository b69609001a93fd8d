// Runs an OpenAI Batch input file through any provider, resumably, and prints the summary:
// the library form of `lemma batch`. Run it again with the same output file to resume.
//
//   export LEMMA_BASE_URL=http://127.0.0.1:8000/v1 LEMMA_MODEL=deepseek-math-7b-instruct
//   ./lemma-example-batch requests.jsonl results.jsonl
//
// Exits 0 when every request succeeded, 1 when some failed (see results.errors.jsonl), 2 on a
// usage or input error, 3 when nothing could be done.

#include <iostream>

#include <lemma/lemma.hpp>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: lemma-example-batch INPUT.jsonl OUTPUT.jsonl\n";
    return 2;
  }
  lemma::Result<lemma::providers::EnvConfig> config = lemma::providers::from_env();
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 2;
  }
  lemma::ClientOptions options;
  options.rate_limit.requests_per_minute = 600;  // at most 10 starts in any second

  lemma::BatchOptions batch;
  batch.input_path = argv[1];
  batch.output_path = argv[2];
  batch.default_model = config->model;  // for lines whose body names no model
  batch.concurrency = 32;
  batch.on_progress = [](const lemma::BatchProgress& p) {
    std::cerr << p.counts.completed + p.counts.failed << "/" << p.counts.total << " done\n";
  };

  lemma::Result<lemma::BatchSummary> summary =
      lemma::Batch(lemma::Client(config->provider, options), batch).run();
  if (!summary) {
    std::cerr << summary.error().what() << "\n";
    return summary.error().kind == lemma::ErrorKind::invalid_request ? 2 : 3;
  }
  std::cout << summary->to_text();
  return summary->counts.failed == 0 ? 0 : 1;
}
