// Proves a problem with DeepSeekMath-V2's generate -> verify -> refine loop
// (lemma::math::SelfVerifier): one model writes proofs, the same (or another) model scores each
// several times, and the critiques go back until a proof is verified or the budget runs out.
//
//   export LEMMA_BASE_URL=http://127.0.0.1:8000/v1 LEMMA_MODEL=deepseek-ai/DeepSeek-Math-V2
//   ./lemma-example-prove "Prove that there are infinitely many primes." [trace.json]
//
// LEMMA_VERIFIER_MODEL (optional) names another model of the same endpoint as the verifier.
// Prints progress to standard error, then the best proof and its score; writes the whole trace
// (every prompt, response, score, timing, tokens) as JSON when a second argument is given.
// Exits 0 when the proof is verified, 1 when not, 2 on a usage or configuration error.

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include <lemma/lemma.hpp>
#include <lemma/math/self_verifier.hpp>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: lemma-example-prove PROBLEM [TRACE.json]\n";
    return 2;
  }
  auto env = lemma::providers::from_env();
  if (!env) {
    std::cerr << env.error().message << "\n";
    return 2;
  }
  lemma::Client client(env->provider);
  lemma::Result<std::string> model = lemma::resolve_model(client, env->model);
  if (!model) {
    std::cerr << model.error().what() << "\n";
    return 2;
  }

  lemma::math::SelfVerifierConfig config;
  config.generator = {client, *model, {}};
  const char* verifier_model = std::getenv("LEMMA_VERIFIER_MODEL");
  config.verifier = {client, verifier_model ? verifier_model : *model, {}};
  config.budget.max_total_tokens = 2'000'000;
  config.on_progress = [](const lemma::math::ProveProgress& p) {
    if (p.event == lemma::math::ProgressEvent::round_started) {
      std::cerr << "round " << p.round << "...\n";
    } else if (p.event == lemma::math::ProgressEvent::round_finished && !p.pool.empty()) {
      const auto& best = p.pool.front();
      std::cerr << "round " << p.round << ": " << p.pool.size() << " proofs, best #" << best.id
                << " scores " << best.mean_score.value_or(0) << " (" << p.total_tokens
                << " tokens so far)\n";
    }
  };

  auto run = lemma::math::SelfVerifier(config).prove(argv[1]);
  if (!run) {
    std::cerr << run.error().what() << "\n";
    return 2;
  }
  if (argc > 2) {
    std::ofstream(argv[2]) << run->to_json().dump(2, ' ', false,
                                                  nlohmann::json::error_handler_t::replace);
  }
  std::cerr << "stopped: " << lemma::math::to_string(run->stop_reason) << "\n";
  if (run->error) std::cerr << run->error->what() << "\n";
  const lemma::math::ProofCandidate* best = run->best();
  if (best == nullptr) {
    std::cerr << "no proof came back\n";
    return 1;
  }
  std::cout << best->proof << "\n\nscore: " << best->mean_score.value_or(0)
            << (best->verified ? " (verified)" : "") << "\n";
  return best->verified ? 0 : 1;
}
