// `lemma grade`: each input line is graded on its own; a line that cannot be read becomes an
// error record naming its line number, and the rest goes on.

#include "grade_command.hpp"

#include <cstddef>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "lemma/math/compare.hpp"
#include "lemma/math/grade.hpp"

namespace lemma::cli {
namespace {

using Json = nlohmann::ordered_json;  // keeps the input's key order in the output

// A reference may be a JSON string or a number (GSM8K-style datasets store 72, not "72").
std::optional<std::string> answer_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return value.dump();
  return std::nullopt;
}

// One input line, read: either graded (the output record) or an error message.
struct LineOutcome {
  Json record;
  std::optional<std::string> error;
  math::Verdict::Result result = math::Verdict::Result::undecided;
  bool no_answer = false;
};

LineOutcome failed(std::string message) {
  LineOutcome o;
  o.error = std::move(message);
  return o;
}

void add_verdict(Json& record, const math::Verdict& v, LineOutcome& outcome) {
  record["extracted"] = v.extracted ? Json(*v.extracted) : Json(nullptr);
  record["verdict"] = math::to_string(v.result);
  record["rule"] = v.rule;
  record["explanation"] = v.explanation;
  outcome.result = v.result;
  outcome.no_answer = v.rule == "no_answer";
}

// {"answer", "response"} or {"answer", "prediction"}, other fields kept.
LineOutcome grade_plain(Json line, const math::GradeOptions& options) {
  const auto answer_it = line.find("answer");
  if (answer_it == line.end()) {
    if (line.contains("custom_id")) {
      return failed(
          "no \"answer\" field; for OpenAI Batch output lines, give the answers with "
          "--answers FILE");
    }
    return failed("no \"answer\" field (the reference answer)");
  }
  const std::optional<std::string> reference = answer_text(*answer_it);
  if (!reference) return failed("\"answer\" must be a string or a number");
  const bool has_response = line.contains("response");
  const bool has_prediction = line.contains("prediction");
  if (has_response == has_prediction) {
    return failed(
        "each line needs exactly one of \"response\" (a whole model answer) or \"prediction\" "
        "(an answer to compare as is)");
  }
  LineOutcome outcome;
  if (has_response) {
    const Json& response = line["response"];
    if (!response.is_string() && !response.is_null()) {
      return failed(
          "\"response\" must be a string (for OpenAI Batch output lines, pass --answers FILE)");
    }
    const std::string text = response.is_string() ? response.get<std::string>() : std::string();
    add_verdict(line, math::grade(text, *reference, options), outcome);
  } else {
    const std::optional<std::string> prediction = answer_text(line["prediction"]);
    if (!prediction) return failed("\"prediction\" must be a string or a number");
    math::Verdict v = math::compare(*prediction, *reference, options.compare);
    v.extracted = *prediction;
    add_verdict(line, v, outcome);
  }
  outcome.record = std::move(line);
  return outcome;
}

// The error of an OpenAI Batch (object) or vLLM run-batch (string) output line, if any.
std::optional<std::string> batch_error(const Json& line) {
  const auto it = line.find("error");
  if (it == line.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("message") && (*it)["message"].is_string()) {
    return (*it)["message"].get<std::string>();
  }
  return it->dump();
}

// An OpenAI Batch output line: {"id","custom_id","response":{"status_code","body"},"error"}.
// One outcome per choice: a request sent with n > 1 (`lemma eval` on vLLM, say) holds several
// answers, each graded; such lines give one compact record per choice ("choice": i).
std::vector<LineOutcome> grade_batch(Json line,
                                     const std::unordered_map<std::string, std::string>& answers,
                                     const std::string& answers_path,
                                     const math::GradeOptions& options) {
  const auto id_it = line.find("custom_id");
  if (id_it == line.end() || !id_it->is_string()) {
    return {failed("no \"custom_id\" string (expected an OpenAI Batch output line)")};
  }
  const std::string custom_id = id_it->get<std::string>();
  if (auto error = batch_error(line)) return {failed("the request failed: " + *error)};
  const auto response_it = line.find("response");
  if (response_it == line.end() || !response_it->is_object()) {
    return {failed("no \"response\" object (expected an OpenAI Batch output line)")};
  }
  const Json& response = *response_it;
  if (response.contains("status_code") && response["status_code"].is_number_integer() &&
      response["status_code"].get<long>() != 200) {
    return {failed("the request failed with HTTP status " + response["status_code"].dump())};
  }
  const auto body_it = response.find("body");
  if (body_it == response.end() || !body_it->is_object() || !body_it->contains("choices") ||
      !(*body_it)["choices"].is_array() || (*body_it)["choices"].empty()) {
    return {failed("the response body has no choices")};
  }
  const auto answer = answers.find(custom_id);
  if (answer == answers.end()) {
    return {failed("no answer for custom_id \"" + custom_id + "\" in " + answers_path)};
  }
  const Json& choices = (*body_it)["choices"];
  std::vector<LineOutcome> outcomes;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    const Json& choice = choices[i];
    if (!choice.is_object()) {
      outcomes.push_back(failed("choice " + std::to_string(i) + " is not an object"));
      continue;
    }
    std::string content;
    if (choice.contains("message") && choice["message"].is_object()) {
      const Json& message = choice["message"];
      if (message.contains("content") && message["content"].is_string()) {
        content = message["content"].get<std::string>();
      }
    }
    const bool truncated = choice.contains("finish_reason") && choice["finish_reason"] == "length";
    Json record;
    if (choices.size() == 1) {
      record = line;
    } else {
      record["id"] = line.contains("id") ? line["id"] : Json(nullptr);
      record["custom_id"] = custom_id;
      record["choice"] = choice.contains("index") && choice["index"].is_number_integer()
                             ? choice["index"]
                             : Json(i);
    }
    LineOutcome outcome;
    add_verdict(record, math::grade(content, answer->second, options), outcome);
    record["truncated"] = truncated;
    outcome.record = std::move(record);
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

// Reads the {"custom_id", "answer"} lines; a bad line is reported on `err` and skipped.
std::size_t read_answers(std::istream& in, std::ostream& err, const std::string& path,
                         std::unordered_map<std::string, std::string>& answers) {
  std::size_t bad = 0;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const Json row = Json::parse(line, nullptr, false);
    std::optional<std::string> answer;
    if (row.is_object() && row.contains("custom_id") && row["custom_id"].is_string() &&
        row.contains("answer")) {
      answer = answer_text(row["answer"]);
    }
    if (!answer) {
      err << "lemma grade: " << path << ":" << number
          << ": expected {\"custom_id\": \"...\", \"answer\": \"...\"}; line skipped\n";
      ++bad;
      continue;
    }
    answers[row["custom_id"].get<std::string>()] = std::move(*answer);
  }
  return bad;
}

std::string percent(std::size_t part, std::size_t whole) {
  if (whole == 0) return "n/a";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%",
                100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buffer;
}

}  // namespace

