// lemma-test-eval-report DIR: writes DIR/report.html from DIR's summary.json, results.jsonl and
// responses.jsonl through lemma::math::write_eval_report (the e2e browser test's renderer until
// `lemma eval` calls it). Prints the report's path and each skipped line; exit 1 on an error.

#include <iostream>

#include "lemma/math/eval_report.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: lemma-test-eval-report DIR\n";
    return 2;
  }
  const auto written = lemma::math::write_eval_report(argv[1]);
  if (!written) {
    std::cerr << "lemma-test-eval-report: " << written.error().message << "\n";
    return 1;
  }
  std::cout << written->path << "\n";
  for (const std::string& line : written->skipped_lines) std::cout << "skipped: " << line << "\n";
  return 0;
}
