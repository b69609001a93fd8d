// lemma::Batch as a user runs it: OpenAI Batch files on disk, a Client, run(); a loopback server
// that fails in scripted ways (503, 429 with retry-after-ms, connection resets, permanent 400s)
// and answers each request with something taken from its own prompt. Retry waits run on a
// FakeClock, so no test sleeps through a backoff.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lemma/batch.hpp"
#include "lemma/client.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/testing/fake_clock.hpp"
#include "mock_server/mock_endpoint.hpp"
#include "support/matchers.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::ErrorIs;
using test::IsOk;
using test::Reply;
using test::TestServer;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

namespace fs = std::filesystem;

constexpr const char* kQuestionPrefix = "question for ";

// A fresh folder for one test's files, removed afterwards.
using test::TempDir;

std::string custom_id(int i) {
  char text[16];
  std::snprintf(text, sizeof text, "q%04d", i);
  return text;
}

// One OpenAI Batch input line whose prompt names its custom_id.
std::string input_line(const std::string& id, const std::string& prompt = "") {
  json line = {
      {"custom_id", id},
      {"method", "POST"},
      {"url", "/v1/chat/completions"},
      {"body",
       {{"model", "m"},
        {"messages",
         {{{"role", "user"}, {"content", prompt.empty() ? kQuestionPrefix + id : prompt}}}},
        {"max_tokens", 16}}}};
  return line.dump();
}

void write_file(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& line : lines) out << line << '\n';
}

std::vector<std::string> input_lines(int count) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) lines.push_back(input_line(custom_id(i)));
  return lines;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every line of a result file, parsed; a line that is not JSON fails the test.
std::vector<json> read_records(const std::string& path) {
  std::vector<json> records;
  std::istringstream in(read_text(path));
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    json record = json::parse(line, nullptr, false);
    EXPECT_FALSE(record.is_discarded()) << path << " line " << number << ": " << line;
    if (!record.is_discarded()) records.push_back(std::move(record));
  }
  return records;
}

// The custom_ids of a result file, in file order.
std::vector<std::string> ids_in(const std::vector<json>& records) {
  std::vector<std::string> ids;
  for (const auto& record : records) {
    ids.push_back(record["custom_id"].is_string() ? record["custom_id"].get<std::string>() : "");
  }
  return ids;
}

// Checks that every custom_id of `expected` is in exactly one of the two files, once.
void expect_each_once(const std::vector<json>& output, const std::vector<json>& errors,
                      const std::vector<std::string>& expected) {
  std::vector<std::string> all = ids_in(output);
  const std::vector<std::string> failed = ids_in(errors);
  all.insert(all.end(), failed.begin(), failed.end());
  EXPECT_THAT(all, UnorderedElementsAreArray(expected));
}

std::vector<std::string> ids_upto(int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back(custom_id(i));
  return ids;
}

// The custom_id a request was sent for, read back from its prompt.
std::string id_of(const test::RecordedRequest& request) {
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.contains("messages")) return "";
  const std::string prompt = body["messages"].back().value("content", "");
  return prompt.rfind(kQuestionPrefix, 0) == 0 ? prompt.substr(std::string(kQuestionPrefix).size())
                                               : prompt;
}

std::vector<std::string> ids_sent(const TestServer& server, std::size_t from = 0) {
  std::vector<std::string> ids;
  const auto requests = server.requests();
  for (std::size_t i = from; i < requests.size(); ++i) ids.push_back(id_of(requests[i]));
  return ids;
}

// The answer to `id`: says which question it answers, so a mix-up is visible.
Reply answer(const std::string& id) {
  const json body = {
      {"id", "chatcmpl-" + id},
      {"object", "chat.completion"},
      {"created", 1700000000},
      {"model", "m"},
      {"choices",
       {{{"index", 0},
         {"message", {{"role", "assistant"}, {"content", "answer to " + id}}},
         {"finish_reason", "stop"}}}},
      {"usage", {{"prompt_tokens", 7}, {"completion_tokens", 3}, {"total_tokens", 10}}}};
  Headers headers;
  headers.set("x-request-id", "req-" + id);
  return Reply::json(200, body.dump(), headers);
}

