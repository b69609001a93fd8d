// extract_answer(ChatResponse): this file includes lemma/chat.hpp while the test binary links
// lemma::math alone, which proves the overload needs nothing of lemma's network library.

#include "lemma/math/response.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using lemma::ChatResponse;
using lemma::Choice;

ChatResponse response_with(std::optional<std::string> content, std::string finish_reason,
                           std::optional<std::string> reasoning = std::nullopt) {
  ChatResponse r;
  Choice c;
  c.message.role = "assistant";
  c.message.content = std::move(content);
  c.message.reasoning_content = std::move(reasoning);
  c.finish_reason = std::move(finish_reason);
  r.choices.push_back(std::move(c));
  return r;
}

TEST(ResponseAnswerTest, ReadsTheContent) {
  const auto got = lemma::math::extract_answer(response_with("So \\boxed{391}.", "stop"));
  ASSERT_TRUE(got.answer.has_value());
  EXPECT_EQ(got.answer->text, "391");
  EXPECT_EQ(got.answer->rule, "boxed");
  EXPECT_FALSE(got.truncated);
}

TEST(ResponseAnswerTest, NeverReadsReasoningContent) {
  const auto got = lemma::math::extract_answer(
      response_with("I could not finish.", "stop", std::string("draft: \\boxed{7}")));
  EXPECT_FALSE(got.answer.has_value());
}

TEST(ResponseAnswerTest, InlineThinkBlockSkipped) {
  const auto got = lemma::math::extract_answer(
      response_with("<think>maybe \\boxed{6}</think>\n\nThe answer is \\boxed{7}.", "stop"));
  ASSERT_TRUE(got.answer.has_value());
  EXPECT_EQ(got.answer->text, "7");
}

TEST(ResponseAnswerTest, UnclosedThinkIsNoAnswerAndTruncated) {
  const auto got =
      lemma::math::extract_answer(response_with("<think>so far \\boxed{6} but wait", "length"));
  EXPECT_FALSE(got.answer.has_value());
  EXPECT_TRUE(got.truncated);
}

TEST(ResponseAnswerTest, CutOffAfterAnAnswerKeepsItAndSaysTruncated) {
  const auto got =
      lemma::math::extract_answer(response_with("\\boxed{5}. Let me verify", "length"));
  ASSERT_TRUE(got.answer.has_value());
  EXPECT_EQ(got.answer->text, "5");
  EXPECT_TRUE(got.truncated);
}

TEST(ResponseAnswerTest, NullContentHasNoAnswer) {
  const auto got = lemma::math::extract_answer(response_with(std::nullopt, "tool_calls"));
  EXPECT_FALSE(got.answer.has_value());
  EXPECT_FALSE(got.truncated);
}

TEST(ResponseAnswerTest, NoChoicesHasNoAnswer) {
  const auto got = lemma::math::extract_answer(ChatResponse{});
  EXPECT_FALSE(got.answer.has_value());
  EXPECT_FALSE(got.truncated);
}

TEST(ResponseAnswerTest, OptionsApply) {
  lemma::math::ExtractOptions o;
  o.multiple_choice = true;
  const auto got = lemma::math::extract_answer(response_with("Answer: (D)", "stop"), o);
  ASSERT_TRUE(got.answer.has_value());
  EXPECT_EQ(got.answer->text, "D");
}

}  // namespace
