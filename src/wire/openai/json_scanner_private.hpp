#pragma once

// A single-pass JSON tokenizer for the streaming fast path (chunk_sax.cpp). It accepts a
// subset of what nlohmann::json accepts and never more: every token it reports would have been
// accepted by nlohmann's lexer with the same value, and whenever it is unsure (invalid UTF-8, a
// lone surrogate, a control character, a float that might overflow, a byte-order mark) it fails,
// and its caller declines to the DOM decoder, which gives the precise error. Keys with escapes
// are also left to the DOM decoder: servers never send them, so there is no reason to decode
// them here.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace lemma::detail {

/// A cursor over one JSON text; each function consumes one token or fails (returns false).
class JsonScanner {
 public:
  /// Scans `text`; it must outlive the scanner.
  explicit JsonScanner(std::string_view text) noexcept
      : p_(text.data()), end_(text.data() + text.size()) {}

  /// Skips JSON whitespace (space, tab, line feed, carriage return).
  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  /// True at the end of the text.
  bool at_end() const noexcept { return p_ == end_; }
  /// The next byte; only when !at_end().
  char peek() const noexcept { return *p_; }
  /// Consumes `c` if it is the next byte.
  bool consume(char c) noexcept {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  /// A string token (the opening quote is next): its raw bytes between the quotes, validated,
  /// and whether it holds escapes (then decode() gives its value; else the raw bytes are it).
  bool string_token(std::string_view& raw, bool& escaped) noexcept;
  /// The value of a validated raw string that holds escapes.
  static std::string decode(std::string_view raw);

  /// What a number token is, as nlohmann's lexer classifies it.
  enum class NumberKind { integer, unsigned_integer, floating };
  /// A number token: an integer that fits int64 or uint64 gives its value; anything else
  /// (fraction, exponent, or too long) is floating, and fails when it might not be finite
  /// (nlohmann refuses an overflowing number).
  bool number_token(NumberKind& kind, std::int64_t& integer,
                    std::uint64_t& unsigned_integer) noexcept;
  /// `true`, `false` or `null` (the first letter is next); `word` gets the literal.
  bool literal_token(std::string_view& word) noexcept;

  /// Skips one complete, valid value of any type. `depth` containers are already open; opening
  /// one when `max_depth` are open fails, as the fast path's own containers do.
  bool skip_value(std::size_t depth, std::size_t max_depth);

 private:
  bool skip_utf8(unsigned char lead) noexcept;
  bool hex4(const char* at, std::uint32_t& value) const noexcept;
  bool skip_key_and_colon() noexcept;
  bool skip_scalar() noexcept;

  const char* p_;
  const char* end_;
};

inline bool JsonScanner::hex4(const char* at, std::uint32_t& value) const noexcept {
  if (end_ - at < 4) return false;
  value = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = at[i];
    std::uint32_t digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
    value = (value << 4) | digit;
  }
  return true;
}

// The well-formed UTF-8 sequences of RFC 3629 (table 3-7 of Unicode), which nlohmann checks too:
// no overlong forms, no encoded surrogates, nothing above U+10FFFF.
inline bool JsonScanner::skip_utf8(unsigned char lead) noexcept {
  auto in = [this](std::ptrdiff_t offset, unsigned lo, unsigned hi) {
    if (end_ - p_ <= offset) return false;
    const auto byte = static_cast<unsigned char>(p_[offset]);
    return byte >= lo && byte <= hi;
  };
  std::ptrdiff_t length;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead == 0xE0) {
    if (!in(1, 0xA0, 0xBF)) return false;
    length = 3;
  } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
    length = 3;
  } else if (lead == 0xED) {
    if (!in(1, 0x80, 0x9F)) return false;
    length = 3;
  } else if (lead == 0xF0) {
    if (!in(1, 0x90, 0xBF)) return false;
    length = 4;
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    length = 4;
  } else if (lead == 0xF4) {
    if (!in(1, 0x80, 0x8F)) return false;
    length = 4;
  } else {
    return false;
  }
  for (std::ptrdiff_t i = 1; i < length; ++i) {
    if (!in(i, 0x80, 0xBF)) return false;
  }
  p_ += length;
  return true;
}

inline bool JsonScanner::string_token(std::string_view& raw, bool& escaped) noexcept {
  if (!consume('"')) return false;
  const char* const begin = p_;
  escaped = false;
  for (;;) {
    // The plain run: printable ASCII other than the quote and the backslash.
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++p_;
    }
    if (p_ == end_) return false;
    const auto c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      raw = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
      ++p_;
      return true;
    }
    if (c < 0x20) return false;  // a raw control character: invalid JSON
    if (c >= 0x80) {
      if (!skip_utf8(c)) return false;
      continue;
    }
    // A backslash.
    escaped = true;
    if (end_ - p_ < 2) return false;
    switch (p_[1]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't': p_ += 2; break;
      case 'u': {
        std::uint32_t unit;
        if (!hex4(p_ + 2, unit)) return false;
        p_ += 6;
        if (unit >= 0xDC00 && unit <= 0xDFFF) return false;  // a lone low surrogate
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          // A high surrogate must be followed by an escaped low one.
          std::uint32_t low;
          if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u' || !hex4(p_ + 2, low) ||
              low < 0xDC00 || low > 0xDFFF) {
            return false;
          }
          p_ += 6;
        }
        break;
      }
      default: return false;
    }
  }
}

