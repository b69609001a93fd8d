#include "lemma/remote_batch.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/providers/aimlapi.hpp"
#include "lemma/providers/dataoorts.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/providers/self_hosted.hpp"
#include "lemma/testing/fake_clock.hpp"
#include "support/fake_batch_api.hpp"
#include "support/matchers.hpp"
#include "support/temp_dir.hpp"

namespace lemma {
namespace {

using nlohmann::json;
using test::FakeBatchApi;
using test::FakeBatchApiOptions;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

using test::TempDir;

std::string request_line(const std::string& custom_id, const std::string& prompt,
                         const std::string& model = "deepseek-math") {
  json line = {
      {"custom_id", custom_id},
      {"method", "POST"},
      {"url", "/v1/chat/completions"},
      {"body", {{"model", model}, {"messages", {{{"role", "user"}, {"content", prompt}}}}}}};
  return line.dump();
}

void write_file(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary);
  for (const std::string& line : lines) out << line << "\n";
}

std::vector<json> read_jsonl(const std::string& path) {
  std::vector<json> records;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) records.push_back(json::parse(line));
  }
  return records;
}

// Six questions; q3 and q5 fail with HTTP 400 at the provider.
std::vector<std::string> six_questions() {
  std::vector<std::string> lines;
  for (int i = 1; i <= 6; ++i) {
    lines.push_back(request_line("q" + std::to_string(i), "What is " + std::to_string(i) + "+1?"));
  }
  return lines;
}

struct FakeProvider {
  std::shared_ptr<testing::FakeClock> clock = std::make_shared<testing::FakeClock>();

  Client client(const FakeBatchApi& api, ApiKey key = {}) const {
    ClientOptions options;
    options.clock = clock;
    options.retry.jitter = false;
    return Client(providers::openai_compatible(
                      api.base_url(), key.empty() ? ApiKey(api.api_key()) : std::move(key)),
                  options);
  }
};

RemoteBatchOptions options_for(const TempDir& dir) {
  RemoteBatchOptions options;
  options.input_path = dir.file("in.jsonl");
  options.output_path = dir.file("out.jsonl");
  return options;
}

TEST(RemoteBatchTest, HappyPathWritesEveryCustomIdOnceWithItsOwnAnswer) {
  TempDir dir;
  FakeBatchApiOptions fake;
  fake.failing_ids = {"q3", "q5"};
  FakeBatchApi api(fake);
  FakeProvider setup;
  write_file(dir.file("in.jsonl"), six_questions());
  RemoteBatchOptions options = options_for(dir);
  options.metadata = {{"run", "nightly"}};
  std::vector<std::string> statuses;
  options.on_status = [&](const RemoteBatchStatus& s) { statuses.push_back(s.status); };

  RemoteBatch batch(setup.client(api), options);
  Result<BatchSummary> summary = batch.run();
  ASSERT_THAT(summary, test::IsOk());

  EXPECT_EQ(summary->counts.total, 6u);
  EXPECT_EQ(summary->counts.completed, 4u);
  EXPECT_EQ(summary->counts.failed, 2u);
  EXPECT_EQ(summary->not_started, 0u);
  EXPECT_FALSE(summary->interrupted);
  EXPECT_EQ(batch.batch_id(), "batch_1");
  EXPECT_THAT(statuses, ElementsAre("validating", "in_progress", "finalizing", "completed"));

  // Each custom_id exactly once across the two files, each answer to its own question.
  std::map<std::string, int> seen;
  for (const json& record : read_jsonl(dir.file("out.jsonl"))) {
    const std::string id = record["custom_id"];
    ++seen[id];
    EXPECT_EQ(record["response"]["status_code"], 200);
    const json& body = record["response"]["body"];
    EXPECT_EQ(body["object"], "chat.completion");
    EXPECT_EQ(body["choices"][0]["message"]["content"],
              "Answer to: What is " + id.substr(1) + "+1?");
    EXPECT_TRUE(record["error"].is_null());
    // lemma::Batch's ids (a hash of the input line), so a local run can resume these files.
    EXPECT_THAT(record["id"].get<std::string>(),
                AllOf(HasSubstr("batch_req_"), Not(HasSubstr("fake"))));
  }
  for (const json& record : read_jsonl(dir.file("out.errors.jsonl"))) {
    ++seen[record["custom_id"]];
    EXPECT_EQ(record["response"]["status_code"], 400);
    EXPECT_THAT(record["response"]["body"]["error"]["message"].get<std::string>(),
                HasSubstr(record["custom_id"].get<std::string>()));
  }
  EXPECT_EQ(seen, (std::map<std::string, int>{
                      {"q1", 1}, {"q2", 1}, {"q3", 1}, {"q4", 1}, {"q5", 1}, {"q6", 1}}));
  EXPECT_EQ(read_jsonl(dir.file("out.errors.jsonl")).size(), 2u);

  // What reached the provider: the input as given, one batch as OpenAI's reference has it.
  std::ostringstream input;
  for (const std::string& line : six_questions()) input << line << "\n";
  EXPECT_THAT(api.uploads(), ElementsAre(input.str()));
  ASSERT_EQ(api.creates().size(), 1u);
  EXPECT_EQ(api.creates()[0], (json{{"input_file_id", "file-1"},
                                    {"endpoint", "/v1/chat/completions"},
                                    {"completion_window", "24h"},
                                    {"metadata", {{"run", "nightly"}}}}));
  EXPECT_EQ(api.count("GET", "/v1/files/"), 2u);  // output and error files
  // Every request carried the key; the polls waited on the Client's clock, not in real time.
  for (const auto& request : api.requests()) {
    EXPECT_EQ(request.headers.get("authorization"), "Bearer " + api.api_key()) << request.target;
  }
  EXPECT_THAT(setup.clock->sleeps(), ElementsAre(10s, 10s, 10s));
  // No temporary file is left behind.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.file(""))) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 3);  // in, out, out.errors
}

