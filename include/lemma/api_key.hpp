#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include "lemma/export.hpp"

namespace lemma {

/// An API key that stays out of logs: printing it shows "[REDACTED]", and its memory is wiped
/// when it is destroyed. Only providers read the plain value, to build the Authorization header.
class LEMMA_EXPORT ApiKey {
 public:
  /// No key (for servers that need none).
  ApiKey() = default;
  /// Takes the key's text.
  ApiKey(std::string key) : key_(std::move(key)) {}  // NOLINT(implicit): a key is a string
  /// Takes the key's text.
  ApiKey(const char* key) : key_(key ? key : "") {}  // NOLINT(implicit)
  /// Copies the key.
  ApiKey(const ApiKey& other) = default;
  /// Moves the key; the source is left empty.
  ApiKey(ApiKey&& other) noexcept : key_(std::move(other.key_)) { other.key_.clear(); }
  /// Copies the key.
  ApiKey& operator=(const ApiKey& other);
  /// Moves the key; the source is left empty.
  ApiKey& operator=(ApiKey&& other) noexcept;
  /// Wipes the key's memory.
  ~ApiKey();

  /// The key in environment variable `name`; empty when the variable is unset or empty.
  static ApiKey from_env(const char* name);

  /// True when no key is set.
  bool empty() const noexcept { return key_.empty(); }
  /// The plain key. Never log or print it.
  const std::string& reveal() const noexcept { return key_; }
  /// Replaces the key in `text` with "[REDACTED]": a key of 8 or more characters wherever it
  /// appears, a shorter one only where it stands as a token (not inside a longer word or
  /// number, so that "1234" leaves "12345" and "k" leaves "Check" alone); and the first 8 or
  /// more characters of the key where they end an excerpt (before "..." or at the end).
  void redact_in(std::string& text) const;

 private:
  void wipe() noexcept;
  std::string key_;
};

/// Writes "[REDACTED]" (or "[none]" for an empty key), never the key.
LEMMA_EXPORT std::ostream& operator<<(std::ostream& os, const ApiKey& key);

}  // namespace lemma
