#include "lemma/chat.hpp"

namespace lemma {

namespace {
const std::string& empty_string() {
  static const std::string kEmpty;
  return kEmpty;
}

Message make_message(const char* role, std::string content) {
  Message message;
  message.role = role;
  message.content = std::move(content);
  return message;
}
}  // namespace

Message Message::system(std::string content) {
  return make_message("system", std::move(content));
}
Message Message::user(std::string content) {
  return make_message("user", std::move(content));
}
Message Message::assistant(std::string content) {
  return make_message("assistant", std::move(content));
}
Message Message::tool(std::string content, std::string tool_call_id) {
  Message message = make_message("tool", std::move(content));
  message.tool_call_id = std::move(tool_call_id);
  return message;
}

const std::string& Message::text() const noexcept {
  return content ? *content : empty_string();
}

const std::string& ChatResponse::text() const noexcept {
  return choices.empty() ? empty_string() : choices.front().message.text();
}

const std::string& ChatResponse::reasoning() const noexcept {
  if (choices.empty() || !choices.front().message.reasoning_content) return empty_string();
  return *choices.front().message.reasoning_content;
}

}  // namespace lemma
