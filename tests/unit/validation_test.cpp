#include "lemma/validation.hpp"

#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lemma {
namespace {

using ::testing::HasSubstr;

ChatRequest valid_request() {
  ChatRequest request;
  request.model = "deepseek-math";
  request.messages = {Message::user("1+1?")};
  return request;
}

TEST(ValidateChatRequestTest, AcceptsMinimalRequest) {
  EXPECT_FALSE(validate_chat_request(valid_request()).has_value());
}

struct BadCase {
  const char* name;
  void (*mutate)(ChatRequest&);
  const char* param;
};

class ValidateBadRequestTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ValidateBadRequestTest, RefusesWithInvalidRequestNamingTheField) {
  ChatRequest request = valid_request();
  GetParam().mutate(request);
  auto error = validate_chat_request(request);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ErrorKind::invalid_request);
  EXPECT_EQ(error->param, GetParam().param);
  EXPECT_THAT(error->message, HasSubstr(GetParam().param));
}

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidateBadRequestTest,
    ::testing::Values(
        BadCase{"EmptyModel", [](ChatRequest& r) { r.model.clear(); }, "model"},
        BadCase{"NoMessages", [](ChatRequest& r) { r.messages.clear(); }, "messages"},
        BadCase{"MaxTokensZero", [](ChatRequest& r) { r.sampling.max_tokens = 0; }, "max_tokens"},
        BadCase{"NZero", [](ChatRequest& r) { r.sampling.n = 0; }, "n"},
        BadCase{"TemperatureNaN", [](ChatRequest& r) { r.sampling.temperature = kNaN; },
                "temperature"},
        BadCase{"TopPInf", [](ChatRequest& r) { r.sampling.top_p = kInf; }, "top_p"},
        BadCase{"NegativeTemperature", [](ChatRequest& r) { r.sampling.temperature = -0.1; },
                "temperature"},
        BadCase{"TopKZero", [](ChatRequest& r) { r.sampling.top_k = 0; }, "top_k"},
        BadCase{"RepetitionPenaltyNegative",
                [](ChatRequest& r) { r.sampling.repetition_penalty = -0.1; }, "repetition_penalty"},
        BadCase{"EmptyStop", [](ChatRequest& r) { r.sampling.stop = std::vector<std::string>{""}; },
                "stop"},
        BadCase{"ExtraNotObject",
                [](ChatRequest& r) { r.sampling.extra = nlohmann::json::array(); }, "extra"},
        BadCase{"MessageWithoutContent", [](ChatRequest& r) { r.messages[0].content.reset(); },
                "messages[0].content"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(CheckRangeTest, NamesParameterValueAndRange) {
  auto error = check_range("top_p", 1.5, Range{0, 1, false});
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "top_p is 1.5; this provider accepts (0, 1].");
  EXPECT_FALSE(check_range("top_p", 1.0, Range{0, 1, false}).has_value());
  EXPECT_TRUE(check_range("top_p", 0.0, Range{0, 1, false}).has_value());
  EXPECT_FALSE(check_range("top_p", std::nullopt, Range{0, 1}).has_value());
}

}  // namespace
}  // namespace lemma
