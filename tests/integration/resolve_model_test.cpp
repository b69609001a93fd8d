// resolve_model(): a configuration without a model is completed from the server's model list
// when it names exactly one model; several, none or an unreachable server are errors that say
// what to set. Each case against a loopback server.

#include "lemma/resolve_model.hpp"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "support/matchers.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using test::ErrorIs;
using test::IsOk;
using test::Reply;
using test::TestServer;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

TestServer serving_models(std::string data) {
  return TestServer([data = std::move(data)](const test::RecordedRequest&) {
    return Reply::json(200, R"({"object": "list", "data": )" + data + "}");
  });
}

Client client_of(const TestServer& server) {
  ClientOptions options;
  options.retry = RetryPolicy::none();
  return Client(providers::openai_compatible(server.base_url()), options);
}

TEST(ResolveModelTest, AConfiguredModelIsKeptWithoutAskingTheServer) {
  TestServer server = serving_models(R"([{"id": "other", "object": "model"}])");
  auto model = resolve_model(client_of(server), "mine");
  ASSERT_THAT(model, IsOk());
  EXPECT_EQ(*model, "mine");
  EXPECT_TRUE(server.requests().empty());
}

TEST(ResolveModelTest, TheServersOnlyModelIsUsed) {
  TestServer server =
      serving_models(R"([{"id": "deepseek-ai/DeepSeek-Math-V2", "object": "model"}])");
  auto model = resolve_model(client_of(server), "");
  ASSERT_THAT(model, IsOk());
  EXPECT_EQ(*model, "deepseek-ai/DeepSeek-Math-V2");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].method, "GET");
  EXPECT_EQ(server.requests()[0].target, "/v1/models");
}

TEST(ResolveModelTest, SeveralModelsAreListedInTheError) {
  TestServer server = serving_models(
      R"([{"id": "math-7b", "object": "model"}, {"id": "prover-v2", "object": "model"}])");
  auto model = resolve_model(client_of(server), "");
  EXPECT_THAT(model,
              ErrorIs(ErrorKind::invalid_request,
                      AllOf(HasSubstr("2 models: math-7b, prover-v2"), HasSubstr("LEMMA_MODEL"))));
  EXPECT_EQ(model.error().param, "model");
}

TEST(ResolveModelTest, ALongListIsCutAfterTwentyNames) {
  std::string data = "[";
  for (int i = 0; i < 25; ++i) {
    data += std::string(i == 0 ? "" : ",") + R"({"id": "m)" + std::to_string(i) + R"("})";
  }
  TestServer server = serving_models(data + "]");
  auto model = resolve_model(client_of(server), "");
  EXPECT_THAT(model, ErrorIs(ErrorKind::invalid_request,
                             AllOf(HasSubstr("25 models: m0, m1,"), HasSubstr("m19 and 5 more"),
                                   Not(HasSubstr("m20")))));
}

TEST(ResolveModelTest, AnEmptyListIsAnError) {
  TestServer server = serving_models("[]");
  EXPECT_THAT(resolve_model(client_of(server), ""),
              ErrorIs(ErrorKind::invalid_request,
                      AllOf(HasSubstr("lists no models"), HasSubstr("LEMMA_MODEL"))));
}

TEST(ResolveModelTest, AnUnreachableServerKeepsItsKindAndSaysWhatToSet) {
  ClientOptions options;
  options.retry = RetryPolicy::none();
  Client client(providers::openai_compatible(
                    "http://127.0.0.1:" + std::to_string(test::unused_port()) + "/v1"),
                options);
  EXPECT_THAT(
      resolve_model(client, ""),
      ErrorIs(ErrorKind::connection, AllOf(HasSubstr("asking the server for its models failed"),
                                           HasSubstr("LEMMA_MODEL"))));
}

TEST(ResolveModelTest, AServerErrorKeepsItsStatus) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::json(503, R"({"error": {"message": "Loading model", "type": "unavailable"}})");
  });
  auto model = resolve_model(client_of(server), "");
  EXPECT_THAT(model, ErrorIs(ErrorKind::server_error, HasSubstr("Loading model")));
  EXPECT_EQ(model.error().http_status, 503);
}

}  // namespace
}  // namespace lemma
