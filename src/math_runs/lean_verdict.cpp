// Reading a Lean REPL or kimina-lean-server answer into a LeanVerdict: pure, no I/O.
//
// The rule is DeepSeek-Prover's (`pass` = no error message; `complete` = pass, no sorries and
// no warning containing "declaration uses 'sorry'" or "failed"), with every malformed answer
// a checker_error, so that nothing but a well-formed clean response is ever `valid`.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <utility>

#include "eval_report_format.hpp"
#include "lean_verdict_private.hpp"
#include "lemma/math/lean_checker.hpp"
#include "lemma/wire.hpp"

namespace lemma::math {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxExplanationBytes = 400;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

bool contains_ignoring_case(std::string_view text, std::string_view part) {
  const auto it =
      std::search(text.begin(), text.end(), part.begin(), part.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      });
  return it != text.end();
}

std::string at_position(const LeanPosition& pos) {
  return "line " + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

// A position object {"line", "column"}, both non-negative integers.
std::optional<LeanPosition> read_position(const json& value) {
  if (!value.is_object()) return std::nullopt;
  const auto line = value.find("line");
  const auto column = value.find("column");
  if (line == value.end() || column == value.end() || !line->is_number_integer() ||
      !column->is_number_integer())
    return std::nullopt;
  const auto l = line->get<std::int64_t>();
  const auto c = column->get<std::int64_t>();
  if (l < 0 || c < 0 || l > INT32_MAX || c > INT32_MAX) return std::nullopt;
  return LeanPosition{static_cast<int>(l), static_cast<int>(c)};
}

// endPos: absent or null means unknown; anything else must be a position.
bool read_end_position(const json& item, std::optional<LeanPosition>& into) {
  const auto end = item.find("endPos");
  if (end == item.end() || end->is_null()) return true;
  into = read_position(*end);
  return into.has_value();
}

std::optional<LeanMessage> read_message(const json& item) {
  if (!item.is_object()) return std::nullopt;
  const auto severity = item.find("severity");
  const auto data = item.find("data");
  const auto pos = item.find("pos");
  if (severity == item.end() || !severity->is_string() || data == item.end() ||
      !data->is_string() || pos == item.end())
    return std::nullopt;
  LeanMessage message;
  message.severity = severity->get<std::string>();
  if (message.severity != "error" && message.severity != "warning" && message.severity != "info" &&
      message.severity != "trace")
    return std::nullopt;
  const auto position = read_position(*pos);
  if (!position) return std::nullopt;
  message.pos = *position;
  if (!read_end_position(item, message.end_pos)) return std::nullopt;
  message.text = data->get<std::string>();
  return message;
}

std::optional<LeanSorry> read_sorry(const json& item) {
  if (!item.is_object()) return std::nullopt;
  const auto pos = item.find("pos");
  if (pos == item.end()) return std::nullopt;
  const auto position = read_position(*pos);
  if (!position) return std::nullopt;
  LeanSorry sorry;
  sorry.pos = *position;
  if (!read_end_position(item, sorry.end_pos)) return std::nullopt;
  const auto goal = item.find("goal");
  if (goal != item.end()) {
    if (!goal->is_string()) return std::nullopt;
    sorry.goal = goal->get<std::string>();
  }
  return sorry;
}

bool is_sorry_warning(const LeanMessage& message) {
  return message.severity == "warning" && contains(message.text, "declaration uses 'sorry'");
}

}  // namespace

namespace detail {

std::string one_line(std::string_view text) {
  std::string line = valid_utf8(text);
  for (char& c : line)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (line.size() > kMaxExplanationBytes) {
    std::size_t cut = kMaxExplanationBytes;
    // Back to a code point's first byte.
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line.resize(cut);
    line += "...";
  }
  return line;
}

LeanVerdict checker_error_verdict(std::string explanation) {
  LeanVerdict verdict;
  verdict.status = LeanStatus::checker_error;
  verdict.explanation = std::move(explanation);
  return verdict;
}

}  // namespace detail

