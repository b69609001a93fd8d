#include "lemma/retry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lemma {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

Error http_error(int status, ErrorKind kind) {
  Error error = make_error(kind, "x");
  error.http_status = status;
  return error;
}

RetryPolicy no_jitter() {
  RetryPolicy policy;
  policy.jitter = false;
  policy.max_retries = 10;
  return policy;
}

TEST(ErrorIsRetryableTest, FollowsTheDocumentedTable) {
  for (int status : {408, 409, 429, 500, 502, 503, 504}) {
    EXPECT_TRUE(http_error(status, error_kind_for_status(status)).is_retryable()) << status;
  }
  for (int status : {400, 401, 403, 404, 413, 422, 501}) {
    EXPECT_FALSE(http_error(status, error_kind_for_status(status)).is_retryable()) << status;
  }
  EXPECT_TRUE(make_error(ErrorKind::connection, "refused").is_retryable());
  EXPECT_TRUE(make_error(ErrorKind::timeout, "before any byte").is_retryable());
  EXPECT_FALSE(http_error(200, ErrorKind::timeout).is_retryable());     // after the response began
  EXPECT_FALSE(http_error(200, ErrorKind::connection).is_retryable());  // reset mid-body
  EXPECT_FALSE(http_error(429, ErrorKind::quota_exceeded).is_retryable());
  EXPECT_FALSE(make_error(ErrorKind::cancelled, "").is_retryable());
  EXPECT_FALSE(make_error(ErrorKind::protocol, "").is_retryable());
  Error told_no = http_error(503, ErrorKind::server_error);
  told_no.should_retry = false;
  EXPECT_FALSE(told_no.is_retryable());
  Error told_yes = http_error(400, ErrorKind::invalid_request);
  told_yes.should_retry = true;
  EXPECT_TRUE(told_yes.is_retryable());
}

TEST(DecideRetryTest, ExponentialBackoffCappedWithoutJitter) {
  std::minstd_rand random(1);
  const RetryPolicy policy = no_jitter();
  const Error error = http_error(503, ErrorKind::server_error);
  std::vector<std::chrono::milliseconds> delays;
  for (int attempt = 1; attempt <= 7; ++attempt) {
    const RetryDecision d = decide_retry(policy, error, attempt, random);
    ASSERT_TRUE(d.retry);
    delays.push_back(d.delay);
  }
  EXPECT_THAT(delays,
              ::testing::ElementsAre(500ms, 1000ms, 2000ms, 4000ms, 8000ms, 8000ms, 8000ms));
}

TEST(DecideRetryTest, FullJitterStaysWithinTheBackoff) {
  std::minstd_rand random(42);
  RetryPolicy policy;
  policy.max_retries = 100;
  const Error error = make_error(ErrorKind::connection, "reset");
  bool varied = false;
  std::chrono::milliseconds first{-1};
  for (int i = 0; i < 200; ++i) {
    const RetryDecision d = decide_retry(policy, error, 3, random);  // backoff 2 s
    ASSERT_TRUE(d.retry);
    EXPECT_GE(d.delay, 0ms);
    EXPECT_LE(d.delay, 2000ms);
    if (first.count() < 0) first = d.delay;
    varied = varied || d.delay != first;
  }
  EXPECT_TRUE(varied);
}

TEST(DecideRetryTest, RetryAfterWinsUpToTheCap) {
  std::minstd_rand random(1);
  RetryPolicy policy = no_jitter();
  Error limited = http_error(429, ErrorKind::rate_limited);
  limited.retry_after = 1500ms;
  EXPECT_EQ(decide_retry(policy, limited, 1, random).delay, 1500ms);
  limited.retry_after = 120s;
  const RetryDecision too_long = decide_retry(policy, limited, 1, random);
  EXPECT_FALSE(too_long.retry);
  EXPECT_THAT(too_long.reason, HasSubstr("max_retry_after"));
}

TEST(DecideRetryTest, StopsWhenRetriesAreExhaustedOrTheErrorIsPermanent) {
  std::minstd_rand random(1);
  RetryPolicy policy;  // 2 retries
  const Error error = http_error(500, ErrorKind::server_error);
  EXPECT_TRUE(decide_retry(policy, error, 2, random).retry);
  const RetryDecision exhausted = decide_retry(policy, error, 3, random);
  EXPECT_FALSE(exhausted.retry);
  EXPECT_THAT(exhausted.reason, HasSubstr("retries exhausted"));
  EXPECT_FALSE(decide_retry(policy, http_error(401, ErrorKind::authentication), 1, random).retry);
  EXPECT_FALSE(decide_retry(RetryPolicy::none(), error, 1, random).retry);
}

}  // namespace
}  // namespace lemma
