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
  Error late_timeout = http_error(200, ErrorKind::timeout);
  late_timeout.phase = ErrorPhase::response_started;
  EXPECT_FALSE(late_timeout.is_retryable());  // after the response began
  Error late_reset = http_error(200, ErrorKind::connection);
  late_reset.phase = ErrorPhase::response_started;
  EXPECT_FALSE(late_reset.is_retryable());  // reset mid-body
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

Error in_phase(ErrorKind kind, ErrorPhase phase, int status = 0) {
  Error error = http_error(status, kind);
  error.phase = phase;
  return error;
}

TEST(ErrorIsRetryableTest, TransportFailuresAreRetryableOnlyBeforeTheResponse) {
  for (ErrorKind kind : {ErrorKind::connection, ErrorKind::timeout}) {
    EXPECT_TRUE(in_phase(kind, ErrorPhase::before_send).is_retryable()) << to_string(kind);
    EXPECT_TRUE(in_phase(kind, ErrorPhase::before_response).is_retryable()) << to_string(kind);
    EXPECT_FALSE(in_phase(kind, ErrorPhase::response_started, 200).is_retryable())
        << to_string(kind);
    EXPECT_FALSE(in_phase(kind, ErrorPhase::mid_stream, 200).is_retryable()) << to_string(kind);
  }
  // The phase decides, not a status faked to block retries: a 2xx status alone does not.
  EXPECT_TRUE(in_phase(ErrorKind::connection, ErrorPhase::before_response).is_retryable());
  EXPECT_FALSE(in_phase(ErrorKind::connection, ErrorPhase::response_started).is_retryable());
}

TEST(ErrorIsRetryableTest, StatusesKeepTheirTableInAnyPhaseBeforeTheStream) {
  EXPECT_TRUE(in_phase(ErrorKind::server_error, ErrorPhase::response_started, 503).is_retryable());
  EXPECT_TRUE(in_phase(ErrorKind::timeout, ErrorPhase::response_started, 408).is_retryable());
  // A body that broke while an error status was being read: the status decides.
  EXPECT_TRUE(in_phase(ErrorKind::connection, ErrorPhase::response_started, 502).is_retryable());
  EXPECT_FALSE(in_phase(ErrorKind::connection, ErrorPhase::response_started, 404).is_retryable());
  EXPECT_FALSE(in_phase(ErrorKind::protocol, ErrorPhase::response_started, 200).is_retryable());
  EXPECT_FALSE(in_phase(ErrorKind::server_error, ErrorPhase::response_started, 200).is_retryable());
}

TEST(ErrorIsRetryableTest, NothingIsRetriedOnceAStreamDeliveredAChunk) {
  for (ErrorKind kind : {ErrorKind::server_error, ErrorKind::rate_limited, ErrorKind::connection,
                         ErrorKind::timeout}) {
    EXPECT_TRUE(in_phase(kind, ErrorPhase::before_response).is_retryable()) << to_string(kind);
    EXPECT_FALSE(in_phase(kind, ErrorPhase::mid_stream).is_retryable()) << to_string(kind);
  }
  Error told_yes = in_phase(ErrorKind::server_error, ErrorPhase::mid_stream, 503);
  told_yes.should_retry = true;
  EXPECT_FALSE(told_yes.is_retryable()) << "never a token twice, whatever the server says";
}

TEST(ErrorPhaseTest, NamesAndDefaults) {
  EXPECT_EQ(to_string(ErrorPhase::before_send), "before_send");
  EXPECT_EQ(to_string(ErrorPhase::before_response), "before_response");
  EXPECT_EQ(to_string(ErrorPhase::response_started), "response_started");
  EXPECT_EQ(to_string(ErrorPhase::mid_stream), "mid_stream");
  EXPECT_EQ(to_string(GiveUpReason::none), "none");
  EXPECT_EQ(to_string(GiveUpReason::not_retryable), "not_retryable");
  EXPECT_EQ(to_string(GiveUpReason::attempts_exhausted), "attempts_exhausted");
  EXPECT_EQ(to_string(GiveUpReason::deadline), "deadline");
  EXPECT_EQ(to_string(GiveUpReason::retry_after_too_long), "retry_after_too_long");
  EXPECT_EQ(to_string(GiveUpReason::cancelled), "cancelled");
  const Error plain = make_error(ErrorKind::connection, "refused");
  EXPECT_EQ(plain.phase, ErrorPhase::before_response);
  EXPECT_EQ(plain.give_up, GiveUpReason::none);
  EXPECT_EQ(invalid_request_error("model", "empty").phase, ErrorPhase::before_send);
  Error other = plain;
  other.phase = ErrorPhase::mid_stream;
  EXPECT_NE(plain, other);
  other = plain;
  other.give_up = GiveUpReason::deadline;
  EXPECT_NE(plain, other);
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
  EXPECT_EQ(too_long.give_up, GiveUpReason::retry_after_too_long);
}

TEST(DecideRetryTest, StopsWhenRetriesAreExhaustedOrTheErrorIsPermanent) {
  std::minstd_rand random(1);
  RetryPolicy policy;  // 2 retries
  const Error error = http_error(500, ErrorKind::server_error);
  EXPECT_TRUE(decide_retry(policy, error, 2, random).retry);
  const RetryDecision exhausted = decide_retry(policy, error, 3, random);
  EXPECT_FALSE(exhausted.retry);
  EXPECT_THAT(exhausted.reason, HasSubstr("retries exhausted"));
  EXPECT_EQ(exhausted.give_up, GiveUpReason::attempts_exhausted);
  EXPECT_EQ(decide_retry(policy, error, 2, random).give_up, GiveUpReason::none);
  const RetryDecision permanent =
      decide_retry(policy, http_error(401, ErrorKind::authentication), 1, random);
  EXPECT_FALSE(permanent.retry);
  EXPECT_EQ(permanent.give_up, GiveUpReason::not_retryable);
  EXPECT_FALSE(decide_retry(RetryPolicy::none(), error, 1, random).retry);
}

}  // namespace
}  // namespace lemma
