#include "mock_server/scenario.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "lemma/error.hpp"

namespace lemma::tools {

namespace {

using nlohmann::json;

constexpr std::int64_t kMaxLatencyMs = 600000;
constexpr std::int64_t kMaxChunkDelayMs = 60000;
constexpr std::int64_t kMaxChunkChars = 1 << 20;

// Raised while validating; turned into one invalid_request error at parse_scenario's boundary.
struct ScenarioError {
  std::string where;  // e.g. rules[2].respond[0].status
  std::string what;
};

const char* type_name(const json& value) {
  return value.is_number_integer() ? "an integer"
         : value.is_number()       ? "a number"
                                   : value.type_name();
}

std::string shown(const json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw ScenarioError{where, what};
}

void check_keys(const json& object, const std::string& where,
                const std::vector<std::string>& allowed) {
  for (const auto& item : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) != allowed.end()) continue;
    std::string list;
    for (const auto& key : allowed) list += (list.empty() ? "" : ", ") + key;
    fail(where.empty() ? item.key() : where + "." + item.key(),
         "unknown key \"" + item.key() + "\" (expected one of: " + list + ")");
  }
}

const json& object_at(const json& value, const std::string& where) {
  if (!value.is_object()) fail(where, std::string("expected an object, got ") + type_name(value));
  return value;
}

std::string string_at(const json& value, const std::string& where) {
  if (!value.is_string()) fail(where, std::string("expected a string, got ") + type_name(value));
  return value.get<std::string>();
}

std::int64_t integer_at(const json& value, const std::string& where, std::int64_t min,
                        std::int64_t max) {
  if (!value.is_number_integer()) {
    fail(where, std::string("expected an integer, got ") + type_name(value) + " " + shown(value));
  }
  // Unsigned values above int64's range are compared before the conversion.
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    fail(where,
         shown(value) + " is out of range " + std::to_string(min) + ".." + std::to_string(max));
  }
  const auto number = value.get<std::int64_t>();
  if (number < min || number > max) {
    fail(where,
         shown(value) + " is out of range " + std::to_string(min) + ".." + std::to_string(max));
  }
  return number;
}

std::regex regex_at(const json& value, const std::string& where) {
  const std::string pattern = string_at(value, where);
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    fail(where, "not a valid ECMAScript regular expression " + shown(value) + ": " + e.what());
  }
}

ScenarioFault fault_at(const json& value, const std::string& where) {
  if (value.is_null()) return ScenarioFault::none;
  const std::string name = string_at(value, where);
  for (const ScenarioFault fault :
       {ScenarioFault::none, ScenarioFault::reset, ScenarioFault::reset_after_headers,
        ScenarioFault::cut, ScenarioFault::malformed_json, ScenarioFault::stall}) {
    if (name == to_string(fault)) return fault;
  }
  fail(where, "unknown fault " + shown(value) +
                  " (expected reset, reset_after_headers, cut, malformed_json, stall or null)");
}

ScenarioUsage usage_at(const json& value, const std::string& where) {
  if (value.is_string() && value.get<std::string>() == "auto") return ScenarioUsage{};
  if (!value.is_object()) {
    fail(where, std::string("expected \"auto\", null or an object, got ") + type_name(value) + " " +
                    shown(value));
  }
  check_keys(value, where, {"prompt_tokens", "completion_tokens", "reasoning_tokens"});
  for (const char* required : {"prompt_tokens", "completion_tokens"}) {
    if (!value.contains(required)) fail(where, std::string("missing \"") + required + "\"");
  }
  constexpr std::int64_t kMax = std::int64_t{1} << 40;
  ScenarioUsage usage;
  usage.automatic = false;
  usage.prompt_tokens = integer_at(value["prompt_tokens"], where + ".prompt_tokens", 0, kMax);
  usage.completion_tokens =
      integer_at(value["completion_tokens"], where + ".completion_tokens", 0, kMax);
  if (value.contains("reasoning_tokens")) {
    usage.reasoning_tokens = integer_at(value["reasoning_tokens"], where + ".reasoning_tokens", 0,
                                        usage.completion_tokens);
  }
  return usage;
}

void error_at(const json& value, const std::string& where, ScenarioResponse& response) {
  object_at(value, where);
  check_keys(value, where, {"message", "type", "code", "param"});
  if (value.contains("message"))
    response.error_message = string_at(value["message"], where + ".message");
  if (value.contains("type") && !value["type"].is_null()) {
    response.error_type = string_at(value["type"], where + ".type");
  }
  if (value.contains("param") && !value["param"].is_null()) {
    response.error_param = string_at(value["param"], where + ".param");
  }
  if (value.contains("code") && !value["code"].is_null()) {
    const json& code = value["code"];
    if (!code.is_string() && !code.is_number()) {
      fail(where + ".code",
           std::string("expected a string, a number or null, got ") + type_name(code));
    }
    response.error_code_json = code.dump();
  }
}

