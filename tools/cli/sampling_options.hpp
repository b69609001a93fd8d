#pragma once

// The sampling flags every command that asks a model shares (--temperature, --top-p, --top-k,
// --max-tokens, --seed, --stop, --extra), in a "Sampling" group of its --help.

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "lemma/chat.hpp"
#include "lemma/result.hpp"

namespace lemma::cli {

/// The values of the sampling flags.
struct SamplingSettings {
  /// --temperature.
  double temperature = 0;
  /// --top-p.
  double top_p = 0;
  /// --top-k.
  std::int64_t top_k = 0;
  /// --max-tokens.
  std::int64_t max_tokens = 0;
  /// --seed.
  std::int64_t seed = 0;
  /// --stop, repeatable.
  std::vector<std::string> stop;
  /// --extra: a JSON object merged into the request body (SamplingParams::extra).
  std::string extra;
};

/// Adds the sampling flags to `command`.
void add_sampling_options(CLI::App& command, SamplingSettings& settings);

/// The SamplingParams the flags given on `command` ask for (flags not given stay unset); an
/// --extra that is not a JSON object is an invalid_request Error.
Result<SamplingParams> sampling_from(const CLI::App& command, const SamplingSettings& settings);

}  // namespace lemma::cli
