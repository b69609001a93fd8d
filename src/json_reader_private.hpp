#pragma once

// Typed, non-throwing access to JSON fields for decoders: the first mistyped field becomes a
// protocol Error naming its path; absent and null optional fields are simply absent.
// Paths are chains of stack objects rendered only when an error occurs, so decoding a chunk on
// the streaming hot path allocates nothing for them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lemma/error.hpp"

namespace lemma::detail {

/// A position in a JSON document, e.g. choices[0].message.content.
struct JsonPath {
  const JsonPath* parent = nullptr;
  std::string_view key;
  long index = -1;

  JsonPath field(std::string_view name) const { return {this, name, -1}; }
  JsonPath at(std::size_t i) const { return {this, {}, static_cast<long>(i)}; }
  std::string str() const {
    std::string prefix = parent ? parent->str() : std::string();
    if (index >= 0) return prefix + "[" + std::to_string(index) + "]";
    if (prefix.empty()) return std::string(key);
    return key.empty() ? prefix : prefix + "." + std::string(key);
  }
};

class JsonReader {
 public:
  /// `what` names the document in messages, e.g. "chat completion".
  explicit JsonReader(std::string_view what) : what_(what) {}

  /// The member `key` of `object`, or nullptr when absent or null.
  static const nlohmann::json* member(const nlohmann::json& object, std::string_view key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::optional<std::string> optional_string(const nlohmann::json& object, std::string_view key,
                                             const JsonPath& parent) {
    const nlohmann::json* value = member(object, key);
    if (!value) return std::nullopt;
    if (!value->is_string()) {
      mistyped(parent.field(key), "a string", *value);
      return std::nullopt;
    }
    return value->get_ref<const std::string&>();
  }

  std::string string_or_empty(const nlohmann::json& object, std::string_view key,
                              const JsonPath& parent) {
    return optional_string(object, key, parent).value_or(std::string());
  }

  std::optional<std::int64_t> optional_int(const nlohmann::json& object, std::string_view key,
                                           const JsonPath& parent) {
    const nlohmann::json* value = member(object, key);
    if (!value) return std::nullopt;
    if (value->is_number_integer()) return value->get<std::int64_t>();
    if (value->is_number_unsigned()) {
      const auto u = value->get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(u);
    }
    // Some servers write counts as 12.0; accept integral floats.
    if (value->is_number_float()) {
      const double d = value->get<double>();
      if (d >= -9.2e18 && d <= 9.2e18 && static_cast<double>(static_cast<std::int64_t>(d)) == d) {
        return static_cast<std::int64_t>(d);
      }
    }
    mistyped(parent.field(key), "an integer", *value);
    return std::nullopt;
  }

  std::int64_t int_or(const nlohmann::json& object, std::string_view key, const JsonPath& parent,
                      std::int64_t fallback) {
    return optional_int(object, key, parent).value_or(fallback);
  }

  /// A token count: an integer that is not negative (a negative one is a protocol error).
  std::optional<std::int64_t> optional_count(const nlohmann::json& object, std::string_view key,
                                             const JsonPath& parent) {
    std::optional<std::int64_t> value = optional_int(object, key, parent);
    if (value && *value < 0) {
      fail(parent.field(key).str() + " is " + std::to_string(*value) +
           " but a token count cannot be negative");
      return std::nullopt;
    }
    return value;
  }

  std::int64_t count_or(const nlohmann::json& object, std::string_view key, const JsonPath& parent,
                        std::int64_t fallback) {
    return optional_count(object, key, parent).value_or(fallback);
  }

  void mistyped(const JsonPath& path, std::string_view expected, const nlohmann::json& actual) {
    const std::string where = path.str();
    fail((where.empty() ? std::string("the body") : where) + " is " +
         std::string(actual.type_name()) + " but should be " + std::string(expected));
  }

  void fail(const std::string& problem) {
    if (error_) return;  // keep the first problem: later ones are usually consequences
    error_ = protocol_error("The server's " + what_ + " is malformed: " + problem +
                            ". The server does not follow the expected wire format; check that "
                            "the base URL points at the right kind of endpoint.");
  }

  bool ok() const noexcept { return !error_.has_value(); }
  const std::optional<Error>& error() const noexcept { return error_; }

 private:
  std::string what_;
  std::optional<Error> error_;
};

}  // namespace lemma::detail
