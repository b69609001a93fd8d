#include "lemma/stream.hpp"

#include <algorithm>

namespace lemma {

namespace {

void append(std::optional<std::string>& target, const std::optional<std::string>& piece) {
  if (!piece) return;
  if (target) {
    *target += *piece;
  } else {
    target = *piece;
  }
}

// Streamed logprobs arrive as {"content": [...]} per chunk; the whole response has one list.
void append_logprobs(nlohmann::json& target, const nlohmann::json& piece) {
  if (piece.is_null()) return;
  if (target.is_null()) {
    target = piece;
    return;
  }
  if (target.is_object() && piece.is_object()) {
    for (const auto& [key, value] : piece.items()) {
      auto& slot = target[key];
      if (slot.is_array() && value.is_array()) {
        slot.insert(slot.end(), value.begin(), value.end());
      } else if (!value.is_null()) {
        slot = value;
      }
    }
  }
}

}  // namespace

Choice& StreamAccumulator::choice_at(std::int64_t index) {
  // Choices stay ordered by index, as a whole response lists them, whatever order they start
  // in. Found by binary search; the usual order (ascending, mostly one choice) appends.
  auto& choices = response_.choices;
  if (!choices.empty() && choices.back().index == index) return choices.back();
  auto at = choices.end();
  if (!choices.empty() && choices.back().index > index) {
    at = std::lower_bound(choices.begin(), choices.end(), index,
                          [](const Choice& c, std::int64_t i) { return c.index < i; });
    if (at->index == index) return *at;
  }
  Choice choice;
  choice.index = index;
  choice.message.role = "assistant";
  return *choices.insert(at, std::move(choice));
}

void StreamAccumulator::add(const ChatChunk& chunk) {
  ++chunks_;
  if (!chunk.id.empty()) response_.id = chunk.id;
  if (!chunk.model.empty()) response_.model = chunk.model;
  if (chunk.created != 0) response_.created = chunk.created;
  if (chunk.system_fingerprint) response_.system_fingerprint = chunk.system_fingerprint;
  response_.object = "chat.completion";
  if (chunk.usage) response_.usage = chunk.usage;

  for (const ChunkChoice& part : chunk.choices) {
    Choice& choice = choice_at(part.index);
    Message& message = choice.message;
    if (part.delta.role && !part.delta.role->empty()) message.role = *part.delta.role;
    append(message.content, part.delta.content);
    append(message.reasoning_content, part.delta.reasoning_content);
    append(message.refusal, part.delta.refusal);
    for (const ToolCallDelta& fragment : part.delta.tool_calls) {
      auto [it, inserted] =
          tool_call_positions_.try_emplace({part.index, fragment.index}, message.tool_calls.size());
      if (inserted) message.tool_calls.emplace_back();
      ToolCall& call = message.tool_calls[it->second];
      if (fragment.id && !fragment.id->empty()) call.id = *fragment.id;
      if (fragment.type && !fragment.type->empty()) call.type = *fragment.type;
      if (fragment.function_name) call.function_name += *fragment.function_name;
      if (fragment.arguments) call.arguments += *fragment.arguments;
    }
    if (!part.finish_reason.empty()) choice.finish_reason = part.finish_reason;
    append_logprobs(choice.logprobs, part.logprobs);
  }
}

}  // namespace lemma
