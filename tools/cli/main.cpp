// The `lemma` command: one subcommand per file (chat_command.cpp, grade_command.cpp, ...), a
// shared connection (client_config.hpp), Ctrl-C as a cancellation (interrupt.hpp) and
// documented exit codes (exit_codes.hpp).

#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "batch_command.hpp"
#include "chat_command.hpp"
#include "command.hpp"
#include "eval_command.hpp"
#include "exit_codes.hpp"
#include "grade_command.hpp"
#include "grade_proof_command.hpp"
#include "health_command.hpp"
#include "interrupt.hpp"
#include "models_command.hpp"
#include "prove_command.hpp"

namespace {

// A key on the command line is visible to every user of the machine (ps, /proc, shell
// history): refused by name, before CLI11 could echo it back as an unknown argument.
bool has_literal_key(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == "--api-key" || arg.substr(0, 10) == "--api-key=") return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // First, before any thread starts: every thread then leaves SIGINT/SIGTERM to the guard.
  const lemma::cli::InterruptGuard guard;

  CLI::App app{"lemma: tools for math models served by OpenAI-compatible endpoints"};
  app.set_version_flag("--version", std::string("lemma ") + LEMMA_VERSION_STRING);
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  lemma chat \"What is 17 * 23? Put the answer in \\boxed{}.\"\n"
      "  lemma models --base-url http://127.0.0.1:8000/v1\n"
      "  lemma health\n"
      "  lemma batch requests.jsonl results.jsonl --concurrency 64 --rpm 600\n"
      "  lemma grade examples/data/grade_sample.jsonl --output graded.jsonl\n"
      "  lemma eval examples/data/sample.jsonl --output runs/sample --samples 4\n"
      "  lemma prove \"Prove that the square root of 2 is irrational.\"\n"
      "Configuration: LEMMA_PROVIDER, LEMMA_BASE_URL, LEMMA_MODEL, LEMMA_API_KEY (or "
      "AIMLAPI_API_KEY, DATAOORTS_API_KEY), overridden by --provider, --base-url, --model, "
      "--api-key-env NAME.\n"
      "Exit codes: 0 success, 1 some items failed, 2 usage or configuration error, 3 nothing "
      "could be done (e.g. the server unreachable), 130 interrupted.");

  // One line per command; each registers its options on `app`.
  std::vector<std::unique_ptr<lemma::cli::Command>> commands;
  commands.push_back(std::make_unique<lemma::cli::ChatCommand>(app));
  commands.push_back(std::make_unique<lemma::cli::ModelsCommand>(app));
  commands.push_back(std::make_unique<lemma::cli::HealthCommand>(app));
  commands.push_back(std::make_unique<lemma::cli::BatchCommand>(app));
  commands.push_back(std::make_unique<lemma::cli::GradeCommand>(app));
  commands.push_back(std::make_unique<lemma::cli::EvalCommand>(app));
  commands.push_back(std::make_unique<lemma::cli::ProveCommand>(app));
  commands.push_back(std::make_unique<lemma::cli::GradeProofCommand>(app));

  if (has_literal_key(argc, argv)) {
    std::cerr << "lemma: --api-key is not accepted: a key on the command line is visible to "
                 "every user (put it in LEMMA_API_KEY, or pass --api-key-env NAME)\n";
    return lemma::cli::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      app.exit(e);  // --help or --version
      return lemma::cli::kExitSuccess;
    }
    // One line, named after the command that refused it, like every other error.
    std::string where = "lemma";
    for (const CLI::App* sub : app.get_subcommands()) where += " " + sub->get_name();
    std::cerr << where << ": " << e.what() << " (see " << where << " --help)\n";
    return lemma::cli::kExitUsage;
  }
  for (const auto& command : commands) {
    if (command->selected()) return command->run(guard);
  }
  return lemma::cli::kExitUsage;
}