int run_grade(std::istream& in, std::ostream& out, std::ostream& err, std::istream* answers_in,
              const GradeSettings& settings, const std::function<bool()>& interrupted) {
  math::GradeOptions options;
  options.extract.multiple_choice = settings.multiple_choice;
  options.extract.last_number = settings.last_number;
  options.compare.decimal_comma = settings.decimal_comma;

  std::unordered_map<std::string, std::string> answers;
  std::size_t failures = 0;
  if (answers_in != nullptr) failures += read_answers(*answers_in, err, settings.answers, answers);

  std::size_t graded = 0, equal = 0, not_equal = 0, undecided = 0, no_answer = 0;
  std::string text;
  for (std::size_t number = 1; std::getline(in, text); ++number) {
    if (interrupted && interrupted()) {
      out.flush();
      err << "lemma grade: interrupted before line " << number
          << " (the lines before it were written)\n";
      return kExitInterrupted;
    }
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines
    Json line = Json::parse(text, nullptr, false);
    std::vector<LineOutcome> outcomes;
    if (line.is_discarded()) {
      outcomes.push_back(failed("not valid JSON"));
    } else if (!line.is_object()) {
      outcomes.push_back(failed("not a JSON object"));
    } else if (answers_in != nullptr) {
      outcomes = grade_batch(std::move(line), answers, settings.answers, options);
    } else {
      outcomes.push_back(grade_plain(std::move(line), options));
    }
    for (LineOutcome& outcome : outcomes) {
      if (outcome.error) {
        ++failures;
        Json record;
        record["line"] = number;
        record["error"] = *outcome.error;
        out << record.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
        err << "lemma grade: line " << number << ": " << *outcome.error << '\n';
        continue;
      }
      ++graded;
      switch (outcome.result) {
        case math::Verdict::Result::equal: ++equal; break;
        case math::Verdict::Result::not_equal: ++not_equal; break;
        case math::Verdict::Result::undecided: ++undecided; break;
      }
      if (outcome.no_answer) ++no_answer;
      out << outcome.record.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
    }
  }
  out.flush();
  if (!out) {
    err << "lemma grade: could not write the output\n";
    return kExitNothingDone;
  }
  err << "lemma grade: " << graded << " graded, accuracy " << percent(equal, graded) << " ("
      << equal << " equal, " << not_equal << " not_equal, " << undecided << " undecided), "
      << no_answer << " with no answer found, " << failures << " could not be read\n";
  return failures == 0 ? kExitSuccess : kExitSomeFailed;
}

