// wire::decode_chat_request: an OpenAI request body (a Batch input line's "body") back into a
// typed ChatRequest, and its round trip with encode_chat_body.

#include <gtest/gtest.h>

#include "lemma/wire.hpp"

namespace {

using nlohmann::json;

TEST(DecodeChatRequestTest, ReadsModelMessagesAndTypedSampling) {
  const json body = {{"model", "deepseek-math-7b-instruct"},
                     {"messages",
                      {{{"role", "system"}, {"content", "Be careful."}},
                       {{"role", "user"}, {"content", "What is 2+2?"}}}},
                     {"temperature", 0.6},
                     {"top_p", 0.95},
                     {"top_k", 40},
                     {"max_tokens", 512},
                     {"seed", 7},
                     {"n", 4},
                     {"stop", "</answer>"},
                     {"user", "grader"}};
  auto request = lemma::wire::decode_chat_request(body);
  ASSERT_TRUE(request) << request.error().what();
  EXPECT_EQ(request->model, "deepseek-math-7b-instruct");
  ASSERT_EQ(request->messages.size(), 2u);
  EXPECT_EQ(request->messages[0].role, "system");
  EXPECT_EQ(request->messages[1].content.value_or(""), "What is 2+2?");
  EXPECT_EQ(request->sampling.temperature, 0.6);
  EXPECT_EQ(request->sampling.top_k, 40);
  EXPECT_EQ(request->sampling.max_tokens, 512);
  EXPECT_EQ(request->sampling.n, 4);
  ASSERT_TRUE(request->sampling.stop);
  EXPECT_EQ(*request->sampling.stop, std::vector<std::string>{"</answer>"});
  EXPECT_EQ(request->sampling.user, "grader");
  EXPECT_TRUE(request->sampling.extra.empty());
  EXPECT_FALSE(request->stream);
}

TEST(DecodeChatRequestTest, UnknownKeysGoToExtraVerbatimAndRoundTrip) {
  const json body = {{"model", "m"},
                     {"messages", {{{"role", "user"}, {"content", "hi"}}}},
                     {"max_completion_tokens", 100},
                     {"chat_template_kwargs", {{"thinking", true}}},
                     {"logit_bias", {{"50256", -100}}},
                     {"temperature", 0}};
  auto request = lemma::wire::decode_chat_request(body);
  ASSERT_TRUE(request) << request.error().what();
  EXPECT_EQ(request->sampling.extra["max_completion_tokens"], 100);
  EXPECT_EQ(request->sampling.extra["chat_template_kwargs"]["thinking"], true);
  // Encoding the typed request gives back the same body (stream: false is lemma's addition).
  json encoded = lemma::wire::encode_chat_body(*request);
  encoded.erase("stream");
  EXPECT_EQ(encoded, body);
}

TEST(DecodeChatRequestTest, NullFieldsAreUnsetAndStreamOptionsAreDropped) {
  auto request =
      lemma::wire::decode_chat_request({{"messages", {{{"role", "user"}, {"content", "hi"}}}},
                                        {"temperature", nullptr},
                                        {"stream", false},
                                        {"stream_options", {{"include_usage", true}}}});
  ASSERT_TRUE(request) << request.error().what();
  EXPECT_FALSE(request->sampling.temperature);
  EXPECT_TRUE(request->model.empty());  // the caller fills it (e.g. a Batch's default model)
  EXPECT_FALSE(request->sampling.extra.contains("stream_options"));
}

struct BadBody {
  const char* name;
  json body;
  const char* field;  // Error::param
};

class DecodeChatRequestErrorTest : public ::testing::TestWithParam<BadBody> {};

TEST_P(DecodeChatRequestErrorTest, IsAnInvalidRequestNamingTheField) {
  auto request = lemma::wire::decode_chat_request(GetParam().body);
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().kind, lemma::ErrorKind::invalid_request);
  EXPECT_EQ(request.error().param, GetParam().field);
  EXPECT_NE(request.error().message.find(GetParam().field), std::string::npos)
      << request.error().message;
}

const json kHello = {{{"role", "user"}, {"content", "hi"}}};

INSTANTIATE_TEST_SUITE_P(
    Bodies, DecodeChatRequestErrorTest,
    ::testing::Values(
        BadBody{"NotAnObject", json::array(), "body"},
        BadBody{"NoMessages", {{"model", "m"}}, "messages"},
        BadBody{"EmptyMessages", {{"messages", json::array()}}, "messages"},
        BadBody{"MessageWithoutRole", {{"messages", {{{"content", "hi"}}}}}, "messages[0]"},
        BadBody{"ModelNotAString", {{"model", 3}, {"messages", kHello}}, "model"},
        BadBody{"StreamTrue", {{"messages", kHello}, {"stream", true}}, "stream"},
        BadBody{"TemperatureText", {{"messages", kHello}, {"temperature", "hot"}}, "temperature"},
        BadBody{"MaxTokensFraction", {{"messages", kHello}, {"max_tokens", 1.5}}, "max_tokens"},
        BadBody{"StopNumbers", {{"messages", kHello}, {"stop", {1, 2}}}, "stop"},
        BadBody{"LogprobsText", {{"messages", kHello}, {"logprobs", "yes"}}, "logprobs"}),
    [](const ::testing::TestParamInfo<BadBody>& param) { return std::string(param.param.name); });

}  // namespace