TEST(RemoteBatchTest, ValidationFailureIsAnInvalidRequestWithTheProvidersMessages) {
  TempDir dir;
  FakeBatchApi api;
  FakeProvider setup;
  write_file(dir.file("in.jsonl"),
             {request_line("a", "1+1?"), request_line("b", "2+2?", "no-such-model")});
  Result<BatchSummary> summary = RemoteBatch(setup.client(api), options_for(dir)).run();
  EXPECT_THAT(summary, test::ErrorIs(ErrorKind::invalid_request,
                                     AllOf(HasSubstr("batch_1"), HasSubstr("no-such-model"),
                                           HasSubstr("line 2"))));
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.jsonl")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.errors.jsonl")));
  EXPECT_EQ(api.count("GET", "/v1/files/"), 0u);
}

TEST(RemoteBatchTest, ExpiredBatchWritesWhatCameBackAndSaysSo) {
  TempDir dir;
  FakeBatchApiOptions fake;
  fake.expire_after = 2;
  FakeBatchApi api(fake);
  FakeProvider setup;
  write_file(dir.file("in.jsonl"), six_questions());
  Result<BatchSummary> summary = RemoteBatch(setup.client(api), options_for(dir)).run();
  ASSERT_THAT(summary, test::IsOk());
  EXPECT_EQ(summary->counts.completed, 2u);
  EXPECT_EQ(summary->counts.failed, 4u);
  EXPECT_THAT(summary->warnings, Contains(HasSubstr("ended expired")));
  const std::vector<json> errors = read_jsonl(dir.file("out.errors.jsonl"));
  ASSERT_EQ(errors.size(), 4u);
  for (const json& record : errors) {
    EXPECT_TRUE(record["response"].is_null());
    EXPECT_EQ(record["error"]["code"], "batch_expired");
    // The input line of its custom_id ("q3" is on line 3).
    EXPECT_EQ(record["line"], std::stoi(record["custom_id"].get<std::string>().substr(1)));
  }
  EXPECT_EQ(read_jsonl(dir.file("out.jsonl")).size(), 2u);
}

