#include "answer_printer.hpp"

#include <ostream>

namespace lemma::cli {

namespace {

constexpr std::string_view kDim = "\033[2m";
constexpr std::string_view kReset = "\033[0m";

}  // namespace

AnswerPrinter::AnswerPrinter(std::ostream& out, bool terminal, bool show_reasoning)
    : out_(out), terminal_(terminal), show_reasoning_(show_reasoning) {}

void AnswerPrinter::write(std::string_view text) {
  if (text.empty()) return;
  out_ << text;
  at_line_start_ = text.back() == '\n';
}

void AnswerPrinter::reasoning(std::string_view text) {
  // Reasoning after the answer began (some servers interleave) is not shown: the separator
  // promised that what follows is the answer.
  if (!show_reasoning_ || answer_started_ || text.empty()) return;
  if (terminal_ && !dimmed_) {
    out_ << kDim;
    dimmed_ = true;
  }
  write(text);
  reasoning_shown_ = true;
  out_.flush();  // a stream is watched as it arrives, piped or not
}

void AnswerPrinter::content(std::string_view text) {
  if (text.empty()) return;
  if (!answer_started_) {
    answer_started_ = true;
    if (dimmed_) {
      out_ << kReset;
      dimmed_ = false;
    }
    if (reasoning_shown_) {
      if (!at_line_start_) write("\n");
      write("--- answer ---\n");
    }
  }
  write(text);
  out_.flush();
}

void AnswerPrinter::finish() {
  if (dimmed_) {
    out_ << kReset;
    dimmed_ = false;
  }
  if (!at_line_start_) write("\n");
  out_.flush();
}

void AnswerPrinter::next_answer() {
  finish();
  reasoning_shown_ = false;
  answer_started_ = false;
}

}  // namespace lemma::cli
