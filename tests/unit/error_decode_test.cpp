#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/wire.hpp"
#include "support/matchers.hpp"

namespace lemma {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

HttpResponse response(int status, std::string body, Headers headers = {}) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

TEST(DecodeErrorResponseTest, OpenAiShapeFillsEveryField) {
  const Error e = wire::decode_error_response(
      response(400,
               R"({"error": {"message": "top_p must be <= 1", "type": "invalid_request_error",
                    "param": "top_p", "code": "invalid_value"}})",
               {{"x-request-id", "req-9"}}));
  EXPECT_EQ(e.kind, ErrorKind::invalid_request);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.provider_message, "top_p must be <= 1");
  EXPECT_EQ(e.type, "invalid_request_error");
  EXPECT_EQ(e.param, "top_p");
  EXPECT_EQ(e.code, "invalid_value");
  EXPECT_EQ(e.request_id, "req-9");
  EXPECT_THAT(e.message, HasSubstr("HTTP 400: top_p must be <= 1"));
  EXPECT_THAT(e.message, HasSubstr("Check the parameter 'top_p'"));
}

struct ShapeCase {
  int status;
  const char* body;
  ErrorKind kind;
  const char* provider_message;
};

class ErrorShapeTest : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(ErrorShapeTest, DecodesKindAndMessage) {
  const auto& c = GetParam();
  const Error e = wire::decode_error_response(response(c.status, c.body));
  EXPECT_EQ(e.kind, c.kind) << e.what();
  EXPECT_EQ(e.provider_message, c.provider_message);
  EXPECT_EQ(e.http_status, c.status);
  EXPECT_FALSE(e.message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ErrorShapeTest,
    ::testing::Values(
        ShapeCase{401, R"({"error": {"message": "Invalid API key", "type": "auth"}})",
                  ErrorKind::authentication, "Invalid API key"},
        ShapeCase{403, R"({"error": "forbidden model"})", ErrorKind::permission_denied,
                  "forbidden model"},
        ShapeCase{404, R"({"detail": "Not Found"})", ErrorKind::not_found, "Not Found"},
        ShapeCase{
            422,
            R"({"detail": [{"loc": ["body", "messages"], "msg": "field required", "type": "missing"}]})",
            ErrorKind::invalid_request, "body.messages: field required"},
        ShapeCase{413, R"({"message": "payload too large"})", ErrorKind::invalid_request,
                  "payload too large"},
        ShapeCase{408, R"({"message": "timeout"})", ErrorKind::timeout, "timeout"},
        ShapeCase{429,
                  R"({"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}})",
                  ErrorKind::rate_limited, "Rate limit reached"},
        ShapeCase{
            429,
            R"({"error": {"message": "You exceeded your current quota", "type": "insufficient_quota", "code": "insufficient_quota"}})",
            ErrorKind::quota_exceeded, "You exceeded your current quota"},
        ShapeCase{402, R"({"message": "Insufficient credits"})", ErrorKind::quota_exceeded,
                  "Insufficient credits"},
        ShapeCase{500,
                  R"({"error": "Request failed during generation", "error_type": "generation"})",
                  ErrorKind::server_error, "Request failed during generation"},
        ShapeCase{503, R"({"object": "error", "message": "Service overloaded", "code": 503})",
                  ErrorKind::server_error, "Service overloaded"},
        ShapeCase{502, "<html><body>502 Bad Gateway</body></html>", ErrorKind::server_error, ""},
        ShapeCase{504, "", ErrorKind::server_error, ""},
        ShapeCase{400, "[1,2,3]", ErrorKind::invalid_request, ""},
        ShapeCase{500, "{\"error\": {\"message\": ", ErrorKind::server_error, ""}),
    [](const auto& param_info) {
      return "Http" + std::to_string(param_info.param.status) + "_" +
             std::to_string(param_info.index);
    });

TEST(DecodeErrorResponseTest, TgiErrorTypeAndNumericCode) {
  const Error e = wire::decode_error_response(
      response(422, R"({"error": "Input validation error", "error_type": "validation"})"));
  EXPECT_EQ(e.type, "validation");
  const Error v = wire::decode_error_response(response(
      400, R"({"object": "error", "message": "bad", "type": "BadRequestError", "code": 400})"));
  EXPECT_EQ(v.code, "400");
  EXPECT_EQ(v.type, "BadRequestError");
}

