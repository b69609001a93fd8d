// Asks the same problem through every configured provider and prints a side-by-side table of
// answer, latency, tokens and cost, then the metrics lemma collected.
//
//   export AIMLAPI_API_KEY=... DATAOORTS_API_KEY=...
//   export LEMMA_BASE_URL=http://127.0.0.1:8000/v1 LEMMA_PROVIDER=vllm
//   export LEMMA_MODEL=deepseek-ai/DeepSeek-Math-V2
//   ./lemma-example-providers "What is 17 * 23?"
//
// Each provider is configured by its own variables: AIMLAPI_API_KEY (aimlapi),
// DATAOORTS_API_KEY (dataoorts), LEMMA_BASE_URL [+ LEMMA_MODEL, + LEMMA_PROVIDER flavour] (your
// server). Exits 2 when none is configured, 1 when every provider failed.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <lemma/lemma.hpp>

namespace {

struct Target {
  std::shared_ptr<lemma::Provider> provider;
  std::string model;
};

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// The boxed answer if there is one, else the start of the text, on one line.
std::string short_answer(const std::string& text) {
  const auto boxed = text.rfind("\\boxed{");
  std::string out = boxed == std::string::npos ? text.substr(0, 40) : text.substr(boxed, 40);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Target> targets;
  if (auto key = env("AIMLAPI_API_KEY")) {
    targets.push_back({lemma::providers::aimlapi(*key), "deepseek/deepseek-prover-v2"});
  }
  if (auto key = env("DATAOORTS_API_KEY")) {
    targets.push_back({lemma::providers::dataoorts(*key), "deepseek-ai/deepseek-math-7b-instruct"});
  }
  if (auto base_url = env("LEMMA_BASE_URL")) {
    auto config = lemma::providers::from_env();
    if (!config) {
      std::cerr << config.error().message << "\n";
      return 2;
    }
    targets.push_back({config->provider, config->model});
  }
  if (targets.empty()) {
    std::cerr << "No provider configured: set AIMLAPI_API_KEY, DATAOORTS_API_KEY and/or "
                 "LEMMA_BASE_URL [+ LEMMA_MODEL].\n";
    return 2;
  }

  const std::string question = argc > 1 ? argv[1] : "What is 17 * 23? Answer in \\boxed{}.";
  auto metrics = std::make_shared<lemma::Metrics>();
  lemma::ClientOptions options;
  options.observer = metrics;

  std::printf("%-18s %-38s %-28s %9s %8s %10s\n", "provider", "model", "answer", "latency",
              "tokens", "cost");
  int failures = 0;
  for (auto& target : targets) {
    lemma::Client client(target.provider, options);
    // LEMMA_BASE_URL without LEMMA_MODEL: the server's only model, when it serves one.
    lemma::Result<std::string> model = lemma::resolve_model(client, target.model);
    if (!model) {
      ++failures;
      std::printf("%-18s %-38s error: %s\n", target.provider->name().c_str(), "(no model)",
                  model.error().what().c_str());
      continue;
    }
    target.model = *model;
    lemma::ChatRequest request;
    request.model = target.model;
    request.messages = {lemma::Message::user(question)};
    request.sampling.max_tokens = 1024;
    const auto start = std::chrono::steady_clock::now();
    auto response = client.chat(request);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    if (!response) {
      ++failures;
      std::printf("%-18s %-38s error: %s\n", target.provider->name().c_str(), target.model.c_str(),
                  response.error().what().c_str());
      continue;
    }
    const std::string cost =
        response->cost_usd ? "$" + std::to_string(*response->cost_usd) : std::string("unknown");
    std::printf(
        "%-18s %-38s %-28s %7lldms %8lld %10s\n", target.provider->name().c_str(),
        target.model.c_str(), short_answer(response->text()).c_str(), static_cast<long long>(ms),
        static_cast<long long>(response->usage ? response->usage->total_tokens : 0), cost.c_str());
  }
  std::cout << "\n" << metrics->snapshot().to_text();
  return failures == static_cast<int>(targets.size()) ? 1 : 0;
}
