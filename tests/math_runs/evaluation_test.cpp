// lemma::math::Evaluation as a user runs it: a dataset file, a Client, run(), and the run
// directory on disk; a loopback server answers each problem with scripted texts, so every
// number of the summary is known in advance.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lemma/client.hpp"
#include "lemma/math/evaluation.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/testing/fake_clock.hpp"
#include "support/matchers.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

namespace lemma::math {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::ErrorIs;
using test::IsOk;
using test::Reply;
using test::TempDir;
using test::TestServer;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::SizeIs;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::vector<json> read_lines(const std::string& path) {
  std::vector<json> lines;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(json::parse(line));
  }
  return lines;
}

// results.jsonl keyed by (id, sample).
std::map<std::pair<std::string, int>, json> by_sample(const std::vector<json>& lines) {
  std::map<std::pair<std::string, int>, json> out;
  for (const json& line : lines)
    out[{line["id"].get<std::string>(), line["sample"].get<int>()}] = line;
  return out;
}

// What the server says to one request: the text and finish_reason of each choice.
struct Scripted {
  std::string content;
  std::string finish_reason = "stop";
};

// A chat.completion holding `choices`.
Reply completion(const std::vector<Scripted>& choices) {
  json list = json::array();
  for (std::size_t i = 0; i < choices.size(); ++i) {
    list.push_back({{"index", i},
                    {"message", {{"role", "assistant"}, {"content", choices[i].content}}},
                    {"finish_reason", choices[i].finish_reason}});
  }
  const json body = {
      {"id", "chatcmpl-1"},
      {"object", "chat.completion"},
      {"created", 1700000000},
      {"model", "m"},
      {"choices", list},
      {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 20}, {"total_tokens", 30}}}};
  return Reply::json(200, body.dump());
}

// A server that answers each problem (found by a phrase of its prompt) with the next of its
// scripted answers; with `n` in the body it returns that many (or `max_choices`) choices.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::map<std::string, std::vector<Scripted>> script,
                          std::size_t max_choices = 64)
      : script_(std::move(script)), max_choices_(max_choices) {}

  std::string base_url() const { return server_.base_url(); }
  std::vector<test::RecordedRequest> requests() const { return server_.requests(); }
  // The next request for the problem whose phrase is `phrase` fails with HTTP 400.
  void fail_next(const std::string& phrase) {
    std::lock_guard<std::mutex> lock(mutex_);
    fail_.push_back(phrase);
  }

 private:
  Reply reply(const test::RecordedRequest& request) {
    const json body = json::parse(request.body);
    const std::string prompt = body["messages"].back()["content"].get<std::string>();
    const std::size_t n = body.contains("n") ? body["n"].get<std::size_t>() : 1;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [phrase, answers] : script_) {
      if (prompt.find(phrase) == std::string::npos) continue;
      const auto failing = std::find(fail_.begin(), fail_.end(), phrase);
      if (failing != fail_.end()) {
        fail_.erase(failing);
        return Reply::json(400, R"({"error": {"message": "bad request", "type": "invalid"}})");
      }
      std::vector<Scripted> choices;
      for (std::size_t i = 0; i < std::min(n, max_choices_); ++i) {
        choices.push_back(answers[next_[phrase]++ % answers.size()]);
      }
      return completion(choices);
    }
    return Reply::json(404, R"({"error": {"message": "no script for this prompt"}})");
  }

  std::map<std::string, std::vector<Scripted>> script_;
  std::size_t max_choices_;
  std::mutex mutex_;
  std::map<std::string, std::size_t> next_;
  std::vector<std::string> fail_;
  TestServer server_{[this](const test::RecordedRequest& r) { return reply(r); }};
};

Client make_client(const std::string& base_url, const std::string& name = "openai_compatible") {
  ClientOptions options;
  options.retry.max_retries = 1;
  options.retry.initial_backoff = 10ms;
  options.clock = std::make_shared<testing::FakeClock>();
  providers::OpenAICompatibleOptions provider;
  provider.base_url = base_url;
  provider.api_key = ApiKey("sk-test-SECRET-eval");
  provider.name = name;
  return Client(std::make_shared<providers::OpenAICompatibleProvider>(provider), options);
}

