#include "lemma/url.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.hpp"

namespace lemma {
namespace {

using test::ErrorIs;
using test::IsOk;
using ::testing::HasSubstr;

TEST(UrlTest, ParsesSchemeHostPortPath) {
  auto url = Url::parse("https://api.aimlapi.com/v1/");
  ASSERT_THAT(url, IsOk());
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "api.aimlapi.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->path, "/v1");
  EXPECT_EQ(url->join("/chat/completions"), "https://api.aimlapi.com/v1/chat/completions");
}

TEST(UrlTest, KeepsExplicitPortAndIpv6) {
  auto url = Url::parse("http://[::1]:8000");
  ASSERT_THAT(url, IsOk());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8000);
  EXPECT_EQ(url->to_string(), "http://[::1]:8000");
}

TEST(UrlTest, RejectsMalformedUrlsWithInvalidRequest) {
  for (const char* bad : {"", "localhost:8000", "ftp://host/v1", "http://", "http://host:0",
                          "http://host:70000", "http://host:port", "http://user:pw@host/v1",
                          "http://host/v1?x=1", "http://ho st/v1", "http://[::1/v1"}) {
    EXPECT_THAT(Url::parse(bad, "base_url"),
                ErrorIs(ErrorKind::invalid_request, HasSubstr("base_url")))
        << bad;
  }
}

TEST(UrlTest, NeverEchoesCredentialsOrQuery) {
  const auto parsed = Url::parse("https://bob:p/ss@w0rd@api.example.com/v1?key=sk-123", "base_url");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message.find("bob"), std::string::npos) << parsed.error().message;
  EXPECT_EQ(parsed.error().message.find("w0rd"), std::string::npos) << parsed.error().message;
  EXPECT_EQ(parsed.error().message.find("sk-123"), std::string::npos) << parsed.error().message;
  EXPECT_EQ(Url::shown("http://user:pass@host:8000/v1"), "http://[credentials]@host:8000/v1");
  EXPECT_EQ(Url::shown("https://host/v1?api_key=x#frag"), "https://host/v1?[query]");
  EXPECT_EQ(Url::shown("user:pass@host/v1"), "[credentials]@host/v1");
  EXPECT_EQ(Url::shown("http://127.0.0.1:8000/v1"), "http://127.0.0.1:8000/v1");
}

TEST(UrlTest, PasswordWithQueryFragmentOrSlashIsHiddenAndRefusedAsCredentials) {
  EXPECT_EQ(Url::shown("http://alice:hunter?2@h/v1"), "http://[credentials]@h/v1");
  EXPECT_EQ(Url::shown("http://alice:hunter#2@h/v1"), "http://[credentials]@h/v1");
  EXPECT_EQ(Url::shown("http://alice:hun/ter?2@h/v1?k=s"), "http://[credentials]@h/v1?[query]");
  EXPECT_EQ(Url::shown("http://a:p@ss@h/v1/x@y"), "http://[credentials]@h/v1/x@y");
  // Which '@' ends a password and which one is in a query cannot be told apart, so both are
  // hidden: over-hiding is harmless, a leak is not.
  EXPECT_EQ(Url::shown("https://h/v1?to=a@b").find("to=a"), std::string::npos);
  for (const char* bad : {"http://alice:hunter?2@h/v1", "http://alice:hunter#2@h/v1"}) {
    EXPECT_THAT(Url::parse(bad, "base_url"),
                ErrorIs(ErrorKind::invalid_request, HasSubstr("credentials")))
        << bad;
  }
  for (const char* bad : {"http://alice:hunter?2@h/v1", "http://alice:hunter#2@h/v1",
                          "http://alice:hun/ter@h/v1", "http://alice:hun/ter?2@h/v1"}) {
    const auto parsed = Url::parse(bad, "base_url");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().kind, ErrorKind::invalid_request);
    EXPECT_EQ(parsed.error().message.find("hun"), std::string::npos) << parsed.error().message;
    EXPECT_EQ(parsed.error().message.find("alice"), std::string::npos) << parsed.error().message;
  }
}

}  // namespace
}  // namespace lemma
