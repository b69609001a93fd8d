// A downstream user of lemma::math_runs: summarises graded samples of an evaluation run.
#include <iostream>
#include <vector>

#include <lemma/math/eval_stats.hpp>
#include <lemma/math/self_verifier.hpp>

int main() {
  std::vector<lemma::math::EvalSample> samples(2);
  samples[0].problem_id = samples[1].problem_id = "p1";
  samples[1].sample = 1;
  samples[0].extracted = "\\frac{1}{2}";
  samples[0].correct = true;
  samples[1].extracted = "0.5";
  samples[1].correct = true;
  const auto summary = lemma::math::summarize(samples);
  if (summary.overall.majority_at_k.size() != 2 || summary.overall.majority_at_k[1] != 1.0 ||
      lemma::math::pass_at_k(4, 1, 2) != 0.5) {
    std::cerr << "math_runs_consumer: unexpected statistics: " << summary.to_json().dump() << "\n";
    return 1;
  }
  // Self-verification: the score parser, and a configuration without Clients refused before
  // any I/O.
  const lemma::math::SelfVerifierConfig config;
  const auto refused = lemma::math::SelfVerifier(config).prove("Prove that 1 < 2.");
  if (lemma::math::parse_verifier_score("\\boxed{0.5}").score != 0.5 || refused.ok() ||
      refused.error().param != "generator.client") {
    std::cerr << "math_runs_consumer: unexpected self-verification results\n";
    return 1;
  }
  std::cout << "math_runs_consumer OK: "
            << lemma::math::compare_table({{"run", summary.to_json()}}).size() << " bytes\n";
  return 0;
}
