// eval_sample_from_json(): a results.jsonl line (a file the engine appended to, possibly edited
// or torn) into an EvalSample, with an error naming the first bad key instead of an exception.
#include <cstdint>
#include <limits>
#include <string>

#include "lemma/error.hpp"
#include "lemma/math/eval_stats.hpp"

namespace lemma::math {
namespace {

using nlohmann::json;

// The value of `key`, or nullptr when it is absent or null.
const json* present(const json& line, const char* key) {
  auto it = line.find(key);
  return it == line.end() || it->is_null() ? nullptr : &*it;
}

Error wrong_type(const char* key, const char* expected, const json& value) {
  return invalid_request_error(key, std::string("results line: \"") + key + "\" must be " +
                                        expected + ", not " + value.type_name() +
                                        "; fix or remove the line and run again");
}

// A non-negative integer (an integral float such as 12.0 too, as some writers emit them).
bool read_count(const json& value, std::int64_t& out) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
    out = static_cast<std::int64_t>(v);
    return true;
  }
  if (value.is_number_integer()) {
    out = value.get<std::int64_t>();
    return out >= 0;
  }
  if (value.is_number_float()) {
    const double v = value.get<double>();
    // Range checked before the conversion, which would otherwise be undefined.
    if (!(v >= 0 && v < 9.2e18) || v != static_cast<double>(static_cast<std::int64_t>(v))) {
      return false;
    }
    out = static_cast<std::int64_t>(v);
    return true;
  }
  return false;
}

}  // namespace

Result<EvalSample> eval_sample_from_json(const json& line) {
  if (!line.is_object()) {
    return invalid_request_error("", std::string("results line: expected a JSON object, not ") +
                                         line.type_name() + "; fix or remove the line");
  }
  EvalSample s;

  const json* id = present(line, "id");
  if (id == nullptr) {
    return invalid_request_error("id",
                                 "results line: \"id\" (the problem id) is missing; fix or "
                                 "remove the line and run again");
  }
  if (id->is_string()) {
    s.problem_id = id->get<std::string>();
  } else if (id->is_number_integer()) {
    s.problem_id = id->dump();
  } else {
    return wrong_type("id", "a string or an integer", *id);
  }

  const json* sample = present(line, "sample");
  std::int64_t index = 0;
  if (sample == nullptr) {
    return invalid_request_error("sample",
                                 "results line: \"sample\" (the sample index) is "
                                 "missing; fix or remove the line and run again");
  }
  if (!read_count(*sample, index) || index > std::numeric_limits<int>::max()) {
    return wrong_type("sample", "an integer from 0", *sample);
  }
  s.sample = static_cast<int>(index);

  for (auto [key, target] : {std::pair<const char*, std::string*>{"custom_id", &s.custom_id},
                             {"finish_reason", &s.finish_reason}}) {
    if (const json* v = present(line, key)) {
      if (!v->is_string()) return wrong_type(key, "a string or null", *v);
      *target = v->get<std::string>();
    }
  }
  if (const json* v = present(line, "extracted")) {
    if (!v->is_string()) return wrong_type("extracted", "a string or null", *v);
    s.extracted = v->get<std::string>();
  }
  if (const json* v = present(line, "correct")) {
    if (!v->is_boolean()) return wrong_type("correct", "true, false or null", *v);
    s.correct = v->get<bool>();
  }
  s.failed = present(line, "error") != nullptr;

  for (auto [key, target] :
       {std::pair<const char*, std::optional<double>*>{"latency_ms", &s.latency_ms},
        {"ttft_ms", &s.ttft_ms},
        {"cost_usd", &s.cost_usd}}) {
    if (const json* v = present(line, key)) {
      if (!v->is_number()) return wrong_type(key, "a number or null", *v);
      *target = v->get<double>();
    }
  }
  for (auto [key, target] :
       {std::pair<const char*, std::int64_t*>{"prompt_tokens", &s.prompt_tokens},
        {"completion_tokens", &s.completion_tokens}}) {
    if (const json* v = present(line, key)) {
      if (!read_count(*v, *target)) return wrong_type(key, "an integer from 0 or null", *v);
    }
  }

  if (const json* fields = present(line, "fields")) {
    if (!fields->is_object()) return wrong_type("fields", "an object or null", *fields);
    for (const auto& [name, value] : fields->items()) {
      if (value.is_null()) continue;
      s.fields[name] = value.is_string()
                           ? value.get<std::string>()
                           : value.dump(-1, ' ', false, json::error_handler_t::replace);
    }
  }
  // A failed request has no answer, whatever the line says.
  if (s.failed) s.extracted.reset();
  return s;
}

}  // namespace lemma::math
