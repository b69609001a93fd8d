// One Client shared by several threads (run under ThreadSanitizer by .ci/run).

#include <atomic>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "support/matchers.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

TEST(ClientThreadsTest, SharedClientServesManyThreads) {
  test::TestServer server([](const test::RecordedRequest& r) {
    // Echo the question back so each thread can check it got its own answer.
    const auto question =
        nlohmann::json::parse(r.body)["messages"][0]["content"].get<std::string>();
    nlohmann::json answer = {
        {"choices", {{{"message", {{"role", "assistant"}, {"content", question}}}}}}};
    return test::Reply::json(200, answer.dump());
  });
  const Client client(providers::openai_compatible(server.base_url(), "k"));
  constexpr int kThreads = 4;
  constexpr int kCallsPerThread = 10;
  std::atomic<int> correct{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        ChatRequest request;
        request.model = "m";
        const std::string question = "q" + std::to_string(t) + "-" + std::to_string(i);
        request.messages = {Message::user(question)};
        auto response = client.chat(request);
        if (response && response->text() == question) ++correct;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(correct.load(), kThreads * kCallsPerThread);
  // Connections are pooled: never more than one per concurrent thread.
  EXPECT_LE(server.connection_count(), kThreads);
}

}  // namespace
}  // namespace lemma