TEST(DecodeErrorResponseTest, HtmlBodyFromProxyIsExplainedAndExcerpted) {
  const std::string html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
  const Error e = wire::decode_error_response(response(502, html, {{"Content-Type", "text/html"}}));
  EXPECT_THAT(e.message, HasSubstr("non-JSON body (text/html)"));
  EXPECT_THAT(e.message, HasSubstr("proxy"));
  EXPECT_EQ(e.body_excerpt, html);
}

TEST(DecodeErrorResponseTest, HugeBodyIsExcerptedWithinBound) {
  const Error e = wire::decode_error_response(response(500, std::string(10'000'000, 'x')));
  EXPECT_LE(e.body_excerpt.size(), Error::kMaxBodyExcerpt + 3);
}

TEST(RetryAfterTest, MillisecondsSecondsAndHttpDate) {
  using std::chrono::milliseconds;
  EXPECT_EQ(wire::retry_after_from({{"retry-after-ms", "250"}, {"Retry-After", "9"}}),
            milliseconds(250));
  EXPECT_EQ(wire::retry_after_from({{"Retry-After", "2"}}), milliseconds(2000));
  EXPECT_EQ(wire::retry_after_from({{"Retry-After", "1.5"}}), milliseconds(1500));
  const auto now = std::chrono::system_clock::time_point(
      std::chrono::seconds(784111777));  // 1994-11-06 08:49:37 UTC
  EXPECT_EQ(wire::retry_after_from({{"Retry-After", "Sun, 06 Nov 1994 08:49:47 GMT"}}, now),
            milliseconds(10000));
  EXPECT_EQ(wire::retry_after_from({{"Retry-After", "Sun, 06 Nov 1994 08:49:27 GMT"}}, now),
            milliseconds(0));
  EXPECT_FALSE(wire::retry_after_from({{"Retry-After", "soon"}}).has_value());
  EXPECT_FALSE(wire::retry_after_from({{"Retry-After", "-3"}}).has_value());
  EXPECT_FALSE(wire::retry_after_from({}).has_value());
}

TEST(DecodeErrorResponseTest, RateLimitCarriesRetryAfter) {
  const Error e = wire::decode_error_response(
      response(429, R"({"error": {"message": "slow down"}})", {{"Retry-After", "3"}}));
  EXPECT_EQ(e.kind, ErrorKind::rate_limited);
  EXPECT_EQ(e.retry_after, std::chrono::milliseconds(3000));
  EXPECT_THAT(e.message, HasSubstr("3000 ms"));
}

TEST(RequestIdTest, KnownHeaders) {
  EXPECT_EQ(wire::request_id_from({{"X-Request-Id", "a"}}), "a");
  EXPECT_EQ(wire::request_id_from({{"cf-ray", "b"}}), "b");
  EXPECT_EQ(wire::request_id_from({}), "");
}

TEST(RetryAfterTest, AbsurdHintsAreClampedWithoutOverflow) {
  using std::chrono::milliseconds;
  const milliseconds year = std::chrono::hours(24 * 365);
  EXPECT_EQ(wire::retry_after_from({{"retry-after-ms", "1e300"}}), year);
  EXPECT_EQ(wire::retry_after_from({{"Retry-After", "1e30"}}), year);
  EXPECT_EQ(wire::retry_after_from({{"Retry-After", "9223372036854775807"}}), year);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(784111777));
  EXPECT_EQ(wire::retry_after_from({{"Retry-After", "Mon, 01 Jan 2300 00:00:00 GMT"}}, now), year);
  EXPECT_EQ(wire::retry_after_from({{"Retry-After", "Sun, 01 Jan 1600 00:00:00 GMT"}}, now),
            milliseconds(0));
  EXPECT_FALSE(wire::retry_after_from({{"retry-after-ms", "-1e300"}}).has_value());
  EXPECT_FALSE(wire::retry_after_from({{"retry-after-ms", "nan"}}).has_value());
  EXPECT_FALSE(wire::retry_after_from({{"retry-after-ms", "inf"}}).has_value());
}

}  // namespace
}  // namespace lemma