ScenarioResponse response_at(const json& value, const std::string& where) {
  object_at(value, where);
  check_keys(value, where,
             {"content", "reasoning", "finish_reason", "usage", "latency_ms", "chunk_chars",
              "chunk_delay_ms", "status", "error", "headers", "fault", "comment"});
  ScenarioResponse response;
  for (const auto& item : value.items()) {
    const std::string& key = item.key();
    const json& field = item.value();
    const std::string at = where + "." + key;
    if (key == "content") {
      response.content = string_at(field, at);
    } else if (key == "reasoning") {
      if (!field.is_null()) response.reasoning = string_at(field, at);
    } else if (key == "finish_reason") {
      response.finish_reason =
          field.is_null() ? std::nullopt : std::optional<std::string>(string_at(field, at));
    } else if (key == "usage") {
      response.usage =
          field.is_null() ? std::nullopt : std::optional<ScenarioUsage>(usage_at(field, at));
    } else if (key == "latency_ms") {
      response.latency = std::chrono::milliseconds(integer_at(field, at, 0, kMaxLatencyMs));
    } else if (key == "chunk_chars") {
      response.chunk_chars = static_cast<std::size_t>(integer_at(field, at, 1, kMaxChunkChars));
    } else if (key == "chunk_delay_ms") {
      response.chunk_delay = std::chrono::milliseconds(integer_at(field, at, 0, kMaxChunkDelayMs));
    } else if (key == "status") {
      response.status = static_cast<int>(integer_at(field, at, 200, 599));
      if (response.status != 200 && response.status < 400) {
        fail(at, std::to_string(response.status) +
                     " is not supported (use 200 for an answer or 400..599 for an error)");
      }
    } else if (key == "error") {
      error_at(field, at, response);
    } else if (key == "headers") {
      object_at(field, at);
      for (const auto& header : field.items()) {
        const std::string header_at = at + "." + header.key();
        const std::string text = string_at(header.value(), header_at);
        const auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
        if (header.key().empty() || std::any_of(header.key().begin(), header.key().end(), bad) ||
            std::any_of(text.begin(), text.end(), bad)) {
          fail(header_at, "a header name or value must be one non-empty line");
        }
        response.headers.emplace_back(header.key(), text);
      }
    } else if (key == "fault") {
      response.fault = fault_at(field, at);
    } else if (key == "comment") {
      string_at(field, at);
    }
  }
  if (value.contains("error") && response.status == 200) {
    fail(where + ".error", "an error needs a \"status\" of 400..599");
  }
  if (response.status != 200 && response.fault != ScenarioFault::none) {
    fail(where + ".fault", "a fault and an error \"status\" exclude each other");
  }
  if (response.status != 200 && response.error_message.empty()) {
    response.error_message =
        "lemma mock scenario: scripted HTTP " + std::to_string(response.status) + " answer.";
  }
  return response;
}

std::vector<ScenarioResponse> responses_at(const json& value, const std::string& where) {
  std::vector<ScenarioResponse> out;
  if (value.is_array()) {
    if (value.empty()) fail(where, "expected at least one response");
    for (std::size_t i = 0; i < value.size(); ++i) {
      out.push_back(response_at(value[i], where + "[" + std::to_string(i) + "]"));
    }
  } else {
    out.push_back(response_at(value, where));
  }
  return out;
}

void request_range_at(const json& value, const std::string& where, ScenarioRule& rule) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (value.is_number_integer()) {
    rule.first = rule.last = integer_at(value, where, 1, kMax);
    return;
  }
  if (!value.is_array() || value.size() != 2) {
    fail(where, "expected N or [FIRST, LAST] (LAST may be null for no end), got " + shown(value));
  }
  rule.first = integer_at(value[0], where + "[0]", 1, kMax);
  rule.last = value[1].is_null() ? kMax : integer_at(value[1], where + "[1]", 1, kMax);
  if (rule.last < rule.first) {
    fail(where, "the range " + shown(value) + " is empty (LAST is below FIRST)");
  }
}

