// Streams a proof: reasoning dimmed as it arrives, then the answer, then usage and time to
// first token.
//
//   export LEMMA_BASE_URL=https://api.aimlapi.com/v1 LEMMA_API_KEY=...
//   export LEMMA_MODEL=deepseek/deepseek-prover-v2
//   ./lemma-example-stream "Prove that the sum of two even integers is even."
//
// Exits 1 with the error's message when the stream fails, 2 on a usage error.

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include <lemma/lemma.hpp>

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

constexpr const char* kDim = "\033[2m";
constexpr const char* kReset = "\033[0m";

}  // namespace

int main(int argc, char** argv) {
  const std::string base_url = env_or("LEMMA_BASE_URL", "");
  if (base_url.empty()) {
    std::cerr << "Set LEMMA_BASE_URL (e.g. https://api.aimlapi.com/v1, or the URL that "
                 "lemma-mock-server prints), and LEMMA_API_KEY if the server needs one.\n";
    return 2;
  }
  lemma::Client client(lemma::providers::openai_compatible(base_url, env_or("LEMMA_API_KEY", "")));
  lemma::ChatRequest request;
  request.model = env_or("LEMMA_MODEL", "deepseek/deepseek-prover-v2");
  request.messages = {lemma::Message::user(
      argc > 1 ? argv[1] : "Prove that the sum of two even integers is even.")};
  request.sampling.max_tokens = 4096;

  // Reasoning dimmed, answer in normal text: the callbacks receive each piece as it arrives.
  const auto start = std::chrono::steady_clock::now();
  std::optional<std::chrono::milliseconds> first_token;
  bool in_reasoning = false;
  auto mark_first_token = [&] {
    if (!first_token) {
      first_token = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
    }
  };
  lemma::StreamCallbacks print;
  print.on_reasoning = [&](std::string_view text) {
    mark_first_token();
    std::cout << (in_reasoning ? "" : kDim) << text << std::flush;
    in_reasoning = true;
  };
  print.on_content = [&](std::string_view text) {
    mark_first_token();
    std::cout << (in_reasoning ? std::string(kReset) + "\n\n" : "") << text << std::flush;
    in_reasoning = false;
  };

  lemma::Result<lemma::ChatResponse> response = client.stream(request, print);
  std::cout << (in_reasoning ? kReset : "") << "\n\n";
  if (!response) {
    std::cerr << response.error().what() << "\n";
    return 1;
  }
  const auto total = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (response->usage) {
    std::cout << "Tokens: " << response->usage->prompt_tokens << " prompt + "
              << response->usage->completion_tokens
              << " completion = " << response->usage->total_tokens << "\n";
  }
  if (first_token) std::cout << "Time to first token: " << first_token->count() << " ms\n";
  std::cout << "Total: " << total.count() << " ms\n";
  return 0;
}