Reply bad_request(const std::string& id) {
  const json body = {{"error",
                      {{"message", "bad request for " + id},
                       {"type", "invalid_request_error"},
                       {"param", "messages"},
                       {"code", "bad_id"}}}};
  return Reply::json(400, body.dump());
}

std::string answer_text(const json& record) {
  return record["response"]["body"]["choices"][0]["message"].value("content", "");
}

// Retries with small exact backoffs; the FakeClock makes every wait instant.
Client make_client(const std::string& base_url,
                   std::shared_ptr<const Clock> clock = std::make_shared<testing::FakeClock>()) {
  ClientOptions options;
  options.retry.max_retries = 3;
  options.retry.initial_backoff = 20ms;
  options.retry.max_backoff = 80ms;
  options.retry.jitter = false;
  options.clock = std::move(clock);
  return Client(providers::openai_compatible(base_url, "sk-test-SECRET-batch"), options);
}

BatchOptions batch_options(const TempDir& dir) {
  BatchOptions options;
  options.input_path = dir.file("input.jsonl");
  options.output_path = dir.file("output.jsonl");
  options.concurrency = 8;
  return options;
}

// ---- the issue's batch: 1,000 requests through every kind of fault ----------------------------

// Per custom_id q0000..q0999: i % 10 == 1 answers 503 once, == 2 answers 429 with
// retry-after-ms: 5 once, == 3 resets the connection once; i % 50 == 7 is a permanent 400.
struct FaultyServer {
  std::mutex mutex;
  std::map<std::string, int> attempts;
  TestServer server{[this](const test::RecordedRequest& request) { return reply(request); }};

  static int number(const std::string& id) { return std::stoi(id.substr(1)); }

  Reply reply(const test::RecordedRequest& request) {
    const std::string id = id_of(request);
    int attempt = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      attempt = ++attempts[id];
    }
    const int i = number(id);
    if (i % 50 == 7) return bad_request(id);
    if (attempt == 1) {
      if (i % 10 == 1) return Reply::json(503, R"({"error": {"message": "overloaded"}})");
      if (i % 10 == 2) {
        Headers headers;
        headers.set("retry-after-ms", "5");
        return Reply::json(429, R"({"error": {"message": "slow down"}})", headers);
      }
      if (i % 10 == 3) return Reply().close();  // a reset before any response byte
    }
    return answer(id);
  }
};

TEST(BatchTest, ThousandRequestsThroughFaultsEachIdOnceEachAnswerItsOwn) {
  FaultyServer faulty;
  TempDir dir;
  BatchOptions options = batch_options(dir);
  options.concurrency = 32;
  write_file(options.input_path, input_lines(1000));
  std::vector<BatchProgress> progress;
  options.on_progress = [&progress](const BatchProgress& p) { progress.push_back(p); };
  auto summary = Batch(make_client(faulty.server.base_url()), options).run();
  ASSERT_THAT(summary, IsOk());

  // 20 permanent 400s (i % 50 == 7), everything else answered.
  EXPECT_EQ(summary->counts.total, 1000u);
  EXPECT_EQ(summary->counts.completed, 980u);
  EXPECT_EQ(summary->counts.failed, 20u);
  EXPECT_EQ(summary->done_this_run, 1000u);
  EXPECT_EQ(summary->resumed, 0u);
  EXPECT_FALSE(summary->interrupted);
  const auto output = read_records(options.output_path);
  const auto errors = read_records(default_errors_path(options.output_path));
  expect_each_once(output, errors, ids_upto(1000));

  for (const json& record : output) {
    const std::string id = record["custom_id"];
    EXPECT_EQ(answer_text(record), "answer to " + id);
    EXPECT_EQ(record["response"]["status_code"], 200) << id;
    EXPECT_EQ(record["response"]["request_id"], "req-" + id);
    EXPECT_EQ(record["response"]["body"]["object"], "chat.completion") << id;
    EXPECT_TRUE(record["error"].is_null()) << id;
    EXPECT_EQ(record["id"].get<std::string>().rfind("batch_req_", 0), 0u) << id;
  }
  std::set<std::string> expected_failures;
  for (int i = 7; i < 1000; i += 50) expected_failures.insert(custom_id(i));
  for (const json& record : errors) {
    const std::string id = record["custom_id"];
    EXPECT_EQ(expected_failures.count(id), 1u) << id;
    EXPECT_EQ(record["response"]["status_code"], 400) << id;
    EXPECT_EQ(record["response"]["body"]["error"]["message"], "bad request for " + id);
    EXPECT_EQ(record["response"]["body"]["error"]["code"], "bad_id");
    EXPECT_TRUE(record["error"].is_null()) << id;
  }

  // The 503s, 429s and resets succeeded on their second attempt; a 400 is never retried.
  for (int i = 0; i < 1000; ++i) {
    const int expected = (i % 50 != 7 && i % 10 >= 1 && i % 10 <= 3) ? 2 : 1;
    EXPECT_EQ(faulty.attempts[custom_id(i)], expected) << custom_id(i);
  }
  EXPECT_EQ(faulty.server.requests().size(), 1000u + 300u);

  // Progress: counts only grow, and the last report is the final state.
  ASSERT_FALSE(progress.empty());
  for (std::size_t i = 1; i < progress.size(); ++i) {
    EXPECT_GE(progress[i].done_this_run, progress[i - 1].done_this_run);
  }
  EXPECT_EQ(progress.back().done_this_run, 1000u);
  EXPECT_EQ(progress.back().remaining, 0u);
  EXPECT_EQ(progress.back().counts.completed, 980u);
  EXPECT_EQ(progress.back().counts.failed, 20u);
  EXPECT_EQ(progress.back().prompt_tokens, 980u * 7);
  EXPECT_EQ(progress.back().completion_tokens, 980u * 3);
}

