#include "lemma/api_key.hpp"

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

void ApiKey::redact_in(std::string& text) const {
  if (key_.empty()) return;
  for (auto pos = text.find(key_); pos != std::string::npos; pos = text.find(key_, pos)) {
    text.replace(pos, key_.size(), kRedacted);
    pos += kRedacted.size();
  }
}

std::ostream& operator<<(std::ostream& os, const ApiKey& key) {
  return os << (key.empty() ? "[none]" : kRedacted);
}

}  // namespace lemma
