#pragma once

// Small byte-level scanners shared by answer extraction, Lean blocks and grading. ASCII-only
// character classes on purpose: UTF-8 continuation bytes are never letters, digits or spaces,
// so multi-byte text passes through untouched.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lemma::math::detail::scan {

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}

inline bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}
inline bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// A copy with ASCII letters lower-cased and every other byte unchanged (same length, so
/// positions found in it are positions in the original).
inline std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

/// The position of the `}` that closes the `{` at `open`, skipping escaped braces (`\{`,
/// `\}`); npos when it is never closed.
inline std::size_t matching_brace(std::string_view s, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '{') {
      ++depth;
    } else if (s[i] == '}') {
      if (--depth == 0) return i;
    }
  }
  return std::string_view::npos;
}

/// A math span: `$...$`, `$$...$$`, `\(...\)` or `\[...\]`.
struct MathSpan {
  /// The text between the delimiters.
  std::string_view inner;
  /// One past the closing delimiter.
  std::size_t end = 0;
};

/// The next unescaped `$` at or after `from`; npos when there is none.
inline std::size_t find_dollar(std::string_view s, std::size_t from) {
  for (std::size_t i = from; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '$') {
      return i;
    }
  }
  return std::string_view::npos;
}

/// The complete math span that opens at `p`; nullopt when none opens there or it is never
/// closed.
inline std::optional<MathSpan> math_span_at(std::string_view s, std::size_t p) {
  if (p >= s.size()) return std::nullopt;
  if (s[p] == '\\' && p + 1 < s.size() && (s[p + 1] == '(' || s[p + 1] == '[')) {
    const std::string_view close = s[p + 1] == '(' ? "\\)" : "\\]";
    const std::size_t c = s.find(close, p + 2);
    if (c == std::string_view::npos) return std::nullopt;
    return MathSpan{s.substr(p + 2, c - p - 2), c + 2};
  }
  if (s[p] != '$') return std::nullopt;
  if (p + 1 < s.size() && s[p + 1] == '$') {
    for (std::size_t c = find_dollar(s, p + 2); c != std::string_view::npos;
         c = find_dollar(s, c + 1)) {
      if (c + 1 < s.size() && s[c + 1] == '$') return MathSpan{s.substr(p + 2, c - p - 2), c + 2};
    }
    return std::nullopt;
  }
  const std::size_t c = find_dollar(s, p + 1);
  if (c == std::string_view::npos) return std::nullopt;
  return MathSpan{s.substr(p + 1, c - p - 1), c + 1};
}

/// The inside of `s` when all of `s` (trimmed) is one math span; nullopt otherwise.
inline std::optional<std::string_view> whole_math_span(std::string_view s) {
  s = trim(s);
  auto span = math_span_at(s, 0);
  if (!span || span->end != s.size()) return std::nullopt;
  return span->inner;
}

}  // namespace lemma::math::detail::scan
