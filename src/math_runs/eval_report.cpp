#include "lemma/math/eval_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <utility>

#include "eval_report_format.hpp"
#include "eval_report_svg.hpp"
#include "lemma/version.hpp"

namespace lemma::math {
namespace {

using detail::escape_html;
using nlohmann::json;
using Path = std::vector<std::string>;

// How a number is shown; `plain` is the value as written in the file (settings such as a
// temperature, whose unit the report does not know).
enum class Format { percent, se, count, ms, seconds, usd, plain };

// summary.json is untrusted input: walk objects only, never throw.
const json* find(const json& root, const Path& path) {
  const json* node = &root;
  for (const std::string& key : path) {
    if (!node->is_object()) return nullptr;
    const auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

std::string format_number(const json* value, Format format) {
  if (value == nullptr || !value->is_number()) return "n/a";
  const double number = value->get<double>();
  switch (format) {
    case Format::percent: return detail::format_percent(number);
    case Format::se: return detail::format_se(number);
    case Format::count:
      if (value->is_number_integer() && !value->is_number_unsigned()) {
        return detail::format_count(value->get<std::int64_t>());
      }
      if (value->is_number_unsigned() &&
          value->get<std::uint64_t>() <=
              static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return detail::format_count(static_cast<std::int64_t>(value->get<std::uint64_t>()));
      }
      return detail::format_mean(number);
    case Format::ms: return detail::format_ms(number);
    case Format::seconds: return detail::format_seconds(number);
    case Format::usd: return detail::format_usd(number);
    case Format::plain: return value->dump();
  }
  return "n/a";
}

std::optional<double> number_at(const json& root, const Path& path) {
  const json* value = find(root, path);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  const double number = value->get<double>();
  if (!std::isfinite(number)) return std::nullopt;
  return number;
}

// A results.jsonl field as text: strings as they are, other values as JSON, absent/null empty.
std::string text_of(const json& line, const char* key) {
  const auto it = line.find(key);
  if (it == line.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<double> number_of(const json& line, const char* key) {
  const auto it = line.find(key);
  if (it == line.end() || !it->is_number()) return std::nullopt;
  const double number = it->get<double>();
  if (!std::isfinite(number)) return std::nullopt;
  return number;
}

bool has_error(const json& line) {
  const auto it = line.find("error");
  return it != line.end() && !it->is_null();
}

std::string error_text(const json& line) {
  const auto it = line.find("error");
  if (it == line.end() || it->is_null()) return {};
  if (it->is_object()) {
    std::string out = text_of(*it, "code");
    const std::string message = text_of(*it, "message");
    if (!message.empty()) out += (out.empty() ? "" : ": ") + message;
    return out;
  }
  return it->is_string() ? it->get<std::string>()
                         : it->dump(-1, ' ', false, json::error_handler_t::replace);
}

// The k of pass_at_k's keys ("1".."K"), in numeric order; other keys are ignored.
std::vector<std::size_t> ks_of(const json* by_k) {
  std::vector<std::size_t> ks;
  if (by_k == nullptr || !by_k->is_object()) return ks;
  for (const auto& item : by_k->items()) {
    const std::string& key = item.key();
    if (key.empty() || key.size() > 7 || key.find_first_not_of("0123456789") != std::string::npos ||
        key[0] == '0') {
      continue;
    }
    ks.push_back(static_cast<std::size_t>(std::stoul(key)));
  }
  std::sort(ks.begin(), ks.end());
  return ks;
}

// One sample of results.jsonl, as far as the report needs it.
struct Sample {
  const json* line = nullptr;
  std::string id;
  std::int64_t sample = 0;
  bool correct = false;
};

constexpr const char* kStyle = R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;margin:0;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #d8dce3;padding-bottom:4px}
h3{font-size:15px;margin:20px 0 6px}
.meta{color:#4a5263;margin:0 0 16px}.meta dt{font-weight:600;display:inline}.meta dd{display:inline;margin:0 16px 0 4px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:10px 12px}
.card .name{color:#4a5263;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.card .big{font-size:20px;font-weight:600}
.num{white-space:nowrap;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;background:#fff;margin:6px 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d8dce3;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef0f4}td.r,th.r{text-align:right}
.wrap{overflow-x:auto}
pre{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid #d8dce3;padding:8px;max-height:480px;overflow:auto;margin:4px 0}
details{margin:2px 0}summary{cursor:pointer}details details{margin-left:18px}
.note{color:#6b7385;font-style:italic}
.statement{white-space:pre-wrap;border-left:3px solid #c9cfda;margin:4px 0 4px 18px;padding:2px 10px}
.ok{color:#17803d}.bad{color:#b42318}
svg.chart{background:#fff;border:1px solid #d8dce3;border-radius:6px;max-width:100%;height:auto;display:block;margin:8px 0}
svg .grid{stroke:#e3e6eb}svg .axis{stroke:#4a5263}svg .tick,svg .legend,svg .label{font-size:11px;fill:#4a5263}
svg .axis-title{font-size:12px;fill:#1d2330}svg .value{font-size:11px;fill:#1d2330}
svg .bar{fill:#4c78a8}svg .series{fill:none;stroke-width:2}svg .point{stroke:none}
svg .s1{stroke:#4c78a8;fill:#4c78a8}svg .s2{stroke:#f58518;fill:#f58518}
svg path.s1,svg path.s2,svg line.s1,svg line.s2{fill:none}
svg text.s1,svg text.s2{stroke:none}
svg .marker{stroke:#b42318;stroke-dasharray:4 3}svg .marker-label{font-size:11px;fill:#b42318}
)css";

class Report {
 public:
  Report(const json& summary, const std::vector<json>& results, const ResponseTexts& responses,
         const EvalReportOptions& options)
      : summary_(summary), responses_(responses), options_(options) {
    for (std::size_t i = 0; i < results.size(); ++i) {
      const json& line = results[i];
      if (!line.is_object()) {
        skipped_.push_back("results line " + std::to_string(i + 1) +
                           " is not a JSON object; it is left out of the report.");
        continue;
      }
      Sample sample;
      sample.line = &line;
      sample.id = text_of(line, "id");
      const auto index = number_of(line, "sample");
      // An index outside int64's range (untrusted file) would make the cast undefined.
      sample.sample = index && std::fabs(*index) < 9e18 ? static_cast<std::int64_t>(*index) : 0;
      const auto correct = line.find("correct");
      sample.correct = correct != line.end() && correct->is_boolean() && correct->get<bool>();
      samples_.push_back(sample);
    }
  }

  std::string render() {
    std::string body;
    body += header();
    body += overview();
    body += pass_at_k_section();
    body += groups_section();
    body += latency_section();
    body += tokens_section();
    body += cost_section();
    body += wrong_answers_section();
    body += responses_section();
    body += skipped_section();
    body += "<footer><p class=\"note\">Written by lemma " + escape_html(kVersion) +
            " from summary.json and results.jsonl.</p></footer>";
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           // No load of any kind (scripts, images, fonts, frames, forms): the page stands alone,
           // and markup that escaped escaping could still not fetch or run anything.
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<title>" +
           escape_html(title()) + "</title><style>" + kStyle + "</style></head><body><main>" +
           body + "</main></body></html>\n";
  }

 private:
  std::string title() const {
    if (!options_.title.empty()) return options_.title;
    const json* model = find(summary_, {"model"});
    const json* dataset = find(summary_, {"dataset"});
    if (model == nullptr || !model->is_string()) return "lemma eval report";
    std::string title = "lemma eval: " + model->get<std::string>();
    if (dataset != nullptr && dataset->is_string()) title += " on " + dataset->get<std::string>();
    return title;
  }

  // A number from summary.json, marked with its JSON Pointer and exact value.
  std::string number(const Path& path, Format format) const {
    const json* value = find(summary_, path);
    if (value == nullptr) {
      // A null object ("ttft_ms": null when nothing streamed) is shown, and marked, as itself.
      for (std::size_t length = path.size(); length-- > 1;) {
        const Path prefix(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(length));
        const json* parent = find(summary_, prefix);
        if (parent != nullptr && parent->is_null()) {
          return "<span class=\"num\" data-summary=\"" + escape_html(detail::json_pointer(prefix)) +
                 "\" data-value=\"null\">n/a</span>";
        }
      }
      return "<span class=\"num\">n/a</span>";
    }
    return "<span class=\"num\" data-summary=\"" + escape_html(detail::json_pointer(path)) +
           "\" data-value=\"" +
           escape_html(value->dump(-1, ' ', false, json::error_handler_t::replace)) + "\">" +
           escape_html(format_number(value, format)) + "</span>";
  }

  detail::ChartValue chart_value(const Path& path, Format format, std::string label) const {
    detail::ChartValue out;
    out.label = std::move(label);
    const json* value = find(summary_, path);
    out.value = value != nullptr && value->is_number() ? value->get<double>()
                                                       : std::numeric_limits<double>::quiet_NaN();
    out.text = format_number(value, format);
    if (value != nullptr) {
      out.pointer = detail::json_pointer(path);
      out.json = value->dump(-1, ' ', false, json::error_handler_t::replace);
    }
    return out;
  }

  std::string string_at(const Path& path) const {
    const json* value = find(summary_, path);
    if (value == nullptr || value->is_null()) return {};
    return value->is_string() ? value->get<std::string>()
                              : value->dump(-1, ' ', false, json::error_handler_t::replace);
  }

  std::string card(const std::string& name, const std::string& big,
                   const std::string& small = {}) const {
    return "<div class=\"card\"><div class=\"name\">" + escape_html(name) +
           "</div><div class=\"big\">" + big + "</div>" +
           (small.empty() ? "" : "<div>" + small + "</div>") + "</div>";
  }

  std::string header() const {
    std::string out = "<header><h1>" + escape_html(title()) + "</h1><dl class=\"meta\">";
    for (const auto& [key, name] :
         std::vector<std::pair<const char*, const char*>>{{"model", "Model"},
                                                          {"provider", "Provider"},
                                                          {"dataset", "Dataset"},
                                                          {"created", "Created"}}) {
      const std::string value = string_at({key});
      if (!value.empty())
        out += "<dt>" + std::string(name) + "</dt><dd>" + escape_html(value) + "</dd>";
    }
    if (find(summary_, {"samples_per_problem"}) != nullptr) {
      out += "<dt>Samples per problem</dt><dd>" + number({"samples_per_problem"}, Format::count) +
             "</dd>";
    }
    out += "</dl>";
    const std::string prompt = string_at({"prompt_template"});
    if (!prompt.empty()) {
      out += "<details><summary>Prompt template</summary><pre>" + escape_html(prompt) +
             "</pre></details>";
    }
    const std::string settings = other_fields({}, summary_);
    if (!settings.empty()) out += "<dl class=\"meta\">" + settings + "</dl>";
    return out + "</header>";
  }

  // Fields of summary.json the report has no place for (run settings a later version adds):
  // shown as they are, numbers marked like every other, objects flattened to "a.b".
  std::string other_fields(const Path& at, const json& node) const {
    static const char* const kKnown[] = {"model",   "provider",        "dataset",
                                         "created", "prompt_template", "samples_per_problem",
                                         "overall", "groups",          "run"};
    if (!node.is_object()) return {};
    std::string out;
    for (const auto& item : node.items()) {
      if (at.empty() && std::find_if(std::begin(kKnown), std::end(kKnown), [&](const char* k) {
                          return item.key() == k;
                        }) != std::end(kKnown)) {
        continue;
      }
      Path path = at;
      path.push_back(item.key());
      if (item.value().is_object() && !item.value().empty()) {
        out += other_fields(path, item.value());
        continue;
      }
      std::string name;
      for (const std::string& key : path) name += (name.empty() ? "" : ".") + key;
      const std::string value =
          item.value().is_number() || item.value().is_null() ? number(path, Format::plain)
          : item.value().is_string()
              ? escape_html(item.value().get<std::string>())
              : escape_html(item.value().dump(-1, ' ', false, json::error_handler_t::replace));
      out += "<dt>" + escape_html(name) + "</dt><dd>" + value + "</dd>";
    }
    return out;
  }

  std::size_t largest_k(const Path& group) const {
    Path path = group;
    path.push_back("pass_at_k");
    const std::vector<std::size_t> ks = ks_of(find(summary_, path));
    return ks.empty() ? 0 : ks.back();
  }

  std::string overview() const {
    const Path overall{"overall"};
    const std::string big_k = std::to_string(largest_k(overall));
    std::string out = "<section id=\"overview\"><h2>Overview</h2><div class=\"cards\">";
    out += card("Accuracy (avg@k)", number({"overall", "accuracy"}, Format::percent),
                number({"overall", "accuracy_se"}, Format::se) + " (standard error)");
    if (largest_k(overall) > 0) {
      out += card("pass@1", number({"overall", "pass_at_k", "1"}, Format::percent));
      if (big_k != "1") {
        out += card("pass@" + big_k, number({"overall", "pass_at_k", big_k}, Format::percent));
      }
      out += card("maj@" + big_k, number({"overall", "majority_at_k", big_k}, Format::percent));
    }
    out += card("Problems", number({"overall", "problems"}, Format::count),
                number({"overall", "samples"}, Format::count) + " samples");
    out += card("No answer", number({"overall", "no_answer_rate"}, Format::percent));
    out += card("Cut off (length)", number({"overall", "cutoff_rate"}, Format::percent));
    out += card("Errors", number({"overall", "error_rate"}, Format::percent));
    out += card("Requests", number({"run", "request_counts", "total"}, Format::count),
                number({"run", "request_counts", "completed"}, Format::count) + " completed, " +
                    number({"run", "request_counts", "failed"}, Format::count) + " failed");
    out += card("Success rate", number({"run", "success_rate"}, Format::percent));
    out += card("Latency p50", number({"run", "latency_ms", "p50"}, Format::ms),
                "p90 " + number({"run", "latency_ms", "p90"}, Format::ms) + ", p99 " +
                    number({"run", "latency_ms", "p99"}, Format::ms));
    if (find(summary_, {"run", "ttft_ms", "p50"}) != nullptr) {
      out += card("Time to first token p50", number({"run", "ttft_ms", "p50"}, Format::ms),
                  "p90 " + number({"run", "ttft_ms", "p90"}, Format::ms) + ", p99 " +
                      number({"run", "ttft_ms", "p99"}, Format::ms));
    }
    out += card("Tokens", number({"run", "tokens", "completion"}, Format::count) + " out",
                number({"run", "tokens", "prompt"}, Format::count) + " in");
    out += card("Cost", number({"run", "cost_usd"}, Format::usd));
    out += card("Elapsed", number({"run", "elapsed_s"}, Format::seconds));
    return out + "</div></section>";
  }

  // The k = 1..K table (pass@k ± SE, maj@k) of one GROUP.
  std::string by_k_table(const Path& group) const {
    Path pass = group;
    pass.push_back("pass_at_k");
    const std::vector<std::size_t> ks = ks_of(find(summary_, pass));
    std::string out =
        "<div class=\"wrap\"><table><tr><th class=\"r\">k</th><th class=\"r\">pass@k</th>"
        "<th class=\"r\">SE</th><th class=\"r\">maj@k</th></tr>";
    for (const std::size_t k : ks) {
      const std::string key = std::to_string(k);
      Path se = group;
      se.insert(se.end(), {"pass_at_k_se", key});
      Path majority = group;
      majority.insert(majority.end(), {"majority_at_k", key});
      Path at = pass;
      at.push_back(key);
      out += "<tr><td class=\"r\">" + key + "</td><td class=\"r\">" + number(at, Format::percent) +
             "</td><td class=\"r\">" + number(se, Format::se) + "</td><td class=\"r\">" +
             number(majority, Format::percent) + "</td></tr>";
    }
    return out + "</table></div>";
  }

  std::string pass_at_k_section() const {
    std::string out = "<section id=\"pass-at-k\"><h2>Accuracy and pass@k</h2>";
    const std::vector<std::size_t> ks = ks_of(find(summary_, {"overall", "pass_at_k"}));
    if (ks.empty()) {
      return out + "<p class=\"note\">No pass@k in summary.json: the run graded no sample.</p>" +
             "</section>";
    }
    detail::ChartSeries pass{"pass@k", "s1", {}};
    detail::ChartSeries majority{"maj@k", "s2", {}};
    // The chart's x axis is k = 1..K; a k missing from summary.json leaves a gap.
    for (std::size_t k = 1; k <= ks.back() && k <= 4096; ++k) {
      const std::string key = std::to_string(k);
      pass.points.push_back(chart_value({"overall", "pass_at_k", key}, Format::percent, key));
      majority.points.push_back(
          chart_value({"overall", "majority_at_k", key}, Format::percent, key));
    }
    out += "<p>Accuracy (the mean over all samples, avg@k) is " +
           number({"overall", "accuracy"}, Format::percent) + " " +
           number({"overall", "accuracy_se"}, Format::se) +
           ". pass@k is the unbiased estimate of the chance that at least one of k samples is "
           "correct; maj@k grades the answer most of the first k samples agree on.</p>";
    out += detail::line_chart_svg({pass, majority}, "k (samples per problem)", "rate (%)");
    return out + by_k_table({"overall"}) + "</section>";
  }

  std::string groups_section() const {
    std::string out = "<section id=\"groups\"><h2>By group</h2>";
    const json* groups = find(summary_, {"groups"});
    if (groups == nullptr || !groups->is_object() || groups->empty()) {
      return out +
             "<p class=\"note\">No groups: the run was not grouped by a dataset field "
             "(lemma eval --group-by FIELD).</p></section>";
    }
    for (const auto& field : groups->items()) {
      out += "<h3>By " + escape_html(field.key()) + "</h3>";
      if (!field.value().is_object()) {
        out += "<p class=\"note\">Not an object in summary.json.</p>";
        continue;
      }
      std::vector<detail::ChartValue> bars;
      for (const auto& group : field.value().items()) {
        bars.push_back(chart_value({"groups", field.key(), group.key(), "accuracy"},
                                   Format::percent, group.key()));
      }
      out += detail::bar_chart_svg(bars, "accuracy (avg@k, %) by " + field.key());
      out += "<div class=\"wrap\"><table><tr><th>" + escape_html(field.key()) +
             "</th><th class=\"r\">problems</th><th class=\"r\">samples</th><th "
             "class=\"r\">accuracy</th><th class=\"r\">SE</th><th class=\"r\">pass@1</th><th "
             "class=\"r\">pass@K</th><th class=\"r\">maj@K</th><th class=\"r\">no answer</th><th "
             "class=\"r\">cut off</th><th class=\"r\">errors</th></tr>";
      for (const auto& group : field.value().items()) {
        const Path base{"groups", field.key(), group.key()};
        const auto at = [&](std::initializer_list<std::string> rest) {
          Path path = base;
          path.insert(path.end(), rest);
          return path;
        };
        const std::string big_k = std::to_string(largest_k(base));
        out += "<tr><td>" + escape_html(group.key()) + "</td><td class=\"r\">" +
               number(at({"problems"}), Format::count) + "</td><td class=\"r\">" +
               number(at({"samples"}), Format::count) + "</td><td class=\"r\">" +
               number(at({"accuracy"}), Format::percent) + "</td><td class=\"r\">" +
               number(at({"accuracy_se"}), Format::se) + "</td><td class=\"r\">" +
               number(at({"pass_at_k", "1"}), Format::percent) + "</td><td class=\"r\">" +
               (big_k == "0"
                    ? std::string("n/a")
                    : "K = " + big_k + ": " + number(at({"pass_at_k", big_k}), Format::percent)) +
               "</td><td class=\"r\">" +
               (big_k == "0" ? std::string("n/a")
                             : number(at({"majority_at_k", big_k}), Format::percent)) +
               "</td><td class=\"r\">" + number(at({"no_answer_rate"}), Format::percent) +
               "</td><td class=\"r\">" + number(at({"cutoff_rate"}), Format::percent) +
               "</td><td class=\"r\">" + number(at({"error_rate"}), Format::percent) + "</td></tr>";
      }
      out += "</table></div>";
      for (const auto& group : field.value().items()) {
        out += "<details><summary>pass@k and maj@k of " + escape_html(field.key()) + " = " +
               escape_html(group.key()) + "</summary>" +
               by_k_table({"groups", field.key(), group.key()}) + "</details>";
      }
    }
    return out + "</section>";
  }

  // One value per request: samples sharing a custom_id (`n` sampling) count once.
  std::vector<double> request_values(const char* key) const {
    std::vector<double> values;
    std::unordered_map<std::string, bool> seen;
    for (const Sample& sample : samples_) {
      const json& line = *sample.line;
      const std::string custom_id = text_of(line, "custom_id");
      if (!custom_id.empty() && !seen.emplace(custom_id, true).second) continue;
      if (has_error(line)) continue;
      if (const auto value = number_of(line, key)) values.push_back(*value);
    }
    return values;
  }

  std::vector<detail::ChartMarker> percentile_markers(const char* key) const {
    std::vector<detail::ChartMarker> markers;
    for (const char* p : {"p50", "p90", "p99"}) {
      if (find(summary_, {"run", key, p}) == nullptr) continue;
      markers.push_back({p, chart_value({"run", key, p}, Format::ms, p)});
    }
    return markers;
  }

  std::string latency_section() const {
    std::string out = "<section id=\"latency\"><h2>Latency</h2>";
    out += "<p>Per request, over completed requests: p50 " +
           number({"run", "latency_ms", "p50"}, Format::ms) + ", p90 " +
           number({"run", "latency_ms", "p90"}, Format::ms) + ", p99 " +
           number({"run", "latency_ms", "p99"}, Format::ms) + ".";
    const json* ttft = find(summary_, {"run", "ttft_ms"});
    if (ttft != nullptr && ttft->is_object()) {
      out += " Time to first token: p50 " + number({"run", "ttft_ms", "p50"}, Format::ms) +
             ", p90 " + number({"run", "ttft_ms", "p90"}, Format::ms) + ", p99 " +
             number({"run", "ttft_ms", "p99"}, Format::ms) + ".";
    } else {
      out += " Time to first token: " + number({"run", "ttft_ms", "p50"}, Format::ms) +
             " (the requests were not streamed).";
    }
    out += "</p>";
    const std::vector<double> latencies = request_values("latency_ms");
    if (latencies.empty()) {
      return out + "<p class=\"note\">No completed request in results.jsonl has a latency.</p>" +
             "</section>";
    }
    const detail::Histogram histogram = detail::make_histogram(latencies, options_.histogram_bins);
    out += detail::histogram_svg(histogram, detail::format_ms, "latency per request", "requests",
                                 percentile_markers("latency_ms"));
    return out + "</section>";
  }

  std::string tokens_section() const {
    std::string out = "<section id=\"tokens\"><h2>Tokens per problem</h2>";
    out += "<p>In total " + number({"run", "tokens", "prompt"}, Format::count) +
           " prompt tokens and " + number({"run", "tokens", "completion"}, Format::count) +
           " completion tokens.";
    std::vector<std::string> order;
    std::unordered_map<std::string, std::pair<double, double>> per_problem;
    for (const Sample& sample : samples_) {
      auto [it, fresh] = per_problem.emplace(sample.id, std::pair<double, double>{0, 0});
      if (fresh) order.push_back(sample.id);
      it->second.first += number_of(*sample.line, "prompt_tokens").value_or(0);
      it->second.second += number_of(*sample.line, "completion_tokens").value_or(0);
    }
    if (order.empty()) return out + "</p></section>";
    std::vector<double> completion;
    double prompt_sum = 0;
    double completion_sum = 0;
    for (const std::string& id : order) {
      prompt_sum += per_problem[id].first;
      completion_sum += per_problem[id].second;
      completion.push_back(per_problem[id].second);
    }
    const double problems = static_cast<double>(order.size());
    out +=
        " Per problem (all its samples, from results.jsonl): <span class=\"num\" "
        "data-results=\"prompt_tokens_per_problem\">" +
        detail::format_mean(prompt_sum / problems) +
        "</span> prompt and <span class=\"num\" data-results=\"completion_tokens_per_problem\">" +
        detail::format_mean(completion_sum / problems) +
        "</span> completion tokens on average, at most <span class=\"num\" "
        "data-results=\"max_completion_tokens_per_problem\">" +
        detail::format_whole(*std::max_element(completion.begin(), completion.end())) +
        "</span>.</p>";
    const detail::Histogram histogram = detail::make_histogram(completion, options_.histogram_bins);
    out += detail::histogram_svg(histogram, detail::format_whole, "completion tokens per problem",
                                 "problems");
    return out + "</section>";
  }

  std::string cost_section() const {
    std::string out = "<section id=\"cost\"><h2>Cost</h2>";
    const auto cost = number_at(summary_, {"run", "cost_usd"});
    if (!cost) {
      return out + "<p>Cost " + number({"run", "cost_usd"}, Format::usd) +
             ": no result has a cost (the model's prices are not in lemma's catalogue).</p>" +
             "</section>";
    }
    out += "<p>The run cost " + number({"run", "cost_usd"}, Format::usd) + " for " +
           number({"overall", "problems"}, Format::count) + " problems";
    const auto problems = number_at(summary_, {"overall", "problems"});
    if (problems && *problems > 0) {
      out += ": <span class=\"num\" data-results=\"cost_per_problem\">" +
             detail::format_usd(*cost / *problems) + "</span> per problem, " +
             "<span class=\"num\" data-results=\"cost_per_1000_problems\">" +
             detail::format_usd(*cost / *problems * 1000) + "</span> per 1,000 problems";
    }
    return out + ".</p></section>";
  }

  // The expandable views of a sample's response and reasoning.
  std::string response_views(const Sample& sample) {
    const auto error = sample.line->find("error");
    if (error != sample.line->end() && !error->is_null()) {
      // A failed sample has no text of its own (with a server that ignored n, the request's
      // one choice belongs to sample 0).
      return "<p class=\"note\">No response text: this sample failed.</p>";
    }
    const std::string custom_id = text_of(*sample.line, "custom_id");
    const auto it = responses_.find(custom_id);
    if (it == responses_.end() || it->second.empty()) {
      return "<p class=\"note\">No response text (none in responses.jsonl for this request).</p>";
    }
    const std::vector<ResponseText>& choices = it->second;
    std::size_t choice = 0;
    if (choices.size() > 1) {
      if (sample.sample < 0 || static_cast<std::size_t>(sample.sample) >= choices.size()) {
        return "<p class=\"note\">No response text for this sample's choice.</p>";
      }
      choice = static_cast<std::size_t>(sample.sample);
    }
    const ResponseText& text = choices[choice];
    std::string out = text_view("Response", text.content);
    if (!text.reasoning.empty()) out += text_view("Reasoning", text.reasoning);
    return out;
  }

  std::string text_view(const char* name, const std::string& text) {
    if (embedded_chars_ >= options_.max_total_chars) {
      return "<p class=\"note\">" + std::string(name) + " not embedded: the report already holds " +
             detail::format_count(static_cast<std::int64_t>(embedded_chars_)) +
             " characters of responses (max_total_chars); it is in responses.jsonl.</p>";
    }
    const detail::ClippedText clipped = detail::clip_text(text, options_.max_response_chars);
    const std::size_t shown = options_.max_response_chars;
    const std::size_t kept = clip_length(clipped.text);
    embedded_chars_ += kept;
    std::string out = "<details class=\"text\"><summary>" + std::string(name) + " (" +
                      detail::format_count(static_cast<std::int64_t>(
                          clipped.omitted_chars > 0 ? shown + clipped.omitted_chars : kept)) +
                      " characters)</summary><pre>" + escape_html(clipped.text) + "</pre>";
    if (clipped.omitted_chars > 0) {
      out +=
          "<p class=\"note\">Cut after " + detail::format_count(static_cast<std::int64_t>(shown)) +
          " characters: " + detail::format_count(static_cast<std::int64_t>(clipped.omitted_chars)) +
          " more are in responses.jsonl.</p>";
    }
    return out + "</details>";
  }

  static std::size_t clip_length(const std::string& valid) {
    std::size_t chars = 0;
    for (const char c : valid) {
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
    }
    return chars;
  }

  std::string wrong_answers_section() {
    std::string out = "<section id=\"wrong\"><h2>Wrong answers</h2>";
    std::size_t wrong = 0;
    std::string rows;
    for (const Sample& sample : samples_) {
      if (sample.correct) continue;
      ++wrong;
      if (wrong > options_.max_wrong_answers) continue;
      const json& line = *sample.line;
      const std::string extracted = text_of(line, "extracted");
      std::string verdict = text_of(line, "verdict");
      const std::string rule = text_of(line, "rule");
      if (!rule.empty())
        verdict += (verdict.empty() ? "" : " (") + rule + (verdict.empty() ? "" : ")");
      rows += "<tr class=\"wrong\"><td>" + escape_html(sample.id) + "</td><td class=\"r\">" +
              std::to_string(sample.sample) + "</td><td>" +
              (extracted.empty() ? "<span class=\"note\">no answer</span>"
                                 : "<code>" + escape_html(extracted) + "</code>") +
              "</td><td><code>" + escape_html(text_of(line, "reference")) + "</code></td><td>" +
              escape_html(verdict) + "</td><td>" + escape_html(text_of(line, "finish_reason")) +
              "</td><td>" + escape_html(error_text(line)) + "</td><td>" + response_views(sample) +
              "</td></tr>";
    }
    if (wrong == 0) {
      return out + "<p>" + (samples_.empty() ? "No samples." : "Every sample is correct.") +
             "</p></section>";
    }
    out += "<p><span class=\"num\" data-results=\"wrong_samples\">" +
           detail::format_count(static_cast<std::int64_t>(wrong)) + "</span> of " +
           detail::format_count(static_cast<std::int64_t>(samples_.size())) +
           " samples are not correct (wrong, without an answer, or failed).</p>";
    out +=
        "<div class=\"wrap\"><table><tr><th>problem</th><th class=\"r\">sample</th>"
        "<th>extracted</th><th>reference</th><th>verdict (rule)</th><th>finish</th>"
        "<th>error</th><th>response</th></tr>" +
        rows + "</table></div>";
    if (wrong > options_.max_wrong_answers) {
      out += "<p class=\"note\">" +
             detail::format_count(static_cast<std::int64_t>(wrong - options_.max_wrong_answers)) +
             " more not shown (at most " +
             detail::format_count(static_cast<std::int64_t>(options_.max_wrong_answers)) +
             " rows); every sample is in results.jsonl.</p>";
    }
    return out + "</section>";
  }

  std::string responses_section() {
    std::string out = "<section id=\"responses\"><h2>All responses</h2>";
    if (samples_.empty()) return out + "<p>No samples.</p></section>";
    std::vector<std::string> order;
    std::unordered_map<std::string, std::vector<const Sample*>> by_problem;
    for (const Sample& sample : samples_) {
      auto& list = by_problem[sample.id];
      if (list.empty()) order.push_back(sample.id);
      list.push_back(&sample);
    }
    std::size_t listed = 0;
    for (const std::string& id : order) {
      if (listed >= options_.max_listed_samples) break;
      std::vector<const Sample*>& list = by_problem[id];
      std::stable_sort(list.begin(), list.end(),
                       [](const Sample* a, const Sample* b) { return a->sample < b->sample; });
      const auto correct =
          std::count_if(list.begin(), list.end(), [](const Sample* s) { return s->correct; });
      out += "<details class=\"problem\"><summary><b>" + escape_html(id) +
             "</b>: " + std::to_string(correct) + " of " + std::to_string(list.size()) +
             " correct, reference <code>" + escape_html(text_of(*list.front()->line, "reference")) +
             "</code></summary>";
      // The problem statement (results.jsonl carries it from `lemma eval`), so a wrong answer
      // can be read against the question.
      const std::string problem = text_of(*list.front()->line, "problem");
      if (!problem.empty()) {
        out += "<blockquote class=\"statement\">" + escape_html(problem) + "</blockquote>";
      }
      for (const Sample* sample : list) {
        if (listed >= options_.max_listed_samples) break;
        ++listed;
        const json& line = *sample->line;
        const std::string extracted = text_of(line, "extracted");
        std::string facts = text_of(line, "finish_reason");
        if (const auto latency = number_of(line, "latency_ms")) {
          facts += (facts.empty() ? "" : ", ") + detail::format_ms(*latency);
        }
        const std::string error = error_text(line);
        if (!error.empty()) facts += (facts.empty() ? "" : ", ") + error;
        out += "<details class=\"sample\"><summary>sample " + std::to_string(sample->sample) +
               ": <span class=\"" + (sample->correct ? "ok\">correct" : "bad\">not correct") +
               "</span>, " +
               (extracted.empty() ? std::string("no answer")
                                  : "answer <code>" + escape_html(extracted) + "</code>") +
               (facts.empty() ? "" : " (" + escape_html(facts) + ")") + "</summary>" +
               response_views(*sample) + "</details>";
      }
      out += "</details>";
    }
    if (listed < samples_.size()) {
      out += "<p class=\"note\">" +
             detail::format_count(static_cast<std::int64_t>(samples_.size() - listed)) +
             " more samples not listed (at most " +
             detail::format_count(static_cast<std::int64_t>(options_.max_listed_samples)) +
             "); every sample is in results.jsonl.</p>";
    }
    return out + "</section>";
  }

  std::string skipped_section() const {
    std::vector<std::string> all = options_.skipped_lines;
    all.insert(all.end(), skipped_.begin(), skipped_.end());
    if (all.empty()) return {};
    std::string out = "<section id=\"skipped\"><h2>Input lines left out</h2><ul>";
    for (const std::string& line : all) out += "<li>" + escape_html(line) + "</li>";
    return out + "</ul></section>";
  }

  const json& summary_;
  const ResponseTexts& responses_;
  const EvalReportOptions& options_;
  std::vector<Sample> samples_;
  std::vector<std::string> skipped_;
  // Characters of response texts embedded so far (options_.max_total_chars bounds the page).
  std::size_t embedded_chars_ = 0;
};

}  // namespace

std::string render_eval_report(const nlohmann::json& summary,
                               const std::vector<nlohmann::json>& results,
                               const ResponseTexts& responses, const EvalReportOptions& options) {
  return Report(summary, results, responses, options).render();
}

}  // namespace lemma::math
