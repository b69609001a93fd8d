#pragma once

// The `lemma` command's exit codes, the same for every command (scripts branch on them).

namespace lemma::cli {

/// Exit codes of the `lemma` command.
enum ExitCode : int {
  /// Everything asked for was done (for `grade`: every line was graded, whatever the verdicts).
  kExitSuccess = 0,
  /// Some items failed (for `grade`: some lines could not be read or graded); the rest was done.
  kExitSomeFailed = 1,
  /// Usage or configuration error: a bad option, a file that cannot be opened. Nothing was done.
  kExitUsage = 2,
  /// Nothing could be done (e.g. the output could not be written).
  kExitNothingDone = 3,
  /// Interrupted by Ctrl-C (SIGINT), the shell's convention 128 + 2.
  kExitInterrupted = 130,
};

}  // namespace lemma::cli