// ---- resume ------------------------------------------------------------------------------------

TEST(BatchTest, ASecondRunSendsNothingAndCountsTheSame) {
  TestServer server([](const test::RecordedRequest& r) {
    const std::string id = id_of(r);
    return id == custom_id(3) ? bad_request(id) : answer(id);
  });
  TempDir dir;
  const BatchOptions options = batch_options(dir);
  write_file(options.input_path, input_lines(50));
  auto first = Batch(make_client(server.base_url()), options).run();
  ASSERT_THAT(first, IsOk());
  ASSERT_EQ(server.requests().size(), 50u);
  const std::string output = read_text(options.output_path);
  const std::string errors = read_text(default_errors_path(options.output_path));

  auto second = Batch(make_client(server.base_url()), options).run();
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(server.requests().size(), 50u) << "nothing sent again";
  EXPECT_EQ(second->counts.total, first->counts.total);
  EXPECT_EQ(second->counts.completed, 49u);
  EXPECT_EQ(second->counts.failed, 1u);
  EXPECT_EQ(second->resumed, 50u);
  EXPECT_EQ(second->done_this_run, 0u);
  EXPECT_EQ(read_text(options.output_path), output);
  EXPECT_EQ(read_text(default_errors_path(options.output_path)), errors);
}

TEST(BatchTest, ATornLastLineIsDroppedAndItsRequestRunAgain) {
  TestServer server([](const test::RecordedRequest& r) { return answer(id_of(r)); });
  TempDir dir;
  BatchOptions options = batch_options(dir);
  options.ordered = true;  // the last line is q0019's
  write_file(options.input_path, input_lines(20));
  ASSERT_THAT(Batch(make_client(server.base_url()), options).run(), IsOk());

  // A crash in the middle of writing the last result: half a line, no newline.
  std::string text = read_text(options.output_path);
  const std::size_t last = text.rfind('\n', text.size() - 2) + 1;
  const std::string torn = text.substr(last, (text.size() - last) / 2);
  ASSERT_THAT(torn, HasSubstr("q0019"));
  text = text.substr(0, last) + torn;
  {
    std::ofstream out(options.output_path, std::ios::binary | std::ios::trunc);
    out << text;
  }

  auto resumed = Batch(make_client(server.base_url()), options).run();
  ASSERT_THAT(resumed, IsOk());
  EXPECT_THAT(ids_sent(server, 20), ::testing::ElementsAre("q0019"));
  EXPECT_THAT(resumed->warnings, Contains(HasSubstr("torn")));
  EXPECT_EQ(resumed->counts.completed, 20u);
  const auto output = read_records(options.output_path);  // every line parses
  expect_each_once(output, read_records(default_errors_path(options.output_path)), ids_upto(20));
  EXPECT_EQ(answer_text(output.back()), "answer to q0019");
}

