// Reads an OpenAI chat-completions request body back into a typed ChatRequest: the inverse of
// encode_chat_body(), for request files written by other tools (OpenAI Batch input lines).

#include <algorithm>
#include <string>
#include <utility>

#include "lemma/wire.hpp"

namespace lemma::wire {

namespace {

using nlohmann::json;

// Reads the typed fields of a body one by one; the first mistake is kept as an invalid_request
// Error naming the field as `body.<name>`.
class RequestReader {
 public:
  explicit RequestReader(json& body) : body_(body) {}

  template <typename T, typename Check>
  void take(const char* name, std::optional<T>& into, Check is_type, const char* expected) {
    const auto it = body_.find(name);
    if (it == body_.end()) return;
    if (it->is_null()) {  // null means "not set" in OpenAI's schema
      body_.erase(it);
      return;
    }
    if (!is_type(*it)) {
      fail(name, std::string("must be ") + expected + ", not " + it->dump());
      return;
    }
    into = it->template get<T>();
    body_.erase(it);
  }

  void fail(const std::string& field, const std::string& what) {
    if (error_) return;
    error_ = invalid_request_error(field, "The request body's \"" + field + "\" " + what +
                                              "; fix it to the OpenAI chat-completions format.");
  }

  std::optional<Error>& error() { return error_; }

 private:
  json& body_;
  std::optional<Error> error_;
};

bool is_number(const json& v) {
  return v.is_number();
}
bool is_integer(const json& v) {
  return v.is_number_integer();
}
bool is_bool(const json& v) {
  return v.is_boolean();
}
bool is_text(const json& v) {
  return v.is_string();
}

}  // namespace

Result<ChatRequest> decode_chat_request(nlohmann::json body) {
  if (!body.is_object()) {
    return invalid_request_error("body",
                                 "The request body must be a JSON object (a "
                                 "chat-completions request), not " +
                                     std::string(body.type_name()) + ".");
  }
  ChatRequest out;
  RequestReader reader(body);

  if (const auto it = body.find("model"); it != body.end()) {
    if (!it->is_string()) {
      reader.fail("model", "must be a string");
    } else {
      out.model = it->get<std::string>();
    }
    body.erase(it);
  }

  const auto messages = body.find("messages");
  if (messages == body.end() || !messages->is_array() || messages->empty()) {
    reader.fail("messages", "must be a non-empty array of messages");
  } else {
    std::size_t index = 0;
    for (const json& message : *messages) {
      const std::string path = "messages[" + std::to_string(index++) + "]";
      const auto role = message.is_object() ? message.find("role") : message.end();
      if (!message.is_object() || role == message.end() || !role->is_string()) {
        reader.fail(path, "must be an object with a string \"role\"");
        break;
      }
      auto decoded = decode_message(message, path);
      if (!decoded) {
        reader.fail(path, "is not a valid message (" + decoded.error().message + ")");
        break;
      }
      out.messages.push_back(std::move(*decoded));
    }
    body.erase(messages);
  }

  if (const auto it = body.find("stream"); it != body.end()) {
    if (it->is_boolean() && it->get<bool>()) {
      reader.fail("stream", "is true; remove it (a batch request is answered whole)");
    } else if (!it->is_boolean() && !it->is_null()) {
      reader.fail("stream", "must be a boolean");
    }
    body.erase(it);
  }
  body.erase("stream_options");  // meaningful only for a streamed request

  SamplingParams& s = out.sampling;
  reader.take("temperature", s.temperature, is_number, "a number");
  reader.take("top_p", s.top_p, is_number, "a number");
  reader.take("top_k", s.top_k, is_integer, "an integer");
  reader.take("min_p", s.min_p, is_number, "a number");
  reader.take("max_tokens", s.max_tokens, is_integer, "an integer");
  reader.take("seed", s.seed, is_integer, "an integer");
  reader.take("n", s.n, is_integer, "an integer");
  reader.take("presence_penalty", s.presence_penalty, is_number, "a number");
  reader.take("frequency_penalty", s.frequency_penalty, is_number, "a number");
  reader.take("repetition_penalty", s.repetition_penalty, is_number, "a number");
  reader.take("logprobs", s.logprobs, is_bool, "a boolean");
  reader.take("top_logprobs", s.top_logprobs, is_integer, "an integer");
  reader.take("user", s.user, is_text, "a string");
  if (const auto it = body.find("response_format"); it != body.end()) {
    if (!it->is_null()) s.response_format = *it;
    body.erase(it);
  }
  if (const auto it = body.find("stop"); it != body.end()) {
    if (it->is_string()) {
      s.stop = std::vector<std::string>{it->get<std::string>()};
    } else if (it->is_array() &&
               std::all_of(it->begin(), it->end(), [](const json& v) { return v.is_string(); })) {
      s.stop = it->get<std::vector<std::string>>();
    } else if (!it->is_null()) {
      reader.fail("stop", "must be a string or an array of strings");
    }
    body.erase(it);
  }
  if (reader.error()) return *reader.error();
  // Everything else (tools, max_completion_tokens, logit_bias, server-specific parameters) is
  // sent verbatim.
  s.extra = std::move(body);
  return out;
}

}  // namespace lemma::wire
