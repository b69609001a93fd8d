#include "eval_report_format.hpp"

#include <cmath>
#include <cstdio>

namespace lemma::math::detail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kNotAvailable = "n/a";

// Length of the valid UTF-8 sequence at text[i], or 0 when it is invalid (overlong forms,
// surrogates and code points above U+10FFFF are invalid too).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

bool is_forbidden_control(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
}

std::string printf_double(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// Inserts "," every three digits of the integral part of a formatted number.
std::string group_thousands(std::string digits) {
  const std::size_t start = !digits.empty() && digits[0] == '-' ? 1 : 0;
  const std::size_t dot = digits.find('.');
  std::size_t end = dot == std::string::npos ? digits.size() : dot;
  while (end > start + 3) {
    end -= 3;
    digits.insert(end, ",");
  }
  return digits;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out += kReplacement;
      ++i;
    } else if (length == 1 && is_forbidden_control(static_cast<unsigned char>(text[i]))) {
      out += kReplacement;
      ++i;
    } else {
      out.append(text, i, length);
      i += length;
    }
  }
  return out;
}

std::string escape_html(std::string_view text) {
  const std::string valid = valid_utf8(text);
  std::string out;
  out.reserve(valid.size() + valid.size() / 8);
  for (const char c : valid) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

ClippedText clip_text(std::string_view text, std::size_t max_chars) {
  std::string valid = valid_utf8(text);
  ClippedText clipped;
  std::size_t chars = 0;
  std::size_t cut = valid.size();
  for (std::size_t i = 0; i < valid.size(); ++i) {
    // Every code point starts with a byte that is not a continuation byte (10xxxxxx).
    if ((static_cast<unsigned char>(valid[i]) & 0xC0) == 0x80) continue;
    if (chars == max_chars && cut == valid.size()) cut = i;
    ++chars;
  }
  if (cut < valid.size()) {
    clipped.omitted_chars = chars - max_chars;
    valid.resize(cut);
  }
  clipped.text = std::move(valid);
  return clipped;
}

std::string json_pointer(const std::vector<std::string>& tokens) {
  std::string pointer;
  for (const std::string& token : tokens) {
    pointer += '/';
    for (const char c : token) {
      if (c == '~') {
        pointer += "~0";
      } else if (c == '/') {
        pointer += "~1";
      } else {
        pointer += c;
      }
    }
  }
  return pointer;
}

std::string format_percent(double rate) {
  if (!std::isfinite(rate)) return std::string(kNotAvailable);
  return printf_double("%.1f", rate * 100.0) + " %";
}

std::string format_se(double rate_se) {
  if (!std::isfinite(rate_se)) return std::string(kNotAvailable);
  return "\xC2\xB1 " + printf_double("%.1f", rate_se * 100.0);
}

std::string format_count(std::int64_t count) {
  const bool negative = count < 0;
  // Through unsigned arithmetic so the most negative value has a magnitude too.
  const std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(count) : static_cast<std::uint64_t>(count);
  const std::string digits = group_thousands(std::to_string(magnitude));
  return negative ? "-" + digits : digits;
}

std::string format_whole(double value) {
  if (!std::isfinite(value)) return std::string(kNotAvailable);
  const std::string digits = group_thousands(printf_double("%.0f", std::fabs(value)));
  return value < 0 && digits != "0" ? "-" + digits : digits;
}

std::string format_mean(double value) {
  if (!std::isfinite(value)) return std::string(kNotAvailable);
  const std::string digits = group_thousands(printf_double("%.1f", std::fabs(value)));
  return value < 0 && digits != "0.0" ? "-" + digits : digits;
}

std::string format_ms(double ms) {
  if (!std::isfinite(ms)) return std::string(kNotAvailable);
  if (std::fabs(ms) < 999.5) return printf_double("%.0f", ms) + " ms";
  if (std::fabs(ms) < 99995.0) return printf_double("%.2f", ms / 1000.0) + " s";
  return group_thousands(printf_double("%.1f", ms / 1000.0)) + " s";
}

std::string format_seconds(double seconds) {
  if (!std::isfinite(seconds)) return std::string(kNotAvailable);
  return group_thousands(printf_double("%.1f", seconds)) + " s";
}

std::string format_usd(double usd) {
  if (!std::isfinite(usd)) return std::string(kNotAvailable);
  const double magnitude = std::fabs(usd);
  const char* format = "%.6f";
  if (magnitude == 0.0 || magnitude >= 0.995) {
    format = "%.2f";
  } else if (magnitude >= 0.00995) {
    format = "%.4f";
  }
  const std::string digits = group_thousands(printf_double(format, magnitude));
  return (usd < 0 ? "-$" : "$") + digits;
}

}  // namespace lemma::math::detail
