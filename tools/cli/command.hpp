#pragma once

// What main() knows of a `lemma` subcommand: it registers itself on the app when built, says
// whether the command line selected it, and runs. One file pair per command.

namespace lemma::cli {

class InterruptGuard;

/// A `lemma` subcommand.
class Command {
 public:
  virtual ~Command() = default;
  /// True when the command line selected this command.
  virtual bool selected() const = 0;
  /// Runs the command (stopping cleanly once `guard` is interrupted); returns the exit code.
  virtual int run(const InterruptGuard& guard) = 0;
};

}  // namespace lemma::cli
