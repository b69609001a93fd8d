// Checks a Lean 4 file (or a model's answer holding a ```lean block) with a real Lean and
// prints the verdict as JSON.
//
//   lemma-example-lean-check --repl ~/mathlib-project proof.lean     # `lake exe repl` there
//   lemma-example-lean-check --program ./fake_repl.sh proof.lean     # any REPL-speaking program
//   lemma-example-lean-check --kimina http://localhost:12332/api/check --answer answer.md
//   cat proof.lean | lemma-example-lean-check --repl DIR -
//
// LEMMA_LEAN_API_KEY is sent to kimina-lean-server when set. --timeout SECONDS (default 300).
// Exit status: 0 valid, 1 not a proof (sorry, Lean error, timeout, no Lean block), 2 usage,
// 3 the checker failed (checker_error).

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include <lemma/math/lean_checker.hpp>

namespace {

int usage() {
  std::cerr << "usage: lemma-example-lean-check (--repl DIR | --program PATH | --kimina URL)\n"
               "                                [--timeout SECONDS] [--answer] FILE|-\n"
               "example: lemma-example-lean-check --repl ~/mathlib-project proof.lean\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string repl_dir;
  std::string program;
  std::string kimina_url;
  std::string file;
  long timeout_seconds = 300;
  bool answer = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--repl" && has_value) {
      repl_dir = argv[++i];
    } else if (arg == "--program" && has_value) {
      program = argv[++i];
    } else if (arg == "--kimina" && has_value) {
      kimina_url = argv[++i];
    } else if (arg == "--timeout" && has_value) {
      timeout_seconds = std::strtol(argv[++i], nullptr, 10);
    } else if (arg == "--answer") {
      answer = true;
    } else if (file.empty() && (arg == "-" || arg.rfind("--", 0) != 0)) {
      file = arg;
    } else {
      return usage();
    }
  }
  const int modes = !repl_dir.empty() + !program.empty() + !kimina_url.empty();
  if (file.empty() || modes != 1 || timeout_seconds <= 0) return usage();

  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "cannot open " << file << "\n";
      return 2;
    }
    std::ostringstream content;
    content << in.rdbuf();
    text = content.str();
  }

  const std::chrono::seconds timeout(timeout_seconds);
  lemma::Result<lemma::math::LeanChecker> checker = [&]() {
    if (!kimina_url.empty()) {
      lemma::math::LeanEndpointOptions options;
      options.url = kimina_url;
      options.api_key = lemma::ApiKey::from_env("LEMMA_LEAN_API_KEY");
      options.timeout = timeout;
      return lemma::math::LeanChecker::endpoint(options);
    }
    lemma::math::LeanCommandOptions options;
    if (!program.empty()) {
      options.argv = {program};
    } else {
      options.argv = {"lake", "exe", "repl"};
      options.working_directory = repl_dir;
    }
    options.timeout = timeout;
    return lemma::math::LeanChecker::command(options);
  }();
  if (!checker) {
    std::cerr << checker.error() << "\n";
    return 2;
  }

  lemma::Result<lemma::math::LeanVerdict> verdict =
      answer ? checker->check_answer(text) : checker->check(text);
  if (!verdict) {
    std::cerr << verdict.error() << "\n";
    return 2;
  }
  std::cout << lemma::math::to_json(*verdict).dump(2) << "\n";
  if (verdict->valid()) return 0;
  return verdict->status == lemma::math::LeanStatus::checker_error ? 3 : 1;
}
