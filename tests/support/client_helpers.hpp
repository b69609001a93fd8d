#pragma once

// Small factories shared by the integration tests.

#include <string>

#include "lemma/chat.hpp"
#include "lemma/client_options.hpp"

namespace lemma::test {

/// Client options without retries, for tests that show one attempt's outcome plainly (retries
/// have their own tests).
inline ClientOptions single_attempt() {
  ClientOptions options;
  options.retry = RetryPolicy::none();
  return options;
}

/// A request for `model` with one user message.
inline ChatRequest user_request(std::string model, std::string question, bool stream = false) {
  ChatRequest request;
  request.model = std::move(model);
  request.messages = {Message::user(std::move(question))};
  request.stream = stream;
  return request;
}

}  // namespace lemma::test
