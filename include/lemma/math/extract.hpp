#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lemma/math_export.hpp"

namespace lemma::math {

/// An answer found in a text, and the rule that found it.
struct Extracted {
  /// The answer text, e.g. "\frac{1}{2}".
  std::string text;
  /// Which rule found it: "boxed", "boxed_all", "minerva", "answer_is", "gsm8k", "bold",
  /// "math_span", "choice" or "last_number".
  std::string rule;
};

/// Which extraction rules are on; every field has a documented default.
///
/// The rules, in priority order (the first that finds something wins; within a rule the LAST
/// occurrence in the text wins):
///  1. `boxed`: the last complete `\boxed{...}` / `\fbox{...}` / `\boxed X` (nested and escaped
///     braces; a `\%` or `%` right after the box is kept; a box in a box is unwrapped).
///  2. `minerva`: "Final Answer: The final answer is X. I hope it is correct."
///  3. `answer_is`: "the final answer is X", "the answer is X", "Answer: X" and the same phrases
///     in other languages (答案是, La respuesta es, Die Antwort ist, La réponse est, Ответ:, ...).
///  4. `gsm8k`: a `#### X` line.
///  5. `bold`: the last Markdown `**X**` (not a heading such as `**Step 1:**`).
///  6. `math_span`: the last `$...$`, `$$...$$`, `\(...\)` or `\[...\]`.
///  7. `choice` (option): the last multiple-choice letter such as "(B)" or "Answer: B".
///  8. `last_number` (option): the last number in the text, an explicit fallback.
/// A phrase rule's answer ends at the end of its sentence or line; a math span right after the
/// phrase is unwrapped; trailing punctuation is dropped ("5." gives "5") but a percent is kept.
/// With a think block left inline (`<think>...</think>`) only the text after the last
/// `</think>` is read, and a `<think>` that is never closed means no answer (it was cut off).
struct ExtractOptions {
  /// Rule `boxed` (and `boxed_all`). Default on.
  bool boxed = true;
  /// When on and the text has several distinct boxes, return them all as one set `\{a, b\}`
  /// (rule "boxed_all") instead of the last one. Default off.
  bool all_boxes = false;
  /// When off, the phrase rules (minerva, answer_is, gsm8k) outrank the boxes. Default on:
  /// a `\boxed{}` outranks a "final answer is" line.
  bool boxed_first = true;
  /// Rule `minerva`. Default on.
  bool minerva = true;
  /// Rule `answer_is` with the English phrases. Default on.
  bool answer_phrases = true;
  /// Add the phrases of other languages (Chinese, Japanese, Korean, Spanish, Portuguese,
  /// French, German, Italian, Russian) to rule `answer_is`. Default on.
  bool multilingual = true;
  /// More phrases for rule `answer_is`, matched case-insensitively (ASCII), e.g. "Result:".
  std::vector<std::string> extra_phrases;
  /// Rule `gsm8k`. Default on.
  bool gsm8k = true;
  /// Rule `bold`. Default on.
  bool bold = true;
  /// Rule `math_span`. Default on.
  bool math_span = true;
  /// Multiple-choice mode: an answer read by any rule that is a choice ("(B)", "B.",
  /// "\text{(B)}", "B) 42") becomes the bare letter, and rule `choice` is on. Default off.
  bool multiple_choice = false;
  /// The letters that name choices in multiple-choice mode. Default "ABCDE".
  std::string choice_letters = "ABCDE";
  /// Rule `last_number`: the last number in the text when nothing else applies. Default off
  /// (it is a guess, so it is only on when asked for).
  bool last_number = false;
  /// Read only the text after the last `</think>`, and nothing when a `<think>` is never
  /// closed. Default on.
  bool skip_think = true;
};

/// Finds the final answer in a model's text by the documented rules; std::nullopt when none
/// applies (never a guess).
LEMMA_MATH_EXPORT std::optional<Extracted> extract_answer(std::string_view text,
                                                          const ExtractOptions& options = {});

/// The answer of a chat-completion response, and whether the response was cut off.
struct ResponseAnswer {
  /// The answer found in the content (std::nullopt when there is none).
  std::optional<Extracted> answer;
  /// True when the server stopped at the token limit (finish_reason "length"): the answer may
  /// be missing or incomplete because of it.
  bool truncated = false;
};

/// Extracts the answer from a response's final content (never from its reasoning) given the
/// choice's `finish_reason`; an absent content means no answer. The `ChatResponse` overload in
/// lemma/math/response.hpp calls this.
LEMMA_MATH_EXPORT ResponseAnswer extract_response_answer(std::optional<std::string_view> content,
                                                         std::string_view finish_reason,
                                                         const ExtractOptions& options = {});

}  // namespace lemma::math