TEST(BatchTest, RetryErrorsRerunsExactlyTheFailedIds) {
  // Run 1: q0002, q0005, q0011 and q0017 fail. Run 3 (--retry-errors): q0002 and q0011 are
  // answered, q0005 and q0017 fail again.
  std::atomic<int> run{1};
  TestServer server([&run](const test::RecordedRequest& r) {
    const std::string id = id_of(r);
    const bool fails_first = id == "q0002" || id == "q0005" || id == "q0011" || id == "q0017";
    const bool fails_again = id == "q0005" || id == "q0017";
    return (run == 1 ? fails_first : fails_again) ? bad_request(id) : answer(id);
  });
  TempDir dir;
  BatchOptions options = batch_options(dir);
  write_file(options.input_path, input_lines(20));
  auto first = Batch(make_client(server.base_url()), options).run();
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->counts.failed, 4u);

  // Without retry_errors the failures count as done: nothing is sent.
  run = 2;
  auto second = Batch(make_client(server.base_url()), options).run();
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(server.requests().size(), 20u);
  EXPECT_EQ(second->counts.failed, 4u);

  run = 3;
  options.retry_errors = true;
  auto third = Batch(make_client(server.base_url()), options).run();
  ASSERT_THAT(third, IsOk());
  EXPECT_THAT(ids_sent(server, 20),
              UnorderedElementsAreArray({"q0002", "q0005", "q0011", "q0017"}));
  EXPECT_EQ(third->counts.completed, 18u);
  EXPECT_EQ(third->counts.failed, 2u);
  EXPECT_EQ(third->done_this_run, 4u);
  const auto output = read_records(options.output_path);
  const auto errors = read_records(default_errors_path(options.output_path));
  expect_each_once(output, errors, ids_upto(20));
  EXPECT_THAT(ids_in(errors), UnorderedElementsAreArray({"q0005", "q0017"}));
}

TEST(BatchTest, AnInputChangedAfterItWasAnsweredIsReportedNotResent) {
  TestServer server([](const test::RecordedRequest& r) { return answer(id_of(r)); });
  TempDir dir;
  const BatchOptions options = batch_options(dir);
  std::vector<std::string> lines = input_lines(10);
  write_file(options.input_path, lines);
  ASSERT_THAT(Batch(make_client(server.base_url()), options).run(), IsOk());

  lines[3] = input_line(custom_id(3), "a different question");
  write_file(options.input_path, lines);
  auto second = Batch(make_client(server.base_url()), options).run();
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(server.requests().size(), 10u) << "the changed line is not paid for twice";
  EXPECT_THAT(second->changed_inputs, ::testing::ElementsAre("q0003"));
  const auto output = read_records(options.output_path);
  expect_each_once(output, {}, ids_upto(10));
  EXPECT_THAT(second->to_text(), HasSubstr("q0003"));
}

// ---- bad input
// -----------------------------------------------------------------------------------

TEST(BatchTest, ADuplicateCustomIdRefusesTheFileBeforeAnyRequest) {
  TestServer server([](const test::RecordedRequest& r) { return answer(id_of(r)); });
  TempDir dir;
  const BatchOptions options = batch_options(dir);
  std::vector<std::string> lines = input_lines(10);
  lines.push_back(input_line(custom_id(4), "the same id again"));
  write_file(options.input_path, lines);
  auto summary = Batch(make_client(server.base_url()), options).run();
  EXPECT_THAT(summary, ErrorIs(ErrorKind::invalid_request,
                               AllOf(HasSubstr("q0004"), HasSubstr("5 and 11"))));
  EXPECT_THAT(server.requests(), IsEmpty());
  EXPECT_FALSE(fs::exists(options.output_path)) << "nothing written either";
}

