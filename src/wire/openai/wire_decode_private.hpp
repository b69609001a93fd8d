#pragma once

// Pieces of the OpenAI decoder shared by the whole-response and the stream-chunk decoders.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lemma/chat.hpp"
#include "wire/openai/json_reader_private.hpp"

namespace lemma::wire::detail_decode {

/// A message's or delta's content: a string, null, or text parts joined.
std::optional<std::string> decode_content(lemma::detail::JsonReader& reader,
                                          const nlohmann::json& message,
                                          const lemma::detail::JsonPath& path);
/// `reasoning_content`, or `reasoning` as newer vLLM names it.
std::optional<std::string> decode_reasoning(lemma::detail::JsonReader& reader,
                                            const nlohmann::json& message,
                                            const lemma::detail::JsonPath& path);
/// True when a response or chunk reports an error: an `error` member that is an object or a
/// non-empty string, with or without `choices` (OpenRouter sends both).
bool carries_error(const nlohmann::json& body);
/// A usage object with its token details.
std::optional<Usage> decode_usage_with(lemma::detail::JsonReader& reader,
                                       const nlohmann::json& usage,
                                       const lemma::detail::JsonPath& path);

}  // namespace lemma::wire::detail_decode
