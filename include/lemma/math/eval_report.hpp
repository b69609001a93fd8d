#pragma once

/// The HTML report of an evaluation run (`lemma eval`, DIR/report.html): one self-contained page
/// (inline CSS and SVG, no script, no network: a Content-Security-Policy forbids every load)
/// built from summary.json, results.jsonl and the response texts of responses.jsonl.
/// Target lemma::math_runs.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lemma/math_runs_export.hpp"
#include "lemma/result.hpp"

namespace lemma::math {

/// The texts of one answer (one choice of a response), shown in the report's expandable views.
struct ResponseText {
  /// The message content (the visible answer).
  std::string content;
  /// The reasoning (`reasoning_content` / `reasoning`); empty when the model gave none.
  std::string reasoning;
};

/// Response texts by custom_id; the vector holds the response's choices in order (one, or K
/// with `n` sampling, where a results line's `sample` picks its choice).
using ResponseTexts = std::map<std::string, std::vector<ResponseText>>;

/// Options of the HTML report.
struct EvalReportOptions {
  /// The page's title; empty: "lemma eval: MODEL on DATASET" from summary.json.
  std::string title;
  /// At most this many rows in the table of wrong answers (the rest are counted in a note).
  std::size_t max_wrong_answers = 200;
  /// At most this many characters (code points) of each content or reasoning text are embedded;
  /// a longer text is cut with a note saying how much was left out.
  std::size_t max_response_chars = 20000;
  /// At most this many samples are listed in "All responses" (the table of wrong answers has
  /// its own limit, max_wrong_answers); keeps the page openable for large runs.
  std::size_t max_listed_samples = 2000;
  /// Once this many characters of response texts are embedded (wrong answers first), further
  /// texts are left out with a note: about 20 MB of text, which a browser still opens.
  std::size_t max_total_chars = 20000000;
  /// Number of bars of the latency and tokens-per-problem histograms (at least 1).
  std::size_t histogram_bins = 20;
  /// Messages about input lines that could not be read (write_eval_report() fills it), listed
  /// at the end of the report.
  std::vector<std::string> skipped_lines;
};

/// A self-contained HTML page for a run. `summary` is summary.json, `results` the lines of
/// results.jsonl, `responses` the texts for the expandable views (may be empty).
///
/// Every number taken from summary.json is an element with `data-summary` (its JSON Pointer
/// in summary.json, e.g. "/overall/pass_at_k/1") and `data-value` (the value exactly as JSON),
/// so tools and tests can check the page against the file. Rates show as "61.3 %", latencies as
/// "812 ms" / "1.90 s", costs in US dollars; an absent or null value shows as "n/a". Every text
/// from a dataset, a model or a server is escaped (it renders as text, never as markup). Never
/// throws on malformed input: a missing or mistyped field shows as "n/a", a results line that
/// is not an object is skipped.
LEMMA_MATH_RUNS_EXPORT std::string render_eval_report(const nlohmann::json& summary,
                                                      const std::vector<nlohmann::json>& results,
                                                      const ResponseTexts& responses,
                                                      const EvalReportOptions& options = {});

/// The texts of an OpenAI Batch output file's lines (responses.jsonl): custom_id -> each
/// choice's message content and reasoning. `line_problems` receives one message per line that
/// could not be read (naming the line); the other lines are still read. An unreadable file gives
/// an invalid_request error.
LEMMA_MATH_RUNS_EXPORT Result<ResponseTexts> read_response_texts(
    const std::string& path, std::vector<std::string>& line_problems);

/// What write_eval_report() wrote.
struct EvalReportFile {
  /// The path of the report (DIR/report.html).
  std::string path;
  /// One message per input line that was skipped (results.jsonl or responses.jsonl, naming the
  /// file and line); the report lists them too.
  std::vector<std::string> skipped_lines;
};

/// Reads DIR/summary.json, DIR/results.jsonl and DIR/responses.jsonl (each of the last two may
/// be missing) and writes DIR/report.html (through a temporary file, renamed into place). A
/// missing or malformed summary.json, or a report that cannot be written, gives an
/// invalid_request error saying what to do.
LEMMA_MATH_RUNS_EXPORT Result<EvalReportFile> write_eval_report(
    const std::string& dir, const EvalReportOptions& options = {});

}  // namespace lemma::math
