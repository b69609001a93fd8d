#include "wire/openai/chunk_sax_private.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <string>

#include "wire/openai/json_scanner_private.hpp"
#include "wire/openai/token_counts_private.hpp"

namespace lemma::detail {

namespace {

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

  // --- the events the scanner reports (the shape of nlohmann's SAX interface) ---
  bool null() { return scalar_null(); }
  bool boolean() { return scalar_other(); }
  bool number_integer(std::int64_t value) { return integer(value); }
  bool number_unsigned(std::uint64_t value) {
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return scalar_other();
    }
    return integer(static_cast<std::int64_t>(value));
  }
  bool number_float() { return scalar_other(); }
  bool string(std::string&& value);
  bool start_object();
  bool end_object();
  bool start_array();
  bool end_array();
  bool key(std::string_view name) {
    key_ = key_in(top(), name);
    if (key_ == Key::bail) return give_up();
    if (key_ != Key::unknown) {
      // A repeated member means "last one wins" in a DOM; rather than emulate that, decline.
      const std::uint64_t bit = std::uint64_t{1} << static_cast<unsigned>(key_);
      if (depth_ == 0) return give_up();
      std::uint64_t& seen = seen_[depth_ - 1];
      if (seen & bit) return give_up();
      seen |= bit;
    }
    return true;
  }
  // A value under an unknown key is ignored: the scanner skips it without reporting it.
  bool ignorable() const { return key_ == Key::unknown; }
  // The containers open, for the depth limit of the skipped values.
  std::size_t depth() const { return depth_; }

 private:
  // The deepest known shape: root, choices, choice, delta, tool_calls, tool_call, function.
  static constexpr std::size_t kMaxKnownDepth = 8;

  Context top() const { return depth_ == 0 ? Context::root : stack_[depth_ - 1]; }
  bool push(Context context) {
    if (depth_ >= kMaxKnownDepth) return give_up();
    stack_[depth_] = context;
    seen_[depth_] = 0;
    ++depth_;
    return true;
  }
  void pop() { --depth_; }
  bool give_up() {
    bail_ = true;
    return false;  // stops the scanner
  }

  bool scalar_null();
  bool scalar_other() { return ignorable() ? true : give_up(); }
  bool integer(std::int64_t value);

  ChunkChoice& choice() { return chunk_.choices.back(); }
  ToolCallDelta& tool_call() { return choice().delta.tool_calls.back(); }
  Usage& usage() { return *chunk_.usage; }

  ChatChunk& chunk_;
  std::size_t max_depth_;  // beyond it the DOM decoder reports the limit
  std::array<Context, kMaxKnownDepth> stack_{};
  std::array<std::uint64_t, kMaxKnownDepth> seen_{};  // members already seen, per container
  std::size_t depth_ = 0;
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

bool ChunkSax::string(std::string&& value) {
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

bool ChunkSax::start_object() {
  if (depth_ >= max_depth_) return give_up();
  if (!started_) {
    started_ = true;
    key_ = Key::none;
    return push(Context::root);
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
  key_ = Key::none;
  return push(next);
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
  key_ = Key::none;
  return true;
}

bool ChunkSax::start_array() {
  if (depth_ >= max_depth_) return give_up();
  if (!started_) return give_up();  // the body must be an object
  if (top() == Context::root && key_ == Key::choices && chunk_.choices.empty()) {
    key_ = Key::none;  // array elements have no key
    return push(Context::choices);
  }
  if (top() == Context::delta && key_ == Key::tool_calls && choice().delta.tool_calls.empty()) {
    key_ = Key::none;
    return push(Context::tool_calls);
  }
  return give_up();  // content parts, array logprobs, duplicate members: DOM decoder
}

bool ChunkSax::end_array() {
  pop();
  key_ = Key::none;
  return true;
}

// Drives ChunkSax from a JsonScanner: one pass over the text, strings decoded once, straight
// into the chunk, and values under unknown keys skipped (validated) without being decoded.
class ChunkScanner {
 public:
  ChunkScanner(std::string_view text, ChatChunk& chunk, std::size_t max_depth)
      : scanner_(text), sax_(chunk, max_depth), max_depth_(max_depth) {}

  bool run() {
    scanner_.skip_ws();
    // A body that is not an object (or starts with a byte-order mark): the DOM decoder.
    if (scanner_.at_end() || scanner_.peek() != '{') return false;
    if (!object()) return false;
    scanner_.skip_ws();
    return scanner_.at_end();
  }

 private:
  bool value() {
    scanner_.skip_ws();
    if (sax_.ignorable()) return scanner_.skip_value(sax_.depth(), max_depth_);
    if (scanner_.at_end()) return false;
    switch (scanner_.peek()) {
      case '{': return object();
      case '[': return array();
      case '"': {
        std::string_view raw;
        bool escaped;
        if (!scanner_.string_token(raw, escaped)) return false;
        return sax_.string(escaped ? JsonScanner::decode(raw) : std::string(raw));
      }
      case 't':
      case 'f':
      case 'n': {
        std::string_view word;
        if (!scanner_.literal_token(word)) return false;
        return word == "null" ? sax_.null() : sax_.boolean();
      }
      default: {
        JsonScanner::NumberKind kind;
        std::int64_t integer = 0;
        std::uint64_t unsigned_integer = 0;
        if (!scanner_.number_token(kind, integer, unsigned_integer)) return false;
        switch (kind) {
          case JsonScanner::NumberKind::integer: return sax_.number_integer(integer);
          case JsonScanner::NumberKind::unsigned_integer:
            return sax_.number_unsigned(unsigned_integer);
          default: return sax_.number_float();
        }
      }
    }
  }

  // The opening brace is next. The handler's own containers nest at most a few levels, so
  // this recursion is shallow; deep values are skipped by the scanner's loop.
  bool object() {
    if (!sax_.start_object()) return false;
    scanner_.consume('{');
    scanner_.skip_ws();
    if (scanner_.consume('}')) return sax_.end_object();
    for (;;) {
      scanner_.skip_ws();
      std::string_view name;
      bool escaped;
      // An escaped key: the DOM decoder (servers do not send them).
      if (!scanner_.string_token(name, escaped) || escaped) return false;
      if (!sax_.key(name)) return false;
      scanner_.skip_ws();
      if (!scanner_.consume(':')) return false;
      if (!value()) return false;
      scanner_.skip_ws();
      if (scanner_.consume(',')) continue;
      if (scanner_.consume('}')) return sax_.end_object();
      return false;
    }
  }

  bool array() {
    if (!sax_.start_array()) return false;
    scanner_.consume('[');
    scanner_.skip_ws();
    if (scanner_.consume(']')) return sax_.end_array();
    for (;;) {
      if (!value()) return false;
      scanner_.skip_ws();
      if (scanner_.consume(',')) continue;
      if (scanner_.consume(']')) return sax_.end_array();
      return false;
    }
  }

  JsonScanner scanner_;
  ChunkSax sax_;
  std::size_t max_depth_;
};

}  // namespace

bool decode_chunk_fast(std::string_view text, ChatChunk& chunk, std::size_t max_depth) {
  return ChunkScanner(text, chunk, max_depth).run();
}

}  // namespace lemma::detail
