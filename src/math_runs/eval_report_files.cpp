// write_eval_report(): the files of a run directory in, DIR/report.html out.

#include <algorithm>
#include <cstdint>

#include "lemma/math/eval_report.hpp"
#include "run_files.hpp"

namespace lemma::math {
namespace {

using detail::for_each_line;
using detail::read_whole_file;
using nlohmann::json;

std::string optional_text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<ResponseTexts> read_response_texts(const std::string& path,
                                          std::vector<std::string>& line_problems) {
  const std::optional<std::string> content = read_whole_file(path);
  if (!content) {
    return invalid_request_error("path", "Cannot read the responses file \"" + path +
                                             "\"; check the path and its permissions.");
  }
  ResponseTexts texts;
  for_each_line(*content, [&](std::size_t number, const std::string& text, bool) {
    const json line = json::parse(text, nullptr, false);
    const std::string where = path + " line " + std::to_string(number);
    if (line.is_discarded() || !line.is_object()) {
      line_problems.push_back(where + " is not a JSON object; its response text is not shown.");
      return;
    }
    const std::string custom_id = optional_text(line, "custom_id");
    if (custom_id.empty()) {
      line_problems.push_back(where + " has no custom_id; its response text is not shown.");
      return;
    }
    // A failed request (an error, or a response without a completion body) has no text.
    const auto response = line.find("response");
    if (response == line.end() || !response->is_object()) return;
    const auto body = response->find("body");
    if (body == response->end() || !body->is_object()) return;
    const auto choices = body->find("choices");
    if (choices == body->end() || !choices->is_array()) return;
    // In choice.index order (how lemma eval numbers n-mode samples), whatever order the server
    // listed them in; a choice without an index keeps its place.
    std::vector<const json*> ordered;
    for (const json& choice : *choices) ordered.push_back(&choice);
    const auto index_of = [](const json* choice) -> std::int64_t {
      if (!choice->is_object()) return -1;
      const auto index = choice->find("index");
      return index != choice->end() && index->is_number_integer() ? index->get<std::int64_t>() : -1;
    };
    if (std::all_of(ordered.begin(), ordered.end(),
                    [&](const json* c) { return index_of(c) >= 0; })) {
      std::stable_sort(ordered.begin(), ordered.end(),
                       [&](const json* a, const json* b) { return index_of(a) < index_of(b); });
    }
    std::vector<ResponseText> out;
    for (const json* choice_pointer : ordered) {
      const json& choice = *choice_pointer;
      ResponseText one;
      if (choice.is_object()) {
        const auto message = choice.find("message");
        if (message != choice.end() && message->is_object()) {
          one.content = optional_text(*message, "content");
          one.reasoning = optional_text(*message, "reasoning_content");
          // Newer vLLM and some gateways name the field "reasoning".
          if (one.reasoning.empty()) one.reasoning = optional_text(*message, "reasoning");
        }
      }
      out.push_back(std::move(one));
    }
    // A later line for the same custom_id (a resumed run) replaces the earlier one.
    texts[custom_id] = std::move(out);
  });
  return texts;
}

Result<EvalReportFile> write_eval_report(const std::string& dir, const EvalReportOptions& options) {
  const std::string summary_path = detail::join_path(dir, "summary.json");
  const std::optional<std::string> summary_text = read_whole_file(summary_path);
  if (!summary_text) {
    return invalid_request_error(
        "dir", "Cannot read \"" + summary_path +
                   "\"; give the directory of a finished `lemma eval --output DIR` run.");
  }
  const json summary = json::parse(*summary_text, nullptr, false);
  if (summary.is_discarded() || !summary.is_object()) {
    return invalid_request_error("dir", "\"" + summary_path +
                                            "\" is not a JSON object; run `lemma eval` on the "
                                            "directory again to rewrite it.");
  }

  EvalReportFile written;
  written.path = detail::join_path(dir, "report.html");
  std::vector<json> results;
  const std::string results_path = detail::join_path(dir, "results.jsonl");
  if (const std::optional<std::string> content = read_whole_file(results_path)) {
    for_each_line(*content, [&](std::size_t number, const std::string& text, bool) {
      json line = json::parse(text, nullptr, false);
      if (line.is_discarded() || !line.is_object()) {
        written.skipped_lines.push_back(results_path + " line " + std::to_string(number) +
                                        " is not a JSON object; it is left out of the report.");
        return;
      }
      results.push_back(std::move(line));
    });
  }
  ResponseTexts texts;
  const std::string responses_path = detail::join_path(dir, "responses.jsonl");
  if (read_whole_file(responses_path)) {
    Result<ResponseTexts> read = read_response_texts(responses_path, written.skipped_lines);
    if (read) texts = std::move(*read);
  }

  EvalReportOptions with_notes = options;
  with_notes.skipped_lines.insert(with_notes.skipped_lines.end(), written.skipped_lines.begin(),
                                  written.skipped_lines.end());
  const std::string html = render_eval_report(summary, results, texts, with_notes);

  // Through a temporary file, so a reader never sees half a report.
  if (Result<Done> replaced = detail::replace_file(written.path, html); !replaced) {
    return replaced.error();
  }
  return written;
}

}  // namespace lemma::math
