#include "lemma/api_key.hpp"

#include <algorithm>
#include <cstdlib>
#include <ostream>

namespace lemma {

namespace {
constexpr std::string_view kRedacted = "[REDACTED]";
}

ApiKey ApiKey::from_env(const char* name) {
  const char* value = name ? std::getenv(name) : nullptr;
  return ApiKey(value ? value : "");
}

ApiKey& ApiKey::operator=(const ApiKey& other) {
  if (this != &other) {
    wipe();
    key_ = other.key_;
  }
  return *this;
}

ApiKey& ApiKey::operator=(ApiKey&& other) noexcept {
  if (this != &other) {
    wipe();
    key_ = std::move(other.key_);
    other.key_.clear();
  }
  return *this;
}

ApiKey::~ApiKey() {
  wipe();
}

void ApiKey::wipe() noexcept {
  // volatile so the compiler cannot drop the stores to memory that is about to be freed.
  volatile char* p = key_.data();
  for (std::size_t i = 0; i < key_.size(); ++i) p[i] = '\0';
  key_.clear();
}

namespace {

// A key (or a cut start of one) of this length or more is scrubbed wherever it appears, even
// glued to other text ("key%3Dsk-..."): eight characters are a secret on their own. A shorter
// key ("1234", "k") is scrubbed only where it stands as a token, so that "Check" or "12345"
// stay readable.
constexpr std::size_t kScrubAnywhereLength = 8;
// A cut excerpt may end with the start of a key: that many characters or more are scrubbed.
constexpr std::size_t kMinScrubbedPrefix = kScrubAnywhereLength;
// What lemma appends where it cut an excerpt (wire::body_excerpt and the message excerpts).
constexpr std::string_view kCutMark = "...";

bool is_word_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// True when text[begin, end) may be scrubbed as (a part of) `key`: not inside a longer word or
// number, unless the match is long enough to be a secret on its own.
bool stands_alone(std::string_view text, std::size_t begin, std::size_t end,
                  std::string_view matched) noexcept {
  if (matched.size() >= kScrubAnywhereLength) return true;
  const bool open_before =
      begin == 0 || !is_word_char(text[begin - 1]) || !is_word_char(matched.front());
  const bool open_after =
      end == text.size() || !is_word_char(text[end]) || !is_word_char(matched.back());
  return open_before && open_after;
}

}  // namespace

void ApiKey::redact_in(std::string& text) const {
  if (key_.empty() || text.empty()) return;
  // The whole key, wherever it stands as a token.
  for (auto pos = text.find(key_); pos != std::string::npos; pos = text.find(key_, pos)) {
    if (!stands_alone(text, pos, pos + key_.size(), key_)) {
      ++pos;
      continue;
    }
    text.replace(pos, key_.size(), kRedacted);
    pos += kRedacted.size();
  }
  // The start of the key where an excerpt was cut: before a cut mark, or at the very end.
  if (key_.size() <= kMinScrubbedPrefix) return;
  auto scrub_prefix_ending_at = [&](std::size_t end) -> std::size_t {
    const std::size_t longest = std::min(key_.size() - 1, end);
    for (std::size_t length = longest; length >= kMinScrubbedPrefix; --length) {
      const std::size_t begin = end - length;
      if (text.compare(begin, length, key_, 0, length) != 0) continue;
      text.replace(begin, length, kRedacted);
      return begin + kRedacted.size();
    }
    return end;
  };
  for (auto mark = text.find(kCutMark); mark != std::string::npos;
       mark = text.find(kCutMark, mark + kCutMark.size())) {
    mark = scrub_prefix_ending_at(mark);
  }
  scrub_prefix_ending_at(text.size());
}

std::ostream& operator<<(std::ostream& os, const ApiKey& key) {
  return os << (key.empty() ? "[none]" : kRedacted);
}

}  // namespace lemma
