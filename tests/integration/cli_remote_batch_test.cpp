// `lemma batch --remote` as a user runs it: the lemma program, as a process, against the loopback
// fake of OpenAI's Files and Batches API (tests/support/fake_batch_api). The key comes from the
// environment variable --api-key-env names and never appears in the program's output.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fake_batch_api.hpp"
#include "support/temp_dir.hpp"

namespace lemma {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class CliRemoteBatchTest : public ::testing::Test {
 protected:
  std::string file(const std::string& name) const { return dir_.file(name); }

  // Runs `lemma batch ... --remote` with the fake's key in FAKE_BATCH_KEY; returns the exit
  // status, standard output and error in `log`.
  int run(const test::FakeBatchApi& api, const std::string& extra, std::string& log) const {
    const std::string command =
        "FAKE_BATCH_KEY='" + api.api_key() + "' LEMMA_MODEL= '" + LEMMA_CLI_PATH + "' batch '" +
        file("in.jsonl") + "' '" + file("out.jsonl") + "' --remote --remote-poll 0.001 " +
        "--base-url '" + api.base_url() + "' --api-key-env FAKE_BATCH_KEY " + extra + " >'" +
        file("log") + "' 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(file("log"));
    log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  void write_input(int count) const {
    std::ofstream out(file("in.jsonl"));
    for (int i = 0; i < count; ++i) {
      const json line = {
          {"custom_id", "q" + std::to_string(i)},
          {"method", "POST"},
          {"url", "/v1/chat/completions"},
          {"body",
           {{"model", "deepseek-math"},
            {"messages", {{{"role", "user"}, {"content", std::to_string(i) + "+1?"}}}}}}};
      out << line.dump() << '\n';
    }
  }

  std::set<std::string> ids_in(const std::string& name) const {
    std::set<std::string> ids;
    std::ifstream in(file(name));
    for (std::string line; std::getline(in, line);) {
      ids.insert(json::parse(line)["custom_id"].get<std::string>());
    }
    return ids;
  }

 private:
  test::TempDir dir_;
};

TEST_F(CliRemoteBatchTest, HandsTheFileOverAndWritesTheSameOutputAndErrorsFiles) {
  test::FakeBatchApiOptions options;
  options.failing_ids = {"q3"};
  test::FakeBatchApi api(options);
  write_input(6);
  std::string log;
  EXPECT_EQ(run(api, "", log), 1) << log;  // one request failed at the provider
  EXPECT_EQ(ids_in("out.jsonl"), (std::set<std::string>{"q0", "q1", "q2", "q4", "q5"}));
  EXPECT_EQ(ids_in("out.errors.jsonl"), (std::set<std::string>{"q3"}));
  EXPECT_THAT(log, HasSubstr("completed"));
  EXPECT_THAT(log, HasSubstr("request_counts"));
  EXPECT_THAT(log, Not(HasSubstr(api.api_key())));
  EXPECT_EQ(api.count("POST", "/v1/files"), 1u);
  EXPECT_EQ(api.count("POST", "/v1/batches"), 1u);
}

TEST_F(CliRemoteBatchTest, AWrongKeyIsAConfigurationErrorThatNeverShowsTheKey) {
  test::FakeBatchApi api;
  write_input(2);
  std::string log;
  const std::string command_key = "sk-cli-SECRET-remote-999";
  const int status = [&] {
    const std::string command = "WRONG_KEY='" + command_key + "' LEMMA_MODEL= '" + LEMMA_CLI_PATH +
                                "' batch '" + file("in.jsonl") + "' '" + file("out.jsonl") +
                                "' --remote --base-url '" + api.base_url() +
                                "' --api-key-env WRONG_KEY >'" + file("log") + "' 2>&1";
    return std::system(command.c_str());
  }();
  std::ifstream in(file("log"));
  log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2) << log;
  EXPECT_THAT(log, Not(HasSubstr(command_key)));
  EXPECT_THAT(log, Not(HasSubstr("SECRET")));
  EXPECT_FALSE(std::filesystem::exists(file("out.jsonl")) &&
               std::filesystem::file_size(file("out.jsonl")) > 0);
}

}  // namespace
}  // namespace lemma
