#include "mock_server/mock_answer.hpp"

#include <cctype>
#include <regex>

namespace lemma::tools {

MockAnswer mock_answer(const std::string& question) {
  // Self-verification prompts (lemma prove, DeepSeekMath-V2's format): a generation or
  // refinement prompt asks for "## Solution" and "## Self Evaluation"; a verification prompt
  // asks for "Here is my evaluation of the solution:" and a boxed score. The mock answers in
  // the format, so `lemma prove` runs end to end without a model (and says it is the mock).
  const bool asks_proof = question.find("## Self Evaluation") != std::string::npos;
  if (asks_proof) {
    return {"Restate the claim, then argue from the definitions.",
            "## Solution\n(lemma mock endpoint) The mock writes no real proofs: this stands in "
            "for a complete, rigorous argument.\n\n## Self Evaluation\nHere is my evaluation of "
            "the solution:\nThe mock checked nothing.\n\nBased on my evaluation, the final "
            "overall score should be: \\boxed{1}"};
  }
  if (question.find("Here is my evaluation of the solution:") != std::string::npos) {
    return {"Check each step of the solution.",
            "Here is my evaluation of the solution:\n(lemma mock endpoint) The mock accepts "
            "every proof.\n\nBased on my evaluation, the final overall score should be: "
            "\\boxed{1}"};
  }
  static const std::regex kExpression(R"((-?\d{1,9})\s*([-+*x])\s*(-?\d{1,9}))");
  std::smatch match;
  if (std::regex_search(question, match, kExpression)) {
    const long long a = std::stoll(match[1]);
    const long long b = std::stoll(match[3]);
    const std::string op = match[2];
    const long long value = op == "+" ? a + b : op == "-" ? a - b : a * b;
    const std::string shown = op == "x" ? "*" : op;
    const std::string expr = std::to_string(a) + " " + shown + " " + std::to_string(b);
    return {"We need " + expr + ". Working it out step by step gives " + std::to_string(value) +
                ". Checking: the operation is exact on integers, so the result is verified.",
            "(lemma mock endpoint) " + expr + " = " + std::to_string(value) +
                ", so the answer is "
                "\\boxed{" +
                std::to_string(value) + "}."};
  }
  return {
      "The sum of the first n odd numbers is n^2: by induction, 1 = 1^2 and "
      "n^2 + (2n+1) = (n+1)^2.",
      "(lemma mock endpoint) I only compute simple arithmetic; here is a worked example: "
      "1 + 3 + 5 + 7 + 9 = 25, so the answer is \\boxed{25}."};
}

long mock_token_count(const std::string& text) {
  long count = 0;
  bool in_word = false;
  for (unsigned char c : text) {
    if (std::isalnum(c)) {
      if (!in_word) ++count;
      in_word = true;
    } else {
      in_word = false;
      if (!std::isspace(c)) ++count;
    }
  }
  return count;
}

}  // namespace lemma::tools
