#pragma once

// Typed, non-throwing access to JSON fields for decoders: the first mistyped field becomes a
// protocol Error naming its path; absent and null optional fields are simply absent.
// Also the one depth-bounded parse used for every JSON body a server sends (parse_bounded).
// Paths are chains of stack objects rendered only when an error occurs, so decoding a chunk on
// the streaming hot path allocates nothing for them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lemma/error.hpp"

namespace lemma::detail {

/// The outcome of parse_bounded().
struct BoundedParse {
  enum class Status { ok, invalid, too_deep };
  nlohmann::json value;  ///< the document when ok; discarded otherwise
  Status status = Status::ok;
  std::size_t error_byte = 0;  ///< where parsing stopped (invalid or too_deep)
};

/// A SAX handler that builds the DOM like nlohmann's parser but stops at `max_depth` nested
/// arrays/objects. Parsing itself does not recurse, but copying, comparing and dump() of a
/// document do: bounding depth here means no later recursion over server JSON can overflow the
/// stack (nlohmann's destructor is iterative, so dropping a partial document is safe too).
class DepthBoundedSax {
 public:
  using json = nlohmann::json;
  DepthBoundedSax(json& out, std::size_t max_depth) : dom_(out, false), max_depth_(max_depth) {}

  bool null() { return dom_.null(); }
  bool boolean(bool value) { return dom_.boolean(value); }
  bool number_integer(json::number_integer_t value) { return dom_.number_integer(value); }
  bool number_unsigned(json::number_unsigned_t value) { return dom_.number_unsigned(value); }
  bool number_float(json::number_float_t value, const json::string_t& text) {
    return dom_.number_float(value, text);
  }
  bool string(json::string_t& value) { return dom_.string(value); }
  bool binary(json::binary_t& value) { return dom_.binary(value); }
  bool key(json::string_t& value) { return dom_.key(value); }
  bool start_object(std::size_t size) { return enter() && dom_.start_object(size); }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t size) { return enter() && dom_.start_array(size); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  bool parse_error(std::size_t position, const std::string& token,
                   const nlohmann::detail::exception& error) {
    error_byte_ = position;
    return dom_.parse_error(position, token, error);
  }

  bool too_deep() const noexcept { return too_deep_; }
  std::size_t error_byte() const noexcept { return error_byte_; }

 private:
  bool enter() {
    if (++depth_ <= max_depth_) return true;
    too_deep_ = true;
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  std::size_t error_byte_ = 0;
  bool too_deep_ = false;
};

/// Parses `text` as one JSON document with at most `max_depth` nested arrays/objects; never
/// throws.
inline BoundedParse parse_bounded(std::string_view text, std::size_t max_depth) {
  BoundedParse out;
  DepthBoundedSax sax(out.value, max_depth);
  bool parsed = false;
  try {
    parsed = nlohmann::json::sax_parse(text.begin(), text.end(), &sax);
  } catch (const std::exception&) {
    parsed = false;  // e.g. std::bad_alloc building a huge document
  }
  if (parsed) return out;
  out.status = sax.too_deep() ? BoundedParse::Status::too_deep : BoundedParse::Status::invalid;
  out.error_byte = sax.error_byte();
  out.value = nlohmann::json(nlohmann::json::value_t::discarded);
  return out;
}

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

/// `value` as compact JSON text, never throwing on invalid UTF-8 (nlohmann's default dump()
/// throws type_error 316): such bytes become U+FFFD. Every JSON text lemma writes goes through
/// here; a caller's strings are refused before (validate_chat_request), so this is the backstop.
inline std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// The protocol-error message for JSON nested deeper than the limit.
inline std::string too_deep_message(std::string_view what, std::size_t max_depth) {
  return "The server's " + std::string(what) + " nests JSON arrays/objects deeper than " +
         std::to_string(max_depth) +
         " levels, lemma's limit (max_json_depth). Real responses nest fewer than 10 levels, so "
         "the server is broken or hostile; raise max_json_depth in the provider's options only "
         "for a server you trust.";
}

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