TEST(BatchTest, MalformedLinesAreErrorRecordsWithTheirLineAndTheRestRuns) {
  TestServer server([](const test::RecordedRequest& r) { return answer(id_of(r)); });
  TempDir dir;
  const BatchOptions options = batch_options(dir);
  json get = json::parse(input_line("get"));
  get["method"] = "GET";
  json streamed = json::parse(input_line("streamed"));
  streamed["body"]["stream"] = true;
  json no_id = json::parse(input_line("x"));
  no_id.erase("custom_id");
  json no_body = json::parse(input_line("no_body"));
  no_body.erase("body");
  write_file(options.input_path, {input_line("first"),   // line 1
                                  "this is not json",    // line 2
                                  "",                    // line 3: blank, skipped
                                  get.dump(),            // line 4
                                  no_id.dump(),          // line 5
                                  streamed.dump(),       // line 6
                                  no_body.dump(),        // line 7
                                  "[1, 2]",              // line 8
                                  input_line("last")});  // line 9
  auto summary = Batch(make_client(server.base_url()), options).run();
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(summary->counts.total, 8u);
  EXPECT_EQ(summary->counts.completed, 2u);
  EXPECT_EQ(summary->counts.failed, 6u);
  EXPECT_THAT(ids_sent(server), UnorderedElementsAreArray({"first", "last"}));

  std::map<int, json> by_line;
  for (const json& record : read_records(default_errors_path(options.output_path))) {
    EXPECT_TRUE(record["response"].is_null());
    EXPECT_EQ(record["error"]["code"], "invalid_request");
    EXPECT_FALSE(record["error"]["message"].get<std::string>().empty());
    by_line[record["line"].get<int>()] = record;
  }
  ASSERT_EQ(by_line.size(), 6u);
  EXPECT_TRUE(by_line[2]["custom_id"].is_null());
  EXPECT_EQ(by_line[4]["custom_id"], "get");
  EXPECT_THAT(by_line[4]["error"]["message"].get<std::string>(), HasSubstr("POST"));
  EXPECT_TRUE(by_line[5]["custom_id"].is_null());
  EXPECT_EQ(by_line[6]["custom_id"], "streamed");
  EXPECT_THAT(by_line[6]["error"]["message"].get<std::string>(), HasSubstr("stream"));
  EXPECT_EQ(by_line[7]["custom_id"], "no_body");
  EXPECT_TRUE(by_line[8]["custom_id"].is_null());

  // A malformed line is recorded once across runs.
  const std::string errors = read_text(default_errors_path(options.output_path));
  auto again = Batch(make_client(server.base_url()), options).run();
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(read_text(default_errors_path(options.output_path)), errors);
  EXPECT_EQ(again->counts.failed, 6u);
  EXPECT_EQ(server.requests().size(), 2u);
}

// ---- order and cancellation --------------------------------------------------------------------

TEST(BatchTest, OrderedWritesResultsInInputOrder) {
  // All eight requests are held until every one has arrived, then answered last-first.
  constexpr int kCount = 8;
  std::atomic<TestServer*> self{nullptr};  // the handler runs on the server's threads
  TestServer server([&self](const test::RecordedRequest& r) {
    const std::string id = id_of(r);
    self.load()->wait_for_requests(kCount);
    const int i = std::stoi(id.substr(1));
    // The server's latency, not the test waiting: later lines are answered sooner.
    Reply reply = Reply().sleep(std::chrono::milliseconds(25 * (kCount - i)));
    const Reply whole = answer(id);
    for (const auto& step : whole.steps()) reply.write(step.bytes);
    return reply;
  });
  self = &server;
  TempDir dir;
  BatchOptions options = batch_options(dir);
  options.concurrency = kCount;
  options.ordered = true;
  write_file(options.input_path, input_lines(kCount));
  auto summary = Batch(make_client(server.base_url()), options).run();
  ASSERT_THAT(summary, IsOk());
  EXPECT_THAT(ids_in(read_records(options.output_path)),
              ::testing::ElementsAreArray(ids_upto(kCount)));
}

