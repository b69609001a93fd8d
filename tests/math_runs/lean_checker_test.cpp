// LeanChecker through its public API: a fake Lean REPL program (tests/support/fake_lean_repl.sh)
// and a fake kimina-lean-server on a loopback port.

#include "lemma/math/lean_checker.hpp"
#include "lemma/math/lean_proof_checker.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

namespace lemma::math {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

const std::string kFakeRepl = LEMMA_FAKE_LEAN_REPL;

LeanChecker command_checker(std::vector<std::string> extra_args = {},
                            std::chrono::milliseconds timeout = 20s) {
  LeanCommandOptions options;
  options.argv = {kFakeRepl};
  options.argv.insert(options.argv.end(), extra_args.begin(), extra_args.end());
  options.timeout = timeout;
  return LeanChecker::command(std::move(options)).value();
}

LeanVerdict check(const LeanChecker& checker, const std::string& code) {
  Result<LeanVerdict> verdict = checker.check(code);
  EXPECT_TRUE(verdict.ok()) << (verdict.ok() ? "" : verdict.error().message);
  return verdict.ok() ? *verdict : LeanVerdict{};
}

// Open descriptors of this process.
std::size_t open_fd_count() {
  std::size_t count = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (::readdir(dir) != nullptr) ++count;
    ::closedir(dir);
  }
  return count;
}

// True once `pid` is gone (or a zombie nobody reaps): checks /proc for up to `limit`.
bool process_ends(pid_t pid, std::chrono::milliseconds limit = 5s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!stat || !std::getline(stat, line)) return true;
    const auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z')
      return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(10ms);  // waiting for the kernel, not for time
  }
}

