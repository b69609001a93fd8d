#pragma once

// `lemma models`: lists the models the configured server serves.

#include <CLI/CLI.hpp>

#include "client_config.hpp"
#include "command.hpp"

namespace lemma::cli {

/// The `models` subcommand: registers its options on the app and runs it when selected.
class ModelsCommand : public Command {
 public:
  /// Adds `models` and its options to `app`.
  explicit ModelsCommand(CLI::App& app);
  /// True when the command line selected `models`.
  bool selected() const override;
  /// Asks the server and prints one model per line (or the JSON list); returns the exit code.
  int run(const InterruptGuard& guard) override;

 private:
  CLI::App* command_;
  ConnectionSettings connection_;
  bool json_ = false;
};

}  // namespace lemma::cli
