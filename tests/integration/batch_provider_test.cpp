// lemma::Batch through providers other than plain OpenAI: every success body in the output is
// an OpenAI chat.completion whatever the provider's own envelope; a server that cannot be
// reached stops the run without recording anything.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lemma/batch.hpp"
#include "lemma/providers/dataoorts.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "support/client_helpers.hpp"
#include "support/matchers.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using nlohmann::json;
using test::Reply;
using test::TestServer;
using ::testing::AllOf;
using ::testing::HasSubstr;

// A scratch directory for one test's files, removed afterwards.
class BatchFiles {
 public:
  std::string path(const std::string& name) const { return dir_.file(name); }
  void write(const std::string& name, const std::vector<json>& lines) const {
    std::ofstream out(path(name));
    for (const json& line : lines) out << line.dump() << '\n';
  }
  std::vector<json> read(const std::string& name) const {
    std::vector<json> lines;
    std::ifstream in(path(name));
    for (std::string text; std::getline(in, text);) lines.push_back(json::parse(text));
    return lines;
  }

 private:
  test::TempDir dir_;
};

json request_line(const std::string& id, const std::string& model) {
  return {{"custom_id", id},
          {"method", "POST"},
          {"url", "/v1/chat/completions"},
          {"body",
           {{"model", model},
            {"messages", {{{"role", "user"}, {"content", "What is 2+2?"}}}},
            {"max_tokens", 64}}}};
}

BatchOptions options_for(const BatchFiles& files) {
  BatchOptions options;
  options.input_path = files.path("in.jsonl");
  options.output_path = files.path("out.jsonl");
  return options;
}

TEST(BatchProviderTest, DataoortsAnswersAreWrittenAsOpenAiChatCompletions) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::json(200, test::read_fixture("dataoorts_chat.json"),
                       {{"x-request-id", "req-dataoorts-1"}});
  });
  providers::DataoortsOptions provider;
  provider.api_key = "dk-secret";
  provider.base_url = "http://127.0.0.1:" + std::to_string(server.port()) + "/api/v1";
  BatchFiles files;
  const std::string model = "deepseek-ai/deepseek-math-7b-instruct";
  files.write("in.jsonl", {request_line("a", model), request_line("b", model)});

  auto summary =
      Batch(Client(std::make_shared<providers::DataoortsProvider>(provider)), options_for(files))
          .run();
  ASSERT_TRUE(summary) << summary.error().what();
  EXPECT_EQ(summary->counts.completed, 2u);
  const auto lines = files.read("out.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  for (const json& line : lines) {
    const json& body = line["response"]["body"];
    EXPECT_EQ(body["object"], "chat.completion");
    EXPECT_EQ(body["model"], model);
    EXPECT_THAT(body["choices"][0]["message"]["content"].get<std::string>(),
                HasSubstr("branch of artificial intelligence"));
    EXPECT_EQ(body["usage"]["completion_tokens"], 321);
    EXPECT_EQ(line["response"]["status_code"], 200);
    EXPECT_EQ(line["response"]["request_id"], "req-dataoorts-1");
    EXPECT_TRUE(line["error"].is_null());
  }
}

TEST(BatchProviderTest, AServerNobodyCanReachStopsTheRunAndRecordsNothing) {
  auto provider = providers::openai_compatible(
      "http://127.0.0.1:" + std::to_string(test::unused_port()) + "/v1", "sk-test-SECRET-1");
  BatchFiles files;
  std::vector<json> lines;
  for (int i = 0; i < 20; ++i) lines.push_back(request_line("q" + std::to_string(i), "m"));
  files.write("in.jsonl", lines);
  ClientOptions client_options;
  client_options.retry = RetryPolicy::none();

  auto summary = Batch(Client(provider, client_options), options_for(files)).run();
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().kind, ErrorKind::connection);
  EXPECT_THAT(summary.error().message, HasSubstr("recorded nothing"));
  EXPECT_THAT(summary.error().message, ::testing::Not(HasSubstr("SECRET")));
  EXPECT_TRUE(files.read("out.jsonl").empty());
  EXPECT_TRUE(files.read("out.errors.jsonl").empty());
}