pid_t read_pid(const std::string& file) {
  std::ifstream in(file);
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

// ---- The command checker -------------------------------------------------------------

TEST(LeanCommandChecker, EveryVerdictFromTheFakeRepl) {
  const LeanChecker checker = command_checker();
  const LeanVerdict valid = check(checker, "theorem t : 1 + 1 = 2 := by norm_num");
  EXPECT_EQ(valid.status, LeanStatus::valid) << valid.explanation;
  EXPECT_EQ(valid.code, "theorem t : 1 + 1 = 2 := by norm_num");

  EXPECT_EQ(check(checker, "theorem t (x : ℕ) : x + 0 = x := by\n  sorry").status,
            LeanStatus::uses_sorry);
  EXPECT_EQ(check(checker, "theorem t : True := FAKE_TERM_SORRY").status, LeanStatus::uses_sorry);
  EXPECT_EQ(check(checker, "-- FAKE_WARNING\ntheorem t (h : 1 = 1) : True := trivial").status,
            LeanStatus::valid);

  const LeanVerdict error = check(checker, "theorem t : False := by FAKE_ERROR");
  EXPECT_EQ(error.status, LeanStatus::lean_error);
  ASSERT_EQ(error.errors().size(), 1u);
  EXPECT_EQ(error.errors()[0].pos.line, 3);
  EXPECT_THAT(error.errors()[0].text, HasSubstr("linarith failed"));
}

TEST(LeanCommandChecker, TheCodeReachesTheReplAsOneJsonCommand) {
  // Quotes, backslashes, newlines and non-ASCII must survive the framing; the fake answers
  // "Could not parse JSON" (a checker_error) to anything that is not a {"cmd": ...} command.
  const std::string code = "theorem t (x : ℝ) (h : x = \"q\\\\\") :\n\tx = x := by\n  rfl -- done";
  EXPECT_EQ(check(command_checker(), code).status, LeanStatus::valid);
  // Invalid UTF-8 from a model is sent as U+FFFD, not an exception.
  EXPECT_EQ(check(command_checker(), "theorem t : True := trivial -- \xff\xfe").status,
            LeanStatus::valid);
}

TEST(LeanCommandChecker, ABrokenCheckerIsACheckerError) {
  const LeanChecker checker = command_checker();
  const LeanVerdict garbage = check(checker, "FAKE_GARBAGE");
  EXPECT_EQ(garbage.status, LeanStatus::checker_error);
  EXPECT_THAT(garbage.explanation, HasSubstr("not one JSON response"));

  const LeanVerdict failing = check(checker, "FAKE_REPL_FAIL");
  EXPECT_EQ(failing.status, LeanStatus::checker_error);
  EXPECT_THAT(failing.explanation, HasSubstr("Unknown environment."));

  // It printed a clean answer, but exited non-zero: not a proof.
  const LeanVerdict exited = check(checker, "FAKE_EXIT");
  EXPECT_EQ(exited.status, LeanStatus::checker_error);
  EXPECT_THAT(exited.explanation, HasSubstr("exited with status 3"));
  EXPECT_THAT(exited.explanation, HasSubstr("fake repl: out of memory"));
}

TEST(LeanCommandChecker, AMissingProgramIsACheckerError) {
  LeanCommandOptions options;
  options.argv = {"lemma-no-such-lean-repl-program", "--flag"};
  const LeanChecker checker = LeanChecker::command(options).value();
  const LeanVerdict verdict = check(checker, "theorem t : True := trivial");
  EXPECT_EQ(verdict.status, LeanStatus::checker_error);
  EXPECT_THAT(verdict.explanation, HasSubstr("lemma-no-such-lean-repl-program"));
}

TEST(LeanCommandChecker, AHangingCheckerIsKilledAtItsTimeoutWithItsChildren) {
  test::TempDir dir;
  const std::string pid_file = dir.file("child.pid");
  const LeanChecker checker = command_checker({"--pid-file", pid_file}, 200ms);
  const auto start = std::chrono::steady_clock::now();
  const LeanVerdict verdict = check(checker, "theorem t : True := FAKE_HANG");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(verdict.status, LeanStatus::timeout);
  EXPECT_THAT(verdict.explanation, HasSubstr("200 ms"));
  EXPECT_GE(verdict.time, 200ms);
  EXPECT_LT(took, 5s);  // the fake's child sleeps 30 s
  // The fake runs `sleep 30` as its child, as lake runs the REPL: the whole group is killed.
  // On a loaded machine the fake may not reach its child within 200 ms: then again, with more
  // time, until it does.
  pid_t child = read_pid(pid_file);
  for (const auto timeout : {1000ms, 5000ms}) {
    if (child > 0) break;
    EXPECT_EQ(check(command_checker({"--pid-file", pid_file}, timeout), "FAKE_HANG").status,
              LeanStatus::timeout);
    child = read_pid(pid_file);
  }
  ASSERT_GT(child, 0);
  EXPECT_TRUE(process_ends(child));
}

TEST(LeanCommandChecker, OutputPastItsLimitIsACheckerError) {
  LeanCommandOptions options;
  options.argv = {kFakeRepl};
  options.max_output_bytes = 64 * 1024;
  const LeanVerdict verdict =
      check(LeanChecker::command(options).value(), "theorem t : True := FAKE_FLOOD");
  EXPECT_EQ(verdict.status, LeanStatus::checker_error);
  EXPECT_THAT(verdict.explanation, HasSubstr("max_output_bytes"));
}

TEST(LeanCommandChecker, RunsInTheWorkingDirectory) {
  test::TempDir dir;
  LeanCommandOptions options;
  options.argv = {kFakeRepl};
  options.working_directory = dir.path();
  const LeanVerdict verdict =
      check(LeanChecker::command(options).value(), "theorem t : True := FAKE_PWD");
  EXPECT_EQ(verdict.status, LeanStatus::valid);
  ASSERT_EQ(verdict.messages.size(), 1u);
  EXPECT_EQ(verdict.messages[0].severity, "info");
  EXPECT_EQ(verdict.messages[0].text, dir.path());

  options.working_directory = dir.file("missing");
  const LeanVerdict missing =
      check(LeanChecker::command(options).value(), "theorem t : True := FAKE_PWD");
  EXPECT_EQ(missing.status, LeanStatus::checker_error);
  EXPECT_THAT(missing.explanation, HasSubstr("missing"));
}

TEST(LeanCommandChecker, ACheckerThatStopsReadingDoesNotRaiseSigpipe) {
  // 2 MB of code, far past a pipe's buffer; the fake closes its input unread and answers.
  // Without SIGPIPE protection the test process would die here.
  const std::string code = "theorem t : True := trivial\n" + std::string(2 * 1024 * 1024, '-');
  const LeanVerdict verdict = check(command_checker({"--close-stdin"}), code);
  EXPECT_EQ(verdict.status, LeanStatus::valid) << verdict.explanation;
}

TEST(LeanCommandChecker, CancellationKillsTheCheck) {
  test::TempDir dir;
  const std::string pid_file = dir.file("child.pid");
  const LeanChecker checker = command_checker({"--pid-file", pid_file}, 60s);
  auto token = std::make_shared<CancellationToken>();
  std::thread canceller([&] {
    // Cancel once the check is under way (the fake's child exists).
    for (int i = 0; i < 1000 && read_pid(pid_file) <= 0; ++i) std::this_thread::sleep_for(5ms);
    token->cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  Result<LeanVerdict> verdict = checker.check("theorem t : True := FAKE_HANG", token);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().kind, ErrorKind::cancelled);
  EXPECT_TRUE(process_ends(read_pid(pid_file)));

  // Already cancelled: nothing is started.
  Result<LeanVerdict> again = checker.check("theorem t : True := trivial", token);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::cancelled);
}

TEST(LeanCommandChecker, ManyThreadsAtOnceLeaveNoDescriptorOpen) {
  const LeanChecker checker = command_checker();
  const std::size_t fds_before = open_fd_count();
  const std::vector<std::pair<std::string, LeanStatus>> cases = {
      {"theorem t : True := trivial", LeanStatus::valid},
      {"theorem t : True := by\n  sorry", LeanStatus::uses_sorry},
      {"theorem t : False := FAKE_ERROR", LeanStatus::lean_error},
      {"FAKE_GARBAGE", LeanStatus::checker_error},
  };
  std::vector<std::thread> threads;
  std::vector<int> wrong(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        const auto& [code, expected] = cases[static_cast<std::size_t>(t + round) % cases.size()];
        Result<LeanVerdict> verdict = checker.check(code);
        if (!verdict.ok() || verdict->status != expected) ++wrong[static_cast<std::size_t>(t)];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(wrong[static_cast<std::size_t>(t)], 0) << "thread " << t;
  EXPECT_EQ(open_fd_count(), fds_before);
}

TEST(LeanCommandChecker, BadSettingsAndBadCodeAreInvalidRequests) {
  LeanCommandOptions empty;
  Result<LeanChecker> no_program = LeanChecker::command(empty);
  ASSERT_FALSE(no_program.ok());
  EXPECT_EQ(no_program.error().kind, ErrorKind::invalid_request);
  EXPECT_THAT(no_program.error().message, HasSubstr("lake"));

  LeanCommandOptions zero;
  zero.argv = {kFakeRepl};
  zero.timeout = 0ms;
  EXPECT_EQ(LeanChecker::command(zero).error().kind, ErrorKind::invalid_request);

  LeanCommandOptions nul;
  nul.argv = {kFakeRepl, std::string("a\0b", 3)};
  EXPECT_EQ(LeanChecker::command(nul).error().kind, ErrorKind::invalid_request);

  const LeanChecker checker = command_checker();
  EXPECT_EQ(checker.check("").error().kind, ErrorKind::invalid_request);
  EXPECT_EQ(checker.check(" \n\t").error().kind, ErrorKind::invalid_request);
  EXPECT_EQ(checker.check(std::string("theorem\0", 8)).error().kind, ErrorKind::invalid_request);
}

TEST(LeanCommandChecker, CheckAnswerChecksTheLastCompleteBlockWithTheHeader) {
  const LeanChecker checker = command_checker();
  LeanOptions options;
  options.header = "import Mathlib";
  // DeepSeek-Prover-V2: a sketch with sorry first, the proof last.
  const std::string answer =
      "Plan:\n```lean4\ntheorem t (x : ℕ) : x + 0 = x := by\n  sorry\n```\n"
      "Proof:\n```lean4\ntheorem t (x : ℕ) : x + 0 = x := by\n  simp\n```\n";
  Result<LeanVerdict> verdict = checker.check_answer(answer, options);
  ASSERT_TRUE(verdict.ok());
  EXPECT_EQ(verdict->status, LeanStatus::valid) << verdict->explanation;
  EXPECT_THAT(verdict->code, HasSubstr("import Mathlib"));
  EXPECT_THAT(verdict->code, HasSubstr("simp"));
  EXPECT_THAT(verdict->code, Not(HasSubstr("sorry")));

  options.first_block = true;
  EXPECT_EQ(checker.check_answer(answer, options)->status, LeanStatus::uses_sorry);
}

TEST(LeanCommandChecker, CheckAnswerWithoutACompleteBlockChecksNothing) {
  // A checker that cannot run: a no_proof verdict proves nothing was started.
  LeanCommandOptions options;
  options.argv = {"lemma-no-such-lean-repl-program"};
  const LeanChecker checker = LeanChecker::command(options).value();
  Result<LeanVerdict> none = checker.check_answer("The answer is 42, no Lean here.");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, LeanStatus::no_proof);
  EXPECT_TRUE(none->code.empty());
  Result<LeanVerdict> cut = checker.check_answer("```lean4\ntheorem t : True := by\n  triv");
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->status, LeanStatus::no_proof);
  EXPECT_THAT(cut->explanation, HasSubstr("cut off"));
}

