#pragma once

// Running a program with its standard streams on pipes, a deadline and cancellation: what the
// Lean command checker needs. Private to lemma::math_runs; exported only for its tests.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "lemma/http.hpp"
#include "lemma/math_runs_export.hpp"

namespace lemma::math::detail {

/// What to run and how.
struct SubprocessSpec {
  /// Program and arguments; argv[0] is searched in PATH when it has no '/'. No shell.
  std::vector<std::string> argv;
  /// Directory to start in; "" = the caller's.
  std::string working_directory;
  /// Bytes written to its standard input, which is then closed.
  std::string input;
  /// Time allowed from start to exit; 0 = no limit.
  std::chrono::milliseconds timeout{0};
  /// Largest standard output kept; more ends the run with End::output_overflow.
  std::size_t max_output_bytes = std::size_t{16} * 1024 * 1024;
  /// Standard error beyond this keeps only its last bytes.
  std::size_t max_error_bytes = std::size_t{64} * 1024;
  /// Ends the run (End::cancelled) when cancelled, from any thread.
  std::shared_ptr<const CancellationToken> cancellation;
};

/// How a run ended and what it printed.
struct SubprocessOutcome {
  /// How the run ended.
  enum class End { exited, signaled, timed_out, cancelled, output_overflow, failed };
  /// How the run ended.
  End end = End::failed;
  /// Exit status when End::exited.
  int exit_code = -1;
  /// Signal number when End::signaled.
  int signal = 0;
  /// Standard output (at most max_output_bytes).
  std::string output;
  /// Standard error (its last max_error_bytes at most).
  std::string error_output;
  /// Why the program could not be started or run, when End::failed.
  std::string failure;
  /// Wall time from start to reaping.
  std::chrono::milliseconds elapsed{0};
};

/// Runs `spec` to its end: starts the program in a process group of its own (posix_spawn, no
/// shell, an empty signal mask and default SIGPIPE/SIGINT/SIGTERM in the child), feeds its
/// standard input and drains standard output and error with poll() until both close, then
/// reaps it. At the deadline, on cancellation or on output overflow the whole group gets
/// SIGKILL and the child is reaped: no zombie, no descriptor left open, and a child that
/// stops reading its input never raises SIGPIPE in the caller. Thread-safe.
LEMMA_MATH_RUNS_EXPORT SubprocessOutcome run_subprocess(const SubprocessSpec& spec);

}  // namespace lemma::math::detail
