// The `lemma batch` progress display: exact bar and plain lines for given progress values, the
// width limit, no escapes off a terminal, ETA and cost rules. Time comes from the progress
// values, so nothing here sleeps.

#include "cli/progress.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lemma::cli {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kRedraw = "\r\033[2K";

// 420 of 1,000 done (3 failed) 11.024 s into the run: 38.1 req/s, 580 left -> ETA 16 s.
BatchProgress midway() {
  BatchProgress p;
  p.counts.total = 1000;
  p.counts.completed = 417;
  p.counts.failed = 3;
  p.done_this_run = 420;
  p.remaining = 580;
  p.in_flight = 32;
  p.prompt_tokens = 61000;
  p.completion_tokens = 30234;
  p.elapsed = 11024ms;
  return p;
}

BatchSummary summary_of(const BatchProgress& p) {
  BatchSummary s;
  s.counts = p.counts;
  s.resumed = p.resumed;
  s.done_this_run = p.done_this_run;
  s.elapsed = p.elapsed;
  return s;
}

// Every redrawn bar in `out`, without the escapes.
std::vector<std::string> bars(const std::string& out) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while ((at = out.find(kRedraw, at)) != std::string::npos) {
    at += kRedraw.size();
    const std::size_t end = out.find(kRedraw, at);
    lines.push_back(out.substr(at, end == std::string::npos ? std::string::npos : end - at));
  }
  return lines;
}

std::string bar_for(const BatchProgress& p, std::size_t width) {
  std::ostringstream out;
  ProgressDisplay display(out, true, 10s, width);
  display.update(p);
  const auto drawn = bars(out.str());
  EXPECT_EQ(drawn.size(), 1u);
  EXPECT_EQ(out.str().rfind(kRedraw, 0), 0u) << "a redraw starts with \\r ESC[2K";
  return drawn.empty() ? "" : drawn.front();
}

std::string plain_for(const BatchProgress& p) {
  std::ostringstream out;
  ProgressDisplay display(out, false, 0ms);
  display.update(p);
  return out.str();
}

TEST(ProgressDisplayTest, BarShowsCountPercentBarRateEtaFailuresTokens) {
  EXPECT_EQ(bar_for(midway(), 80),
            "420/1,000  42% [########............] 38.1 req/s  ETA 16s  3 failed  91,234 tok");
}

TEST(ProgressDisplayTest, PlainLineSaysTheSameInWords) {
  EXPECT_EQ(plain_for(midway()),
            "lemma batch: 420/1,000 done (3 failed), 38.1 req/s, ETA 16s, 91,234 tokens\n");
}

TEST(ProgressDisplayTest, ResumedRequestsAreNamedInThePlainLine) {
  BatchProgress p = midway();
  p.resumed = 200;
  EXPECT_THAT(plain_for(p), HasSubstr("done (3 failed, 200 resumed),"));
}

TEST(ProgressDisplayTest, CostIsShownOnlyWhenKnown) {
  BatchProgress p = midway();
  p.cost_usd = 0.0421;
  p.cost_known = false;
  EXPECT_THAT(plain_for(p), Not(HasSubstr("$")));
  EXPECT_THAT(bar_for(p, 120), Not(HasSubstr("$")));
  p.cost_known = true;
  EXPECT_EQ(plain_for(p),
            "lemma batch: 420/1,000 done (3 failed), 38.1 req/s, ETA 16s, 91,234 tokens, "
            "$0.0421\n");
  EXPECT_THAT(bar_for(p, 120), HasSubstr("  91,234 tok  $0.0421"));
  p.cost_usd = 12.346;
  EXPECT_THAT(plain_for(p), HasSubstr(", $12.35\n"));
  p.cost_usd = 0;
  EXPECT_THAT(plain_for(p), HasSubstr(", $0.0000\n")) << "a known zero cost is still shown";
}

TEST(ProgressDisplayTest, EtaIsUnknownWhileNothingHasFinished) {
  BatchProgress p = midway();
  p.done_this_run = 0;
  p.counts.completed = 0;
  p.counts.failed = 0;
  p.remaining = 1000;
  EXPECT_THAT(plain_for(p), HasSubstr(", 0.0 req/s, ETA unknown,"));
  EXPECT_THAT(bar_for(p, 80), HasSubstr("0.0 req/s  ETA ?  0 failed"));
  p.elapsed = 0ms;  // the very first update: no division by zero either
  EXPECT_THAT(plain_for(p), HasSubstr("ETA unknown"));
}

