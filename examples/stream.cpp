// Streams a proof: reasoning dimmed as it arrives, then the answer, then usage and time to
// first token.
//
//   AIMLAPI_API_KEY=... ./lemma-example-stream "Prove that the sum of two even integers is even."
//   LEMMA_BASE_URL=http://127.0.0.1:8000/v1 LEMMA_MODEL=deepseek-ai/DeepSeek-Math-V2
//   ./lemma-example-stream
//
// Exits 1 with the error's message when the stream fails, 2 on a usage error.

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include <lemma/lemma.hpp>

namespace {

constexpr const char* kDim = "\033[2m";
constexpr const char* kReset = "\033[0m";

}  // namespace

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
  lemma::ChatRequest request;
  request.model = *model;
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
