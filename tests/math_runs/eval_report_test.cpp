// The HTML report of `lemma eval`: every summary.json number shown is marked with its pointer
// and exact value, untrusted text renders as text, and odd runs (no samples, one sample, no
// latency or cost, huge responses, no groups, malformed input) still give a page.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "lemma/math/eval_report.hpp"

namespace {

using lemma::math::EvalReportOptions;
using lemma::math::render_eval_report;
using lemma::math::ResponseText;
using lemma::math::ResponseTexts;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

const char* const kInjection =
    "</script><script>alert(1)</script><img src=x onerror=alert(2)><b>bold</b>";

json group(int problems, int samples, double accuracy, json pass, json se, json majority) {
  return {{"problems", problems},      {"samples", samples},     {"accuracy", accuracy},
          {"accuracy_se", 0.08},       {"pass_at_k", pass},      {"pass_at_k_se", se},
          {"majority_at_k", majority}, {"no_answer_rate", 0.25}, {"cutoff_rate", 0.125},
          {"error_rate", 0.125}};
}

json fixture_summary() {
  json summary = {{"model", "mock-a"},
                  {"provider", "mock"},
                  {"dataset", "sample.jsonl"},
                  {"samples_per_problem", 2},
                  {"prompt_template", "{problem}\nPut the answer in \\boxed{}. <i>x</i>"},
                  {"created", "2026-11-25T17:00:00Z"}};
  summary["overall"] = group(4, 8, 0.6125, {{"1", 0.6125}, {"2", 0.75}},
                             {{"1", 0.1}, {"2", nullptr}}, {{"1", 0.5}, {"2", 0.625}});
  summary["groups"] = {{"level",
                        {{"Level 1", group(2, 4, 0.75, {{"1", 0.75}, {"2", 1.0}},
                                           {{"1", 0.2}, {"2", 0.0}}, {{"1", 0.5}, {"2", 1.0}})},
                         {"<img src=x onerror=alert(3)>",
                          group(2, 4, 0.5, {{"1", 0.5}, {"2", 0.5}}, {{"1", 0.3}, {"2", 0.3}},
                                {{"1", 0.5}, {"2", 0.25}})}}}};
  summary["run"] = {{"request_counts", {{"total", 8}, {"completed", 7}, {"failed", 1}}},
                    {"success_rate", 0.875},
                    {"latency_ms", {{"p50", 812}, {"p90", 1900}, {"p99", 3200.5}}},
                    {"ttft_ms", {{"p50", 90}, {"p90", 120}, {"p99", 150}}},
                    {"tokens", {{"prompt", 1234}, {"completion", 45678}}},
                    {"cost_usd", 0.12},
                    {"elapsed_s", 61.2}};
  return summary;
}

json result(const std::string& id, int sample, bool correct, json extracted, double latency) {
  return {{"id", id},
          {"sample", sample},
          {"custom_id", id + "#" + std::to_string(sample)},
          {"extracted", extracted},
          {"verdict", correct ? "equal" : "not_equal"},
          {"rule", "boxed"},
          {"correct", correct},
          {"finish_reason", "stop"},
          {"latency_ms", latency},
          {"ttft_ms", nullptr},
          {"prompt_tokens", 50},
          {"completion_tokens", 400},
          {"cost_usd", 0.001},
          {"error", nullptr},
          {"reference", "12"},
          {"fields", {{"level", "Level 1"}}}};
}

std::vector<json> fixture_results() {
  std::vector<json> results{
      result("p1", 0, true, "12", 800), result("p1", 1, false, kInjection, 900),
      result("p2", 0, true, "7", 1200), result("p2", 1, false, nullptr, 3000)};
  results[3]["error"] = {{"code", "server_error"}, {"message", "HTTP 500 <from the server>"}};
  results[3]["latency_ms"] = nullptr;
  return results;
}

ResponseTexts fixture_responses() {
  return {{"p1#0", {{"The answer is \\boxed{12}.", "2*6 = 12"}}},
          {"p1#1", {{std::string("Look: ") + kInjection, std::string("think ") + kInjection}}}};
}

std::string unescape(std::string text) {
  const std::pair<const char*, const char*> entities[] = {
      {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : entities) {
    for (std::size_t at = text.find(entity); at != std::string::npos;
         at = text.find(entity, at + 1)) {
      text.replace(at, std::strlen(entity), plain);
    }
  }
  return text;
}

// data-summary pointer -> every data-value shown for it.
std::multimap<std::string, std::string> marked_numbers(const std::string& html) {
  std::multimap<std::string, std::string> marked;
  static const std::regex attribute("data-summary=\"([^\"]*)\" data-value=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), attribute);
       it != std::sregex_iterator(); ++it) {
    marked.emplace(unescape((*it)[1].str()), unescape((*it)[2].str()));
  }
  return marked;
}

void collect_number_pointers(const json& node, const json::json_pointer& at,
                             std::set<std::string>& out) {
  if (node.is_object()) {
    for (const auto& item : node.items())
      collect_number_pointers(item.value(), at / item.key(), out);
  } else if (node.is_number() || node.is_null()) {
    out.insert(at.to_string());
  }
}

TEST(EvalReport, EveryMarkedNumberEqualsSummaryJsonAndEveryNumberIsShown) {
  const json summary = fixture_summary();
  const std::string html = render_eval_report(summary, fixture_results(), fixture_responses());
  const auto marked = marked_numbers(html);
  ASSERT_FALSE(marked.empty());
  std::set<std::string> shown;
  for (const auto& [pointer, value] : marked) {
    SCOPED_TRACE(pointer);
    ASSERT_TRUE(summary.contains(json::json_pointer(pointer)));
    EXPECT_EQ(json::parse(value), summary.at(json::json_pointer(pointer)));
    shown.insert(pointer);
  }
  std::set<std::string> numbers;
  collect_number_pointers(summary, json::json_pointer(), numbers);
  for (const std::string& pointer : numbers) {
    EXPECT_TRUE(shown.count(pointer)) << pointer << " is not shown";
  }
}

TEST(EvalReport, ShowsFieldsItHasNoPlaceForAsTheyAre) {
  json summary = fixture_summary();
  summary["sampling"] = {{"temperature", 0.6}, {"top_p", nullptr}, {"stop", {"</s>", "<b>"}}};
  summary["max_tokens"] = 4096;
  summary["note"] = "<i>retried</i>";
  const std::string html = render_eval_report(summary, {}, {});
  EXPECT_THAT(html,
              HasSubstr("<dt>sampling.temperature</dt><dd><span class=\"num\" "
                        "data-summary=\"/sampling/temperature\" data-value=\"0.6\">0.6</span>"));
  EXPECT_THAT(html, HasSubstr("data-summary=\"/sampling/top_p\" data-value=\"null\">n/a<"));
  EXPECT_THAT(
      html,
      HasSubstr("<dt>sampling.stop</dt><dd>[&quot;&lt;/s&gt;&quot;,&quot;&lt;b&gt;&quot;]</dd>"));
  EXPECT_THAT(html, HasSubstr("data-summary=\"/max_tokens\" data-value=\"4096\">4096<"));
  EXPECT_THAT(html, HasSubstr("<dt>note</dt><dd>&lt;i&gt;retried&lt;/i&gt;</dd>"));
}

TEST(EvalReport, FormatsEachKindOfNumberConsistently) {
  const std::string html = render_eval_report(fixture_summary(), fixture_results(), {});
  EXPECT_THAT(html, HasSubstr("data-summary=\"/overall/accuracy\" data-value=\"0.6125\">61.3 %<"));
  EXPECT_THAT(html,
              HasSubstr("data-summary=\"/overall/accuracy_se\" data-value=\"0.08\">\xC2\xB1 8.0<"));
  EXPECT_THAT(html, HasSubstr("data-summary=\"/run/latency_ms/p90\" data-value=\"1900\">1.90 s<"));
  EXPECT_THAT(html, HasSubstr("data-summary=\"/run/latency_ms/p50\" data-value=\"812\">812 ms<"));
  EXPECT_THAT(html,
              HasSubstr("data-summary=\"/run/tokens/completion\" data-value=\"45678\">45,678<"));
  EXPECT_THAT(html, HasSubstr("data-summary=\"/run/cost_usd\" data-value=\"0.12\">$0.1200<"));
  EXPECT_THAT(html, HasSubstr("data-summary=\"/run/elapsed_s\" data-value=\"61.2\">61.2 s<"));
  // An unknown standard error (null) shows as n/a and still names its place.
  EXPECT_THAT(html, HasSubstr("data-summary=\"/overall/pass_at_k_se/2\" data-value=\"null\">n/a<"));
  // Derived numbers: cost per problem from summary.json, tokens per problem from results.jsonl.
  EXPECT_THAT(html, HasSubstr("data-results=\"cost_per_problem\">$0.0300<"));
  EXPECT_THAT(html, HasSubstr("data-results=\"completion_tokens_per_problem\">800.0<"));
  EXPECT_THAT(html, HasSubstr("data-results=\"wrong_samples\">2<"));
}

TEST(EvalReport, UntrustedTextRendersAsText) {
  const std::string html =
      render_eval_report(fixture_summary(), fixture_results(), fixture_responses());
  // The page itself has no script and no image; none may come from a dataset or a model.
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("</script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<b>bold")));
  EXPECT_THAT(html, Not(HasSubstr("<i>x</i>")));
  EXPECT_THAT(html, Not(HasSubstr("<from the server>")));
  EXPECT_THAT(html, HasSubstr("Look: &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
                              "&lt;img src=x onerror=alert(2)&gt;&lt;b&gt;bold&lt;/b&gt;"));
  EXPECT_THAT(html, HasSubstr("think &lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("HTTP 500 &lt;from the server&gt;"));
  // A group name is escaped in the table, the chart and the data-summary pointer.
  EXPECT_THAT(html, HasSubstr("<td>&lt;img src=x onerror=alert(3)&gt;</td>"));
  EXPECT_THAT(
      html,
      HasSubstr("data-summary=\"/groups/level/&lt;img src=x onerror=alert(3)&gt;/accuracy\""));
  // The policy forbids every load, so nothing could be fetched even if markup slipped through.
  EXPECT_THAT(html, HasSubstr("default-src 'none'"));
}

TEST(EvalReport, WrongAnswersTableShowsExtractedAgainstReference) {
  const std::string html =
      render_eval_report(fixture_summary(), fixture_results(), fixture_responses());
  const std::size_t table = html.find("id=\"wrong\"");
  ASSERT_NE(table, std::string::npos);
  const std::string wrong = html.substr(table, html.find("id=\"responses\"") - table);
  // p1#1 (a wrong answer) and p2#1 (a failure); not the correct p1#0 and p2#0.
  EXPECT_THAT(
      wrong,
      HasSubstr("<tr class=\"wrong\"><td>p1</td><td class=\"r\">1</td><td><code>&lt;/script&gt;"));
  EXPECT_THAT(wrong, HasSubstr("<tr class=\"wrong\"><td>p2</td><td class=\"r\">1</td><td><span "
                               "class=\"note\">no answer</span>"));
  EXPECT_THAT(wrong, HasSubstr("<td><code>12</code></td><td>not_equal (boxed)</td>"));
  EXPECT_THAT(wrong, HasSubstr("server_error: HTTP 500"));
  EXPECT_THAT(wrong, Not(HasSubstr("<td>p1</td><td class=\"r\">0</td>")));
  EXPECT_THAT(wrong, Not(HasSubstr("<td>p2</td><td class=\"r\">0</td>")));
}

TEST(EvalReport, CapsTheWrongAnswersTable) {
  std::vector<json> results;
  for (int i = 0; i < 7; ++i) results.push_back(result("q" + std::to_string(i), 0, false, "1", 10));
  EvalReportOptions options;
  options.max_wrong_answers = 3;
  const std::string html = render_eval_report(fixture_summary(), results, {}, options);
  std::size_t rows = 0;
  for (std::size_t at = html.find("<tr class=\"wrong\">"); at != std::string::npos;
       at = html.find("<tr class=\"wrong\">", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, 3u);
  EXPECT_THAT(html, HasSubstr("4 more not shown (at most 3 rows)"));
}

TEST(EvalReport, HistogramCountsEachRequestOnce) {
  // `n` sampling: two samples share custom_id "p1" and its latency; the failed p3 has none.
  std::vector<json> results = fixture_results();
  results[0]["custom_id"] = "p1";
  results[1]["custom_id"] = "p1";
  const std::string html = render_eval_report(fixture_summary(), results, {});
  const std::size_t section = html.find("id=\"latency\"");
  const std::string latency = html.substr(section, html.find("id=\"tokens\"") - section);
  static const std::regex count("data-count=\"([0-9]+)\"");
  std::int64_t total = 0;
  std::size_t bars = 0;
  for (auto it = std::sregex_iterator(latency.begin(), latency.end(), count);
       it != std::sregex_iterator(); ++it) {
    total += std::stoll((*it)[1].str());
    ++bars;
  }
  EXPECT_EQ(bars, 13u);  // 100 ms bins up to the largest latency, 1200 ms
  EXPECT_EQ(total, 2);   // p1 (once) and p2#0
  EXPECT_THAT(latency, HasSubstr("latency per request"));
}

TEST(EvalReport, SharedRequestShowsEachSampleItsChoice) {
  std::vector<json> results{result("p1", 0, false, "1", 10), result("p1", 1, false, "2", 10)};
  results[0]["custom_id"] = "p1";
  results[1]["custom_id"] = "p1";
  const ResponseTexts texts{{"p1", {{"first choice", ""}, {"second choice", "why"}}}};
  const std::string html = render_eval_report(fixture_summary(), results, texts);
  const std::size_t second = html.find("sample 1:");
  ASSERT_NE(second, std::string::npos);
  EXPECT_NE(html.find("second choice", second), std::string::npos);
  EXPECT_LT(html.find("first choice", html.find("sample 0:")), second);
}

TEST(EvalReport, CutsHugeResponsesWithANote) {
  std::vector<json> results{result("p1", 0, false, "1", 10)};
  const ResponseTexts texts{{"p1#0", {{std::string(50000, 'x'), std::string(30, 'y')}}}};
  EvalReportOptions options;
  options.max_response_chars = 20000;
  const std::string html = render_eval_report(fixture_summary(), results, texts, options);
  EXPECT_THAT(html, HasSubstr("Response (50,000 characters)"));
  EXPECT_THAT(html, HasSubstr("Cut after 20,000 characters: 30,000 more are in responses.jsonl."));
  EXPECT_THAT(html, HasSubstr(std::string(20000, 'x') + "</pre>"));
  EXPECT_THAT(html, Not(HasSubstr(std::string(20001, 'x'))));
  EXPECT_THAT(html, HasSubstr("Reasoning (30 characters)"));
  // The wrong answers table and the list of all responses each embed it once.
  EXPECT_LT(html.size(), 2 * 20000 + 30000u);
}

TEST(EvalReport, StopsEmbeddingTextsAtTheTotalBudget) {
  std::vector<json> results{result("p1", 0, false, "1", 10), result("p2", 0, false, "2", 10)};
  const ResponseTexts texts{{"p1#0", {{std::string(60, 'a'), std::string(50, 'b')}}},
                            {"p2#0", {{std::string(70, 'c'), ""}}}};
  EvalReportOptions options;
  options.max_total_chars = 100;
  const std::string html = render_eval_report(fixture_summary(), results, texts, options);
  // The wrong answers table embeds p1's content (60) and reasoning (50, over the budget after
  // it); p2's content and the "All responses" copies are left out with a note.
  EXPECT_THAT(html, HasSubstr(std::string(60, 'a') + "</pre>"));
  EXPECT_THAT(html, HasSubstr(std::string(50, 'b') + "</pre>"));
  EXPECT_THAT(html, Not(HasSubstr(std::string(70, 'c'))));
  EXPECT_THAT(html, HasSubstr("Response not embedded: the report already holds 110 characters of "
                              "responses (max_total_chars); it is in responses.jsonl."));
}

TEST(EvalReport, EmptyRunGivesAPageWithNotes) {
  json summary = fixture_summary();
  summary["overall"] = group(0, 0, 0, json::object(), json::object(), json::object());
  summary.erase("groups");
  summary["run"]["latency_ms"] = nullptr;
  summary["run"]["ttft_ms"] = nullptr;
  summary["run"]["cost_usd"] = nullptr;
  const std::string html = render_eval_report(summary, {}, {});
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("</html>"));
  EXPECT_THAT(html, HasSubstr("the run graded no sample"));
  EXPECT_THAT(html, HasSubstr("No groups"));
  EXPECT_THAT(html, HasSubstr("No completed request in results.jsonl has a latency."));
  EXPECT_THAT(html,
              HasSubstr("Time to first token: <span class=\"num\" data-summary=\"/run/ttft_ms\" "
                        "data-value=\"null\">n/a</span> (the requests were not streamed)"));
  EXPECT_THAT(html, HasSubstr("data-summary=\"/run/cost_usd\" data-value=\"null\">n/a<"));
  EXPECT_THAT(html, HasSubstr("data-summary=\"/overall/problems\" data-value=\"0\">0<"));
  EXPECT_THAT(html, Not(HasSubstr("<svg")));
  std::set<std::string> shown;
  for (const auto& [pointer, value] : marked_numbers(html)) {
    EXPECT_EQ(json::parse(value), summary.at(json::json_pointer(pointer))) << pointer;
    shown.insert(pointer);
  }
  std::set<std::string> numbers;
  collect_number_pointers(summary, json::json_pointer(), numbers);
  for (const std::string& pointer : numbers) {
    EXPECT_TRUE(shown.count(pointer)) << pointer << " is not shown";
  }
}

TEST(EvalReport, OneSampleRun) {
  json summary = fixture_summary();
  summary["samples_per_problem"] = 1;
  summary["overall"] = group(1, 1, 1.0, {{"1", 1.0}}, {{"1", nullptr}}, {{"1", 1.0}});
  summary["groups"] = json::object();
  const std::string html = render_eval_report(summary, {result("p1", 0, true, "12", 5)}, {});
  EXPECT_THAT(html, HasSubstr("Every sample is correct."));
  EXPECT_THAT(html, HasSubstr("data-summary=\"/overall/pass_at_k/1\" data-value=\"1.0\">100.0 %<"));
  EXPECT_THAT(html, HasSubstr("<svg"));  // a one-point pass@k chart
  EXPECT_THAT(html, HasSubstr("1 of 1 correct"));
}

TEST(EvalReport, MalformedInputNeverThrows) {
  const json summaries[] = {json::object(), json::array({1, 2}), json("text"),
                            json{{"overall", {{"accuracy", "high"}, {"pass_at_k", {1, 2}}}},
                                 {"groups", {{"level", 3}}},
                                 {"run", {{"latency_ms", "fast"}, {"tokens", nullptr}}},
                                 {"model", 7}}};
  const std::vector<json> results{
      json(3), json::object(), json{{"id", 5}, {"sample", "x"}, {"error", "boom"}},
      json{{"id", "p"}, {"latency_ms", -4}, {"completion_tokens", "9"}},
      // Values beyond any integer type (their conversions must stay defined behaviour).
      json{{"id", "q"},
           {"sample", 1e300},
           {"latency_ms", 1.7e308},
           {"completion_tokens", 1e300},
           {"custom_id", "q"}}};
  for (const json& summary : summaries) {
    std::string html;
    ASSERT_NO_THROW(html = render_eval_report(summary, results, {{"", {}}}));
    EXPECT_THAT(html, HasSubstr("</html>"));
    EXPECT_THAT(html, HasSubstr("results line 1 is not a JSON object"));
  }
  EvalReportOptions zero;
  zero.histogram_bins = 0;
  zero.max_response_chars = 0;
  zero.max_listed_samples = 0;
  EXPECT_NO_THROW(
      (void)render_eval_report(fixture_summary(), fixture_results(), fixture_responses(), zero));
}

TEST(EvalReport, TitleComesFromOptionsOrSummary) {
  EXPECT_THAT(render_eval_report(fixture_summary(), {}, {}),
              HasSubstr("<title>lemma eval: mock-a on sample.jsonl</title>"));
  EvalReportOptions options;
  options.title = "A & B";
  EXPECT_THAT(render_eval_report(fixture_summary(), {}, {}, options),
              HasSubstr("<title>A &amp; B</title>"));
}

// A directory of its own under the system's temporary directory, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "lemma_eval_report_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  void write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ + "/" + name, std::ios::binary) << content;
  }
  std::string read(const std::string& name) const {
    std::ifstream in(path_ + "/" + name, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }

 private:
  std::string path_;
};

TEST(WriteEvalReport, WritesReportFromRunFilesAndNamesBadLines) {
  TempDir dir;
  dir.write("summary.json", fixture_summary().dump());
  std::string results;
  for (const json& line : fixture_results()) results += line.dump() + "\n";
  results =
      fixture_results()[0].dump() + "\n{not json\n\n" + results.substr(results.find('\n') + 1);
  dir.write("results.jsonl", results);
  const json output = {
      {"id", "batch_req_1"},
      {"custom_id", "p1#1"},
      {"response",
       {{"status_code", 200},
        {"body",
         {{"choices", {{{"message", {{"content", kInjection}, {"reasoning_content", "r1"}}}}}}}}}},
      {"error", nullptr}};
  const json failed = {{"custom_id", "p2#1"}, {"response", nullptr}, {"error", {{"message", "x"}}}};
  dir.write("responses.jsonl", output.dump() + "\n" + failed.dump() + "\n[1]\n");

  const auto written = lemma::math::write_eval_report(dir.path());
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(written->path, dir.path() + "/report.html");
  ASSERT_EQ(written->skipped_lines.size(), 2u);
  EXPECT_THAT(written->skipped_lines[0], HasSubstr("results.jsonl line 2 is not a JSON object"));
  EXPECT_THAT(written->skipped_lines[1], HasSubstr("responses.jsonl line 3 is not a JSON object"));
  const std::string html = dir.read("report.html");
  EXPECT_THAT(html, HasSubstr("results.jsonl line 2 is not a JSON object"));
  EXPECT_THAT(html, HasSubstr("Response ("));
  EXPECT_THAT(html, HasSubstr("&lt;img src=x onerror=alert(2)&gt;"));
  EXPECT_THAT(html, HasSubstr("<pre>r1</pre>"));
  EXPECT_THAT(html, HasSubstr("data-results=\"wrong_samples\">2<"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/report.html.tmp"));
}

TEST(WriteEvalReport, SummaryAloneIsEnough) {
  TempDir dir;
  dir.write("summary.json", fixture_summary().dump());
  const auto written = lemma::math::write_eval_report(dir.path() + "/");
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(written->path, dir.path() + "/report.html");
  EXPECT_THAT(dir.read("report.html"), HasSubstr("No samples."));
}

TEST(WriteEvalReport, MissingOrBrokenSummaryIsAnInvalidRequest) {
  TempDir dir;
  auto missing = lemma::math::write_eval_report(dir.path());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, lemma::ErrorKind::invalid_request);
  EXPECT_THAT(missing.error().message, HasSubstr(dir.path() + "/summary.json"));
  EXPECT_THAT(missing.error().message, HasSubstr("lemma eval --output DIR"));
  dir.write("summary.json", "{\"overall\": ");
  auto broken = lemma::math::write_eval_report(dir.path());
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.error().message, HasSubstr("is not a JSON object"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/report.html"));
}

TEST(WriteEvalReport, UnwritableDirectoryIsAnError) {
  TempDir dir;
  dir.write("summary.json", fixture_summary().dump());
  std::filesystem::create_directory(dir.path() + "/report.html");  // rename onto a directory fails
  const auto written = lemma::math::write_eval_report(dir.path());
  ASSERT_FALSE(written.ok());
  EXPECT_THAT(written.error().message, HasSubstr("report.html"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/report.html.tmp"));
}

TEST(ReadResponseTexts, ReadsChoicesAndReasoningAndNamesBadLines) {
  TempDir dir;
  const json two = {{"custom_id", "p1"},
                    {"response",
                     {{"body",
                       {{"choices",
                         {{{"message", {{"content", "a"}, {"reasoning", "ra"}}}},
                          {{"message", {{"content", "b"}}}}}}}}}}};
  dir.write("responses.jsonl", "nope\n" + two.dump() + "\r\n{\"response\": {}}\n");
  std::vector<std::string> problems;
  const auto texts = lemma::math::read_response_texts(dir.path() + "/responses.jsonl", problems);
  ASSERT_TRUE(texts.ok());
  ASSERT_EQ(texts->count("p1"), 1u);
  const auto& choices = texts->at("p1");
  ASSERT_EQ(choices.size(), 2u);
  EXPECT_EQ(choices[0].content, "a");
  EXPECT_EQ(choices[0].reasoning, "ra");
  EXPECT_EQ(choices[1].content, "b");
  EXPECT_EQ(choices[1].reasoning, "");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0], HasSubstr("line 1 is not a JSON object"));
  EXPECT_THAT(problems[1], HasSubstr("line 3 has no custom_id"));
  std::vector<std::string> none;
  EXPECT_FALSE(lemma::math::read_response_texts(dir.path() + "/absent.jsonl", none).ok());
}

TEST(ReadResponseTexts, ChoicesAreInTheirIndexOrder) {
  TempDir dir;
  // A server may list n choices in any order; sample i is the choice with index i.
  const json line = {{"custom_id", "p1"},
                     {"response",
                      {{"body",
                        {{"choices",
                          {{{"index", 1}, {"message", {{"content", "second"}}}},
                           {{"index", 0}, {"message", {{"content", "first"}}}}}}}}}}};
  dir.write("responses.jsonl", line.dump() + "\n");
  std::vector<std::string> problems;
  const auto texts = lemma::math::read_response_texts(dir.path() + "/responses.jsonl", problems);
  ASSERT_TRUE(texts.ok());
  ASSERT_EQ(texts->at("p1").size(), 2u);
  EXPECT_EQ(texts->at("p1")[0].content, "first");
  EXPECT_EQ(texts->at("p1")[1].content, "second");
}

TEST(RenderEvalReport, AFailedSampleShowsNoOtherSamplesText) {
  // A server that ignored n: sample 1 failed, the request's one choice is sample 0's.
  const json summary = {{"model", "m"}};
  const std::vector<json> results = {
      {{"id", "p1"}, {"sample", 0}, {"custom_id", "p1"}, {"correct", true}, {"error", nullptr}},
      {{"id", "p1"},
       {"sample", 1},
       {"custom_id", "p1"},
       {"correct", false},
       {"error", {{"code", "protocol"}, {"message", "1 choice for n = 2"}}}}};
  lemma::math::ResponseTexts texts;
  texts["p1"] = {lemma::math::ResponseText{"ONLY-CHOICE-TEXT", ""}};
  const std::string html = lemma::math::render_eval_report(summary, results, texts);
  EXPECT_THAT(html, HasSubstr("No response text: this sample failed."));
}

}  // namespace
