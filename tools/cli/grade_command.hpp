#pragma once

// `lemma grade`: grade a JSONL file of model answers against references, offline.

#include <iosfwd>
#include <string>

#include <CLI/CLI.hpp>

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
/// Batch mode, else null.
int run_grade(std::istream& in, std::ostream& out, std::ostream& err, std::istream* answers,
              const GradeSettings& settings);

/// The `grade` subcommand: registers its options on the app and runs it when selected.
class GradeCommand {
 public:
  /// Adds `grade` and its options to `app`.
  explicit GradeCommand(CLI::App& app);
  /// True when the command line selected `grade`.
  bool selected() const;
  /// Opens the files and runs the command; returns the exit code.
  int run() const;

 private:
  CLI::App* command_;
  GradeSettings settings_;
};

}  // namespace lemma::cli