// Three problems and one line that is not a problem.
const char* const kDataset =
    R"({"id": "p1", "problem": "Compute two plus three.", "answer": "5", "level": "easy"}
{"id": "p2", "problem": "Compute one half of one.", "answer": "\\frac{1}{2}", "level": "easy"}
this line is not JSON
{"id": "p3", "problem": "Compute the square root of two.", "answer": "\\sqrt{2}", "level": "hard"}
)";

std::map<std::string, std::vector<Scripted>> kScript = {
    {"two plus three", {{"So \\boxed{5}."}, {"Hence \\boxed{5}."}}},
    // Right once (written differently from the reference), wrong once.
    {"one half", {{"It is \\boxed{0.5}."}, {"It is \\boxed{2}."}}},
    // No answer at all, then cut off by the length limit.
    {"square root", {{"I am not sure."}, {"Let me think about \\sqrt", "length"}}}};

EvaluationOptions options_for(const TempDir& dir) {
  write_text(dir.file("data.jsonl"), kDataset);
  EvaluationOptions options;
  options.dataset_path = dir.file("data.jsonl");
  options.output_dir = dir.file("run");
  options.model = "m";
  options.samples = 2;
  options.concurrency = 1;  // the script's answers go to the samples in file order
  options.group_by = {"level"};
  return options;
}

