#include "cli/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

namespace lemma::cli {

namespace {

// Carriage return, then erase the whole line: the bar is redrawn over itself.
constexpr const char* kRedraw = "\r\033[2K";
// The bar's inner width: below kMinBar it says nothing, past kMaxBar it only takes room.
constexpr std::size_t kMinBar = 10;
constexpr std::size_t kMaxBar = 40;

std::string with_thousands(std::uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string printf_string(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// Requests per second this run; 0 until some time has passed.
double rate_of(const BatchProgress& p) {
  if (p.elapsed.count() <= 0) return 0;
  return static_cast<double>(p.done_this_run) * 1000.0 / static_cast<double>(p.elapsed.count());
}

std::string rate_text(double rate) {
  if (rate > 0 && rate < 0.05) return "<0.1";  // some progress, too slow for one decimal
  return printf_string("%.1f", rate);
}

// 15s, 4m05s, 2h03m: short enough for the bar, exact enough for a wait.
std::string duration_text(std::uint64_t seconds) {
  char buffer[64];
  if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, "%us", static_cast<unsigned>(seconds));
  } else if (seconds < 3600) {
    std::snprintf(buffer, sizeof buffer, "%um%02us", static_cast<unsigned>(seconds / 60),
                  static_cast<unsigned>(seconds % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lluh%02um",
                  static_cast<unsigned long long>(seconds / 3600),
                  static_cast<unsigned>(seconds % 3600 / 60));
  }
  return buffer;
}

// The time left at this run's rate; empty while nothing has finished (no rate to go by).
std::string eta_text(const BatchProgress& p) {
  if (p.remaining == 0) return duration_text(0);
  const double rate = rate_of(p);
  if (rate <= 0) return {};
  const double seconds = std::ceil(static_cast<double>(p.remaining) / rate);
  // A rate that small is days away; cap what is shown rather than overflow.
  return duration_text(static_cast<std::uint64_t>(std::min(seconds, 1e9)));
}

// Cents from ten cents up; four decimals below, where a cheap run would show as $0.00.
std::string cost_text(double usd) {
  return printf_string(usd >= 0.1 ? "$%.2f" : "$%.4f", usd);
}

std::uint64_t done_of(const BatchProgress& p) {
  return p.counts.completed + p.counts.failed;
}

std::string count_text(const BatchProgress& p) {
  return with_thousands(done_of(p)) + "/" + with_thousands(p.counts.total);
}

std::string plain_line(const std::string& label, const BatchProgress& p) {
  std::string line =
      label + ": " + count_text(p) + " done (" + with_thousands(p.counts.failed) + " failed";
  if (p.resumed > 0) line += ", " + with_thousands(p.resumed) + " resumed";
  line += "), " + rate_text(rate_of(p)) + " req/s, ETA ";
  const std::string eta = eta_text(p);
  line += eta.empty() ? "unknown" : eta;
  line += ", " + with_thousands(p.prompt_tokens + p.completion_tokens) + " tokens";
  if (p.cost_known) line += ", " + cost_text(p.cost_usd);
  return line;
}

// The bar line, at most `limit` columns (ASCII only, so bytes are columns). Narrow terminals
// lose the cost, then the tokens, then the bar, then rate, ETA and failures, in that order.
std::string bar_line(const BatchProgress& p, std::size_t limit) {
  const std::uint64_t done = done_of(p);
  const std::uint64_t total = p.counts.total;
  const std::uint64_t percent = total == 0 ? 100 : std::min<std::uint64_t>(100, done * 100 / total);
  char percent_text[8];
  std::snprintf(percent_text, sizeof percent_text, "%3u%%", static_cast<unsigned>(percent));
  const std::string left = count_text(p) + " " + percent_text;

  const std::string eta = eta_text(p);
  // Rate, ETA and failures are kept longest; tokens and cost (the last ones) go first.
  std::vector<std::string> fields = {
      rate_text(rate_of(p)) + " req/s", "ETA " + (eta.empty() ? std::string("?") : eta),
      with_thousands(p.counts.failed) + " failed",
      with_thousands(p.prompt_tokens + p.completion_tokens) + " tok"};
  if (p.cost_known) fields.push_back(cost_text(p.cost_usd));
  constexpr std::size_t kKeptLongest = 3;

  auto join = [&fields](const std::vector<bool>& keep) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (!keep[i]) continue;
      if (!out.empty()) out += "  ";
      out += fields[i];
    }
    return out;
  };

  std::vector<bool> keep(fields.size(), true);
  // With the bar: everything, then without cost, then without tokens.
  for (std::size_t dropped = 0; dropped <= fields.size() - kKeptLongest; ++dropped) {
    if (dropped > 0) keep[fields.size() - dropped] = false;
    const std::string right = join(keep);
    const std::size_t fixed = left.size() + 3 + (right.empty() ? 0 : 1 + right.size());
    if (fixed + kMinBar > limit) continue;
    const std::size_t inner = std::min(kMaxBar, limit - fixed);
    const auto filled =
        static_cast<std::size_t>(total == 0 ? inner : inner * std::min(done, total) / total);
    return left + " [" + std::string(filled, '#') + std::string(inner - filled, '.') + "]" +
           (right.empty() ? "" : " " + right);
  }
  // Without the bar: drop rate, ETA, failures until the line fits; at worst cut the count.
  for (std::size_t next = 0;; ++next) {
    const std::string right = join(keep);
    const std::string line = right.empty() ? left : left + "  " + right;
    if (line.size() <= limit) return line;
    if (next == kKeptLongest) return line.substr(0, limit);
    keep[next] = false;
  }
}

}  // namespace

ProgressDisplay::ProgressDisplay(std::ostream& out, bool terminal,
                                 std::chrono::milliseconds plain_interval, std::size_t width)
    : out_(&out), terminal_(terminal), plain_interval_(plain_interval), width_(width) {}

ProgressDisplay ProgressDisplay::on_fd(std::ostream& out, int fd,
                                       std::chrono::milliseconds plain_interval) {
  const bool terminal = ::isatty(fd) == 1;
  ProgressDisplay display(out, terminal, plain_interval);
  if (terminal) display.fd_ = fd;
  return display;
}

std::size_t ProgressDisplay::current_width() const {
  if (fd_ < 0) return width_;
  const std::size_t columns = terminal_columns(fd_);
  return columns == 0 ? kDefaultWidth : columns;
}

void ProgressDisplay::update(const BatchProgress& progress) {
  if (finished_) return;
  last_ = progress;
  if (terminal_) {
    // One column short of the width: a line that fills the last column makes some terminals
    // wrap, and the next \r would then redraw on a new line.
    const std::size_t width = current_width();
    *out_ << kRedraw << bar_line(progress, width > 1 ? width - 1 : 1) << std::flush;
    bar_shown_ = true;
    return;
  }
  if (progress.elapsed - last_line_at_ >= plain_interval_) {
    *out_ << plain_line(label_, progress) << '\n' << std::flush;
    last_line_at_ = progress.elapsed;
    last_printed_ = true;
  } else {
    last_printed_ = false;
  }
}

void ProgressDisplay::finish(const BatchSummary& summary) {
  if (finished_) return;
  finished_ = true;
  if (terminal_) {
    if (bar_shown_) *out_ << kRedraw;
  } else if (last_ && !last_printed_) {
    *out_ << plain_line(label_, *last_) << '\n';
  }
  *out_ << summary.to_text() << std::flush;
}

std::size_t terminal_columns(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

}  // namespace lemma::cli
