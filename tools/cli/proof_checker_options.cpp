#include "proof_checker_options.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "lemma/math/lean_checker.hpp"
#include "lemma/math/lean_proof_checker.hpp"

namespace lemma::cli {

void add_proof_checker_options(CLI::App& command, ProofCheckerSettings& settings) {
  command
      .add_option("--lean-repl", settings.repl,
                  "Check each proof's Lean 4 block with this program speaking the Lean REPL's "
                  "JSON, e.g. \"lake exe repl\" (words split at spaces, no shell)")
      ->group("Lean 4");
  command
      .add_option("--lean-dir", settings.repl_dir,
                  "Directory to run --lean-repl in (the Lean project with Mathlib)")
      ->check(CLI::ExistingDirectory)
      ->group("Lean 4");
  command
      .add_option("--lean-server", settings.server,
                  "Check each proof with kimina-lean-server at this URL, e.g. "
                  "http://127.0.0.1:12332/api/check")
      ->group("Lean 4");
  command
      .add_option("--lean-server-key-env", settings.server_key_env,
                  "Read kimina-lean-server's API key from this environment variable")
      ->group("Lean 4");
  command
      .add_option("--lean-header", settings.header_file,
                  "A file whose text goes before each proof's code (imports, options), e.g. "
                  "\"import Mathlib\"")
      ->check(CLI::ExistingFile)
      ->group("Lean 4");
  command
      .add_flag("--lean-only", settings.lean_only,
                "Score proofs by Lean alone (no verifier calls); without it Lean's verdict is one "
                "more verification beside the verifier's")
      ->group("Lean 4");
  command.add_option("--lean-timeout", settings.timeout_seconds, "Seconds Lean may take per proof")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str()
      ->group("Lean 4");
}

Result<std::optional<math::ProofChecker>> make_proof_checker(const ProofCheckerSettings& settings) {
  const bool repl = !settings.repl.empty();
  const bool server = !settings.server.empty();
  if (repl && server) {
    return invalid_request_error("lean", "give --lean-repl or --lean-server, not both");
  }
  if (!repl && !server) {
    if (!settings.repl_dir.empty() || !settings.header_file.empty() ||
        !settings.server_key_env.empty()) {
      return invalid_request_error("lean",
                                   "--lean-dir, --lean-header and --lean-server-key-env apply to "
                                   "a checker: add --lean-repl or --lean-server");
    }
    if (settings.lean_only) {
      return invalid_request_error("lean",
                                   "--lean-only needs a checker: --lean-repl or --lean-server");
    }
    return std::optional<math::ProofChecker>();
  }
  math::LeanOptions lean;
  if (!settings.header_file.empty()) {
    std::ifstream in(settings.header_file, std::ios::binary);
    lean.header.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      return invalid_request_error("lean",
                                   "cannot read --lean-header \"" + settings.header_file + "\"");
    }
  }
  const auto timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(settings.timeout_seconds * 1000));
  Result<math::LeanChecker> checker = make_error(ErrorKind::invalid_request, "no checker");
  if (repl) {
    math::LeanCommandOptions options;
    std::istringstream words(settings.repl);
    for (std::string word; words >> word;) options.argv.push_back(word);
    options.working_directory = settings.repl_dir;
    options.timeout = timeout;
    checker = math::LeanChecker::command(std::move(options));
  } else {
    math::LeanEndpointOptions options;
    options.url = settings.server;
    options.timeout = timeout;
    if (!settings.server_key_env.empty()) {
      const char* key = std::getenv(settings.server_key_env.c_str());
      if (key == nullptr || *key == '\0') {
        return invalid_request_error("lean", "--lean-server-key-env " + settings.server_key_env +
                                                 ": that variable is not set");
      }
      options.api_key = ApiKey(key);
    }
    checker = math::LeanChecker::endpoint(std::move(options));
  }
  if (!checker) return checker.error();
  return std::optional<math::ProofChecker>(
      math::lean_proof_checker(std::move(*checker), std::move(lean)));
}

math::SelfVerifierConfig verifier_config(const Connection& connection,
                                         const SamplingParams& sampling,
                                         std::optional<math::ProofChecker> checker,
                                         const ProofCheckerSettings& settings,
                                         std::shared_ptr<const CancellationToken> cancellation) {
  math::SelfVerifierConfig config;
  config.generator.client = connection.client;
  config.generator.model = connection.model;
  config.generator.sampling = sampling;
  config.verifier = config.generator;
  config.cancellation = std::move(cancellation);
  if (checker) {
    config.checker = std::move(*checker);
    config.checker_use = settings.lean_only ? math::CheckerUse::replace : math::CheckerUse::join;
  }
  return config;
}

}  // namespace lemma::cli