std::string_view to_string(LeanStatus status) noexcept {
  switch (status) {
    case LeanStatus::valid: return "valid";
    case LeanStatus::uses_sorry: return "uses_sorry";
    case LeanStatus::lean_error: return "lean_error";
    case LeanStatus::timeout: return "timeout";
    case LeanStatus::checker_error: return "checker_error";
    case LeanStatus::no_proof: return "no_proof";
  }
  return "checker_error";
}

std::vector<LeanMessage> LeanVerdict::errors() const {
  std::vector<LeanMessage> found;
  for (const LeanMessage& message : messages)
    if (message.severity == "error") found.push_back(message);
  return found;
}

nlohmann::json to_json(const LeanVerdict& verdict) {
  json messages = json::array();
  for (const LeanMessage& message : verdict.messages) {
    json item = {
        {"severity", message.severity}, {"line", message.pos.line}, {"column", message.pos.column}};
    if (message.end_pos) {
      item["end_line"] = message.end_pos->line;
      item["end_column"] = message.end_pos->column;
    }
    item["text"] = message.text;
    messages.push_back(std::move(item));
  }
  json sorries = json::array();
  for (const LeanSorry& sorry : verdict.sorries)
    sorries.push_back(
        {{"line", sorry.pos.line}, {"column", sorry.pos.column}, {"goal", sorry.goal}});
  return json{{"status", std::string(to_string(verdict.status))},
              {"explanation", verdict.explanation},
              {"time_ms", verdict.time.count()},
              {"messages", std::move(messages)},
              {"sorries", std::move(sorries)}};
}

LeanVerdict classify_repl_response(const nlohmann::json& response) {
  using detail::checker_error_verdict;
  using detail::one_line;
  if (!response.is_object())
    return checker_error_verdict("the Lean REPL's answer is not a JSON object");
  const auto env = response.find("env");
  const auto messages = response.find("messages");
  const auto sorries = response.find("sorries");
  const bool has_env = env != response.end() && env->is_number_integer();
  // The REPL's own failure (bad command, unknown environment) is {"message": "..."}.
  const auto failure = response.find("message");
  if (!has_env && failure != response.end() && failure->is_string())
    return checker_error_verdict("the Lean REPL failed: " + one_line(failure->get<std::string>()));
  if (!has_env && messages == response.end() && sorries == response.end())
    return checker_error_verdict(
        "the Lean REPL's answer has no env, messages or sorries member: it is not a response to a "
        "command");

  LeanVerdict verdict;
  if (messages != response.end() && !messages->is_null()) {
    if (!messages->is_array())
      return checker_error_verdict("the Lean REPL's `messages` is not an array");
    for (std::size_t i = 0; i < messages->size(); ++i) {
      auto message = read_message((*messages)[i]);
      if (!message)
        return checker_error_verdict(
            "the Lean REPL's messages[" + std::to_string(i) +
            "] is malformed (needs severity error/warning/info/trace, pos {line, column} and "
            "data)");
      verdict.messages.push_back(std::move(*message));
    }
  }
  if (sorries != response.end() && !sorries->is_null()) {
    if (!sorries->is_array())
      return checker_error_verdict("the Lean REPL's `sorries` is not an array");
    for (std::size_t i = 0; i < sorries->size(); ++i) {
      auto sorry = read_sorry((*sorries)[i]);
      if (!sorry)
        return checker_error_verdict("the Lean REPL's sorries[" + std::to_string(i) +
                                     "] is malformed (needs pos {line, column})");
      verdict.sorries.push_back(std::move(*sorry));
    }
  }

  const auto first = [&](auto predicate) -> const LeanMessage* {
    const auto it = std::find_if(verdict.messages.begin(), verdict.messages.end(), predicate);
    return it == verdict.messages.end() ? nullptr : &*it;
  };
  if (const LeanMessage* error =
          first([](const LeanMessage& m) { return m.severity == "error"; })) {
    verdict.status = LeanStatus::lean_error;
    verdict.explanation = "Lean error at " + at_position(error->pos) + ": " + one_line(error->text);
    return verdict;
  }
  if (!verdict.sorries.empty()) {
    verdict.status = LeanStatus::uses_sorry;
    verdict.explanation = "the proof uses sorry at " + at_position(verdict.sorries.front().pos);
    return verdict;
  }
  if (const LeanMessage* warning = first(is_sorry_warning)) {
    verdict.status = LeanStatus::uses_sorry;
    verdict.explanation =
        "the proof uses sorry: " + one_line(warning->text) + " (" + at_position(warning->pos) + ")";
    return verdict;
  }
  if (const LeanMessage* failed = first([](const LeanMessage& m) {
        return m.severity == "warning" && contains(m.text, "failed");
      })) {
    verdict.status = LeanStatus::lean_error;
    verdict.explanation = "a Lean warning reports a failure at " + at_position(failed->pos) + ": " +
                          one_line(failed->text);
    return verdict;
  }
  verdict.status = LeanStatus::valid;
  const auto warnings = std::count_if(verdict.messages.begin(), verdict.messages.end(),
                                      [](const LeanMessage& m) { return m.severity == "warning"; });
  verdict.explanation = "Lean accepted the proof";
  if (warnings > 0) verdict.explanation += " (" + std::to_string(warnings) + " warning(s))";
  return verdict;
}

