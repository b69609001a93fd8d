#include "wire/openai/chunk_sax_private.hpp"

#include <cstdint>
#include <limits>
#include <vector>

#include <nlohmann/json.hpp>

#include "wire/openai/token_counts_private.hpp"

namespace lemma::detail {

namespace {

using nlohmann::json;

// Where the parser is: the container being filled.
enum class Context {
  root,
  choices,
  choice,
  delta,
  tool_calls,
  tool_call,
  function,
  usage,
  prompt_details,
  completion_details,
  skip,
};

// The member whose value comes next.
enum class Key {
  none,
  id,
  object,
  created,
  model,
  system_fingerprint,
  choices,
  usage,
  index,
  delta,
  finish_reason,
  logprobs,
  role,
  content,
  reasoning_content,
  reasoning,
  refusal,
  tool_calls,
  type,
  function,
  name,
  arguments,
  prompt_tokens,
  completion_tokens,
  total_tokens,
  prompt_tokens_details,
  completion_tokens_details,
  cached_tokens,
  reasoning_tokens,
  unknown,
  bail,  // a member that needs the DOM decoder ("error", "message")
};

Key key_in(Context context, std::string_view k) {
  switch (context) {
    case Context::root:
      if (k == "choices") return Key::choices;
      if (k == "id") return Key::id;
      if (k == "model") return Key::model;
      if (k == "object") return Key::object;
      if (k == "created") return Key::created;
      if (k == "system_fingerprint") return Key::system_fingerprint;
      if (k == "usage") return Key::usage;
      if (k == "error") return Key::bail;
      return Key::unknown;
    case Context::choice:
      if (k == "delta") return Key::delta;
      if (k == "index") return Key::index;
      if (k == "finish_reason") return Key::finish_reason;
      if (k == "logprobs") return Key::logprobs;
      if (k == "message") return Key::bail;
      return Key::unknown;
    case Context::delta:
      if (k == "content") return Key::content;
      if (k == "reasoning_content") return Key::reasoning_content;
      if (k == "reasoning") return Key::reasoning;
      if (k == "role") return Key::role;
      if (k == "refusal") return Key::refusal;
      if (k == "tool_calls") return Key::tool_calls;
      return Key::unknown;
    case Context::tool_call:
      if (k == "index") return Key::index;
      if (k == "id") return Key::id;
      if (k == "type") return Key::type;
      if (k == "function") return Key::function;
      return Key::unknown;
    case Context::function:
      if (k == "name") return Key::name;
      if (k == "arguments") return Key::arguments;
      return Key::unknown;
    case Context::usage:
      if (k == "prompt_tokens") return Key::prompt_tokens;
      if (k == "completion_tokens") return Key::completion_tokens;
      if (k == "total_tokens") return Key::total_tokens;
      if (k == "prompt_tokens_details") return Key::prompt_tokens_details;
      if (k == "completion_tokens_details") return Key::completion_tokens_details;
      return Key::unknown;
    case Context::prompt_details: return k == "cached_tokens" ? Key::cached_tokens : Key::unknown;
    case Context::completion_details:
      return k == "reasoning_tokens" ? Key::reasoning_tokens : Key::unknown;
    default: return Key::unknown;
  }
}

class ChunkSax {
 public:
  ChunkSax(ChatChunk& chunk, std::size_t max_depth) : chunk_(chunk), max_depth_(max_depth) {}

  bool bailed() const noexcept { return bail_; }

