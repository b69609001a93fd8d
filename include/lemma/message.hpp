#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lemma/export.hpp"

namespace lemma {

/// One tool (function) call requested by the assistant.
struct ToolCall {
  /// The call's id, echoed back in the tool message that answers it.
  std::string id;
  /// Call type; "function" for every current server.
  std::string type = "function";
  /// Name of the function to call.
  std::string function_name;
  /// The function's arguments as a JSON text (exactly as the model produced them).
  std::string arguments;

  /// Field-by-field equality.
  friend bool operator==(const ToolCall& a, const ToolCall& b) {
    return a.id == b.id && a.type == b.type && a.function_name == b.function_name &&
           a.arguments == b.arguments;
  }
};

/// One chat message, in a request or in a response.
///
/// `role` is a string ("system", "user", "assistant", "tool", or any role a server defines);
/// use the factory functions for the common ones.
struct LEMMA_EXPORT Message {
  /// Who speaks: "system", "user", "assistant" or "tool".
  std::string role;
  /// The text; absent (null on the wire) e.g. for an assistant message with only tool calls.
  std::optional<std::string> content;
  /// Optional participant name.
  std::optional<std::string> name;
  /// For role "tool": the id of the tool call this message answers.
  std::optional<std::string> tool_call_id;
  /// For role "assistant": the model's reasoning (DeepSeek-style `reasoning_content`).
  std::optional<std::string> reasoning_content;
  /// For role "assistant": the model's refusal text, if it refused.
  std::optional<std::string> refusal;
  /// For role "assistant": tool calls requested by the model.
  std::vector<ToolCall> tool_calls;

  /// A system message.
  static Message system(std::string content);
  /// A user message.
  static Message user(std::string content);
  /// An assistant message (e.g. an earlier answer, for multi-turn conversations).
  static Message assistant(std::string content);
  /// A tool result answering the tool call `tool_call_id`.
  static Message tool(std::string content, std::string tool_call_id);

  /// The content, or "" when it is absent.
  const std::string& text() const noexcept;

  /// Field-by-field equality.
  friend bool operator==(const Message& a, const Message& b) {
    return a.role == b.role && a.content == b.content && a.name == b.name &&
           a.tool_call_id == b.tool_call_id && a.reasoning_content == b.reasoning_content &&
           a.refusal == b.refusal && a.tool_calls == b.tool_calls;
  }
  /// Field-by-field inequality.
  friend bool operator!=(const Message& a, const Message& b) { return !(a == b); }
};

}  // namespace lemma
