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

}  // namespace
}  // namespace lemma