TEST(RemoteBatchTest, LocalBatchFinishesWhatAnExpiredRemoteBatchLeft) {
  TempDir dir;
  FakeBatchApiOptions fake;
  fake.expire_after = 2;
  FakeBatchApi api(fake);
  FakeProvider setup;
  write_file(dir.file("in.jsonl"), six_questions());
  ASSERT_THAT(RemoteBatch(setup.client(api), options_for(dir)).run(), test::IsOk());

  // The same files, resumed by the local engine: only the four unrun requests are sent.
  BatchOptions local;
  local.input_path = dir.file("in.jsonl");
  local.output_path = dir.file("out.jsonl");
  local.retry_errors = true;
  Result<BatchSummary> finished = Batch(setup.client(api), local).run();
  ASSERT_THAT(finished, test::IsOk());
  EXPECT_EQ(api.count("POST", "/v1/chat/completions"), 4u);
  EXPECT_EQ(finished->counts.completed, 6u);
  EXPECT_EQ(finished->counts.failed, 0u);
  EXPECT_TRUE(finished->changed_inputs.empty());
  std::map<std::string, int> seen;
  for (const json& record : read_jsonl(dir.file("out.jsonl"))) ++seen[record["custom_id"]];
  EXPECT_EQ(seen, (std::map<std::string, int>{
                      {"q1", 1}, {"q2", 1}, {"q3", 1}, {"q4", 1}, {"q5", 1}, {"q6", 1}}));
  EXPECT_TRUE(read_jsonl(dir.file("out.errors.jsonl")).empty());
}

TEST(RemoteBatchTest, OversizedResultFileIsAProtocolErrorAndWritesNothing) {
  TempDir dir;
  FakeBatchApi api;
  FakeProvider setup;
  write_file(dir.file("in.jsonl"), six_questions());
  RemoteBatchOptions options = options_for(dir);
  options.max_download_bytes = 100;
  Result<BatchSummary> summary = RemoteBatch(setup.client(api), options).run();
  EXPECT_THAT(summary, test::ErrorIs(ErrorKind::protocol,
                                     AllOf(HasSubstr("Downloading the results of batch batch_1"),
                                           HasSubstr("resume_batch_id"))));
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.jsonl")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.jsonl.partial")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.jsonl.download-output")));
}

TEST(RemoteBatchTest, WrongKeyIsAnAuthenticationErrorThatNeverShowsTheKey) {
  TempDir dir;
  FakeBatchApi api;
  FakeProvider setup;
  write_file(dir.file("in.jsonl"), six_questions());
  const std::string wrong = "sk-wrong-0123456789-secret";
  Result<BatchSummary> summary = RemoteBatch(setup.client(api, wrong), options_for(dir)).run();
  ASSERT_THAT(summary, test::ErrorKindIs(ErrorKind::authentication));
  // The provider echoed the key it received; lemma scrubbed it from every text.
  ASSERT_EQ(api.requests().size(), 1u);
  EXPECT_EQ(api.requests()[0].headers.get("authorization"), "Bearer " + wrong);
  EXPECT_THAT(summary.error().what(), AllOf(HasSubstr("Uploading"), Not(HasSubstr(wrong))));
  EXPECT_THAT(summary.error().provider_message, Not(HasSubstr(wrong)));
  EXPECT_THAT(summary.error().body_excerpt, Not(HasSubstr(wrong)));
}

TEST(RemoteBatchTest, UnavailablePollIsRetriedWithBackoff) {
  TempDir dir;
  FakeBatchApiOptions fake;
  fake.unavailable_polls = {2};
  FakeBatchApi api(fake);
  FakeProvider setup;
  write_file(dir.file("in.jsonl"), six_questions());
  Result<BatchSummary> summary = RemoteBatch(setup.client(api), options_for(dir)).run();
  ASSERT_THAT(summary, test::IsOk());
  EXPECT_EQ(summary->counts.completed, 6u);
  EXPECT_EQ(api.count("GET", "/v1/batches/"), 4u);  // three steps and the retried one
  // Poll, poll (503), backoff 0.5 s, poll, poll.
  EXPECT_THAT(setup.clock->sleeps(), ElementsAre(10s, 10s, 500ms, 10s));
}

