#pragma once

// The mock endpoint's deterministic "model": a reasoning trace and a boxed answer for a question.

#include <string>

namespace lemma::tools {

struct MockAnswer {
  std::string reasoning;
  std::string content;
};

/// Answers a self-verification prompt in DeepSeekMath-V2's format (a generation or refinement
/// prompt: "## Solution" / "## Self Evaluation" with \boxed{1}; a verification prompt: an
/// evaluation with \boxed{1}); else solves "a + b", "a - b", "a * b" (the first such expression
/// in `question`); any other question gets a fixed worked example. Every answer says it comes
/// from the mock.
MockAnswer mock_answer(const std::string& question);

/// A rough token count (words and punctuation runs), for the mock's usage numbers.
long mock_token_count(const std::string& text);

}  // namespace lemma::tools
