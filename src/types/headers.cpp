#include "lemma/headers.hpp"

#include <algorithm>
#include <array>

namespace lemma {

namespace {
char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
}  // namespace

bool header_name_equals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

void Headers::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value) {
  remove(name);
  add(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const Field& f) { return header_name_equals(f.first, name); }),
                fields_.end());
}

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& field : fields_) {
    if (header_name_equals(field.first, name)) return field.second;
  }
  return std::nullopt;
}

bool Headers::is_sensitive(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 7> kSensitive = {
      "authorization", "proxy-authorization", "api-key",       "x-api-key",
      "cookie",        "set-cookie",          "x-goog-api-key"};
  return std::any_of(kSensitive.begin(), kSensitive.end(),
                     [&](std::string_view s) { return header_name_equals(s, name); });
}

std::string Headers::to_redacted_string() const {
  std::string out;
  for (const auto& [name, value] : fields_) {
    out += name;
    out += ": ";
    out += is_sensitive(name) ? std::string("[REDACTED]") : value;
    out += '\n';
  }
  return out;
}

}  // namespace lemma