GradeCommand::GradeCommand(CLI::App& app)
    : command_(app.add_subcommand(
          "grade", "Grade model answers against reference answers (offline: no provider or key)")) {
  command_->add_option("input", settings_.input,
                       "JSONL file, or - for standard input (default). Each line has \"answer\" "
                       "and \"response\" (a whole model answer) or \"prediction\" (an answer)");
  command_->add_option("-o,--output", settings_.output,
                       "Write the graded lines here instead of standard output");
  command_->add_option("--answers", settings_.answers,
                       "The input is OpenAI Batch output; this JSONL file gives each custom_id "
                       "its reference answer: {\"custom_id\": ..., \"answer\": ...}");
  command_->add_flag("--multiple-choice", settings_.multiple_choice,
                     "Read multiple-choice letters: \"(B)\" and \"Answer: B\" give B");
  command_->add_flag("--last-number", settings_.last_number,
                     "When a response has no other answer, take its last number");
  command_->add_flag("--decimal-comma", settings_.decimal_comma, "Read \"3,5\" as 3.5");
  command_->footer(
      "Output: each input line plus \"extracted\", \"verdict\" (equal / not_equal / undecided), "
      "\"rule\", \"explanation\" (and \"truncated\" for Batch lines); a line that cannot be read "
      "gives {\"line\": N, \"error\": ...}. A summary goes to standard error.\n"
      "Example:\n"
      "  lemma grade examples/data/grade_sample.jsonl\n"
      "  lemma grade batch_output.jsonl --answers answers.jsonl -o graded.jsonl\n"
      "Exit codes: 0 every line graded (whatever the verdicts), 1 some lines could not be read, "
      "2 usage error, 3 the output could not be written.");
}

bool GradeCommand::selected() const {
  return command_->parsed();
}

int GradeCommand::run(const InterruptGuard& guard) {
  std::ifstream input_file;
  std::istream* in = &std::cin;
  if (settings_.input != "-") {
    input_file.open(settings_.input, std::ios::binary);
    if (!input_file) {
      std::cerr << "lemma grade: cannot open " << settings_.input
                << " for reading; pass an existing JSONL file, or - for standard input\n";
      return kExitUsage;
    }
    in = &input_file;
  }
  std::ifstream answers_file;
  if (!settings_.answers.empty()) {
    answers_file.open(settings_.answers, std::ios::binary);
    if (!answers_file) {
      std::cerr << "lemma grade: cannot open the answers file " << settings_.answers << '\n';
      return kExitUsage;
    }
  }
  std::ofstream output_file;
  std::ostream* out = &std::cout;
  if (!settings_.output.empty()) {
    output_file.open(settings_.output, std::ios::binary | std::ios::trunc);
    if (!output_file) {
      std::cerr << "lemma grade: cannot open " << settings_.output << " for writing\n";
      return kExitUsage;
    }
    out = &output_file;
  }
  return run_grade(*in, *out, std::cerr, settings_.answers.empty() ? nullptr : &answers_file,
                   settings_, [&guard] { return guard.interrupted(); });
}

}  // namespace lemma::cli
