#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "lemma/error.hpp"

namespace lemma {

/// A value of type T or an Error. Every fallible lemma call returns one.
///
/// There is deliberately no default constructor: a Result is always either a real value or a
/// real error. `*` and `->` are unchecked; `value()` throws lemma::Exception on an error.
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Error>, "Result<Error> is not meaningful");

 public:
  /// Holds a value.
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(implicit)
  /// Holds an error.
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(implicit)

  /// True when this holds a value.
  bool ok() const noexcept { return state_.index() == 0; }
  /// True when this holds a value.
  explicit operator bool() const noexcept { return ok(); }

  /// The value; throws lemma::Exception carrying the error when there is none.
  T& value() & {
    throw_if_error();
    return std::get<0>(state_);
  }
  /// The value; throws lemma::Exception carrying the error when there is none.
  const T& value() const& {
    throw_if_error();
    return std::get<0>(state_);
  }
  /// The value, moved out; throws lemma::Exception carrying the error when there is none.
  T&& value() && {
    throw_if_error();
    return std::get<0>(std::move(state_));
  }

  /// The value, unchecked: only call when ok().
  T& operator*() & noexcept { return *std::get_if<0>(&state_); }
  /// The value, unchecked: only call when ok().
  const T& operator*() const& noexcept { return *std::get_if<0>(&state_); }
  /// The value, unchecked and moved out: only call when ok().
  T&& operator*() && noexcept { return std::move(*std::get_if<0>(&state_)); }
  /// Member access to the value, unchecked: only call when ok().
  T* operator->() noexcept { return std::get_if<0>(&state_); }
  /// Member access to the value, unchecked: only call when ok().
  const T* operator->() const noexcept { return std::get_if<0>(&state_); }

  /// The error, unchecked: only call when !ok().
  const Error& error() const& noexcept { return *std::get_if<1>(&state_); }
  /// The error, unchecked: only call when !ok().
  Error& error() & noexcept { return *std::get_if<1>(&state_); }

  /// The value when ok(), otherwise `fallback`.
  T value_or(T fallback) const& { return ok() ? std::get<0>(state_) : std::move(fallback); }

 private:
  void throw_if_error() const {
    if (!ok()) throw Exception(std::get<1>(state_));
  }

  std::variant<T, Error> state_;
};

/// The value type for calls that succeed with nothing to return (Result<Done>).
struct Done {
  /// All Done values are equal.
  friend bool operator==(Done, Done) noexcept { return true; }
};

}  // namespace lemma
