// Asks a math model one question and prints the answer, the reasoning, token usage and latency.
//
//   export LEMMA_BASE_URL=https://api.aimlapi.com/v1 LEMMA_API_KEY=...
//   export LEMMA_MODEL=deepseek/deepseek-prover-v2
//   ./lemma-example-chat "Prove that sqrt(2) is irrational."
//
// Exits 1 with the error's message when the call fails, 2 on a usage error.

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <lemma/lemma.hpp>

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string base_url = env_or("LEMMA_BASE_URL", "");
  if (base_url.empty()) {
    std::cerr << "Set LEMMA_BASE_URL (e.g. https://api.aimlapi.com/v1, or the URL that "
                 "lemma-mock-server prints), and LEMMA_API_KEY if the server needs one.\n";
    return 2;
  }
  const std::string question =
      argc > 1 ? argv[1] : "What is 17 * 23? Put the final answer in \\boxed{}.";

  lemma::Client client(lemma::providers::openai_compatible(base_url, env_or("LEMMA_API_KEY", "")));
  lemma::ChatRequest request;
  request.model = env_or("LEMMA_MODEL", "deepseek/deepseek-prover-v2");
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
  std::cout << "Answer (" << response->model << "):\n" << response->text() << "\n\n";
  if (response->usage) {
    std::cout << "Tokens: " << response->usage->prompt_tokens << " prompt + "
              << response->usage->completion_tokens
              << " completion = " << response->usage->total_tokens << "\n";
  }
  std::cout << "Latency: " << elapsed.count() << " ms\n";
  return 0;
}
