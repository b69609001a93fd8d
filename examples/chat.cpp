// Asks a math model one question and prints the answer, the reasoning, token usage, cost (when
// the model's prices are known) and latency.
//
//   AIMLAPI_API_KEY=... ./lemma-example-chat "Prove that sqrt(2) is irrational."
//   LEMMA_BASE_URL=http://127.0.0.1:8000/v1 ./lemma-example-chat   # the server's only model
//   LEMMA_BASE_URL=http://127.0.0.1:8000/v1 LEMMA_MODEL=deepseek-ai/DeepSeek-Math-V2
//   ./lemma-example-chat
//
// Exits 1 with the error's message when the call fails, 2 on a usage error.

#include <chrono>
#include <iostream>
#include <string>

#include <lemma/lemma.hpp>

int main(int argc, char** argv) {
  // The provider comes from the environment (LEMMA_BASE_URL / LEMMA_MODEL for any
  // OpenAI-compatible server, AIMLAPI_API_KEY, DATAOORTS_API_KEY, ...): see providers::from_env.
  lemma::Result<lemma::providers::EnvConfig> config = lemma::providers::from_env();
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 2;
  }
  std::cerr << "Asking " << config->description << "\n";
  lemma::Client client(config->provider);
  // No LEMMA_MODEL: a server that serves exactly one model (most self-hosted ones) names it.
  lemma::Result<std::string> model = lemma::resolve_model(client, config->model);
  if (!model) {
    std::cerr << model.error().what() << "\n";
    return model.error().kind == lemma::ErrorKind::invalid_request ? 2 : 1;
  }
  const std::string question =
      argc > 1 ? argv[1] : "What is 17 * 23? Put the final answer in \\boxed{}.";
  lemma::ChatRequest request;
  request.model = *model;
  request.messages = {lemma::Message::system("You are a careful mathematician. Put the final "
                                             "answer in \\boxed{}."),
                      lemma::Message::user(question)};
  request.sampling.temperature = 0.0;
  request.sampling.max_tokens = 2048;

  const auto start = std::chrono::steady_clock::now();
  lemma::Result<lemma::ChatResponse> response = client.chat(request);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (!response) {
    std::cerr << response.error().what() << "\n";
    return 1;
  }
  if (!response->reasoning().empty())
    std::cout << "Reasoning:\n" << response->reasoning() << "\n\n";
  // client.provider().name() is final now (LEMMA_PROVIDER=auto identifies the server first).
  std::cout << "Answer (" << response->model << " via " << client.provider().name() << "):\n"
            << response->text() << "\n\n";
  if (response->usage) {
    std::cout << "Tokens: " << response->usage->prompt_tokens << " prompt + "
              << response->usage->completion_tokens
              << " completion = " << response->usage->total_tokens << "\n";
  }
  if (response->cost_usd) std::cout << "Cost: $" << *response->cost_usd << "\n";
  std::cout << "Latency: " << elapsed.count() << " ms\n";
  return 0;
}
