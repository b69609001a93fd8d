#pragma once

#include <string>
#include <string_view>

#include "lemma/export.hpp"

namespace lemma {

/// Moves `<think>...</think>` out of answer text into reasoning, for servers that leave a
/// reasoning model's thoughts inline (TGI, Ollama, vLLM or llama.cpp without a reasoning
/// parser). Incremental: tags split across stream chunks are recognised, and text that might be
/// the start of a tag is held back until it is known not to be one.
class LEMMA_EXPORT ThinkTagSplitter {
 public:
  /// Text split into its two parts.
  struct Output {
    /// Answer text.
    std::string content;
    /// Reasoning text (what was inside the tags).
    std::string reasoning;
  };

  /// `starts_in_reasoning`: the model's chat template already opened the block (DeepSeek-R1
  /// style templates put "<think>" in the prompt), so text before the first "</think>" is
  /// reasoning.
  explicit ThinkTagSplitter(bool starts_in_reasoning = false) : inside_(starts_in_reasoning) {}

  /// Splits the next piece of text; returns what is certain so far.
  Output feed(std::string_view piece);
  /// End of text: releases anything held back.
  Output finish();
  /// Splits a whole text at once.
  static Output split(std::string_view text, bool starts_in_reasoning = false);

 private:
  void emit(Output& out, std::string_view text);

  bool inside_;
  bool strip_newlines_ = false;  // newlines right after "</think>" are template, not answer
  std::string held_;
};

}  // namespace lemma