TEST(BatchTest, CancellingMidRunLeavesConsistentFilesAndTheResumeFinishesTheRest) {
  // The first 10 requests are answered; later ones hang until the run is cancelled.
  constexpr int kCount = 40;
  constexpr std::size_t kConcurrency = 4;
  std::atomic<int> answered{0};
  std::atomic<bool> hang{true};
  TestServer server([&](const test::RecordedRequest& r) {
    if (hang && answered.fetch_add(1) >= 10) return Reply().stall();
    return answer(id_of(r));
  });
  TempDir dir;
  BatchOptions options = batch_options(dir);
  options.concurrency = kConcurrency;
  write_file(options.input_path, input_lines(kCount));
  auto cancel = std::make_shared<CancellationToken>();
  options.cancellation = cancel;

  std::optional<Result<BatchSummary>> ran;
  std::thread runner([&] { ran = Batch(make_client(server.base_url()), options).run(); });
  // 10 answered, then a full window of hanging requests in flight.
  const bool arrived = server.wait_for_requests(10 + kConcurrency);
  cancel->cancel();
  runner.join();
  ASSERT_TRUE(arrived);
  ASSERT_TRUE(ran.has_value());
  const Result<BatchSummary>& first = *ran;
  ASSERT_THAT(first, IsOk());
  EXPECT_TRUE(first->interrupted);
  const auto output = read_records(options.output_path);  // every line parses
  const auto done = ids_in(output);
  EXPECT_LE(done.size(), 10u);
  EXPECT_EQ(first->counts.completed, done.size());
  EXPECT_EQ(first->counts.failed, 0u) << "cancelled requests are not recorded as failures";
  EXPECT_EQ(first->not_started, kCount - done.size());
  EXPECT_THAT(read_records(default_errors_path(options.output_path)), IsEmpty());
  for (const json& record : output) {
    EXPECT_EQ(answer_text(record), "answer to " + record["custom_id"].get<std::string>());
  }

  hang = false;
  const std::size_t sent_before = server.requests().size();
  BatchOptions resume = options;
  resume.cancellation = nullptr;
  auto second = Batch(make_client(server.base_url()), resume).run();
  ASSERT_THAT(second, IsOk());
  EXPECT_FALSE(second->interrupted);
  std::vector<std::string> rest;
  for (const auto& id : ids_upto(kCount)) {
    if (std::find(done.begin(), done.end(), id) == done.end()) rest.push_back(id);
  }
  EXPECT_THAT(ids_sent(server, sent_before), UnorderedElementsAreArray(rest))
      << "finished requests are not sent again";
  EXPECT_EQ(second->counts.completed, static_cast<std::uint64_t>(kCount));
  expect_each_once(read_records(options.output_path),
                   read_records(default_errors_path(options.output_path)), ids_upto(kCount));
}

// ---- against lemma-mock-server's endpoint ------------------------------------------------------

TEST(BatchTest, AgainstTheMockEndpointEachArithmeticAnswerIsItsOwnAndEachRequestLogged) {
  TempDir dir;
  tools::MockEndpointOptions mock;
  mock.request_log = dir.file("requests.log");
  tools::MockEndpoint endpoint(mock);
  ASSERT_GT(endpoint.start(), 0);
  BatchOptions options = batch_options(dir);
  std::vector<std::string> lines;
  std::vector<std::string> prompts;
  for (int i = 0; i < 30; ++i) {
    prompts.push_back("What is " + std::to_string(i) + " + 1000?");
    lines.push_back(input_line(custom_id(i), prompts.back()));
  }
  write_file(options.input_path, lines);
  auto summary = Batch(make_client(endpoint.base_url()), options).run();
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(summary->counts.completed, 30u);
  for (const json& record : read_records(options.output_path)) {
    const int i = std::stoi(record["custom_id"].get<std::string>().substr(1));
    EXPECT_THAT(answer_text(record), HasSubstr("\\boxed{" + std::to_string(i + 1000) + "}"));
  }
  std::vector<std::string> logged;
  std::istringstream log(read_text(mock.request_log));
  for (std::string line; std::getline(log, line);) logged.push_back(line);
  EXPECT_THAT(logged, UnorderedElementsAreArray(prompts));
}

}  // namespace
}  // namespace lemma
