#pragma once

// `lemma health`: is the configured server up?

#include <CLI/CLI.hpp>

#include "client_config.hpp"
#include "command.hpp"

namespace lemma::cli {

/// The `health` subcommand: registers its options on the app and runs it when selected.
class HealthCommand : public Command {
 public:
  /// Adds `health` and its options to `app`.
  explicit HealthCommand(CLI::App& app);
  /// True when the command line selected `health`.
  bool selected() const override;
  /// Asks the server's health endpoint; prints "ok" (exit 0) or the error (exit 3).
  int run(const InterruptGuard& guard) override;

 private:
  CLI::App* command_;
  ConnectionSettings connection_;
};

}  // namespace lemma::cli
