#pragma once

// `lemma chat [PROMPT|-]`: asks the configured model one question and prints the answer,
// streamed by default.

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "client_config.hpp"
#include "command.hpp"
#include "sampling_options.hpp"

namespace lemma::cli {

/// What `lemma chat` was asked to do (its command-line options).
struct ChatSettings {
  /// The prompt; empty or "-" reads it from standard input.
  std::string prompt;
  /// --system: a system message sent before the prompt.
  std::string system;
  /// --no-stream: wait for the whole answer instead of streaming it.
  bool no_stream = false;
  /// --json: print the response as JSON (the server's own for --no-stream) instead of text.
  bool json = false;
  /// --no-reasoning: print only the answer, not the model's reasoning.
  bool no_reasoning = false;
  /// The sampling flags (--temperature, --max-tokens, --extra, ...).
  SamplingSettings sampling;
  /// -n: how many answers.
  std::int64_t n = 0;
  /// The connection flags.
  ConnectionSettings connection;
};

/// The `chat` subcommand: registers its options on the app and runs it when selected.
class ChatCommand : public Command {
 public:
  /// Adds `chat` and its options to `app`.
  explicit ChatCommand(CLI::App& app);
  /// True when the command line selected `chat`.
  bool selected() const override;
  /// Reads the prompt, connects, asks and prints; returns the exit code (130 on Ctrl-C).
  int run(const InterruptGuard& guard) override;

 private:
  CLI::App* command_;
  ChatSettings settings_;
};

}  // namespace lemma::cli
