#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lemma/export.hpp"

namespace lemma {

/// HTTP header fields in order, with case-insensitive lookup. Duplicate names are allowed.
class LEMMA_EXPORT Headers {
 public:
  /// One header field: name and value.
  using Field = std::pair<std::string, std::string>;

  /// An empty header list.
  Headers() = default;
  /// Headers from a list of fields, e.g. {{"X-Trace", "1"}}.
  Headers(std::initializer_list<Field> fields) : fields_(fields) {}

  /// Appends a field (keeps existing fields of the same name).
  void add(std::string name, std::string value);
  /// Replaces all fields named `name` (case-insensitively) with one field.
  void set(std::string name, std::string value);
  /// Removes all fields named `name` (case-insensitively).
  void remove(std::string_view name);
  /// The first value of `name` (case-insensitive), or nullopt.
  std::optional<std::string> get(std::string_view name) const;
  /// True when a field named `name` exists (case-insensitive).
  bool contains(std::string_view name) const { return get(name).has_value(); }

  /// All fields in order.
  const std::vector<Field>& fields() const noexcept { return fields_; }
  /// Number of fields.
  std::size_t size() const noexcept { return fields_.size(); }
  /// True when there are no fields.
  bool empty() const noexcept { return fields_.empty(); }
  /// Iteration over the fields.
  std::vector<Field>::const_iterator begin() const noexcept { return fields_.begin(); }
  /// Iteration over the fields.
  std::vector<Field>::const_iterator end() const noexcept { return fields_.end(); }

  /// True when `name` carries a credential (Authorization, api-key, x-api-key, cookies, ...):
  /// such values are redacted in every dump lemma produces.
  static bool is_sensitive(std::string_view name) noexcept;
  /// "Name: value" lines with sensitive values replaced by "[REDACTED]", for debugging.
  std::string to_redacted_string() const;

 private:
  std::vector<Field> fields_;
};

/// Case-insensitive ASCII comparison of two header names.
LEMMA_EXPORT bool header_name_equals(std::string_view a, std::string_view b) noexcept;

}  // namespace lemma