TEST(ProgressDisplayTest, EtaIsZeroWhenNothingRemains) {
  BatchProgress p = midway();
  p.remaining = 0;
  p.counts.completed = 997;
  EXPECT_THAT(plain_for(p), HasSubstr("1,000/1,000 done (3 failed), 38.1 req/s, ETA 0s,"));
  EXPECT_THAT(bar_for(p, 80), HasSubstr("1,000/1,000 100% [###################] "));
}

TEST(ProgressDisplayTest, LongEtasAreInMinutesAndHours) {
  BatchProgress p = midway();
  p.done_this_run = 10;
  p.elapsed = 10000ms;  // 1 req/s
  p.remaining = 245;
  EXPECT_THAT(plain_for(p), HasSubstr("1.0 req/s, ETA 4m05s,"));
  p.remaining = 7380;
  EXPECT_THAT(plain_for(p), HasSubstr("ETA 2h03m,"));
  p.done_this_run = 1;
  p.elapsed = 100000ms;  // 0.01 req/s: some progress, shown as such
  EXPECT_THAT(plain_for(p), HasSubstr("<0.1 req/s"));
}

TEST(ProgressDisplayTest, BarNeverExceedsTheWidthMinusOneColumn) {
  BatchProgress p = midway();
  p.cost_known = true;
  p.cost_usd = 1234.5;
  p.counts.total = 123456789;
  p.prompt_tokens = 987654321;
  for (std::size_t width = 1; width <= 240; ++width) {
    const std::string line = bar_for(p, width);
    EXPECT_LE(line.size(), width > 1 ? width - 1 : 1) << "width " << width << ": " << line;
    EXPECT_FALSE(line.empty()) << width;
  }
}

TEST(ProgressDisplayTest, NarrowTerminalsDropCostThenTokensThenTheBar) {
  BatchProgress p = midway();
  p.cost_known = true;
  p.cost_usd = 0.5;
  // 48 columns of fields after "420/1,000  42%": the bar gets what is left, at least 10.
  EXPECT_EQ(bar_for(p, 90),
            "420/1,000  42% [#########..............] 38.1 req/s  ETA 16s  3 failed  91,234 tok  "
            "$0.50");
  EXPECT_EQ(bar_for(p, 77),
            "420/1,000  42% [####......] 38.1 req/s  ETA 16s  3 failed  91,234 tok  $0.50");
  EXPECT_EQ(bar_for(p, 76),
            "420/1,000  42% [######..........] 38.1 req/s  ETA 16s  3 failed  91,234 tok");
  EXPECT_EQ(bar_for(p, 70),
            "420/1,000  42% [####......] 38.1 req/s  ETA 16s  3 failed  91,234 tok");
  EXPECT_EQ(bar_for(p, 69), "420/1,000  42% [########.............] 38.1 req/s  ETA 16s  3 failed");
  EXPECT_EQ(bar_for(p, 60), "420/1,000  42% [#####.......] 38.1 req/s  ETA 16s  3 failed");
  EXPECT_EQ(bar_for(p, 58), "420/1,000  42% [####......] 38.1 req/s  ETA 16s  3 failed");
  EXPECT_EQ(bar_for(p, 50), "420/1,000  42%  38.1 req/s  ETA 16s  3 failed");
  EXPECT_EQ(bar_for(p, 40), "420/1,000  42%  ETA 16s  3 failed");
  EXPECT_EQ(bar_for(p, 25), "420/1,000  42%  3 failed");
  EXPECT_EQ(bar_for(p, 15), "420/1,000  42%");
  EXPECT_EQ(bar_for(p, 10), "420/1,000");
}

TEST(ProgressDisplayTest, WideTerminalsCapTheBar) {
  const std::string line = bar_for(midway(), 300);
  EXPECT_EQ(line,
            "420/1,000  42% [################........................] 38.1 req/s  ETA 16s  3 "
            "failed  91,234 tok");
}

TEST(ProgressDisplayTest, EveryUpdateRedrawsTheBarInPlace) {
  std::ostringstream out;
  ProgressDisplay display(out, true, 10s, 80);
  BatchProgress p = midway();
  display.update(p);
  p.counts.completed = 500;
  p.done_this_run = 503;
  display.update(p);
  const auto drawn = bars(out.str());
  ASSERT_EQ(drawn.size(), 2u);
  EXPECT_THAT(drawn[0], HasSubstr("420/1,000"));
  EXPECT_THAT(drawn[1], HasSubstr("503/1,000"));
  EXPECT_EQ(out.str().find('\n'), std::string::npos) << "the bar stays on one line";
}

