// Scenario files of lemma-mock-server: parsing into typed rules, every kind of mistake named by
// file, place and key, and the player's matching (ranges, cycling, captures, n choices,
// concurrent requests). No sockets: the endpoint side is tests/integration/mock_scenario_test.

#include "mock_server/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "support/matchers.hpp"

namespace lemma::tools {
namespace {

using namespace std::chrono_literals;
using test::ErrorIs;
using test::IsOk;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::shared_ptr<const Scenario> parsed(const std::string& text) {
  Result<Scenario> scenario = parse_scenario(text, "s.json");
  EXPECT_THAT(scenario, IsOk());
  return std::make_shared<const Scenario>(scenario ? std::move(*scenario) : Scenario{});
}

std::vector<std::string> contents(ScenarioPlayer& player, const ScenarioRequest& request,
                                  int choices = 1) {
  std::vector<std::string> out;
  for (const auto& response : player.next(request, choices)) {
    out.push_back(response ? response->content : "(built-in)");
  }
  return out;
}

TEST(MockScenarioParseTest, ReadsEveryFieldIntoTypedRules) {
  auto scenario = parsed(R"J({"comment": "all fields", "rules": [
    {"comment": "r0", "match": {"model": "m", "user": "u(\\d)", "system": "s", "request": [2, null]},
     "respond": [{"content": "c", "reasoning": "r", "finish_reason": "length",
                  "usage": {"prompt_tokens": 1, "completion_tokens": 2, "reasoning_tokens": 1},
                  "latency_ms": 5, "chunk_chars": 3, "chunk_delay_ms": 4},
                 {"status": 429, "headers": {"retry-after": "2"},
                  "error": {"message": "slow", "type": "requests", "code": 42, "param": null}},
                 {"fault": "stall", "usage": null, "finish_reason": null}]},
    {"match": {"request": 3}, "respond": {"fault": "malformed_json"}}],
    "default": {"content": "d", "usage": "auto"}})J");
  ASSERT_EQ(scenario->rules.size(), 2u);
  const ScenarioRule& rule = scenario->rules[0];
  EXPECT_EQ(rule.model, "m");
  EXPECT_TRUE(rule.user && rule.system);
  EXPECT_EQ(rule.first, 2);
  EXPECT_EQ(rule.last, std::numeric_limits<std::int64_t>::max());
  ASSERT_EQ(rule.respond.size(), 3u);
  const ScenarioResponse& answer = rule.respond[0];
  EXPECT_EQ(answer.content, "c");
  EXPECT_EQ(answer.reasoning, "r");
  EXPECT_EQ(answer.finish_reason, "length");
  ASSERT_TRUE(answer.usage.has_value());
  EXPECT_FALSE(answer.usage->automatic);
  EXPECT_EQ(answer.usage->completion_tokens, 2);
  EXPECT_EQ(answer.usage->reasoning_tokens, 1);
  EXPECT_EQ(answer.latency, 5ms);
  EXPECT_EQ(answer.chunk_chars, 3u);
  EXPECT_EQ(answer.chunk_delay, 4ms);
  EXPECT_FALSE(answer.fails());
  const ScenarioResponse& error = rule.respond[1];
  EXPECT_EQ(error.status, 429);
  EXPECT_EQ(error.error_message, "slow");
  EXPECT_EQ(error.error_code_json, "42");
  EXPECT_TRUE(error.error_param.empty());
  EXPECT_THAT(error.headers,
              ElementsAre(std::make_pair(std::string("retry-after"), std::string("2"))));
  EXPECT_TRUE(error.fails());
  EXPECT_EQ(rule.respond[2].fault, ScenarioFault::stall);
  EXPECT_FALSE(rule.respond[2].usage.has_value());
  EXPECT_FALSE(rule.respond[2].finish_reason.has_value());
  EXPECT_EQ(scenario->rules[1].first, 3);
  EXPECT_EQ(scenario->rules[1].last, 3);
  ASSERT_TRUE(scenario->fallback.has_value());
  EXPECT_TRUE(scenario->fallback->usage->automatic);
}

