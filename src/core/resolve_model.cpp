// Model auto-detection: a configuration without a model is completed from the server's model
// list when that list names exactly one model; anything else asks the user to choose.

#include "lemma/resolve_model.hpp"

#include <cstddef>
#include <utility>
#include <vector>

namespace lemma {

namespace {

// Enough names to choose from without flooding a terminal: hosted providers list hundreds.
constexpr std::size_t kMaxListed = 20;

std::string list_names(const std::vector<ModelInfo>& models) {
  std::string out;
  for (std::size_t i = 0; i < models.size() && i < kMaxListed; ++i) {
    out += (i == 0 ? "" : ", ") + models[i].id;
  }
  if (models.size() > kMaxListed) {
    out += " and " + std::to_string(models.size() - kMaxListed) + " more";
  }
  return out;
}

}  // namespace

Result<std::string> resolve_model(const Client& client, std::string configured,
                                  const CallOptions& call) {
  if (!configured.empty()) return configured;
  Result<std::vector<ModelInfo>> models = client.models(call);
  if (!models) {
    Error error = models.error();
    if (error.kind == ErrorKind::cancelled) return error;
    error.message =
        "No model is configured, and asking the server for its models failed: " + error.message +
        " To skip asking, set the model (LEMMA_MODEL, or --model for the lemma "
        "command).";
    return error;
  }
  std::vector<ModelInfo> named;
  for (ModelInfo& model : *models) {
    if (!model.id.empty()) named.push_back(std::move(model));
  }
  if (named.size() == 1) return std::move(named.front().id);
  if (named.empty()) {
    return invalid_request_error(
        "model",
        "No model is configured and the server lists no models. Set the model "
        "(LEMMA_MODEL, or --model for the lemma command).");
  }
  return invalid_request_error(
      "model", "No model is configured and the server serves " + std::to_string(named.size()) +
                   " models: " + list_names(named) +
                   ". Choose one (LEMMA_MODEL, or --model for the lemma command).");
}

}  // namespace lemma
