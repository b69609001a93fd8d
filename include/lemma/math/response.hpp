#pragma once

/// The answer of a lemma::ChatResponse. Header-only on purpose: it reads only ChatResponse's
/// public data members (choices[0].message.content and finish_reason), so a program that links
/// lemma::math alone can use it without linking lemma's network library (liblemma, libcurl).

#include "lemma/chat.hpp"
#include "lemma/math/extract.hpp"

namespace lemma::math {

/// Extracts the final answer from a chat response: from the first choice's content, never
/// from its `reasoning_content` (nor from a think block left inline before `</think>`; an
/// unclosed `<think>` means no answer); `truncated` is true when finish_reason is "length".
/// No choice or no content gives no answer.
inline ResponseAnswer extract_answer(const ChatResponse& response,
                                     const ExtractOptions& options = {}) {
  if (response.choices.empty()) return ResponseAnswer{};
  const Choice& choice = response.choices.front();
  std::optional<std::string_view> content;
  if (choice.message.content) content = *choice.message.content;
  return extract_response_answer(content, choice.finish_reason, options);
}

}  // namespace lemma::math
