// The `lemma` command: one subcommand per file (grade_command.cpp, ...), documented exit codes
// (exit_codes.hpp).

#include <iostream>

#include <CLI/CLI.hpp>

#include "exit_codes.hpp"
#include "grade_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lemma: tools for math models served by OpenAI-compatible endpoints"};
  app.set_version_flag("--version", std::string("lemma ") + LEMMA_VERSION_STRING);
  app.require_subcommand(1);
  app.footer(
      "Example:\n"
      "  lemma grade examples/data/grade_sample.jsonl --output graded.jsonl\n"
      "Exit codes: 0 success, 1 some items failed, 2 usage error, 3 nothing could be done, "
      "130 interrupted.");

  const lemma::cli::GradeCommand grade(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, the version, or the error
    return code == 0 ? lemma::cli::kExitSuccess : lemma::cli::kExitUsage;
  }
  if (grade.selected()) return grade.run();
  return lemma::cli::kExitUsage;
}