inline std::string JsonScanner::decode(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  std::size_t i = 0;
  auto unit_at = [&raw](std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = raw[at + k];
      const std::uint32_t digit = c <= '9'   ? static_cast<std::uint32_t>(c - '0')
                                  : c <= 'F' ? static_cast<std::uint32_t>(c - 'A' + 10)
                                             : static_cast<std::uint32_t>(c - 'a' + 10);
      value = (value << 4) | digit;
    }
    return value;
  };
  while (i < raw.size()) {
    const std::size_t slash = raw.find('\\', i);
    if (slash == std::string_view::npos) {
      out.append(raw.substr(i));
      break;
    }
    out.append(raw.substr(i, slash - i));
    const char kind = raw[slash + 1];
    i = slash + 2;
    switch (kind) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        std::uint32_t code = unit_at(i);
        i += 4;
        if (code >= 0xD800 && code <= 0xDBFF) {  // validated: a low surrogate follows
          code = 0x10000 + ((code - 0xD800) << 10) + (unit_at(i + 2) - 0xDC00);
          i += 6;
        }
        if (code < 0x80) {
          out.push_back(static_cast<char>(code));
        } else if (code < 0x800) {
          out.push_back(static_cast<char>(0xC0 | (code >> 6)));
          out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else if (code < 0x10000) {
          out.push_back(static_cast<char>(0xE0 | (code >> 12)));
          out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else {
          out.push_back(static_cast<char>(0xF0 | (code >> 18)));
          out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        }
        break;
      }
      default: out.push_back(kind); break;  // '"', '\\', '/'
    }
  }
  return out;
}

inline bool JsonScanner::number_token(NumberKind& kind, std::int64_t& integer,
                                      std::uint64_t& unsigned_integer) noexcept {
  const bool negative = consume('-');
  if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
  std::uint64_t magnitude = 0;
  bool overflow = false;
  std::int64_t int_digits = 0;  // significant digits before the point
  if (*p_ == '0') {
    ++p_;  // a leading zero stands alone
  } else {
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
      const auto digit = static_cast<std::uint64_t>(*p_ - '0');
      if (magnitude > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) overflow = true;
      magnitude = magnitude * 10 + digit;
      ++int_digits;
      ++p_;
    }
  }
  bool floating = false;
  if (p_ != end_ && *p_ == '.') {
    floating = true;
    ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  }
  std::int64_t exponent = 0;
  if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
    floating = true;
    ++p_;
    bool exponent_negative = false;
    if (p_ != end_ && (*p_ == '+' || *p_ == '-')) exponent_negative = *p_++ == '-';
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
      if (exponent < 100000) exponent = exponent * 10 + (*p_ - '0');  // saturates
      ++p_;
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (!floating && !overflow) {
    if (!negative) {
      kind = NumberKind::unsigned_integer;
      unsigned_integer = magnitude;
      return true;
    }
    constexpr auto kMinMagnitude =
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;
    if (magnitude <= kMinMagnitude) {
      kind = NumberKind::integer;
      integer = magnitude == kMinMagnitude ? std::numeric_limits<std::int64_t>::min()
                                           : -static_cast<std::int64_t>(magnitude);
      return true;
    }
  }
  // A double: its magnitude is below 10^(int_digits + exponent). Far below DBL_MAX (~1.8e308)
  // it is surely finite; near it, let the DOM decoder's own conversion decide.
  kind = NumberKind::floating;
  return int_digits + exponent <= 300;
}

inline bool JsonScanner::literal_token(std::string_view& word) noexcept {
  const auto rest = static_cast<std::size_t>(end_ - p_);
  for (std::string_view candidate :
       {std::string_view("null"), std::string_view("true"), std::string_view("false")}) {
    if (rest >= candidate.size() && std::string_view(p_, candidate.size()) == candidate) {
      word = candidate;
      p_ += candidate.size();
      return true;
    }
  }
  return false;
}

inline bool JsonScanner::skip_scalar() noexcept {
  if (p_ == end_) return false;
  const char c = *p_;
  if (c == '"') {
    std::string_view raw;
    bool escaped;
    return string_token(raw, escaped);
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    NumberKind kind;
    std::int64_t i;
    std::uint64_t u;
    return number_token(kind, i, u);
  }
  std::string_view word;
  return literal_token(word);
}

inline bool JsonScanner::skip_key_and_colon() noexcept {
  skip_ws();
  std::string_view raw;
  bool escaped;
  if (!string_token(raw, escaped)) return false;
  skip_ws();
  return consume(':');
}

inline bool JsonScanner::skip_value(std::size_t depth, std::size_t max_depth) {
  // The open containers, innermost last: '{' or '['. Short enough for the string's inline
  // buffer in the values servers send (a few levels).
  std::string open;
  for (;;) {
    skip_ws();
    if (p_ == end_) return false;
    const char c = *p_;
    if (c == '{' || c == '[') {
      if (depth + open.size() >= max_depth) return false;
      ++p_;
      skip_ws();
      if (!consume(c == '{' ? '}' : ']')) {
        open.push_back(c);
        if (c == '{' && !skip_key_and_colon()) return false;
        continue;  // the first member's or element's value
      }
    } else if (!skip_scalar()) {
      return false;
    }
    // A value is complete: continue or close its containers.
    for (;;) {
      if (open.empty()) return true;
      skip_ws();
      if (consume(',')) {
        if (open.back() == '{' && !skip_key_and_colon()) return false;
        break;
      }
      if (!consume(open.back() == '{' ? '}' : ']')) return false;
      open.pop_back();
    }
  }
}

}  // namespace lemma::detail