// ---- The kimina-lean-server endpoint ----------------------------------------------------

constexpr const char* kKey = "sk-lean-SECRET-4711";

// A fake kimina-lean-server: POST /api/check (both body forms) and the legacy POST /verify,
// answering by a marker in the code as the fake REPL does.
test::Reply kimina(const test::RecordedRequest& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (request.method != "POST" || body.is_discarded())
    return test::Reply::json(422, R"({"detail": "bad request"})");
  if (request.headers.get("Authorization") !=
      std::optional<std::string>("Bearer " + std::string(kKey)))
    return test::Reply::json(401, R"({"detail": "Invalid API key: )" +
                                      request.headers.get("Authorization").value_or("none") +
                                      "\"}");
  std::string id;
  std::string code;
  const bool legacy = request.target == "/verify";
  if (legacy) {
    id = body["codes"][0]["custom_id"].get<std::string>();
    code = body["codes"][0]["proof"].get<std::string>();
  } else if (request.target == "/api/check") {
    // Both forms must carry the same snippet.
    if (body["snippet"] != body["snippets"][0] || !body["timeout"].is_number_integer())
      return test::Reply::json(422, R"({"detail": "snippet and snippets differ"})");
    id = body["snippet"]["id"].get<std::string>();
    code = body["snippet"]["code"].get<std::string>();
  } else {
    return test::Reply::json(404, R"({"detail": "Not Found"})");
  }
  const auto has = [&](const char* marker) { return code.find(marker) != std::string::npos; };
  nlohmann::json result = {{"id", id}, {"time", 0.25}};
  if (has("FAKE_HANG")) return test::Reply().stall();
  if (has("FAKE_500")) return test::Reply::http(500, "Internal Server Error", {}, "text/plain");
  if (has("FAKE_GARBAGE")) return test::Reply::http(200, "<html>oops</html>", {}, "text/html");
  if (has("FAKE_TIMEOUT")) {
    result["error"] =
        "Lean REPL command timed out in " + std::to_string(body["timeout"].get<int>()) + " seconds";
  } else if (has("FAKE_SERVER_ERROR")) {
    result["error"] = "Lean process died";
  } else if (has("FAKE_ERROR")) {
    result["response"] = {{"env", 0},
                          {"messages",
                           {{{"severity", "error"},
                             {"pos", {{"line", 2}, {"column", 4}}},
                             {"endPos", {{"line", 2}, {"column", 9}}},
                             {"data", "unsolved goals\n⊢ False"}}}}};
  } else if (has("sorry")) {
    result["response"] = {
        {"env", 0},
        {"sorries", {{{"pos", {{"line", 2}, {"column", 2}}}, {"goal", "⊢ True"}}}},
        {"messages",
         {{{"severity", "warning"},
           {"pos", {{"line", 1}, {"column", 8}}},
           {"data", "declaration uses 'sorry'"}}}}};
  } else {
    result["response"] = {{"env", 0}};
  }
  if (legacy) {
    result["custom_id"] = id;
    result.erase("id");
    return test::Reply::json(200, nlohmann::json{{"results", {result}}}.dump());
  }
  return test::Reply::json(200, result.dump());
}

