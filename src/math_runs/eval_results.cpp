#include "eval_results.hpp"

#include <algorithm>
#include <vector>

#include "lemma/catalog.hpp"
#include "lemma/wire.hpp"

namespace lemma::math::detail {
namespace {

using Json = nlohmann::ordered_json;  // results lines read best with their keys in this order

Json optional_number(const std::optional<double>& value) {
  return value ? Json(*value) : Json(nullptr);
}

// The fields every line of the request shares, in results.jsonl's key order.
Json base_line(const std::string& custom_id, const EvalProblem& problem, int sample) {
  Json line;
  line["id"] = problem.id;
  line["sample"] = sample;
  line["custom_id"] = custom_id;
  return line;
}

void finish_line(Json& line, const EvalProblem& problem, std::string& out) {
  line["reference"] = problem.answer;
  line["problem"] = problem.problem;
  line["fields"] = problem.fields;
  out += line.dump(-1, ' ', false, Json::error_handler_t::replace);
  out += '\n';
}

// One failed sample: no answer, counted wrong, with the error that explains it.
void failed_line(const std::string& custom_id, const EvalProblem& problem, int sample,
                 const std::string& code, const std::string& message, const EvalTiming& timing,
                 std::string& out) {
  Json line = base_line(custom_id, problem, sample);
  line["extracted"] = nullptr;
  line["verdict"] = nullptr;
  line["rule"] = nullptr;
  line["correct"] = false;
  line["finish_reason"] = nullptr;
  line["latency_ms"] = optional_number(timing.latency_ms);
  line["ttft_ms"] = optional_number(timing.ttft_ms);
  line["prompt_tokens"] = 0;
  line["completion_tokens"] = 0;
  line["cost_usd"] = nullptr;
  line["error"] = {{"code", code}, {"message", message}};
  finish_line(line, problem, out);
}

}  // namespace

std::string graded_lines(const std::string& custom_id, const EvalRequestPlan& plan,
                         const EvalProblem& problem, const ChatResponse& response,
                         const EvalTiming& timing, const GradeOptions& grade_options) {
  // Choices in their index order: the i-th is sample first_sample + i.
  std::vector<const Choice*> choices;
  for (const Choice& choice : response.choices) choices.push_back(&choice);
  std::stable_sort(choices.begin(), choices.end(),
                   [](const Choice* a, const Choice* b) { return a->index < b->index; });
  std::string out;
  for (int i = 0; i < plan.samples; ++i) {
    if (static_cast<std::size_t>(i) >= choices.size()) {
      failed_line(custom_id, problem, plan.first_sample + i, "protocol",
                  "the server returned " + std::to_string(choices.size()) +
                      " choices for n = " + std::to_string(plan.samples) +
                      "; it does not support n: run again into a new output directory with "
                      "--sample-mode separate",
                  timing, out);
      continue;
    }
    Json line = base_line(custom_id, problem, plan.first_sample + i);
    const Choice& choice = *choices[static_cast<std::size_t>(i)];
    const std::string content = choice.message.content.value_or("");
    const Verdict verdict = grade(content, problem.answer, grade_options);
    line["extracted"] = verdict.extracted ? Json(*verdict.extracted) : Json(nullptr);
    line["verdict"] = to_string(verdict.result);
    line["rule"] = verdict.rule;
    line["correct"] = verdict.result == Verdict::Result::equal;
    line["finish_reason"] = choice.finish_reason;
    line["latency_ms"] = optional_number(timing.latency_ms);
    line["ttft_ms"] = optional_number(timing.ttft_ms);
    // One request's usage and cost on its first sample, so sums over samples are exact.
    const bool first = i == 0;
    line["prompt_tokens"] = first && response.usage ? response.usage->prompt_tokens : 0;
    line["completion_tokens"] = first && response.usage ? response.usage->completion_tokens : 0;
    line["cost_usd"] = first ? optional_number(response.cost_usd) : Json(nullptr);
    line["error"] = nullptr;
    finish_line(line, problem, out);
  }
  return out;
}

std::string failed_lines(const std::string& custom_id, const EvalRequestPlan& plan,
                         const EvalProblem& problem, const std::string& code,
                         const std::string& message, const EvalTiming& timing) {
  std::string out;
  for (int i = 0; i < plan.samples; ++i) {
    failed_line(custom_id, problem, plan.first_sample + i, code, message, timing, out);
  }
  return out;
}

std::optional<std::string> lines_from_batch_record(
    const nlohmann::json& record, const std::string& custom_id, const EvalRequestPlan& plan,
    const EvalProblem& problem, const GradeOptions& grade, const Provider& provider,
    const EvalTiming& timing) {
  // The files may have been edited by hand: every member is type-checked, nothing throws.
  const auto text_of = [](const nlohmann::json& object,
                          const char* key) -> std::optional<std::string> {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  const auto response = record.find("response");
  const auto error = record.find("error");
  const bool has_response = response != record.end() && response->is_object();
  int status = 0;
  if (has_response) {
    const auto code = response->find("status_code");
    if (code == response->end() || !code->is_number_integer()) return std::nullopt;
    status = code->get<int>();
  }
  if (has_response && status == 200) {
    const auto body = response->find("body");
    if (body == response->end() || !body->is_object()) return std::nullopt;
    Result<ChatResponse> decoded = wire::decode_chat_response(*body);
    if (!decoded) return std::nullopt;
    if (decoded->usage) {
      if (const ModelSpec* spec = provider.model_spec(decoded->model)) {
        decoded->cost_usd = spec->cost(*decoded->usage);
      }
    }
    return graded_lines(custom_id, plan, problem, *decoded, timing, grade);
  }
  std::string code = "error";
  std::string message = "the request failed";
  if (error != record.end() && error->is_object()) {
    code = text_of(*error, "code").value_or(code);
    message = text_of(*error, "message").value_or(message);
  } else if (has_response) {
    // An HTTP failure: OpenAI's layout keeps the status and the server's error body.
    code = std::string(to_string(error_kind_for_status(status)));  // as a live failure says
    message = "HTTP " + std::to_string(status);
    const auto body = response->find("body");
    if (body != response->end() && body->is_object()) {
      const auto inner = body->find("error");
      if (inner != body->end() && inner->is_object()) {
        if (std::optional<std::string> text = text_of(*inner, "message")) message += ": " + *text;
      }
    }
  } else {
    return std::nullopt;
  }
  return failed_lines(custom_id, plan, problem, code, message, timing);
}

}  // namespace lemma::math::detail
