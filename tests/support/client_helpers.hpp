#pragma once

// Small factories shared by the integration tests.

#include "lemma/client_options.hpp"

namespace lemma::test {

/// Client options without retries, for tests that show one attempt's outcome plainly (retries
/// have their own tests).
inline ClientOptions single_attempt() {
  ClientOptions options;
  options.retry = RetryPolicy::none();
  return options;
}

}  // namespace lemma::test
