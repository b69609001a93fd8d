#pragma once

// Prints a model's reasoning and answer as they arrive: reasoning dimmed (SGR 2) on a
// terminal, plain when piped, and a "--- answer ---" line between the two when both are shown.

#include <iosfwd>
#include <string_view>

namespace lemma::cli {

/// Writes reasoning and answer text to one stream, piece by piece or whole.
class AnswerPrinter {
 public:
  /// Prints to `out`; `terminal` dims the reasoning; `show_reasoning` false drops it.
  AnswerPrinter(std::ostream& out, bool terminal, bool show_reasoning);
  /// A piece of reasoning (reasoning_content).
  void reasoning(std::string_view text);
  /// A piece of the answer (content).
  void content(std::string_view text);
  /// Ends the output: undoes the dimming and ends the last line. Safe to call twice.
  void finish();
  /// Starts over for another answer (e.g. the next of -n choices), after finish().
  void next_answer();

 private:
  void write(std::string_view text);

  std::ostream& out_;
  bool terminal_;
  bool show_reasoning_;
  bool dimmed_ = false;
  bool reasoning_shown_ = false;
  bool answer_started_ = false;
  bool at_line_start_ = true;
};

}  // namespace lemma::cli