LeanEndpointOptions endpoint_options(const test::TestServer& server,
                                     const std::string& path = "/api/check") {
  LeanEndpointOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(server.port()) + path;
  options.api_key = kKey;
  options.timeout = 5s;
  options.http_grace = 5s;
  return options;
}

TEST(LeanEndpointChecker, EveryVerdictFromTheFakeServer) {
  test::TestServer server(kimina);
  const LeanChecker checker = LeanChecker::endpoint(endpoint_options(server)).value();
  const LeanVerdict valid = check(checker, "theorem t : True := trivial");
  EXPECT_EQ(valid.status, LeanStatus::valid) << valid.explanation;
  EXPECT_EQ(valid.code, "theorem t : True := trivial");
  EXPECT_EQ(check(checker, "theorem t : True := by\n  sorry").status, LeanStatus::uses_sorry);
  const LeanVerdict error = check(checker, "theorem t : False := FAKE_ERROR");
  EXPECT_EQ(error.status, LeanStatus::lean_error);
  ASSERT_EQ(error.errors().size(), 1u);
  EXPECT_EQ(error.errors()[0].pos.column, 4);
  const LeanVerdict timeout = check(checker, "FAKE_TIMEOUT");
  EXPECT_EQ(timeout.status, LeanStatus::timeout);
  EXPECT_THAT(timeout.explanation, HasSubstr("timed out in 5 seconds"));  // 5 s sent as 5
  EXPECT_EQ(check(checker, "FAKE_SERVER_ERROR").status, LeanStatus::checker_error);
  EXPECT_EQ(check(checker, "FAKE_GARBAGE").status, LeanStatus::checker_error);
  const LeanVerdict server_error = check(checker, "FAKE_500");
  EXPECT_EQ(server_error.status, LeanStatus::checker_error);
  EXPECT_THAT(server_error.explanation, HasSubstr("HTTP 500"));

  // What was sent: the key as a bearer token, JSON, ids unique per check.
  const std::vector<test::RecordedRequest> requests = server.requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_EQ(requests[0].headers.get("Content-Type"),
            std::optional<std::string>("application/json"));
  const auto first = nlohmann::json::parse(requests[0].body);
  const auto second = nlohmann::json::parse(requests[1].body);
  EXPECT_EQ(first["timeout"], 5);
  EXPECT_NE(first["snippet"]["id"], second["snippet"]["id"]);
}

