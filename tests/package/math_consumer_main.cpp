// A downstream grader: links lemma::math alone (no libcurl, no network part) and grades.
#include <iostream>

#include <lemma/math.hpp>

int main() {
  using lemma::math::compare;
  auto same = compare("\\frac{1}{2}", "0.5");
  auto different = compare("\\frac{1}{2004!}", "\\frac{1}{2006!}");
  if (!same.equal() || different.result != lemma::math::Verdict::Result::not_equal) {
    std::cerr << "math_consumer: unexpected verdicts: " << same.rule << ", " << different.rule
              << "\n";
    return 1;
  }
  std::cout << "math_consumer OK: " << lemma::math::to_string(same.result) << " by " << same.rule
            << "\n";
  return 0;
}
