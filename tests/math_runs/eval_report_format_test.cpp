// The report's text helpers: escaping of untrusted text, UTF-8 repair and clipping, number
// formats.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "eval_report_format.hpp"
#include "eval_report_svg.hpp"

namespace {

using namespace lemma::math::detail;

TEST(EvalReportFormat, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(escape_html("</script><img src=x onerror=\"a('1')\"> & co"),
            "&lt;/script&gt;&lt;img src=x onerror=&quot;a(&#39;1&#39;)&quot;&gt; &amp; co");
  EXPECT_EQ(escape_html("&lt;"), "&amp;lt;");  // an entity in the input stays visible text
  EXPECT_EQ(escape_html("x^2 \\frac{1}{2}"), "x^2 \\frac{1}{2}");
}

TEST(EvalReportFormat, RepairsInvalidUtf8AndControls) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(valid_utf8("caf\xC3\xA9 \xE2\x88\x9A"), "caf\xC3\xA9 \xE2\x88\x9A");
  EXPECT_EQ(valid_utf8("a\xFFz"), "a" + fffd + "z");
  EXPECT_EQ(valid_utf8("\xC0\xAF"), fffd + fffd);             // overlong "/"
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), fffd + fffd + fffd);  // a UTF-16 surrogate
  EXPECT_EQ(valid_utf8("\xE2\x88"), fffd + fffd);             // cut sequence at the end
  EXPECT_EQ(valid_utf8(std::string("a\0b", 3)), "a" + fffd + "b");
  EXPECT_EQ(valid_utf8("tab\tLF\nCR\r\x1B"), "tab\tLF\nCR\r" + fffd);
  EXPECT_EQ(escape_html("\xFF<"), fffd + "&lt;");
}

TEST(EvalReportFormat, ClipsAtCodePoints) {
  const ClippedText whole = clip_text("abc", 3);
  EXPECT_EQ(whole.text, "abc");
  EXPECT_EQ(whole.omitted_chars, 0u);
  // Four code points, nine bytes: the cut never splits a sequence.
  const ClippedText cut = clip_text(
      "\xE2\x88\x9A"
      "a\xC3\xA9"
      "\xF0\x9D\x91\xA5",
      2);
  EXPECT_EQ(cut.text,
            "\xE2\x88\x9A"
            "a");
  EXPECT_EQ(cut.omitted_chars, 2u);
  EXPECT_EQ(clip_text("", 0).omitted_chars, 0u);
  EXPECT_EQ(clip_text("ab", 0).text, "");
  EXPECT_EQ(clip_text("ab", 0).omitted_chars, 2u);
}

TEST(EvalReportFormat, JsonPointerEscapesSlashAndTilde) {
  EXPECT_EQ(json_pointer({"overall", "pass_at_k", "1"}), "/overall/pass_at_k/1");
  EXPECT_EQ(json_pointer({"groups", "a/b", "c~d"}), "/groups/a~1b/c~0d");
  EXPECT_EQ(json_pointer({}), "");
}

TEST(EvalReportFormat, FormatsNumbersOneWayEach) {
  EXPECT_EQ(format_percent(0.6125), "61.3 %");
  EXPECT_EQ(format_percent(1), "100.0 %");
  EXPECT_EQ(format_percent(0), "0.0 %");
  EXPECT_EQ(format_percent(std::numeric_limits<double>::quiet_NaN()), "n/a");
  EXPECT_EQ(format_se(0.08), "\xC2\xB1 8.0");
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(45678), "45,678");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_count(-1234), "-1,234");
  EXPECT_EQ(format_count(std::numeric_limits<std::int64_t>::min()), "-9,223,372,036,854,775,808");
  EXPECT_EQ(format_mean(1234.56), "1,234.6");
  EXPECT_EQ(format_whole(1229.6), "1,230");
  EXPECT_EQ(format_whole(-0.2), "0");
  EXPECT_EQ(format_whole(1e20), "100,000,000,000,000,000,000");
  EXPECT_EQ(format_ms(812), "812 ms");
  EXPECT_EQ(format_ms(999.4), "999 ms");
  EXPECT_EQ(format_ms(1900), "1.90 s");
  EXPECT_EQ(format_ms(123456), "123.5 s");
  EXPECT_EQ(format_ms(-5), "-5 ms");
  EXPECT_EQ(format_seconds(61.24), "61.2 s");
  EXPECT_EQ(format_seconds(3725), "3,725.0 s");
  EXPECT_EQ(format_usd(0), "$0.00");
  EXPECT_EQ(format_usd(0.12), "$0.1200");
  EXPECT_EQ(format_usd(0.0004), "$0.000400");
  EXPECT_EQ(format_usd(12.346), "$12.35");
  EXPECT_EQ(format_usd(1234.5), "$1,234.50");
  EXPECT_EQ(format_usd(std::numeric_limits<double>::infinity()), "n/a");
}

TEST(EvalReportHistogram, RoundBinWidthsWithTheLargestValueInside) {
  const Histogram latency = make_histogram({0, 812, 1200, -3}, 20);
  EXPECT_EQ(latency.bin_width, 100);  // 1200 / 20 = 60, rounded up to 1, 2 or 5 x 10^n
  ASSERT_EQ(latency.counts.size(), 13u);
  EXPECT_EQ(latency.counts[0], 2);  // 0 and the negative value
  EXPECT_EQ(latency.counts[8], 1);
  EXPECT_EQ(latency.counts[12], 1);
  const Histogram tokens = make_histogram({3, 7, 250}, 20);
  EXPECT_EQ(tokens.bin_width, 20);  // 12.5 -> 20
  EXPECT_EQ(tokens.counts.size(), 13u);
  const Histogram small = make_histogram({0.2, 0.4}, 20);
  EXPECT_EQ(small.bin_width, 1);  // never below 1 (ms, tokens)
  EXPECT_EQ(small.counts, std::vector<std::int64_t>{2});
  const Histogram none = make_histogram({}, 0);
  EXPECT_EQ(none.counts, std::vector<std::int64_t>{0});
  const Histogram nan = make_histogram({std::numeric_limits<double>::quiet_NaN(), 5}, 1);
  EXPECT_EQ(nan.bin_width, 5);
  EXPECT_EQ(nan.counts, std::vector<std::int64_t>{1});
}

}  // namespace
