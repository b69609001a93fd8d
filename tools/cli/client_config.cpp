// Flags over environment: the flags become the LEMMA_* variables from_env() reads, so the CLI
// and the library agree on every rule (which provider, which key, which default model).

#include "client_config.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <utility>

#include "error_report.hpp"
#include "lemma/providers/from_env.hpp"
#include "lemma/resolve_model.hpp"

namespace lemma::cli {

namespace {

std::optional<std::string> real_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// A name in the usual environment-variable form can be echoed in a message; anything else may
// be a key pasted by mistake, so it is never repeated.
bool looks_like_variable_name(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

constexpr const char* kFlagsHint =
    " (the flags --provider, --base-url, --model and --api-key-env NAME override these "
    "variables)";

}  // namespace

void add_connection_options(CLI::App& command, ConnectionSettings& settings) {
  command
      .add_option("--provider", settings.provider,
                  "aimlapi, dataoorts, openai_compatible, or a self-hosted flavour: vllm, "
                  "sglang, tgi, llama_cpp, ollama, generic, auto (default: $LEMMA_PROVIDER, "
                  "else inferred)")
      ->group("Connection");
  command
      .add_option("--base-url", settings.base_url,
                  "The endpoint, e.g. http://127.0.0.1:8000/v1 (default: $LEMMA_BASE_URL)")
      ->group("Connection");
  command
      .add_option("--model", settings.model,
                  "The model (default: $LEMMA_MODEL, the provider's default, or the server's "
                  "only model)")
      ->group("Connection");
  command
      .add_option("--api-key-env", settings.api_key_env,
                  "Read the API key from this environment variable (default: $LEMMA_API_KEY, "
                  "$AIMLAPI_API_KEY, $DATAOORTS_API_KEY); a key is never taken on the command "
                  "line")
      ->group("Connection");
  command
      .add_option("--timeout", settings.timeout_seconds,
                  "Longest time for one call in seconds, streams included (default: 600 for a "
                  "call, no limit for a stream)")
      ->check(CLI::NonNegativeNumber)
      ->group("Connection");
}

lemma::Result<Connection> connect(const ConnectionSettings& settings, lemma::ClientOptions options,
                                  std::ostream& err, bool need_model,
                                  std::shared_ptr<const CancellationToken> cancellation) {
  if (!std::isfinite(settings.timeout_seconds) || settings.timeout_seconds < 0) {
    return invalid_request_error("--timeout", "--timeout must be a number of seconds, 0 or more");
  }
  std::optional<std::string> key;
  if (!settings.api_key_env.empty()) {
    key = real_env(settings.api_key_env.c_str());
    if (!key) {
      const std::string name = looks_like_variable_name(settings.api_key_env)
                                   ? "$" + settings.api_key_env
                                   : "the environment variable named by --api-key-env";
      return invalid_request_error("--api-key-env",
                                   name +
                                       " is not set or empty (export it first; --api-key-env takes "
                                       "the variable's name, never the key itself)");
    }
  }
  // The flags win over the variables they stand for; a key read through --api-key-env is
  // LEMMA_API_KEY, which from_env() prefers for every provider.
  const providers::EnvLookup lookup = [&](const char* name) -> std::optional<std::string> {
    const std::string variable = name;
    const std::string* flag = nullptr;
    if (variable == "LEMMA_PROVIDER") flag = &settings.provider;
    if (variable == "LEMMA_BASE_URL") flag = &settings.base_url;
    if (variable == "LEMMA_MODEL") flag = &settings.model;
    if (flag != nullptr && !flag->empty()) return *flag;
    if (variable == "LEMMA_API_KEY" && key) return key;
    return real_env(name);
  };
  Result<providers::EnvConfig> config = providers::from_env(lookup);
  if (!config) {
    Error error = config.error();
    error.message += kFlagsHint;
    return error;
  }

  if (settings.timeout_seconds > 0) {
    const auto limit = std::chrono::milliseconds(
        static_cast<std::int64_t>(std::ceil(std::min(settings.timeout_seconds, 1e9) * 1000)));
    options.timeout = limit;
    options.stream_timeout = limit;
  }
  Connection connection{lemma::Client(config->provider, std::move(options)), config->model};
  if (!need_model || !connection.model.empty()) return connection;

  CallOptions call;
  call.cancellation = std::move(cancellation);
  Result<std::string> model = resolve_model(connection.client, "", call);
  if (!model) return model.error();
  connection.model = *model;
  err << "lemma: using the model " << one_line(connection.model)
      << ", the only one the server serves (set --model or LEMMA_MODEL to choose another)\n";
  return connection;
}

}  // namespace lemma::cli