TEST(MockScenarioParseTest, MistakesNameTheFileThePlaceAndTheKey) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {R"({"rules": [], "defualt": {}})", {"s.json: defualt: unknown key \"defualt\"", "default"}},
      {R"({"rules": [{"respond": {}}, {"macth": {}, "respond": {}}]})",
       {"rules[1].macth: unknown key \"macth\""}},
      {R"({"rules": [{"match": {"usr": "x"}, "respond": {}}]})",
       {"rules[0].match.usr: unknown key \"usr\"", "user"}},
      {R"({"rules": [{"respond": [{}, {"contnet": "x"}]}]})",
       {"rules[0].respond[1].contnet: unknown key"}},
      {R"({"rules": [{"respond": {"usage": {"prompt_tokens": 1, "completion_tokens": 1, "x": 1}}}]})",
       {"rules[0].respond.usage.x: unknown key"}},
      {R"({"rules": [{"respond": {"status": 500, "error": {"msg": "x"}}}]})",
       {"rules[0].respond.error.msg: unknown key"}},
      {R"({"rules": [{"match": {"user": "(unclosed"}, "respond": {}}]})",
       {"rules[0].match.user: not a valid ECMAScript regular expression \"(unclosed\""}},
      {R"({"rules": [{"match": {"system": 3}, "respond": {}}]})",
       {"rules[0].match.system: expected a string, got an integer"}},
      {R"({"rules": [{"respond": {"latency_ms": "5"}}]})",
       {"rules[0].respond.latency_ms: expected an integer, got string \"5\""}},
      {R"({"rules": [{"respond": {"latency_ms": -1}}]})",
       {"rules[0].respond.latency_ms: -1 is out of range 0..600000"}},
      {R"({"rules": [{"respond": {"chunk_chars": 0}}]})", {"rules[0].respond.chunk_chars"}},
      {R"({"rules": [{"respond": {"status": 302}}]})", {"rules[0].respond.status: 302"}},
      {R"({"rules": [{"respond": {"error": {"message": "x"}}}]})",
       {"rules[0].respond.error: an error needs a \"status\""}},
      {R"({"rules": [{"respond": {"status": 500, "fault": "reset"}}]})",
       {"rules[0].respond.fault: a fault and an error"}},
      {R"({"rules": [{"respond": {"fault": "explode"}}]})",
       {"rules[0].respond.fault: unknown fault \"explode\""}},
      {R"({"rules": [{"respond": {"usage": "exact"}}]})",
       {"rules[0].respond.usage: expected \"auto\", null or an object"}},
      {R"({"rules": [{"respond": {"usage": {"prompt_tokens": 1}}}]})",
       {"rules[0].respond.usage: missing \"completion_tokens\""}},
      {R"({"rules": [{"respond": {"headers": {"retry-after": 1}}}]})",
       {"rules[0].respond.headers.retry-after: expected a string"}},
      {R"({"rules": [{"respond": {"headers": {"x": "a\r\nb: c"}}}]})",
       {"rules[0].respond.headers.x: a header name or value must be one non-empty line"}},
      {R"({"rules": [{"match": {"request": [3, 1]}, "respond": {}}]})",
       {"rules[0].match.request: the range [3,1] is empty"}},
      {R"({"rules": [{"match": {"request": [0, 1]}, "respond": {}}]})",
       {"rules[0].match.request[0]: 0 is out of range"}},
      {R"({"rules": [{"match": {"request": "first"}, "respond": {}}]})",
       {"rules[0].match.request: expected N or [FIRST, LAST]"}},
      {R"({"rules": [{"match": {}}]})", {"rules[0]: missing \"respond\""}},
      {R"({"rules": [{"respond": []}]})", {"rules[0].respond: expected at least one response"}},
      {R"({"rules": {}})", {"rules: expected a list of rules"}},
      {R"([])", {"(top level): expected an object"}},
      {R"({})", {"no \"rules\" and no \"default\""}},
      {"{\"rules\": [\n  {\"respond\": {\"content\": \"x\",}}\n]}",
       {"s.json: not valid JSON at line 2, column"}},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    Result<Scenario> scenario = parse_scenario(text, "s.json");
    ASSERT_FALSE(scenario.ok());
    EXPECT_EQ(scenario.error().kind, ErrorKind::invalid_request);
    EXPECT_THAT(scenario.error().message, HasSubstr("s.json: "));
    for (const auto& part : expected) EXPECT_THAT(scenario.error().message, HasSubstr(part));
  }
}