TEST(BatchProviderTest, AKeyOrModelTheServerRefusesStopsTheRunAndRecordsNothing) {
  for (const auto& [status, kind] : {std::pair<int, ErrorKind>{401, ErrorKind::authentication},
                                     {403, ErrorKind::permission_denied},
                                     {404, ErrorKind::not_found}}) {
    TestServer server([status = status](const test::RecordedRequest&) {
      return Reply::json(status, R"({"error": {"message": "refused", "type": "invalid"}})");
    });
    BatchFiles files;
    std::vector<json> lines;
    for (int i = 0; i < 20; ++i) lines.push_back(request_line("q" + std::to_string(i), "m"));
    files.write("in.jsonl", lines);
    auto summary =
        Batch(Client(providers::openai_compatible(server.base_url(), "sk-test-SECRET-3")),
              options_for(files))
            .run();
    ASSERT_FALSE(summary) << status;
    EXPECT_EQ(summary.error().kind, kind);
    EXPECT_THAT(summary.error().message,
                AllOf(HasSubstr("refused the first 8"), HasSubstr("recorded nothing")));
    EXPECT_THAT(summary.error().message, ::testing::Not(HasSubstr("SECRET")));
    EXPECT_TRUE(files.read("out.jsonl").empty());
    EXPECT_TRUE(files.read("out.errors.jsonl").empty());
    EXPECT_LE(server.requests().size(), 20u);
  }
}

TEST(BatchProviderTest, ARefusalAfterASuccessIsOneRequestsFailure) {
  // Only the first line names a model the server does not serve: once another line succeeded
  // the setup is fine, and the 404 is that request's own failure.
  TestServer server([](const test::RecordedRequest& request) {
    if (json::parse(request.body)["model"] == "missing") {
      return Reply::json(404, R"({"error": {"message": "no such model"}})");
    }
    return Reply::json(200, test::read_fixture("aimlapi_chat.json"));
  });
  BatchFiles files;
  std::vector<json> lines = {request_line("bad", "missing")};
  for (int i = 0; i < 5; ++i) lines.push_back(request_line("q" + std::to_string(i), "m"));
  files.write("in.jsonl", lines);
  BatchOptions options = options_for(files);
  options.concurrency = 1;
  auto summary =
      Batch(Client(providers::openai_compatible(server.base_url(), "sk-test-SECRET-4")), options)
          .run();
  ASSERT_TRUE(summary) << summary.error().what();
  EXPECT_EQ(summary->counts.completed, 5u);
  EXPECT_EQ(summary->counts.failed, 1u);
  EXPECT_EQ(files.read("out.errors.jsonl").at(0)["custom_id"], "bad");
}

TEST(BatchProviderTest, AnHttpFailureKeepsItsStatusAndErrorBody) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::json(400,
                       R"({"error": {"message": "max_tokens is too large", "type": )"
                       R"("invalid_request_error", "param": "max_tokens", "code": null}})",
                       {{"x-request-id", "req-400"}});
  });
  BatchFiles files;
  files.write("in.jsonl", {request_line("too-long", "m")});
  auto summary = Batch(Client(providers::openai_compatible(server.base_url(), "sk-test-SECRET-2")),
                       options_for(files))
                     .run();
  ASSERT_TRUE(summary) << summary.error().what();
  EXPECT_EQ(summary->counts.failed, 1u);
  const auto errors = files.read("out.errors.jsonl");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["custom_id"], "too-long");
  EXPECT_EQ(errors[0]["response"]["status_code"], 400);
  EXPECT_EQ(errors[0]["response"]["request_id"], "req-400");
  EXPECT_EQ(errors[0]["response"]["body"]["error"]["message"], "max_tokens is too large");
  EXPECT_EQ(errors[0]["response"]["body"]["error"]["param"], "max_tokens");
  EXPECT_TRUE(errors[0]["error"].is_null());
  EXPECT_EQ(server.requests().size(), 1u);  // a 400 is not retried
}

