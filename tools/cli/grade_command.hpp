#pragma once

// `lemma grade`: grade a JSONL file of model answers against references, offline.

#include <functional>
#include <iosfwd>
#include <string>

#include <CLI/CLI.hpp>

#include "command.hpp"

namespace lemma::cli {

/// What `lemma grade` was asked to do (its command-line options).
struct GradeSettings {
  /// The input JSONL file, "-" for standard input.
  std::string input = "-";
  /// Where the graded lines go; empty for standard output.
  std::string output;
  /// OpenAI Batch output mode: a JSONL file of {"custom_id", "answer"} lines.
  std::string answers;
  /// Read multiple-choice letters ("(B)" gives "B").
  bool multiple_choice = false;
  /// Fall back to the last number of a response that has no other answer.
  bool last_number = false;
  /// Read "3,5" as 3.5.
  bool decimal_comma = false;
};

/// Grades the lines of `in` into `out` (one output line or error record per input line) and
/// writes the summary to `err`; returns the exit code. `answers` is the open answers file in
/// Batch mode, else null. When `interrupted` returns true it stops before the next line (the
/// output holds whole lines only) and returns 130.
int run_grade(std::istream& in, std::ostream& out, std::ostream& err, std::istream* answers,
              const GradeSettings& settings, const std::function<bool()>& interrupted = {});

/// The `grade` subcommand: registers its options on the app and runs it when selected.
class GradeCommand : public Command {
 public:
  /// Adds `grade` and its options to `app`.
  explicit GradeCommand(CLI::App& app);
  /// True when the command line selected `grade`.
  bool selected() const override;
  /// Opens the files and runs the command (Ctrl-C stops it between lines); returns the exit
  /// code.
  int run(const InterruptGuard& guard) override;

 private:
  CLI::App* command_;
  GradeSettings settings_;
};

}  // namespace lemma::cli
