// A downstream program: links lemma the way users do and checks one call end to end.
#include <iostream>
#include <memory>

#include <lemma/lemma.hpp>
#include <lemma/testing/mock_transport.hpp>

int main() {
  auto mock = std::make_shared<lemma::testing::MockTransport>();
  mock->enqueue_json(
      200, R"({"choices": [{"message": {"role": "assistant", "content": "\\boxed{4}"}}]})");
  lemma::ClientOptions options;
  options.transport = mock;
  lemma::Client client(lemma::providers::openai_compatible("http://127.0.0.1:1/v1", "k"), options);
  lemma::ChatRequest request;
  request.model = "m";
  request.messages = {lemma::Message::user("2+2?")};
  auto response = client.chat(request);
  if (!response || response->text() != "\\boxed{4}") {
    std::cerr << "consumer: unexpected result\n";
    return 1;
  }
  std::cout << "consumer OK with lemma " << lemma::kVersion << "\n";
  return 0;
}