LeanVerdict classify_repl_response(std::string_view text) {
  // Everything but white space must be the one JSON object.
  auto parsed = wire::parse_json(text, "Lean REPL output");
  if (!parsed) {
    std::string shown = detail::one_line(text.substr(0, 200));
    return detail::checker_error_verdict(
        "the Lean REPL's output is not one JSON response" +
        (shown.empty() ? std::string(" (it printed nothing)") : ": " + shown));
  }
  return classify_repl_response(*parsed);
}

LeanVerdict classify_kimina_response(std::string_view body) {
  using detail::checker_error_verdict;
  using detail::one_line;
  auto parsed = wire::parse_json(body, "kimina-lean-server answer");
  if (!parsed)
    return checker_error_verdict("the Lean server's answer is not JSON: " +
                                 one_line(body.substr(0, 200)));
  const json* result = &*parsed;
  if (result->is_object() && result->contains("results")) result = &(*result)["results"];
  if (result->is_array()) {
    if (result->size() != 1)
      return checker_error_verdict("the Lean server answered with " +
                                   std::to_string(result->size()) + " results for one proof");
    result = &(*result)[0];
  }
  if (!result->is_object())
    return checker_error_verdict("the Lean server's result is not a JSON object");

  std::string error_text;
  const auto error = result->find("error");
  if (error != result->end() && !error->is_null()) {
    if (!error->is_string())
      return checker_error_verdict("the Lean server's `error` is not a string");
    error_text = error->get<std::string>();
  }
  if (!error_text.empty() && (contains_ignoring_case(error_text, "timed out") ||
                              contains_ignoring_case(error_text, "timeout"))) {
    LeanVerdict verdict;
    verdict.status = LeanStatus::timeout;
    verdict.explanation = "Lean timed out (the server says: " + one_line(error_text) + ")";
    return verdict;
  }
  const auto response = result->find("response");
  if (response == result->end() || response->is_null())
    return checker_error_verdict(
        error_text.empty() ? "the Lean server's result has neither a response nor an error"
                           : "the Lean server reported: " + one_line(error_text));
  LeanVerdict verdict = classify_repl_response(*response);
  // An error beside a response: never let it pass as a proof (a Lean error in the response
  // says more, so it is kept).
  if (!error_text.empty() &&
      (verdict.status == LeanStatus::valid || verdict.status == LeanStatus::uses_sorry)) {
    verdict.status = LeanStatus::checker_error;
    verdict.explanation = "the Lean server reported: " + one_line(error_text);
  }
  return verdict;
}

}  // namespace lemma::math