ScenarioRule rule_at(const json& value, const std::string& where) {
  object_at(value, where);
  check_keys(value, where, {"match", "respond", "comment"});
  if (value.contains("comment")) string_at(value["comment"], where + ".comment");
  if (!value.contains("respond")) fail(where, "missing \"respond\" (a response or a list of them)");
  ScenarioRule rule;
  if (value.contains("match")) {
    const std::string at = where + ".match";
    const json& match = object_at(value["match"], at);
    check_keys(match, at, {"model", "user", "system", "request"});
    if (match.contains("model")) rule.model = string_at(match["model"], at + ".model");
    if (match.contains("user")) rule.user = regex_at(match["user"], at + ".user");
    if (match.contains("system")) rule.system = regex_at(match["system"], at + ".system");
    if (match.contains("request")) request_range_at(match["request"], at + ".request", rule);
  }
  rule.respond = responses_at(value["respond"], where + ".respond");
  return rule;
}

// nlohmann reports a byte offset; people fix files by line and column.
std::string line_and_column(const std::string& text, std::size_t byte) {
  byte = std::min(byte, text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i + 1 < byte; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::string substitute(const std::string& text, const std::smatch* captures) {
  return captures ? captures->format(text) : text;
}

}  // namespace

const char* to_string(ScenarioFault fault) {
  switch (fault) {
    case ScenarioFault::none: return "none";
    case ScenarioFault::reset: return "reset";
    case ScenarioFault::reset_after_headers: return "reset_after_headers";
    case ScenarioFault::cut: return "cut";
    case ScenarioFault::malformed_json: return "malformed_json";
    case ScenarioFault::stall: return "stall";
  }
  return "none";
}

Result<Scenario> parse_scenario(const std::string& text, const std::string& source) {
  const std::string fix =
      " Fix the scenario file; its format is in README.md (\"Scripted answers\").";
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& e) {
    return invalid_request_error(
        "scenario", source + ": not valid JSON at " + line_and_column(text, e.byte) + "." + fix);
  }
  try {
    Scenario scenario;
    scenario.source = source;
    object_at(document, "(top level)");
    check_keys(document, "", {"rules", "default", "comment"});
    if (document.contains("comment")) string_at(document["comment"], "comment");
    if (document.contains("rules")) {
      const json& rules = document["rules"];
      if (!rules.is_array()) {
        fail("rules", std::string("expected a list of rules, got ") + type_name(rules));
      }
      for (std::size_t i = 0; i < rules.size(); ++i) {
        scenario.rules.push_back(rule_at(rules[i], "rules[" + std::to_string(i) + "]"));
      }
    }
    if (document.contains("default") && !document["default"].is_null()) {
      scenario.fallback = response_at(document["default"], "default");
    }
    if (scenario.rules.empty() && !scenario.fallback) {
      fail("(top level)", "no \"rules\" and no \"default\": the scenario would change nothing");
    }
    return scenario;
  } catch (const ScenarioError& e) {
    return invalid_request_error("scenario", source + ": " + e.where + ": " + e.what + "." + fix);
  }
}

Result<Scenario> load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return invalid_request_error("scenario",
                                 path + ": cannot read the scenario file (does it exist?).");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return invalid_request_error("scenario", path + ": cannot read the scenario file.");
  return parse_scenario(text.str(), path);
}

ScenarioPlayer::ScenarioPlayer(std::shared_ptr<const Scenario> scenario)
    : scenario_(std::move(scenario)), matches_(scenario_ ? scenario_->rules.size() : 0, 0) {}

std::vector<std::optional<ScenarioResponse>> ScenarioPlayer::next(const ScenarioRequest& request,
                                                                  int choices) {
  std::vector<std::optional<ScenarioResponse>> out;
  const std::lock_guard<std::mutex> lock(mutex_);
  for (int i = 0; i < std::max(1, choices); ++i) out.push_back(next_locked(request));
  return out;
}

std::optional<ScenarioResponse> ScenarioPlayer::next_locked(const ScenarioRequest& request) {
  if (!scenario_) return std::nullopt;
  for (std::size_t i = 0; i < scenario_->rules.size(); ++i) {
    const ScenarioRule& rule = scenario_->rules[i];
    if (rule.model && *rule.model != request.model) continue;
    if (rule.system && (!request.system || !std::regex_search(*request.system, *rule.system))) {
      continue;
    }
    std::smatch captures;
    if (rule.user && !std::regex_search(request.user, captures, *rule.user)) continue;
    const std::int64_t number = ++matches_[i];
    if (number < rule.first || number > rule.last) continue;
    const auto index = static_cast<std::size_t>(number - rule.first) % rule.respond.size();
    ScenarioResponse response = rule.respond[index];
    const std::smatch* groups = rule.user ? &captures : nullptr;
    response.content = substitute(response.content, groups);
    if (response.reasoning) response.reasoning = substitute(*response.reasoning, groups);
    return response;
  }
  return scenario_->fallback;
}

}  // namespace lemma::tools
