#include "models_command.hpp"

#include <iostream>

#include <nlohmann/json.hpp>

#include "error_report.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"

namespace lemma::cli {

ModelsCommand::ModelsCommand(CLI::App& app)
    : command_(app.add_subcommand("models", "List the models the configured server serves")) {
  command_->add_flag(
      "--json", json_,
      "Print the list as the server's JSON ({\"object\": \"list\", \"data\": [...]})");
  add_connection_options(*command_, connection_);
  command_->footer(
      "Examples:\n"
      "  lemma models --base-url http://127.0.0.1:8000/v1\n"
      "  lemma models --json | jq '.data[].id'\n"
      "Exit codes: 0 listed, 2 usage or configuration error, 3 the server could not answer, "
      "130 interrupted.");
}

bool ModelsCommand::selected() const {
  return command_->parsed();
}

int ModelsCommand::run(const InterruptGuard& guard) {
  Result<Connection> connection =
      connect(connection_, ClientOptions{}, std::cerr, /*need_model=*/false, guard.token());
  if (!connection) {
    return report_failure(std::cerr, "models", connection.error(), guard.interrupted());
  }
  CallOptions call;
  call.cancellation = guard.token();
  Result<std::vector<ModelInfo>> models = connection->client.models(call);
  if (!models) return report_failure(std::cerr, "models", models.error(), guard.interrupted());
  if (json_) {
    nlohmann::json data = nlohmann::json::array();
    for (const ModelInfo& model : *models) {
      data.push_back(model.raw.is_object() ? model.raw : nlohmann::json{{"id", model.id}});
    }
    std::cout << nlohmann::json{{"object", "list"}, {"data", std::move(data)}}.dump(
                     -1, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
  } else {
    // One name per line for scripts: a name from the server cannot break the line.
    for (const ModelInfo& model : *models) std::cout << one_line(model.id) << '\n';
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "lemma models: could not write to standard output\n";
    return kExitNothingDone;
  }
  return kExitSuccess;
}

}  // namespace lemma::cli
