#pragma once

// The connection every networked `lemma` command shares: the same environment variables as
// lemma::providers::from_env(), overridden by --provider, --base-url, --model, --api-key-env
// and --timeout; the model asked from the server when none is configured.

#include <iosfwd>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "lemma/client.hpp"
#include "lemma/client_options.hpp"
#include "lemma/http.hpp"
#include "lemma/result.hpp"

namespace lemma::cli {

/// Connection flags shared by every networked command.
struct ConnectionSettings {
  /// --provider: overrides LEMMA_PROVIDER (aimlapi, dataoorts, openai_compatible, vllm, ...).
  std::string provider;
  /// --base-url: overrides LEMMA_BASE_URL.
  std::string base_url;
  /// --model: overrides LEMMA_MODEL.
  std::string model;
  /// --api-key-env NAME: read the API key from the environment variable NAME (never a literal
  /// key on the command line, where `ps` would show it).
  std::string api_key_env;
  /// --timeout: longest time for one call in seconds, streams included (0: the library's
  /// defaults, 600 s per call and no limit on a whole stream).
  double timeout_seconds = 0;
};

/// Adds --provider, --base-url, --model, --api-key-env, --timeout to `command`.
void add_connection_options(CLI::App& command, ConnectionSettings& settings);

/// A ready Client and the model to use.
struct Connection {
  /// The Client, built with the caller's options.
  lemma::Client client;
  /// The model: configured, the provider's default, or the server's only model.
  std::string model;
};

/// Builds the provider from the environment (the same variables as providers::from_env())
/// overridden by the flags, and the Client with `options`; when `need_model` and no model is
/// configured, asks the server's /models (lemma::resolve_model): exactly one → use it and say so
/// on `err`; several → an error listing them; none or unreachable → an error saying to set
/// --model or LEMMA_MODEL. Configuration problems are invalid_request Errors; a server that
/// cannot be asked keeps its own kind (connection, timeout...). `cancellation` (e.g.
/// InterruptGuard::token()) ends the model lookup. No Error ever contains the key.
lemma::Result<Connection> connect(const ConnectionSettings& settings, lemma::ClientOptions options,
                                  std::ostream& err, bool need_model = true,
                                  std::shared_ptr<const CancellationToken> cancellation = nullptr);

}  // namespace lemma::cli
