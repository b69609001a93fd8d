#pragma once

// The stream fixture pairs and helpers to run them through lemma's parser and decoder.

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lemma/sse_parser.hpp"
#include "lemma/stream.hpp"
#include "lemma/wire.hpp"
#include "support/matchers.hpp"

namespace lemma::test {

/// Names of tests/fixtures/streams/<name>.sse / .json pairs.
inline const std::vector<std::string>& stream_fixture_names() {
  static const std::vector<std::string> kNames = {
      "openai", "openai_tool_calls", "vllm", "sglang", "llama_cpp", "tgi", "ollama", "mock"};
  return kNames;
}

/// Parses `bytes` fed in the given pieces; fails the test on a parser error.
inline std::vector<SseEvent> parse_in_pieces(const std::vector<std::string>& pieces) {
  SseParser parser;
  std::vector<SseEvent> events;
  for (const auto& piece : pieces) {
    auto fed = parser.feed(piece, events);
    EXPECT_TRUE(fed.ok()) << fed.error().what();
  }
  auto finished = parser.finish(events);
  EXPECT_TRUE(finished.ok()) << finished.error().what();
  return events;
}

/// `bytes` cut at random places (seeded, so failures reproduce).
inline std::vector<std::string> random_split(const std::string& bytes, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> pieces;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 97)(rng);
    pieces.push_back(bytes.substr(pos, n));
    pos += n;
  }
  return pieces;
}

/// Accumulates the decoded chunks of `events` (stopping at [DONE]).
inline ChatResponse accumulate(const std::vector<SseEvent>& events) {
  StreamAccumulator accumulator;
  for (const auto& event : events) {
    auto decoded = wire::decode_stream_event(event);
    EXPECT_TRUE(decoded.ok()) << decoded.error().what();
    if (!decoded.ok() || decoded->kind == StreamEvent::Kind::done) break;
    if (decoded->kind == StreamEvent::Kind::chunk) accumulator.add(decoded->chunk);
  }
  return accumulator.response();
}

/// Checks that a streamed response carries what the whole response carries.
inline void expect_same_response(const ChatResponse& streamed, const ChatResponse& whole) {
  EXPECT_EQ(streamed.id, whole.id);
  EXPECT_EQ(streamed.model, whole.model);
  EXPECT_EQ(streamed.created, whole.created);
  EXPECT_EQ(streamed.object, "chat.completion");
  EXPECT_EQ(streamed.system_fingerprint, whole.system_fingerprint);
  ASSERT_EQ(streamed.choices.size(), whole.choices.size());
  for (std::size_t i = 0; i < whole.choices.size(); ++i) {
    EXPECT_EQ(streamed.choices[i].index, whole.choices[i].index);
    EXPECT_EQ(streamed.choices[i].message, whole.choices[i].message) << "choice " << i;
    EXPECT_EQ(streamed.choices[i].finish_reason, whole.choices[i].finish_reason);
  }
  EXPECT_EQ(streamed.usage.has_value(), whole.usage.has_value());
  if (streamed.usage && whole.usage) {
    EXPECT_EQ(*streamed.usage, *whole.usage);
  }
}

}  // namespace lemma::test
