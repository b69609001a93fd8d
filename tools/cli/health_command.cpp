#include "health_command.hpp"

#include <iostream>

#include "error_report.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"

namespace lemma::cli {

HealthCommand::HealthCommand(CLI::App& app)
    : command_(
          app.add_subcommand("health",
                             "Check that the configured server is up (its health endpoint, or its "
                             "model list)")) {
  add_connection_options(*command_, connection_);
  command_->footer(
      "Example:\n"
      "  lemma health --base-url http://127.0.0.1:8000/v1 --provider vllm && echo up\n"
      "Exit codes: 0 ok, 2 usage or configuration error (e.g. a key the server refused), "
      "3 the server is down, unreachable or not ready, 130 interrupted.");
}

bool HealthCommand::selected() const {
  return command_->parsed();
}

int HealthCommand::run(const InterruptGuard& guard) {
  Result<Connection> connection =
      connect(connection_, ClientOptions{}, std::cerr, /*need_model=*/false, guard.token());
  if (!connection) {
    return report_failure(std::cerr, "health", connection.error(), guard.interrupted());
  }
  CallOptions call;
  call.cancellation = guard.token();
  call.retry = RetryPolicy::none();  // a health check reports the state now, it does not wait
  Result<Done> health = connection->client.health(call);
  if (!health) return report_failure(std::cerr, "health", health.error(), guard.interrupted());
  std::cout << "ok\n" << std::flush;
  return kExitSuccess;
}

}  // namespace lemma::cli