std::string sse_chunk(const json& delta, const json& finish = nullptr) {
  const json chunk = {{"id", "c1"},
                      {"object", "chat.completion.chunk"},
                      {"model", "m"},
                      {"choices", {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}}}};
  return "data: " + chunk.dump() + "\n\n";
}

TEST(BatchProviderTest, StreamedRequestsAreWrittenWholeWithTheirTimeToFirstToken) {
  TestServer server([](const test::RecordedRequest& request) {
    const json body = json::parse(request.body);
    EXPECT_EQ(body["stream"], true);
    const std::string question = body["messages"][0]["content"];
    return Reply::chunked(200)
        .chunk(sse_chunk({{"role", "assistant"}, {"reasoning_content", "thinking"}}))
        .chunk(sse_chunk({{"content", "answer to "}}))
        .chunk(sse_chunk({{"content", question}}, "stop"))
        .chunk("data: [DONE]\n\n")
        .end_chunks();
  });
  BatchFiles files;
  std::vector<json> lines;
  for (int i = 0; i < 6; ++i) {
    json line = request_line("s" + std::to_string(i), "m");
    line["body"]["messages"][0]["content"] = "question " + std::to_string(i);
    lines.push_back(line);
  }
  files.write("in.jsonl", lines);
  BatchOptions options = options_for(files);
  options.stream = true;
  options.ordered = true;
  options.concurrency = 3;
  std::vector<std::string> seen;
  options.on_result = [&seen](const BatchResult& result, const Result<ChatResponse>& response) {
    ASSERT_TRUE(response) << response.error().what();
    EXPECT_TRUE(result.time_to_first_token.has_value());
    EXPECT_LE(*result.time_to_first_token, result.latency);
    EXPECT_EQ(result.line, seen.size() + 1);
    seen.push_back(result.custom_id);
  };
  auto summary =
      Batch(Client(providers::openai_compatible(server.base_url(), "sk-test-SECRET-3")), options)
          .run();
  ASSERT_TRUE(summary) << summary.error().what();
  EXPECT_EQ(seen, (std::vector<std::string>{"s0", "s1", "s2", "s3", "s4", "s5"}));
  const auto out = files.read("out.jsonl");
  ASSERT_EQ(out.size(), 6u);
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i]["custom_id"], "s" + std::to_string(i));  // --ordered
    const json& body = out[i]["response"]["body"];
    EXPECT_EQ(body["object"], "chat.completion");
    EXPECT_EQ(body["choices"][0]["message"]["content"], "answer to question " + std::to_string(i));
    EXPECT_EQ(body["choices"][0]["message"]["reasoning_content"], "thinking");
    EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  }
}

TEST(BatchProviderTest, IdenticalMalformedLinesAreEachRecordedOnceAcrossRuns) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, "{}"); });
  BatchFiles files;
  {
    std::ofstream out(files.path("in.jsonl"));
    out << "garbage\n" << request_line("ok", "m").dump() << "\ngarbage\n";
  }
  const auto client = Client(providers::openai_compatible(server.base_url(), "sk-test-SECRET-4"));
  for (int run = 0; run < 3; ++run) {
    auto summary = Batch(client, options_for(files)).run();
    ASSERT_TRUE(summary) << summary.error().what();
    EXPECT_EQ(summary->counts.failed, 3u) << "run " << run;  // two garbage lines, one bad answer
  }
  const auto errors = files.read("out.errors.jsonl");
  ASSERT_EQ(errors.size(), 3u);
  std::vector<std::size_t> lines;
  for (const json& record : errors) {
    if (record["custom_id"].is_null()) lines.push_back(record["line"].get<std::size_t>());
  }
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(server.requests().size(), 1u);  // the valid line once, never again
}

}  // namespace
}  // namespace lemma
