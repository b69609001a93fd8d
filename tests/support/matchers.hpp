#pragma once

// gMock matchers for lemma::Result, printing the error when they fail.

#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>

#include "lemma/error.hpp"
#include "lemma/result.hpp"

namespace lemma {
inline void PrintTo(ErrorKind kind, std::ostream* os) {
  *os << to_string(kind);
}
inline void PrintTo(const Error& error, std::ostream* os) {
  *os << error.what();
}
}  // namespace lemma

namespace lemma::test {

/// Matches a Result holding a value.
MATCHER(IsOk, "holds a value") {
  if (arg.ok()) return true;
  *result_listener << "holds the error: " << arg.error().what();
  return false;
}

/// Matches a Result holding an error of `kind` whose message matches `message_matcher`.
MATCHER_P2(ErrorIs, kind, message_matcher,
           "holds an error of kind " + std::string(lemma::to_string(kind))) {
  if (arg.ok()) {
    *result_listener << "holds a value";
    return false;
  }
  const auto& error = arg.error();
  if (error.kind != kind) {
    *result_listener << "holds the error: " << error.what();
    return false;
  }
  return ::testing::ExplainMatchResult(message_matcher, error.message, result_listener);
}

/// Matches a Result holding an error of `kind`, whatever its message.
MATCHER_P(ErrorKindIs, kind, "holds an error of kind " + std::string(lemma::to_string(kind))) {
  if (arg.ok()) {
    *result_listener << "holds a value";
    return false;
  }
  if (arg.error().kind == kind) return true;
  *result_listener << "holds the error: " << arg.error().what();
  return false;
}

/// The text of tests/fixtures/<name>.
inline std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(LEMMA_TEST_FIXTURES_DIR) + "/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace lemma::test
