#pragma once

// The mock endpoint's deterministic "model": a reasoning trace and a boxed answer for a question.

#include <string>

namespace lemma::tools {

struct MockAnswer {
  std::string reasoning;
  std::string content;
};

/// Solves "a + b", "a - b", "a * b" (the first such expression in `question`); any other
/// question gets a fixed worked example, clearly labelled as coming from the mock.
MockAnswer mock_answer(const std::string& question);

/// A rough token count (words and punctuation runs), for the mock's usage numbers.
long mock_token_count(const std::string& text);

}  // namespace lemma::tools