TEST(ProgressDisplayTest, FinishClearsTheBarThenPrintsTheSummary) {
  std::ostringstream out;
  ProgressDisplay display(out, true, 10s, 80);
  BatchProgress p = midway();
  display.update(p);
  display.finish(summary_of(p));
  const std::string text = out.str();
  const std::size_t clear = text.rfind(kRedraw);
  ASSERT_NE(clear, std::string::npos);
  EXPECT_EQ(text.substr(clear + kRedraw.size()), summary_of(p).to_text())
      << "the bar is cleared, the summary follows";
  display.update(p);
  EXPECT_EQ(out.str(), text) << "updates after finish() are ignored";
}

TEST(ProgressDisplayTest, PlainModeWritesNoEscapesAndALineEveryInterval) {
  std::ostringstream out;
  ProgressDisplay display(out, false, 10s, 80);
  BatchProgress p = midway();
  // An update every 500 ms for 25 s: lines at 10 s and 20 s, the last state at finish().
  for (int tick = 1; tick <= 50; ++tick) {
    p.elapsed = std::chrono::milliseconds(500 * tick);
    p.done_this_run = static_cast<std::uint64_t>(tick);
    display.update(p);
  }
  display.finish(summary_of(p));
  const std::string text = out.str();
  EXPECT_EQ(text.find('\033'), std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("lemma batch: 420/1,000 done", 0) == 0) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), 3u) << text;
  EXPECT_THAT(lines[0], HasSubstr(", 2.0 req/s,"));             // 20 done at 10 s
  EXPECT_THAT(lines[1], HasSubstr(", 2.0 req/s,"));             // 40 at 20 s
  EXPECT_THAT(lines[2], HasSubstr(", 2.0 req/s, ETA 4m50s,"));  // 50 at 25 s, 580 left
  EXPECT_EQ(text.substr(text.size() - summary_of(p).to_text().size()), summary_of(p).to_text());
}

TEST(ProgressDisplayTest, PlainModeDoesNotRepeatALineAlreadyPrintedAtTheEnd) {
  std::ostringstream out;
  ProgressDisplay display(out, false, 10s, 80);
  BatchProgress p = midway();  // 11 s: due
  display.update(p);
  display.finish(summary_of(p));
  const std::string text = out.str();
  EXPECT_EQ(text.find("lemma batch: 420/1,000 done"), text.rfind("lemma batch: 420/1,000 done"));
}

// A pseudo-terminal stands in for the user's terminal: its size is what the bar follows.
TEST(ProgressDisplayTest, OnFdFollowsTheTerminalsWidth) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  const char* name = ::ptsname(master);
  ASSERT_NE(name, nullptr);
  const int slave = ::open(name, O_RDWR | O_NOCTTY);
  ASSERT_GE(slave, 0);
  winsize size{};
  size.ws_col = 50;
  size.ws_row = 24;
  ASSERT_EQ(::ioctl(slave, TIOCSWINSZ, &size), 0);
  EXPECT_EQ(terminal_columns(slave), 50u);

  std::ostringstream out;
  ProgressDisplay display = ProgressDisplay::on_fd(out, slave);
  display.update(midway());
  size.ws_col = 200;
  ASSERT_EQ(::ioctl(slave, TIOCSWINSZ, &size), 0);
  display.update(midway());
  const auto drawn = bars(out.str());
  ASSERT_EQ(drawn.size(), 2u);
  EXPECT_EQ(drawn[0], "420/1,000  42%  38.1 req/s  ETA 16s  3 failed");
  EXPECT_THAT(drawn[1], HasSubstr("[################........................]"));
  ::close(slave);
  ::close(master);
}

TEST(ProgressDisplayTest, OnFdWritesPlainLinesWhenNotATerminal) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  EXPECT_EQ(terminal_columns(fds[1]), 0u);
  std::ostringstream out;
  ProgressDisplay display = ProgressDisplay::on_fd(out, fds[1], 0ms);
  display.update(midway());
  EXPECT_EQ(out.str(),
            "lemma batch: 420/1,000 done (3 failed), 38.1 req/s, ETA 16s, 91,234 tokens\n");
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace lemma::cli