TEST(LeanEndpointChecker, TheLegacyVerifyForm) {
  test::TestServer server(kimina);
  LeanEndpointOptions options = endpoint_options(server, "/verify");
  options.api = KiminaApi::verify;
  const LeanChecker checker = LeanChecker::endpoint(options).value();
  EXPECT_EQ(check(checker, "theorem t : True := trivial").status, LeanStatus::valid);
  EXPECT_EQ(check(checker, "theorem t : True := by sorry").status, LeanStatus::uses_sorry);
  const auto body = nlohmann::json::parse(server.requests().at(0).body);
  EXPECT_EQ(body["codes"][0]["proof"], "theorem t : True := trivial");
}

TEST(LeanEndpointChecker, AWrongKeyIsACheckerErrorThatNeverShowsTheKey) {
  test::TestServer server(kimina);
  LeanEndpointOptions options = endpoint_options(server);
  options.api_key = "sk-lean-SECRET-wrong-0815";
  const LeanVerdict verdict =
      check(LeanChecker::endpoint(options).value(), "theorem t : True := trivial");
  EXPECT_EQ(verdict.status, LeanStatus::checker_error);
  EXPECT_THAT(verdict.explanation, HasSubstr("HTTP 401"));
  EXPECT_THAT(verdict.explanation, HasSubstr("api_key"));
  // The fake echoes the header it got; the explanation must not.
  EXPECT_THAT(verdict.explanation, Not(HasSubstr("sk-lean-SECRET-wrong-0815")));

  options.api_key = ApiKey();
  EXPECT_EQ(check(LeanChecker::endpoint(options).value(), "theorem t : True := trivial").status,
            LeanStatus::checker_error);
}

TEST(LeanEndpointChecker, ASilentServerIsACheckerErrorAfterTimeoutAndGrace) {
  test::TestServer server(kimina);
  LeanEndpointOptions options = endpoint_options(server);
  options.timeout = 100ms;
  options.http_grace = 100ms;
  const auto start = std::chrono::steady_clock::now();
  const LeanVerdict verdict = check(LeanChecker::endpoint(options).value(), "FAKE_HANG");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(verdict.status, LeanStatus::checker_error);
  EXPECT_THAT(verdict.explanation, HasSubstr("did not answer within 200 ms"));
  // The server was told whole seconds.
  EXPECT_EQ(nlohmann::json::parse(server.requests().at(0).body)["timeout"], 1);
  server.stop();
}

TEST(LeanEndpointChecker, AnUnreachableServerIsACheckerError) {
  LeanEndpointOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(test::unused_port()) + "/api/check";
  const LeanVerdict verdict =
      check(LeanChecker::endpoint(options).value(), "theorem t : True := trivial");
  EXPECT_EQ(verdict.status, LeanStatus::checker_error);
  EXPECT_THAT(verdict.explanation, HasSubstr("cannot check with the Lean server"));
}

