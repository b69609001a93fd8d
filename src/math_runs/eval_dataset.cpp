// The dataset side of an evaluation: reading problems from JSONL and filling the prompt.

#include <map>
#include <set>
#include <string_view>

#include "lemma/math/evaluation.hpp"
#include "lemma/math/proof_prompts.hpp"
#include "lemma/wire.hpp"
#include "run_files.hpp"

namespace lemma::math {
namespace {

using nlohmann::json;

// An id or answer may be a string or a number (GSM8K-style datasets store 72, not "72").
std::optional<std::string> scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return value.dump();
  return std::nullopt;
}

// The value of a dataset field as prompt text: strings as they are, anything else as JSON.
std::string field_text(const json& value) {
  return value.is_string() ? value.get<std::string>()
                           : value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

const std::string& default_eval_prompt() {
  static const std::string kPrompt =
      "{problem}\nPlease reason step by step, and put your final answer within \\boxed{}.";
  return kPrompt;
}

Result<std::string> render_eval_prompt(const std::string& prompt_template,
                                       const EvalProblem& problem) {
  if (prompt_template.find("{problem}") == std::string::npos) {
    return invalid_request_error(
        "prompt_template",
        "The prompt template has no {problem}; put {problem} where the problem's text goes.");
  }
  // render_template() makes one pass, so a problem that itself contains "{id}" stays as
  // written, and braces that name nothing known (LaTeX) are kept.
  std::map<std::string, std::string> values;
  if (problem.fields.is_object()) {
    for (const auto& [name, value] : problem.fields.items()) values[name] = field_text(value);
  }
  values["problem"] = problem.problem;
  values["id"] = problem.id;
  return render_template(prompt_template, values);
}

Result<Dataset> read_dataset(const std::string& path, const DatasetFields& names) {
  const std::optional<std::string> content = detail::read_whole_file(path);
  if (!content) {
    return invalid_request_error("dataset",
                                 "Cannot read the dataset \"" + path +
                                     "\"; check the path (one JSON problem per line: {\"id\", "
                                     "\"problem\", \"answer\", ...}).");
  }
  Dataset dataset;
  std::set<std::string> ids;
  std::string_view text_view = *content;
  // A byte-order mark (some editors write one) is not part of the first line's JSON.
  if (text_view.substr(0, 3) == "\xEF\xBB\xBF") text_view.remove_prefix(3);
  const std::string text_content(text_view);
  detail::for_each_line(text_content, [&](std::size_t number, const std::string& text, bool) {
    auto fail = [&](std::string message) {
      dataset.errors.push_back(DatasetLineError{number, std::move(message)});
    };
    // Bounded nesting: a hostile line cannot exhaust the stack (here or when its fields are
    // copied into results).
    Result<json> parsed = wire::parse_json(text, "the line");
    if (!parsed) {
      fail(parsed.error().message + "; each line is one problem, {\"" + names.id + "\", \"" +
           names.problem + "\", \"" + names.answer + "\", ...}");
      return;
    }
    json line = std::move(*parsed);
    if (!line.is_object()) {
      fail("not a JSON object; each line is one problem, {\"" + names.id + "\", \"" +
           names.problem + "\", \"" + names.answer + "\", ...}");
      return;
    }
    EvalProblem problem;
    problem.line = number;
    const auto id = line.find(names.id);
    if (id == line.end() || id->is_null()) {
      problem.id = "line" + std::to_string(number);
    } else if (std::optional<std::string> text_id = scalar_text(*id)) {
      problem.id = *text_id;
    } else {
      fail("\"" + names.id + "\" must be a string or a number");
      return;
    }
    if (problem.id.empty()) {
      fail("\"" + names.id + "\" is empty; give each problem a unique id");
      return;
    }
    std::string problem_key = names.problem;
    if (!line.contains(problem_key) && names.problem == "problem" && line.contains("question")) {
      problem_key = "question";  // GSM8K's name for it
    }
    const auto statement = line.find(problem_key);
    if (statement == line.end() || !statement->is_string() ||
        statement->get_ref<const std::string&>().find_first_not_of(" \t\r\n") ==
            std::string::npos) {
      fail("no \"" + names.problem + "\" text (the problem statement, a non-empty string)");
      return;
    }
    problem.problem = statement->get<std::string>();
    const auto answer = line.find(names.answer);
    std::optional<std::string> answer_text;
    if (answer != line.end()) answer_text = scalar_text(*answer);
    if (!answer_text || answer_text->find_first_not_of(" \t\r\n") == std::string::npos) {
      fail("no \"" + names.answer + "\" (the reference answer, a non-empty string or a number)");
      return;
    }
    problem.answer = *answer_text;
    if (!ids.insert(problem.id).second) {
      fail("the id \"" + problem.id +
           "\" is used by an earlier line; ids must be unique (this line is left out)");
      return;
    }
    line.erase(names.id);
    line.erase(problem_key);
    line.erase(names.answer);
    problem.fields = std::move(line);
    dataset.problems.push_back(std::move(problem));
  });
  if (dataset.problems.empty()) {
    std::string message = "The dataset \"" + path + "\" holds no usable problem";
    if (!dataset.errors.empty()) {
      message += " (line " + std::to_string(dataset.errors.front().line) + ": " +
                 dataset.errors.front().message + ")";
    }
    return invalid_request_error("dataset", message + ".");
  }
  return dataset;
}

}  // namespace lemma::math
