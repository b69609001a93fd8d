#include "lemma/error.hpp"

#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/result.hpp"
#include "support/matchers.hpp"

namespace lemma {
namespace {

using ::testing::HasSubstr;

TEST(ErrorKindForStatusTest, MapsEachDocumentedStatus) {
  EXPECT_EQ(error_kind_for_status(400), ErrorKind::invalid_request);
  EXPECT_EQ(error_kind_for_status(413), ErrorKind::invalid_request);
  EXPECT_EQ(error_kind_for_status(422), ErrorKind::invalid_request);
  EXPECT_EQ(error_kind_for_status(401), ErrorKind::authentication);
  EXPECT_EQ(error_kind_for_status(403), ErrorKind::permission_denied);
  EXPECT_EQ(error_kind_for_status(404), ErrorKind::not_found);
  EXPECT_EQ(error_kind_for_status(408), ErrorKind::timeout);
  EXPECT_EQ(error_kind_for_status(429), ErrorKind::rate_limited);
  EXPECT_EQ(error_kind_for_status(402), ErrorKind::quota_exceeded);
  for (int status : {500, 502, 503, 504, 599}) {
    EXPECT_EQ(error_kind_for_status(status), ErrorKind::server_error) << status;
  }
  EXPECT_EQ(error_kind_for_status(418), ErrorKind::invalid_request);
  EXPECT_EQ(error_kind_for_status(302), ErrorKind::protocol);
}

TEST(ErrorTest, WhatNamesKindStatusMessageAndRequestId) {
  Error error = make_error(ErrorKind::rate_limited, "Slow down.");
  error.http_status = 429;
  error.request_id = "req-123";
  error.attempts = 3;
  EXPECT_EQ(error.what(), "lemma rate_limited error (HTTP 429): Slow down. [request id req-123]");
  std::ostringstream os;
  os << error;
  EXPECT_EQ(os.str(), error.what());
}

TEST(ErrorTest, RetryableKinds) {
  EXPECT_TRUE(make_error(ErrorKind::server_error, "").is_retryable());
  EXPECT_TRUE(make_error(ErrorKind::connection, "").is_retryable());
  EXPECT_FALSE(make_error(ErrorKind::quota_exceeded, "").is_retryable());
  EXPECT_FALSE(make_error(ErrorKind::invalid_request, "").is_retryable());
}

TEST(ErrorTest, EqualityComparesEveryField) {
  Error a = invalid_request_error("top_p", "bad");
  Error b = a;
  EXPECT_EQ(a, b);
  b.request_id = "x";
  EXPECT_NE(a, b);
}

TEST(ResultTest, HoldsValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(r.value_or(7), 42);
}

TEST(ResultTest, ValueOnErrorThrowsExceptionCarryingTheError) {
  Result<std::string> r = make_error(ErrorKind::timeout, "too slow");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::timeout);
  EXPECT_EQ(r.value_or("fallback"), "fallback");
  try {
    (void)r.value();
    FAIL() << "value() did not throw";
  } catch (const Exception& e) {
    EXPECT_EQ(e.error().kind, ErrorKind::timeout);
    EXPECT_THAT(e.what(), HasSubstr("too slow"));
  }
}

TEST(ResultTest, ArrowAndMoveOut) {
  Result<std::string> r = std::string("abc");
  EXPECT_EQ(r->size(), 3u);
  std::string moved = std::move(r).value();
  EXPECT_EQ(moved, "abc");
}

}  // namespace
}  // namespace lemma

#include <cstdlib>

#include "lemma/api_key.hpp"

namespace lemma {
namespace {

TEST(ApiKeyTest, FromEnvironmentAndRedaction) {
  ::setenv("LEMMA_TEST_ONLY_KEY", "sk-env-123", 1);
  const ApiKey key = ApiKey::from_env("LEMMA_TEST_ONLY_KEY");
  ::unsetenv("LEMMA_TEST_ONLY_KEY");
  EXPECT_EQ(key.reveal(), "sk-env-123");
  EXPECT_TRUE(ApiKey::from_env("LEMMA_TEST_ONLY_KEY_UNSET").empty());
  std::ostringstream os;
  os << key;
  EXPECT_EQ(os.str(), "[REDACTED]");
  std::string text = "key=sk-env-123;again sk-env-123";
  key.redact_in(text);
  EXPECT_EQ(text, "key=[REDACTED];again [REDACTED]");
  ApiKey moved = std::move(const_cast<ApiKey&>(key));
  EXPECT_EQ(moved.reveal(), "sk-env-123");
}

TEST(ApiKeyTest, ShortKeysAreScrubbedOnlyWhereTheyStandAsTokens) {
  std::string digits = "key 1234: 12345 tokens, 01234, 1234.";
  ApiKey("1234").redact_in(digits);
  EXPECT_EQ(digits, "key [REDACTED]: 12345 tokens, 01234, [REDACTED].");
  std::string letter = "Check the key k (k=k).";
  ApiKey("k").redact_in(letter);
  EXPECT_EQ(letter, "Check the key [REDACTED] ([REDACTED]=[REDACTED]).");
  std::string word = "Check the key.";
  ApiKey("Chec").redact_in(word);
  EXPECT_EQ(word, "Check the key.");
}

TEST(ApiKeyTest, KeysOfEightOrMoreAreScrubbedEvenGluedToOtherText) {
  const ApiKey key("token-abc123");  // vLLM's documented example key
  std::string text = "key%3Dtoken-abc123XYZ and \"token-abc123\"";
  key.redact_in(text);
  EXPECT_EQ(text, "key%3D[REDACTED]XYZ and \"[REDACTED]\"");
}

TEST(ApiKeyTest, KeyPrefixEndingAnExcerptIsScrubbed) {
  const ApiKey key("sk-live-0123456789abcdefghij");
  std::string cut = "body: sk-live-0123...";  // 12 characters of the key, then the cut mark
  key.redact_in(cut);
  EXPECT_EQ(cut, "body: [REDACTED]...");
  std::string at_end = "starts with sk-live-01";
  key.redact_in(at_end);
  EXPECT_EQ(at_end, "starts with [REDACTED]");
  std::string short_prefix = "sk-live... is a prefix of 7";  // under 8 characters: kept
  key.redact_in(short_prefix);
  EXPECT_EQ(short_prefix, "sk-live... is a prefix of 7");
}

TEST(ErrorTest, WhatIsOneLineWhateverTheFieldsHold) {
  Error e = make_error(ErrorKind::server_error, "line one\nline two\r\x1b[31m\xff \xe4\xb8\xad");
  e.request_id = "id\n2";
  const std::string what = e.what();
  EXPECT_EQ(what.find_first_of("\r\n\x1b"), std::string::npos) << what;
  EXPECT_THAT(what, ::testing::HasSubstr("line one\\nline two\\r\\x1b[31m\\xff \xe4\xb8\xad"));
  EXPECT_THAT(what, ::testing::HasSubstr("[request id id\\n2]"));
}

}  // namespace
}  // namespace lemma