TEST(MockScenarioParseTest, AnUnreadableFileIsNamed) {
  auto scenario = load_scenario("/nonexistent/scenario.json");
  EXPECT_THAT(scenario,
              ErrorIs(ErrorKind::invalid_request,
                      AllOf(HasSubstr("/nonexistent/scenario.json"), HasSubstr("cannot read"))));
}

TEST(MockScenarioPlayerTest, FirstApplyingRuleWinsElseDefaultElseBuiltIn) {
  auto scenario = parsed(R"({"rules": [
    {"match": {"model": "a", "user": "^x"}, "respond": {"content": "a-x"}},
    {"match": {"user": "^x"}, "respond": {"content": "any-x"}}]})");
  ScenarioPlayer player(scenario);
  EXPECT_THAT(contents(player, {"a", std::nullopt, "x1"}), ElementsAre("a-x"));
  EXPECT_THAT(contents(player, {"b", std::nullopt, "x1"}), ElementsAre("any-x"));
  EXPECT_THAT(contents(player, {"a", std::nullopt, "y"}), ElementsAre("(built-in)"));

  ScenarioPlayer with_default(parsed(R"({"default": {"content": "d"}})"));
  EXPECT_THAT(contents(with_default, {"a", std::nullopt, "y"}), ElementsAre("d"));
}

TEST(MockScenarioPlayerTest, RangesCountPerRuleAndListsCycleFromTheRangesStart) {
  ScenarioPlayer player(parsed(R"({"rules": [
    {"match": {"request": [3, 6]}, "respond": [{"content": "A"}, {"content": "B"},
                                               {"content": "C"}]},
    {"match": {"request": [1, 2]}, "respond": {"content": "early"}}],
    "default": {"content": "late"}})"));
  std::vector<std::string> seen;
  for (int i = 0; i < 8; ++i) seen.push_back(contents(player, {"m", std::nullopt, "q"})[0]);
  // Rule 0 counts every request (1..8) and applies to 3..6; rule 1 sees only requests 1, 2
  // (its own matches 1, 2) and 7, 8 (its matches 3, 4: out of range).
  EXPECT_THAT(seen, ElementsAre("early", "early", "A", "B", "C", "A", "late", "late"));
}

TEST(MockScenarioPlayerTest, CapturesAreSubstitutedInContentAndReasoning) {
  ScenarioPlayer player(parsed(R"J({"rules": [{"match": {"user": "(\\w+) plus (\\w+)"},
    "respond": {"content": "$2 + $1 = ? ($& costs $$5)", "reasoning": "adding $1"}}]})J"));
  auto response = player.next({"m", std::nullopt, "what is one plus two"}, 1).at(0);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->content, "two + one = ? (one plus two costs $5)");
  EXPECT_EQ(response->reasoning, "adding one");

  // Without a user regex the texts are used as written.
  ScenarioPlayer literal(parsed(R"({"default": {"content": "$1 stays"}})"));
  EXPECT_EQ(literal.next({"m", std::nullopt, "x"}, 1).at(0)->content, "$1 stays");
}

TEST(MockScenarioPlayerTest, NChoicesAreConsecutiveMatchesEvenUnderConcurrency) {
  ScenarioPlayer player(parsed(R"({"rules": [{"match": {"request": [1, 4000]},
    "respond": [{"content": "0"}, {"content": "1"}, {"content": "2"}, {"content": "3"}]}],
    "default": {"content": "over"}})"));
  std::vector<std::thread> threads;
  std::vector<std::vector<std::vector<std::string>>> got(8);
  for (std::size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&player, &got, t] {
      for (int i = 0; i < 125; ++i) {
        got[t].push_back(contents(player, {"m", std::nullopt, "q"}, 4));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  // 8 x 125 requests of 4 choices = 4000 matches: each request got one whole cycle.
  for (const auto& requests : got) {
    for (const auto& choices : requests) EXPECT_THAT(choices, ElementsAre("0", "1", "2", "3"));
  }
  EXPECT_THAT(contents(player, {"m", std::nullopt, "q"}), ElementsAre("over"));
}

}  // namespace
}  // namespace lemma::tools