TEST(LeanEndpointChecker, AWrongPathSaysSo) {
  test::TestServer server(kimina);
  const LeanVerdict verdict =
      check(LeanChecker::endpoint(endpoint_options(server, "/check")).value(),
            "theorem t : True := trivial");
  EXPECT_EQ(verdict.status, LeanStatus::checker_error);
  EXPECT_THAT(verdict.explanation, HasSubstr("HTTP 404"));
  EXPECT_THAT(verdict.explanation, HasSubstr("/api/check"));
}

TEST(LeanEndpointChecker, BadSettingsAndCancellationNeedNoServer) {
  LeanEndpointOptions options;
  options.url = "ftp://example.invalid/check";
  EXPECT_EQ(LeanChecker::endpoint(options).error().kind, ErrorKind::invalid_request);
  options.url = "http://127.0.0.1:9/api/check";
  options.timeout = 0ms;
  EXPECT_EQ(LeanChecker::endpoint(options).error().kind, ErrorKind::invalid_request);
  options.timeout = 1s;
  options.api_key = "key\r\nX-Injected: 1";
  Result<LeanChecker> injected = LeanChecker::endpoint(options);
  ASSERT_FALSE(injected.ok());
  EXPECT_EQ(injected.error().kind, ErrorKind::invalid_request);
  EXPECT_THAT(injected.error().message, Not(HasSubstr("X-Injected")));

  options.api_key = ApiKey();
  const LeanChecker checker = LeanChecker::endpoint(options).value();
  auto token = std::make_shared<CancellationToken>();
  token->cancel();
  Result<LeanVerdict> verdict = checker.check("theorem t : True := trivial", token);
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().kind, ErrorKind::cancelled);
}

// ---- As SelfVerifier's checker (lean_proof_checker.hpp) -------------------------------

TEST(LeanProofChecker, ScoresValidProofsOneAndOthersZeroWithLeansWords) {
  const ProofChecker checker = lean_proof_checker(command_checker());
  Result<CheckerVerdict> valid =
      checker("1 + 1 = 2", "## Solution\n```lean4\ntheorem t : 1 + 1 = 2 := by norm_num\n```");
  ASSERT_TRUE(valid.ok()) << valid.error().message;
  EXPECT_EQ(valid->score, 1.0);
  EXPECT_THAT(valid->evaluation, HasSubstr("accepted"));
  Result<CheckerVerdict> error =
      checker("1 + 1 = 3", "```lean4\ntheorem t : 1 + 1 = 3 := by FAKE_ERROR\n```");
  ASSERT_TRUE(error.ok());
  EXPECT_EQ(error->score, 0.0);
  EXPECT_THAT(error->evaluation, HasSubstr("rejected"));
  Result<CheckerVerdict> none = checker("p", "No code at all.");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->score, 0.0);
  EXPECT_THAT(none->evaluation, HasSubstr("No complete Lean 4 code block"));
  LeanCommandOptions missing;
  missing.argv = {"/nonexistent/lean-repl"};
  const ProofChecker broken = lean_proof_checker(LeanChecker::command(missing).value());
  Result<CheckerVerdict> failed = broken("p", "```lean4\ntheorem t : True := trivial\n```");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.error().message, HasSubstr("could not check"));
}

TEST(LeanProofChecker, AnIncompleteProofsGoalsComeFirstWithinTheLimit) {
  LeanVerdict verdict;
  verdict.status = LeanStatus::uses_sorry;
  for (int i = 0; i < 7; ++i) {
    verdict.messages.push_back(
        LeanMessage{"warning", {i + 1, 0}, std::nullopt, "linter " + std::to_string(i)});
  }
  verdict.sorries.push_back(LeanSorry{{3, 2}, std::nullopt, "GOAL-A"});
  verdict.sorries.push_back(LeanSorry{{9, 4}, std::nullopt, "GOAL-B"});
  const std::string text = lean_evaluation_text(verdict);
  EXPECT_THAT(text, HasSubstr("incomplete"));
  EXPECT_LT(text.find("GOAL-A"), text.find("linter 0"));
  EXPECT_THAT(text, HasSubstr("GOAL-B"));
  std::size_t items = 0;
  for (std::size_t at = text.find("\nline "); at != std::string::npos;
       at = text.find("\nline ", at + 1)) {
    ++items;
  }
  EXPECT_EQ(items, 5u);
}

}  // namespace
}  // namespace lemma::math