TEST(RemoteBatchTest, CancellationStopsWaitingCancelsRemotelyAndResumeFetchesWhatWasDone) {
  TempDir dir;
  FakeBatchApi api;
  FakeProvider setup;
  write_file(dir.file("in.jsonl"), six_questions());
  auto token = std::make_shared<CancellationToken>();
  RemoteBatchOptions options = options_for(dir);
  options.cancellation = token;
  options.cancel_remote = true;
  options.on_status = [&](const RemoteBatchStatus& s) {
    if (s.status == "in_progress") token->cancel();
  };
  RemoteBatch first(setup.client(api), options);
  Result<BatchSummary> stopped = first.run();
  ASSERT_THAT(stopped, test::IsOk());
  EXPECT_TRUE(stopped->interrupted);
  EXPECT_THAT(stopped->warnings, Contains(HasSubstr("resume_batch_id \"batch_1\"")));
  EXPECT_EQ(api.count("POST", "/v1/batches/batch_1/cancel"), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.jsonl")));

  // Later: fetch the cancelled batch's results without uploading again.
  RemoteBatchOptions resume = options_for(dir);
  resume.resume_batch_id = first.batch_id();
  Result<BatchSummary> fetched = RemoteBatch(setup.client(api), resume).run();
  ASSERT_THAT(fetched, test::IsOk());
  EXPECT_EQ(api.uploads().size(), 1u);
  EXPECT_EQ(fetched->counts.completed, 3u);
  EXPECT_EQ(fetched->counts.failed, 3u);
  EXPECT_THAT(fetched->warnings, Contains(HasSubstr("ended cancelled")));
  for (const json& record : read_jsonl(dir.file("out.errors.jsonl"))) {
    EXPECT_EQ(record["error"]["code"], "batch_cancelled");
  }
}

TEST(RemoteBatchTest, CancellationWithoutCancelRemoteLeavesTheBatchRunning) {
  TempDir dir;
  FakeBatchApi api;
  FakeProvider setup;
  write_file(dir.file("in.jsonl"), six_questions());
  auto token = std::make_shared<CancellationToken>();
  RemoteBatchOptions options = options_for(dir);
  options.cancellation = token;
  options.on_status = [&](const RemoteBatchStatus&) { token->cancel(); };
  Result<BatchSummary> stopped = RemoteBatch(setup.client(api), options).run();
  ASSERT_THAT(stopped, test::IsOk());
  EXPECT_TRUE(stopped->interrupted);
  EXPECT_EQ(stopped->not_started, 6u);
  EXPECT_EQ(api.count("POST", "/v1/batches/batch_1/cancel"), 0u);
}

TEST(RemoteBatchTest, DuplicateCustomIdIsRefusedBeforeAnyUpload) {
  TempDir dir;
  FakeBatchApi api;
  FakeProvider setup;
  write_file(dir.file("in.jsonl"), {request_line("a", "1+1?"), request_line("a", "2+2?")});
  Result<BatchSummary> summary = RemoteBatch(setup.client(api), options_for(dir)).run();
  EXPECT_THAT(summary, test::ErrorIs(ErrorKind::invalid_request,
                                     AllOf(HasSubstr("\"a\""), HasSubstr("lines 1 and 2"))));
  EXPECT_TRUE(api.requests().empty());
}

TEST(RemoteBatchTest, MalformedLineIsRecordedWithItsNumberAndTheRestIsSent) {
  TempDir dir;
  FakeBatchApi api;
  FakeProvider setup;
  write_file(dir.file("in.jsonl"),
             {request_line("a", "1+1?"), "{not json", request_line("b", "2+2?")});
  Result<BatchSummary> summary = RemoteBatch(setup.client(api), options_for(dir)).run();
  ASSERT_THAT(summary, test::IsOk());
  EXPECT_EQ(summary->counts.total, 3u);
  EXPECT_EQ(summary->counts.completed, 2u);
  EXPECT_EQ(summary->counts.failed, 1u);
  EXPECT_EQ(api.uploads(), std::vector<std::string>{request_line("a", "1+1?") + "\n" +
                                                    request_line("b", "2+2?") + "\n"});
  const std::vector<json> errors = read_jsonl(dir.file("out.errors.jsonl"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["line"], 2);
  EXPECT_TRUE(errors[0]["custom_id"].is_null());
  EXPECT_TRUE(errors[0]["response"].is_null());
}

TEST(RemoteBatchTest, DefaultModelIsInsertedIntoLinesWithoutOne) {
  TempDir dir;
  FakeBatchApi api;
  FakeProvider setup;
  json bare = json::parse(request_line("a", "1+1?"));
  bare["body"].erase("model");
  write_file(dir.file("in.jsonl"), {bare.dump(), request_line("b", "2+2?", "other-model")});
  RemoteBatchOptions options = options_for(dir);
  options.default_model = "deepseek-math";
  Result<BatchSummary> summary = RemoteBatch(setup.client(api), options).run();
  ASSERT_THAT(summary, test::IsOk());
  EXPECT_EQ(summary->counts.completed, 2u);
  ASSERT_EQ(api.uploads().size(), 1u);
  std::istringstream uploaded(api.uploads()[0]);
  std::string first, second;
  std::getline(uploaded, first);
  std::getline(uploaded, second);
  EXPECT_EQ(json::parse(first)["body"]["model"], "deepseek-math");
  EXPECT_EQ(second, request_line("b", "2+2?", "other-model"));  // as written
}

TEST(RemoteBatchTest, ExistingResultsAreNotOverwritten) {
  TempDir dir;
  FakeBatchApi api;
  FakeProvider setup;
  write_file(dir.file("in.jsonl"), six_questions());
  write_file(dir.file("out.jsonl"), {"{\"custom_id\": \"q1\"}"});
  Result<BatchSummary> summary = RemoteBatch(setup.client(api), options_for(dir)).run();
  EXPECT_THAT(summary, test::ErrorIs(ErrorKind::invalid_request, HasSubstr("already holds")));
  EXPECT_TRUE(api.requests().empty());
}

TEST(RemoteBatchTest, ProvidersWithoutABatchApiAreRefusedBeforeAnyIo) {
  TempDir dir;
  FakeBatchApi api;
  write_file(dir.file("in.jsonl"), six_questions());
  const std::vector<std::shared_ptr<Provider>> refused = {
      providers::aimlapi(api.api_key(), api.base_url()), providers::dataoorts(api.api_key()),
      providers::self_hosted(api.base_url(), providers::Flavour::vllm)};
  for (const auto& provider : refused) {
    Result<BatchSummary> summary = RemoteBatch(Client(provider), options_for(dir)).run();
    EXPECT_THAT(summary, test::ErrorIs(ErrorKind::invalid_request,
                                       AllOf(HasSubstr(provider->name()), HasSubstr("Batch API"))));
  }
  EXPECT_TRUE(api.requests().empty());
  EXPECT_TRUE(
      providers::self_hosted(api.base_url(), providers::Flavour::sglang)->capabilities().batch_api);
}

TEST(RemoteBatchTest, CallerMistakesAreRefusedBeforeAnyIo) {
  TempDir dir;
  FakeBatchApi api;
  FakeProvider setup;
  write_file(dir.file("in.jsonl"), six_questions());
  RemoteBatchOptions zero = options_for(dir);
  zero.poll_interval = 0ms;
  EXPECT_THAT(RemoteBatch(setup.client(api), zero).run(),
              test::ErrorIs(ErrorKind::invalid_request, HasSubstr("poll_interval")));
  RemoteBatchOptions missing = options_for(dir);
  missing.input_path = dir.file("nope.jsonl");
  EXPECT_THAT(RemoteBatch(setup.client(api), missing).run(),
              test::ErrorIs(ErrorKind::invalid_request, HasSubstr("nope.jsonl")));
  RemoteBatchOptions metadata = options_for(dir);
  metadata.metadata = json::array({1});
  EXPECT_THAT(RemoteBatch(setup.client(api), metadata).run(),
              test::ErrorIs(ErrorKind::invalid_request, HasSubstr("metadata")));
  EXPECT_TRUE(api.requests().empty());
}

}  // namespace
}  // namespace lemma
