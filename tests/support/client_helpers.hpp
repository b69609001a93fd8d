#pragma once

// Small factories shared by the tests.

#include <map>
#include <optional>
#include <string>

#include "lemma/chat.hpp"
#include "lemma/client_options.hpp"
#include "lemma/providers/from_env.hpp"

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

/// An environment for providers::from_env holding exactly `vars` (empty values count as unset).
inline providers::EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

}  // namespace lemma::test
