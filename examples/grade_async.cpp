// Grades a problem set against a math model with many calls in flight on one thread: every
// problem is sent with Client::chat_async, at most --in-flight at a time (the Client's queue
// holds the rest), and each answer is graded with lemma::math::grade as it is collected.
//
//   export LEMMA_BASE_URL=http://127.0.0.1:8000/v1 LEMMA_MODEL=deepseek-ai/DeepSeek-Math-V2
//   ./lemma-example-grade-async problems.jsonl [in-flight, default 64]
//
// problems.jsonl: one {"id": ..., "question": ..., "answer": ...} per line. Prints one line per
// problem (id, verdict, the answer read from the response) and "correct: N / M" last; exits 1
// when a call failed, 2 on a usage error.

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <lemma/lemma.hpp>
#include <lemma/math.hpp>

namespace {

struct Problem {
  std::string id;
  std::string question;
  std::string answer;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: lemma-example-grade-async PROBLEMS.jsonl [IN_FLIGHT]\n";
    return 2;
  }
  std::ifstream file(argv[1]);
  if (!file) {
    std::cerr << "cannot read " << argv[1] << "\n";
    return 2;
  }
  std::vector<Problem> problems;
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    if (line.empty()) continue;
    const auto row = nlohmann::json::parse(line, nullptr, false);
    if (!row.is_object() || !row.contains("question") || !row.contains("answer")) {
      std::cerr << argv[1] << ":" << number << ": not a {\"question\", \"answer\"} object\n";
      continue;  // the rest goes on
    }
    problems.push_back({row.value("id", std::to_string(number)), row.value("question", ""),
                        row.value("answer", "")});
  }
  auto config = lemma::providers::from_env();
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 2;
  }

  // --- the README's example: 64 in flight on one loop thread, graded as they come back ---
  lemma::ClientOptions options;
  options.max_concurrent_calls = argc > 2 ? std::stoul(argv[2]) : 64;  // the rest wait in line
  lemma::Client client(config->provider, options);
  // No LEMMA_MODEL: a server that serves exactly one model (most self-hosted ones) names it.
  lemma::Result<std::string> model = lemma::resolve_model(client, config->model);
  if (!model) {
    std::cerr << model.error().what() << "\n";
    return 2;
  }
  std::vector<lemma::Future<lemma::Result<lemma::ChatResponse>>> answers;
  for (const Problem& problem : problems) {
    lemma::ChatRequest request;
    request.model = *model;
    request.messages = {lemma::Message::user(problem.question + " Put the answer in \\boxed{}.")};
    answers.push_back(client.chat_async(request));  // returns at once
  }
  int correct = 0, failed = 0;
  for (std::size_t i = 0; i < problems.size(); ++i) {
    lemma::Result<lemma::ChatResponse> response = answers[i].get();
    if (!response) {
      ++failed;
      std::cout << problems[i].id << "\terror\t" << response.error().what() << "\n";
      continue;
    }
    const lemma::math::Verdict verdict = lemma::math::grade(response->text(), problems[i].answer);
    correct += verdict.equal() ? 1 : 0;
    std::cout << problems[i].id << "\t" << lemma::math::to_string(verdict.result) << "\t"
              << verdict.extracted.value_or("(none)") << "\n";
  }
  std::cout << "correct: " << correct << " / " << problems.size() << "\n";
  return failed > 0 ? 1 : 0;
}
