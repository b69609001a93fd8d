// The local mock endpoint answers lemma's Client end to end.

#include "mock_server/mock_endpoint.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "support/matchers.hpp"

namespace lemma {
namespace {

using test::ErrorKindIs;
using test::IsOk;
using ::testing::HasSubstr;

ChatRequest question(const std::string& text) {
  ChatRequest request;
  request.model = "lemma-mock-math";
  request.messages = {Message::system("Put the final answer in \\boxed{}."), Message::user(text)};
  return request;
}

TEST(MockEndpointTest, AnswersArithmeticWithReasoningBoxedAnswerAndUsage) {
  tools::MockEndpoint endpoint;
  ASSERT_GT(endpoint.start(), 0);
  Client client(providers::openai_compatible(endpoint.base_url()));
  auto response = client.chat(question("What is 17 * 23?"));
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(response->text(), HasSubstr("\\boxed{391}"));
  EXPECT_THAT(response->text(), HasSubstr("lemma mock endpoint"));
  EXPECT_FALSE(response->reasoning().empty());
  ASSERT_TRUE(response->usage.has_value());
  EXPECT_GT(response->usage->prompt_tokens, 0);
  EXPECT_EQ(response->usage->total_tokens,
            response->usage->prompt_tokens + response->usage->completion_tokens);
  EXPECT_GT(response->usage->reasoning_tokens.value_or(0), 0);
  EXPECT_EQ(response->system_fingerprint, "lemma-mock");

  auto models = client.models();
  ASSERT_THAT(models, IsOk());
  ASSERT_EQ(models->size(), 1u);
  EXPECT_EQ((*models)[0].id, "lemma-mock-math");
  EXPECT_EQ((*models)[0].context_length, 4096);
}

TEST(MockEndpointTest, RequiresItsKeyWhenConfigured) {
  tools::MockEndpointOptions options;
  options.api_key = "mock-key";
  tools::MockEndpoint endpoint(options);
  ASSERT_GT(endpoint.start(), 0);
  EXPECT_THAT(
      Client(providers::openai_compatible(endpoint.base_url(), "wrong")).chat(question("1+1")),
      ErrorKindIs(ErrorKind::authentication));
  auto ok =
      Client(providers::openai_compatible(endpoint.base_url(), "mock-key")).chat(question("1+1"));
  ASSERT_THAT(ok, IsOk());
  EXPECT_THAT(ok->text(), HasSubstr("\\boxed{2}"));
}

TEST(MockEndpointTest, StreamsReasoningThenAnswerWithKeepAlivesAndUsage) {
  tools::MockEndpointOptions options;
  options.chunk_delay = std::chrono::milliseconds(2);
  options.keep_alive_every = 3;
  tools::MockEndpoint endpoint(options);
  ASSERT_GT(endpoint.start(), 0);
  Client client(providers::openai_compatible(endpoint.base_url()));
  std::string reasoning, content;
  bool content_started = false, reasoning_after_content = false;
  StreamCallbacks callbacks;
  callbacks.on_reasoning = [&](std::string_view piece) {
    reasoning += piece;
    if (content_started) reasoning_after_content = true;
  };
  callbacks.on_content = [&](std::string_view piece) {
    content += piece;
    content_started = true;
  };
  auto streamed = client.stream(question("What is 12 + 30?"), callbacks);
  ASSERT_THAT(streamed, IsOk());
  EXPECT_THAT(content, HasSubstr("\\boxed{42}"));
  EXPECT_FALSE(reasoning.empty());
  EXPECT_FALSE(reasoning_after_content);
  ASSERT_TRUE(streamed->usage.has_value());
  EXPECT_GT(streamed->usage->reasoning_tokens.value_or(0), 0);

  // The same question without streaming gives the same answer.
  auto whole = client.chat(question("What is 12 + 30?"));
  ASSERT_THAT(whole, IsOk());
  EXPECT_EQ(whole->text(), streamed->text());
  EXPECT_EQ(whole->reasoning(), streamed->reasoning());
  EXPECT_EQ(whole->usage, streamed->usage);
}

}  // namespace
}  // namespace lemma
