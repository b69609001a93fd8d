#pragma once

// The text side of the HTML report: escaping of untrusted text, UTF-8 repair and clipping, and
// the one way each kind of number is written. Private to lemma::math_runs; exported only for
// tests/math_runs/eval_report_format_test.cpp.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lemma/math_runs_export.hpp"

namespace lemma::math::detail {

/// `text` with every invalid UTF-8 sequence, NUL and C0 control other than tab, LF and CR
/// replaced by U+FFFD, so the page is valid UTF-8 whatever a model or a file sent.
LEMMA_MATH_RUNS_EXPORT std::string valid_utf8(std::string_view text);

/// `text` (made valid UTF-8) escaped for HTML text and attribute values: & < > " ' become
/// entities, so nothing in it can open a tag, close an attribute or end a <script>/<style>.
LEMMA_MATH_RUNS_EXPORT std::string escape_html(std::string_view text);

/// A text cut to at most `max_chars` code points (never inside a UTF-8 sequence).
struct ClippedText {
  /// The kept prefix (valid UTF-8, not escaped).
  std::string text;
  /// Code points left out (0: the text was kept whole).
  std::size_t omitted_chars = 0;
};

/// Makes `text` valid UTF-8 and keeps at most `max_chars` of its code points.
LEMMA_MATH_RUNS_EXPORT ClippedText clip_text(std::string_view text, std::size_t max_chars);

/// A JSON Pointer (RFC 6901) to `tokens` ("~" and "/" escaped as "~0" and "~1").
LEMMA_MATH_RUNS_EXPORT std::string json_pointer(const std::vector<std::string>& tokens);

/// A rate in [0, 1] as a percentage with one decimal: 0.6125 -> "61.3 %" (NaN/inf: "n/a").
LEMMA_MATH_RUNS_EXPORT std::string format_percent(double rate);
/// A standard error of a rate, in percentage points: 0.08 -> "± 8.0".
LEMMA_MATH_RUNS_EXPORT std::string format_se(double rate_se);
/// A count with thousands separators: 45678 -> "45,678".
LEMMA_MATH_RUNS_EXPORT std::string format_count(std::int64_t count);
/// A value rounded to a whole number, with thousands separators: 1229.6 -> "1,230".
LEMMA_MATH_RUNS_EXPORT std::string format_whole(double value);
/// A non-integral count (a mean) with one decimal and separators: 1234.56 -> "1,234.6".
LEMMA_MATH_RUNS_EXPORT std::string format_mean(double value);
/// Milliseconds: below 1 s as whole ms ("812 ms"), then seconds with 2 decimals ("1.90 s"),
/// from 100 s with one decimal ("123.4 s").
LEMMA_MATH_RUNS_EXPORT std::string format_ms(double ms);
/// Seconds with one decimal: "61.2 s".
LEMMA_MATH_RUNS_EXPORT std::string format_seconds(double seconds);
/// US dollars: from $1 two decimals ("$12.34"), from $0.01 four ("$0.1200"), below six
/// ("$0.000400"); 0 is "$0.00".
LEMMA_MATH_RUNS_EXPORT std::string format_usd(double usd);

}  // namespace lemma::math::detail