TEST(EvaluationTest, SeparateSamplesAreGradedAndSummarised) {
  TempDir dir;
  ScriptedServer server(kScript);
  EvaluationOptions options = options_for(dir);
  options.sample_mode = SampleMode::separate;
  Result<EvaluationOutcome> outcome = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(outcome, IsOk());
  EXPECT_FALSE(outcome->interrupted);
  EXPECT_THAT(server.requests(), SizeIs(6));

  // The run as an OpenAI Batch input file, one request per sample.
  const std::vector<json> requests = read_lines(outcome->requests_path);
  ASSERT_THAT(requests, SizeIs(6));
  EXPECT_EQ(requests[0]["custom_id"], "p1#0");
  EXPECT_EQ(requests[1]["custom_id"], "p1#1");
  EXPECT_EQ(requests[0]["url"], "/v1/chat/completions");
  EXPECT_EQ(requests[0]["body"]["messages"][0]["content"],
            "Compute two plus three.\nPlease reason step by step, and put your final answer "
            "within \\boxed{}.");
  EXPECT_FALSE(requests[0]["body"].contains("n"));

  auto results = by_sample(read_lines(outcome->results_path));
  ASSERT_THAT(results, SizeIs(6));
  EXPECT_EQ(results.at({"p1", 0})["extracted"], "5");
  EXPECT_EQ(results.at({"p1", 0})["correct"], true);
  EXPECT_EQ(results.at({"p1", 0})["custom_id"], "p1#0");
  EXPECT_EQ(results.at({"p1", 0})["fields"]["level"], "easy");
  EXPECT_EQ(results.at({"p1", 0})["prompt_tokens"], 10);
  EXPECT_TRUE(results.at({"p1", 0})["latency_ms"].is_number());
  EXPECT_EQ(results.at({"p2", 0})["correct"], true);  // 0.5 equals \frac{1}{2}
  EXPECT_EQ(results.at({"p2", 1})["correct"], false);
  EXPECT_EQ(results.at({"p2", 1})["extracted"], "2");
  EXPECT_TRUE(results.at({"p3", 0})["extracted"].is_null());
  EXPECT_EQ(results.at({"p3", 1})["finish_reason"], "length");

  const json& summary = outcome->summary;
  EXPECT_EQ(summary, json::parse(read_text(outcome->summary_path)));
  EXPECT_EQ(summary["model"], "m");
  EXPECT_EQ(summary["sample_mode"], "separate");
  EXPECT_EQ(summary["samples_per_problem"], 2);
  EXPECT_EQ(summary["complete"], true);
  EXPECT_EQ(summary["overall"]["problems"], 3);
  EXPECT_EQ(summary["overall"]["samples"], 6);
  EXPECT_DOUBLE_EQ(summary["overall"]["accuracy"].get<double>(), 3.0 / 6);
  EXPECT_DOUBLE_EQ(summary["overall"]["pass_at_k"]["1"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(summary["overall"]["pass_at_k"]["2"].get<double>(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(summary["overall"]["no_answer_rate"].get<double>(), 2.0 / 6);
  EXPECT_DOUBLE_EQ(summary["overall"]["cutoff_rate"].get<double>(), 1.0 / 6);
  EXPECT_DOUBLE_EQ(summary["overall"]["error_rate"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(summary["groups"]["level"]["easy"]["accuracy"].get<double>(), 3.0 / 4);
  EXPECT_DOUBLE_EQ(summary["groups"]["level"]["hard"]["accuracy"].get<double>(), 0);
  EXPECT_EQ(summary["run"]["request_counts"]["total"], 6);
  EXPECT_EQ(summary["run"]["tokens"]["prompt"], 60);
  // The line that is not a problem is reported with its number; the rest ran.
  ASSERT_THAT(outcome->dataset_errors, SizeIs(1));
  EXPECT_EQ(outcome->dataset_errors[0].line, 3u);
  EXPECT_EQ(summary["dataset_errors"][0]["line"], 3);
  EXPECT_TRUE(std::filesystem::exists(outcome->report_path));
  EXPECT_THAT(read_text(outcome->report_path), HasSubstr("Compute one half of one."));
}

TEST(EvaluationTest, NSamplingAsksOncePerProblemAndPutsUsageOnTheFirstSample) {
  TempDir dir;
  ScriptedServer server(kScript);
  // openai_compatible returns several choices, so `automatic` uses n.
  Result<EvaluationOutcome> outcome =
      Evaluation(make_client(server.base_url()), options_for(dir)).run();
  ASSERT_THAT(outcome, IsOk());
  const auto requests = server.requests();
  ASSERT_THAT(requests, SizeIs(3));
  EXPECT_EQ(json::parse(requests[0].body)["n"], 2);
  EXPECT_EQ(outcome->summary["sample_mode"], "n");
  auto results = by_sample(read_lines(outcome->results_path));
  ASSERT_THAT(results, SizeIs(6));
  EXPECT_EQ(results.at({"p2", 0})["custom_id"], "p2");
  EXPECT_EQ(results.at({"p2", 1})["custom_id"], "p2");
  EXPECT_EQ(results.at({"p2", 0})["prompt_tokens"], 10);
  EXPECT_EQ(results.at({"p2", 1})["prompt_tokens"], 0);
  EXPECT_EQ(results.at({"p2", 1})["extracted"], "2");
  // The same answers as separate requests give the same statistics.
  EXPECT_DOUBLE_EQ(outcome->summary["overall"]["accuracy"].get<double>(), 0.5);
  EXPECT_EQ(outcome->summary["run"]["request_counts"]["total"], 3);
  EXPECT_EQ(outcome->summary["run"]["tokens"]["prompt"], 30);
}

TEST(EvaluationTest, AServerThatIgnoresNGivesFailedSamplesThatSaySo) {
  TempDir dir;
  ScriptedServer server(kScript, /*max_choices=*/1);
  EvaluationOptions options = options_for(dir);
  options.sample_mode = SampleMode::n;
  Result<EvaluationOutcome> outcome = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(outcome, IsOk());
  auto results = by_sample(read_lines(outcome->results_path));
  ASSERT_THAT(results, SizeIs(6));
  EXPECT_TRUE(results.at({"p1", 0})["error"].is_null());
  EXPECT_THAT(results.at({"p1", 1})["error"]["message"].get<std::string>(),
              HasSubstr("--sample-mode separate"));
  EXPECT_DOUBLE_EQ(outcome->summary["overall"]["error_rate"].get<double>(), 0.5);
}

TEST(EvaluationTest, ResumeGradesWhatACrashLeftUngradedAndSendsNothingAgain) {
  TempDir dir;
  ScriptedServer server(kScript);
  EvaluationOptions options = options_for(dir);
  options.sample_mode = SampleMode::separate;
  Result<EvaluationOutcome> first = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(first, IsOk());
  // A crash after the batch output was written but before all results were: two graded lines
  // and a torn third.
  const std::string all = read_text(first->results_path);
  std::size_t cut = all.find('\n');
  cut = all.find('\n', cut + 1);
  write_text(first->results_path, all.substr(0, cut + 1) + all.substr(cut + 1, 15));

  Result<EvaluationOutcome> second = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(second, IsOk());
  EXPECT_THAT(server.requests(), SizeIs(6));  // nothing sent again
  const std::vector<json> lines = read_lines(second->results_path);
  ASSERT_THAT(lines, SizeIs(6));
  auto results = by_sample(lines);
  EXPECT_TRUE(results.at({"p1", 0})["latency_ms"].is_number());  // kept from the first run
  EXPECT_TRUE(results.at({"p3", 1})["latency_ms"].is_null());    // graded from the output file
  EXPECT_EQ(results.at({"p3", 1})["finish_reason"], "length");
  EXPECT_EQ(second->summary["overall"], first->summary["overall"]);
  // A third run finds nothing to do: the run's time is not counted again.
  Result<EvaluationOutcome> third = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(third, IsOk());
  EXPECT_EQ(third->summary["run"]["elapsed_s"], second->summary["run"]["elapsed_s"]);
}

TEST(EvaluationTest, ADirectoryOfAnotherRunIsRefusedBeforeAnyRequest) {
  TempDir dir;
  ScriptedServer server(kScript);
  EvaluationOptions options = options_for(dir);
  ASSERT_THAT(Evaluation(make_client(server.base_url()), options).run(), IsOk());
  const std::size_t sent = server.requests().size();
  options.samples = 3;
  EXPECT_THAT(Evaluation(make_client(server.base_url()), options).run(),
              ErrorIs(ErrorKind::invalid_request,
                      AllOf(HasSubstr("holds another run"), HasSubstr("line 1"))));
  EXPECT_EQ(server.requests().size(), sent);
}

TEST(EvaluationTest, FailedRequestsAreWrongSamplesAndRetryErrorsReplacesThem) {
  TempDir dir;
  ScriptedServer server(kScript);
  server.fail_next("one half");
  EvaluationOptions options = options_for(dir);
  Result<EvaluationOutcome> first = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(first, IsOk());
  auto results = by_sample(read_lines(first->results_path));
  ASSERT_THAT(results, SizeIs(6));
  EXPECT_EQ(results.at({"p2", 0})["error"]["code"], "invalid_request");
  EXPECT_EQ(results.at({"p2", 1})["correct"], false);
  EXPECT_EQ(first->batch.counts.failed, 1u);
  EXPECT_DOUBLE_EQ(first->summary["overall"]["error_rate"].get<double>(), 2.0 / 6);
  EXPECT_EQ(first->summary["run"]["request_counts"]["failed"], 1);

  // A plain re-run leaves the failure recorded; --retry-errors sends it again.
  Result<EvaluationOutcome> same = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(same, IsOk());
  EXPECT_EQ(server.requests().size(), 3u);
  options.retry_errors = true;
  Result<EvaluationOutcome> retried = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(retried, IsOk());
  EXPECT_EQ(server.requests().size(), 4u);
  const std::vector<json> lines = read_lines(retried->results_path);
  ASSERT_THAT(lines, SizeIs(6));
  results = by_sample(lines);
  EXPECT_TRUE(results.at({"p2", 0})["error"].is_null());
  EXPECT_EQ(results.at({"p2", 0})["correct"], true);
  EXPECT_DOUBLE_EQ(retried->summary["overall"]["error_rate"].get<double>(), 0);
}

TEST(EvaluationTest, CancelledRunsWriteAConsistentPartialSummaryAndResume) {
  TempDir dir;
  ScriptedServer server(kScript);
  EvaluationOptions options = options_for(dir);
  auto token = std::make_shared<CancellationToken>();
  token->cancel();
  options.cancellation = token;
  Result<EvaluationOutcome> stopped = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(stopped, IsOk());
  EXPECT_TRUE(stopped->interrupted);
  EXPECT_EQ(stopped->summary["complete"], false);
  options.cancellation = nullptr;
  Result<EvaluationOutcome> resumed = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(resumed, IsOk());
  EXPECT_FALSE(resumed->interrupted);
  EXPECT_EQ(resumed->summary["complete"], true);
  EXPECT_EQ(resumed->summary["overall"]["samples"], 6);
}

TEST(EvaluationTest, MaxTokensIsCappedToWhatTheCatalogueSaysTheContextLeaves) {
  TempDir dir;
  ScriptedServer server(kScript);
  EvaluationOptions options = options_for(dir);
  // The built-in catalogue gives deepseek-math-7b-instruct at Dataoorts a 4,096-token context.
  options.model = "deepseek-ai/deepseek-math-7b-instruct";
  options.sampling.max_tokens = 8192;
  Result<EvaluationOutcome> outcome =
      Evaluation(make_client(server.base_url(), "dataoorts"), options).run();
  ASSERT_THAT(outcome, IsOk());
  const std::vector<json> requests = read_lines(outcome->requests_path);
  ASSERT_FALSE(requests.empty());
  const std::int64_t max_tokens = requests[0]["body"]["max_tokens"].get<std::int64_t>();
  EXPECT_LT(max_tokens, 4096);
  EXPECT_GT(max_tokens, 3900);
  EXPECT_THAT(outcome->warnings, Contains(HasSubstr("max_tokens lowered")));
}

TEST(EvaluationTest, CallerMistakesAreRefusedBeforeAnyIo) {
  TempDir dir;
  ScriptedServer server(kScript);
  const Client client = make_client(server.base_url());
  auto refused = [&](EvaluationOptions options, const std::string& says) {
    EXPECT_THAT(Evaluation(client, options).run(),
                ErrorIs(ErrorKind::invalid_request, HasSubstr(says)));
  };
  EvaluationOptions no_model = options_for(dir);
  no_model.model.clear();
  refused(no_model, "model");
  EvaluationOptions zero = options_for(dir);
  zero.samples = 0;
  refused(zero, "samples");
  EvaluationOptions template_without_problem = options_for(dir);
  template_without_problem.prompt_template = "Solve it.";
  refused(template_without_problem, "{problem}");
  EvaluationOptions with_n = options_for(dir);
  with_n.sampling.n = 4;
  refused(with_n, "--samples");
  EvaluationOptions missing = options_for(dir);
  missing.dataset_path = dir.file("nope.jsonl");
  refused(missing, "nope.jsonl");
  EXPECT_TRUE(server.requests().empty());
  EXPECT_FALSE(std::filesystem::exists(dir.file("run")));
}

TEST(EvaluationTest, ChangedReferenceAnswersAreRefusedOrRegradedWithoutSending) {
  TempDir dir;
  ScriptedServer server(kScript);
  EvaluationOptions options = options_for(dir);
  options.sample_mode = SampleMode::separate;
  Result<EvaluationOutcome> first = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(first, IsOk());
  EXPECT_DOUBLE_EQ(first->summary["overall"]["accuracy"].get<double>(), 0.5);
  // The dataset now says p2's answer is 2: the old grades would be stale.
  std::string data = kDataset;
  const std::string old_answer = R"("answer": "\\frac{1}{2}")";
  data.replace(data.find(old_answer), old_answer.size(), R"("answer": "2")");
  write_text(options.dataset_path, data);
  EXPECT_THAT(Evaluation(make_client(server.base_url()), options).run(),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("regrade")));
  options.regrade = true;
  Result<EvaluationOutcome> regraded = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(regraded, IsOk());
  EXPECT_THAT(server.requests(), SizeIs(6));  // nothing sent again
  auto results = by_sample(read_lines(regraded->results_path));
  ASSERT_THAT(results, SizeIs(6));
  EXPECT_EQ(results.at({"p2", 0})["correct"], false);  // 0.5 is not 2
  EXPECT_EQ(results.at({"p2", 1})["correct"], true);
  EXPECT_EQ(results.at({"p2", 1})["reference"], "2");
  EXPECT_TRUE(results.at({"p2", 1})["latency_ms"].is_number());  // timing kept
  EXPECT_DOUBLE_EQ(regraded->summary["overall"]["accuracy"].get<double>(), 0.5);
  // Once regraded, a plain resume accepts the directory again.
  options.regrade = false;
  EXPECT_THAT(Evaluation(make_client(server.base_url()), options).run(), IsOk());
}

TEST(EvaluationTest, ADirectoryInUseIsRefused) {
  TempDir dir;
  ScriptedServer server(kScript);
  EvaluationOptions options = options_for(dir);
  std::filesystem::create_directories(options.output_dir);
  // Another process (here: this one) holds the run directory's lock.
  const int fd = ::open((options.output_dir + "/.lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  EXPECT_THAT(Evaluation(make_client(server.base_url()), options).run(),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("Another run is using")));
  ::close(fd);
  EXPECT_TRUE(server.requests().empty());
  EXPECT_THAT(Evaluation(make_client(server.base_url()), options).run(), IsOk());
}

TEST(EvaluationTest, SeparateSamplesWithASeedGetOneSeedEach) {
  TempDir dir;
  ScriptedServer server(kScript);
  EvaluationOptions options = options_for(dir);
  options.sample_mode = SampleMode::separate;
  options.sampling.seed = 42;
  Result<EvaluationOutcome> outcome = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(outcome, IsOk());
  const std::vector<json> requests = read_lines(outcome->requests_path);
  ASSERT_THAT(requests, SizeIs(6));
  EXPECT_EQ(requests[0]["body"]["seed"], 42);
  EXPECT_EQ(requests[1]["body"]["seed"], 43);
  EXPECT_EQ(outcome->summary["sampling"]["seed"], 42);
}

TEST(EvaluationTest, EditedBatchRecordsOfTheWrongTypeAreSkippedNotFatal) {
  TempDir dir;
  ScriptedServer server(kScript);
  EvaluationOptions options = options_for(dir);
  options.sample_mode = SampleMode::separate;
  Result<EvaluationOutcome> first = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(first, IsOk());
  // A hand-edited output line (status as a string) and the results gone: the resume must not
  // throw; the unreadable record is reported and its request sent again.
  std::string output = read_text(dir.file("run/responses.jsonl"));
  const std::size_t status = output.find("\"status_code\":200");
  ASSERT_NE(status, std::string::npos);
  output.replace(status, 17, "\"status_code\":\"200\"");
  write_text(dir.file("run/responses.jsonl"), output);
  std::filesystem::remove(first->results_path);
  Result<EvaluationOutcome> second = Evaluation(make_client(server.base_url()), options).run();
  ASSERT_THAT(second, IsOk());
  EXPECT_THAT(second->warnings, Contains(HasSubstr("could not be read")));
}

TEST(EvalDatasetTest, DeepNestingAndAByteOrderMarkAreHandled) {
  TempDir dir;
  std::string deep = "\xEF\xBB\xBF{\"id\": \"a\", \"problem\": \"P\", \"answer\": \"1\"}\n";
  deep +=
      "{\"id\": \"b\", \"problem\": \"Q\", \"answer\": \"2\", \"x\": " + std::string(5000, '[') +
      std::string(5000, ']') + "}\n";
  write_text(dir.file("d.jsonl"), deep);
  Result<Dataset> dataset = read_dataset(dir.file("d.jsonl"));
  ASSERT_THAT(dataset, IsOk());
  ASSERT_THAT(dataset->problems, SizeIs(1));
  EXPECT_EQ(dataset->problems[0].id, "a");
  ASSERT_THAT(dataset->errors, SizeIs(1));
  EXPECT_EQ(dataset->errors[0].line, 2u);
  EXPECT_THAT(dataset->errors[0].message, HasSubstr("deep"));
}

TEST(EvalDatasetTest, BadLinesAreReportedByNumberAndTheRestIsRead) {
  TempDir dir;
  write_text(dir.file("d.jsonl"),
             R"({"id": 7, "problem": "A", "answer": 72, "subject": "x"}
{"question": "GSM8K style", "answer": "3"}

{"id": "b", "problem": "", "answer": "1"}
{"id": "c", "problem": "C"}
{"id": 7, "problem": "again", "answer": "1"}
[1, 2]
{"id": {"a": 1}, "problem": "D", "answer": "1"}
)");
  Result<Dataset> dataset = read_dataset(dir.file("d.jsonl"));
  ASSERT_THAT(dataset, IsOk());
  ASSERT_THAT(dataset->problems, SizeIs(2));
  EXPECT_EQ(dataset->problems[0].id, "7");
  EXPECT_EQ(dataset->problems[0].answer, "72");
  EXPECT_EQ(dataset->problems[0].fields, json({{"subject", "x"}}));
  EXPECT_EQ(dataset->problems[1].id, "line2");
  EXPECT_EQ(dataset->problems[1].problem, "GSM8K style");
  std::vector<std::size_t> lines;
  for (const DatasetLineError& error : dataset->errors) lines.push_back(error.line);
  EXPECT_EQ(lines, (std::vector<std::size_t>{4, 5, 6, 7, 8}));
  EXPECT_THAT(dataset->errors[1].message, HasSubstr("\"answer\""));
  EXPECT_THAT(dataset->errors[2].message, HasSubstr("unique"));

  write_text(dir.file("empty.jsonl"), "not json\n");
  EXPECT_THAT(read_dataset(dir.file("empty.jsonl")),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("line 1")));
  DatasetFields fields;
  fields.problem = "q";
  fields.answer = "a";
  write_text(dir.file("named.jsonl"), R"({"id": "x", "q": "Q?", "a": "1", "answer": "not it"})");
  Result<Dataset> named = read_dataset(dir.file("named.jsonl"), fields);
  ASSERT_THAT(named, IsOk());
  EXPECT_EQ(named->problems[0].answer, "1");
  EXPECT_EQ(named->problems[0].fields, json({{"answer", "not it"}}));
}

TEST(EvalDatasetTest, PromptTemplatesFillPlaceholdersAndLeaveLatexAlone) {
  EvalProblem problem;
  problem.id = "p9";
  problem.problem = "Find {id} in \\frac{a}{b}.";
  problem.fields = {{"subject", "Algebra"}, {"level", 3}};
  Result<std::string> standard = render_eval_prompt(default_eval_prompt(), problem);
  ASSERT_THAT(standard, IsOk());
  EXPECT_EQ(*standard,
            "Find {id} in \\frac{a}{b}.\nPlease reason step by step, and put your final answer "
            "within \\boxed{}.");
  Result<std::string> custom =
      render_eval_prompt("[{id}] {subject} (level {level}) {problem} \\boxed{} {missing}", problem);
  ASSERT_THAT(custom, IsOk());
  EXPECT_EQ(*custom, "[p9] Algebra (level 3) Find {id} in \\frac{a}{b}. \\boxed{} {missing}");
  EXPECT_THAT(render_eval_prompt("no placeholder", problem),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("{problem}")));
}

}  // namespace
}  // namespace lemma::math