  // --- nlohmann::json SAX interface ---
  bool null() { return scalar_null(); }
  bool boolean(bool) { return scalar_other(); }
  bool number_integer(json::number_integer_t value) { return integer(value); }
  bool number_unsigned(json::number_unsigned_t value) {
    if (value > static_cast<json::number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      return scalar_other();
    }
    return integer(static_cast<std::int64_t>(value));
  }
  bool number_float(json::number_float_t, const json::string_t&) { return scalar_other(); }
  bool binary(json::binary_t&) { return give_up(); }
  bool string(json::string_t& value);
  bool start_object(std::size_t);
  bool end_object();
  bool start_array(std::size_t);
  bool end_array();
  bool key(json::string_t& name) {
    if (top() == Context::skip) return true;
    key_ = key_in(top(), name);
    if (key_ == Key::bail) return give_up();
    if (key_ != Key::unknown) {
      // A repeated member means "last one wins" in a DOM; rather than emulate that, decline.
      const std::uint64_t bit = std::uint64_t{1} << static_cast<unsigned>(key_);
      if (seen_.empty()) return give_up();
      std::uint64_t& seen = seen_.back();
      if (seen & bit) return give_up();
      seen |= bit;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return give_up();
  }

 private:
  Context top() const { return stack_.empty() ? Context::root : stack_.back(); }
  void push(Context context) {
    stack_.push_back(context);
    seen_.push_back(0);
  }
  void pop() {
    stack_.pop_back();
    seen_.pop_back();
  }
  bool give_up() {
    bail_ = true;
    return false;  // stops the parser
  }
  bool in_skip() const { return top() == Context::skip; }
  // A value under an unknown key, or anywhere inside a skipped container, is ignored.
  bool ignorable() const { return in_skip() || key_ == Key::unknown; }

  bool scalar_null();
  bool scalar_other() { return ignorable() ? true : give_up(); }
  bool integer(std::int64_t value);

  ChunkChoice& choice() { return chunk_.choices.back(); }
  ToolCallDelta& tool_call() { return choice().delta.tool_calls.back(); }
  Usage& usage() { return *chunk_.usage; }

  ChatChunk& chunk_;
  std::size_t max_depth_;  // beyond it the DOM decoder reports the limit
  std::vector<Context> stack_;
  std::vector<std::uint64_t> seen_;  // members already seen, per open container
  Key key_ = Key::none;
  bool started_ = false;
  bool bail_ = false;
  bool total_seen_ = false;
  bool delta_seen_ = false;
  std::optional<std::string> reasoning_alias_;
};

bool ChunkSax::scalar_null() {
  if (ignorable()) return true;
  switch (key_) {
    // null means "absent" for every optional member.
    case Key::id:
    case Key::object:
    case Key::model:
    case Key::system_fingerprint:
    case Key::finish_reason:
    case Key::logprobs:
    case Key::role:
    case Key::content:
    case Key::reasoning_content:
    case Key::reasoning:
    case Key::refusal:
    case Key::type:
    case Key::name:
    case Key::arguments:
    case Key::usage:
    case Key::delta:
    case Key::choices:
    case Key::tool_calls:
    case Key::function:
    case Key::created:
    case Key::index:
    case Key::prompt_tokens_details:
    case Key::completion_tokens_details:
    case Key::cached_tokens:
    case Key::reasoning_tokens: return true;
    default: return give_up();
  }
}

bool ChunkSax::string(json::string_t& value) {
  if (ignorable()) return true;
  switch (top()) {
    case Context::root:
      switch (key_) {
        case Key::id: chunk_.id = std::move(value); return true;
        case Key::object: chunk_.object = std::move(value); return true;
        case Key::model: chunk_.model = std::move(value); return true;
        case Key::system_fingerprint: chunk_.system_fingerprint = std::move(value); return true;
        default: return give_up();
      }
    case Context::choice:
      if (key_ == Key::finish_reason) {
        choice().finish_reason = std::move(value);
        return true;
      }
      return give_up();
    case Context::delta: {
      ChunkDelta& d = choice().delta;
      switch (key_) {
        case Key::content: d.content = std::move(value); return true;
        case Key::reasoning_content: d.reasoning_content = std::move(value); return true;
        case Key::reasoning: reasoning_alias_ = std::move(value); return true;
        case Key::role: d.role = std::move(value); return true;
        case Key::refusal: d.refusal = std::move(value); return true;
        default: return give_up();
      }
    }
    case Context::tool_call:
      if (key_ == Key::id) {
        tool_call().id = std::move(value);
        return true;
      }
      if (key_ == Key::type) {
        tool_call().type = std::move(value);
        return true;
      }
      return give_up();
    case Context::function:
      if (key_ == Key::name) {
        tool_call().function_name = std::move(value);
        return true;
      }
      if (key_ == Key::arguments) {
        tool_call().arguments = std::move(value);
        return true;
      }
      return give_up();
    default: return give_up();
  }
}

bool ChunkSax::integer(std::int64_t value) {
  if (ignorable()) return true;
  switch (top()) {
    case Context::root:
      if (key_ == Key::created) {
        chunk_.created = value;
        return true;
      }
      return give_up();
    case Context::choice:
      // An index out of range is refused by the DOM decoder, which says so.
      if (key_ == Key::index && value >= 0 && value <= wire::kMaxChoiceIndex) {
        choice().index = value;
        return true;
      }
      return give_up();
    case Context::tool_call:
      if (key_ == Key::index) {
        tool_call().index = value;
        return true;
      }
      return give_up();
    case Context::usage:
      // A negative count is refused by the DOM decoder, which says so.
      if (value < 0) return give_up();
      switch (key_) {
        case Key::prompt_tokens: usage().prompt_tokens = value; return true;
        case Key::completion_tokens: usage().completion_tokens = value; return true;
        case Key::total_tokens:
          usage().total_tokens = value;
          total_seen_ = true;
          return true;
        default: return give_up();
      }
    case Context::prompt_details:
      if (value < 0) return give_up();
      usage().cached_tokens = value;
      return true;
    case Context::completion_details:
      if (value < 0) return give_up();
      usage().reasoning_tokens = value;
      return true;
    default: return give_up();
  }
}

bool ChunkSax::start_object(std::size_t) {
  if (stack_.size() >= max_depth_) return give_up();
  if (!started_) {
    started_ = true;
    push(Context::root);
    key_ = Key::none;
    return true;
  }
  if (ignorable()) {
    push(Context::skip);
    return true;
  }
  Context next;
  switch (top()) {
    case Context::root:
      if (key_ != Key::usage || chunk_.usage) return give_up();
      chunk_.usage.emplace();
      next = Context::usage;
      break;
    case Context::choices:
      delta_seen_ = false;
      chunk_.choices.emplace_back();
      // The array position is the index until the object says otherwise.
      chunk_.choices.back().index = static_cast<std::int64_t>(chunk_.choices.size() - 1);
      next = Context::choice;
      break;
    case Context::choice:
      // Objects other than the delta (logprobs content) and a repeated delta: DOM decoder.
      if (key_ != Key::delta || delta_seen_) return give_up();
      delta_seen_ = true;
      next = Context::delta;
      break;
    case Context::tool_calls: {
      auto& calls = choice().delta.tool_calls;
      calls.emplace_back();
      calls.back().index = static_cast<std::int64_t>(calls.size() - 1);
      next = Context::tool_call;
      break;
    }
    case Context::tool_call:
      if (key_ != Key::function) return give_up();
      next = Context::function;
      break;
    case Context::usage:
      if (key_ == Key::prompt_tokens_details) {
        next = Context::prompt_details;
      } else if (key_ == Key::completion_tokens_details) {
        next = Context::completion_details;
      } else {
        return give_up();
      }
      break;
    default: return give_up();
  }
  push(next);
  key_ = Key::none;
  return true;
}

bool ChunkSax::end_object() {
  const Context closing = top();
  pop();
  if (closing == Context::delta) {
    ChunkDelta& d = choice().delta;
    if (!d.reasoning_content && reasoning_alias_) d.reasoning_content = std::move(reasoning_alias_);
    reasoning_alias_.reset();
  } else if (closing == Context::usage && !total_seen_) {
    usage().total_tokens = total_tokens_of(usage().prompt_tokens, usage().completion_tokens);
  }
  // The member that held this object is finished; the enclosing container continues.
  key_ = top() == Context::skip ? Key::unknown : Key::none;
  return true;
}

bool ChunkSax::start_array(std::size_t) {
  if (stack_.size() >= max_depth_) return give_up();
  if (!started_) return give_up();  // the body must be an object
  if (ignorable()) {
    push(Context::skip);
    return true;
  }
  if (top() == Context::root && key_ == Key::choices && chunk_.choices.empty()) {
    push(Context::choices);
    key_ = Key::none;  // array elements have no key
    return true;
  }
  if (top() == Context::delta && key_ == Key::tool_calls && choice().delta.tool_calls.empty()) {
    push(Context::tool_calls);
    key_ = Key::none;
    return true;
  }
  return give_up();  // content parts, array logprobs, duplicate members: DOM decoder
}

bool ChunkSax::end_array() {
  pop();
  key_ = top() == Context::skip ? Key::unknown : Key::none;
  return true;
}

}  // namespace

bool decode_chunk_fast(std::string_view text, ChatChunk& chunk, std::size_t max_depth) {
  ChunkSax sax(chunk, max_depth);
  const bool parsed = json::sax_parse(text.begin(), text.end(), &sax);
  return parsed && !sax.bailed();
}

}  // namespace lemma::detail
