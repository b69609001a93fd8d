#pragma once

// The progress of a running lemma::Batch for `lemma batch`: a bar redrawn in place on a
// terminal, plain periodic lines otherwise, and the summary at the end.

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>

#include "lemma/batch.hpp"

namespace lemma::cli {

/// Shows a running Batch: a live one-line bar redrawn in place on a terminal, plain lines
/// every `plain_interval` otherwise (CI logs stay readable).
///
/// The bar: `420/1000  42% [#####.......] 38.1 req/s  ETA 15s  3 failed  91,234 tok  $0.12`,
/// redrawn with `\r` and erase-line (ESC[2K), never wider than the terminal minus one column
/// (fields are dropped, cost first, when it is narrow). A plain line:
/// `lemma batch: 420/1000 done (3 failed), 38.1 req/s, ETA 15s, 91,234 tokens`, printed when
/// `plain_interval` has passed since the last one and once at the end; no escape bytes at all.
/// The rate is this run's finished requests over its elapsed time; the ETA is the remaining
/// ones at that rate ("unknown" while nothing has finished). Time comes only from
/// BatchProgress::elapsed: the display reads no clock. Use from one thread at a time (a Batch
/// calls on_progress from its own thread; finish() after run() returned).
class ProgressDisplay {
 public:
  /// How often plain mode prints a line unless told otherwise.
  static constexpr std::chrono::milliseconds kDefaultPlainInterval{10000};
  /// The terminal width assumed when the terminal does not tell its own.
  static constexpr std::size_t kDefaultWidth = 80;

  /// Writes to `out`: the redrawn bar, at most `width` columns, when `terminal`, else plain
  /// lines at most every `plain_interval`.
  ProgressDisplay(std::ostream& out, bool terminal,
                  std::chrono::milliseconds plain_interval = kDefaultPlainInterval,
                  std::size_t width = kDefaultWidth);

  /// A display writing through `out` to the file descriptor `fd` (e.g. std::cerr and 2): the bar
  /// when `fd` is a terminal, as wide as the terminal at each redraw (a resize takes effect on
  /// the next one); plain lines when it is not.
  static ProgressDisplay on_fd(std::ostream& out, int fd,
                               std::chrono::milliseconds plain_interval = kDefaultPlainInterval);

  /// Shows `progress` (the bar at once; a plain line when one is due). Pass it every
  /// BatchOptions::on_progress call.
  void update(const BatchProgress& progress);
  /// Clears the bar (or prints the last plain line not yet printed) and prints the summary.
  /// Later updates are ignored.
  void finish(const BatchSummary& summary);
  /// The name plain lines start with (default "lemma batch").
  void set_label(std::string label) { label_ = std::move(label); }

 private:
  std::size_t current_width() const;

  std::ostream* out_;
  bool terminal_;
  std::chrono::milliseconds plain_interval_;
  std::size_t width_;
  std::string label_ = "lemma batch";
  int fd_ = -1;  // re-read the width from this terminal at each redraw (-1: use width_)
  std::optional<BatchProgress> last_;
  bool last_printed_ = false;                  // plain mode: `last_` has its line already
  std::chrono::milliseconds last_line_at_{0};  // plain mode: elapsed at the last line
  bool bar_shown_ = false;
  bool finished_ = false;
};

/// The number of columns of the terminal on `fd` (ioctl TIOCGWINSZ), or 0 when `fd` is not a
/// terminal or does not know its size.
std::size_t terminal_columns(int fd);

}  // namespace lemma::cli
