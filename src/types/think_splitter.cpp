#include "lemma/think_splitter.hpp"

#include <algorithm>

namespace lemma {

namespace {
constexpr std::string_view kOpen = "<think>";
constexpr std::string_view kClose = "</think>";

// Length of the longest suffix of `text` that is a proper prefix of `tag`.
std::size_t partial_tag_suffix(std::string_view text, std::string_view tag) {
  const std::size_t longest = std::min(text.size(), tag.size() - 1);
  for (std::size_t n = longest; n > 0; --n) {
    if (text.substr(text.size() - n) == tag.substr(0, n)) return n;
  }
  return 0;
}
}  // namespace

void ThinkTagSplitter::emit(Output& out, std::string_view text) {
  if (inside_) {
    out.reasoning.append(text.data(), text.size());
    return;
  }
  if (strip_newlines_) {
    const auto first = text.find_first_not_of("\r\n");
    if (first == std::string_view::npos) return;
    text.remove_prefix(first);
    strip_newlines_ = false;
  }
  out.content.append(text.data(), text.size());
}

ThinkTagSplitter::Output ThinkTagSplitter::feed(std::string_view piece) {
  Output out;
  std::string text = std::move(held_);
  held_.clear();
  text.append(piece.data(), piece.size());
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::string_view tag = inside_ ? kClose : kOpen;
    const auto at = rest.find(tag);
    if (at == std::string_view::npos) {
      const std::size_t keep = partial_tag_suffix(rest, tag);
      emit(out, rest.substr(0, rest.size() - keep));
      held_ = std::string(rest.substr(rest.size() - keep));
      break;
    }
    emit(out, rest.substr(0, at));
    rest.remove_prefix(at + tag.size());
    if (inside_) strip_newlines_ = true;
    inside_ = !inside_;
  }
  return out;
}

ThinkTagSplitter::Output ThinkTagSplitter::finish() {
  Output out;
  emit(out, held_);
  held_.clear();
  return out;
}

ThinkTagSplitter::Output ThinkTagSplitter::split(std::string_view text, bool starts_in_reasoning) {
  ThinkTagSplitter splitter(starts_in_reasoning);
  Output out = splitter.feed(text);
  Output tail = splitter.finish();
  out.content += tail.content;
  out.reasoning += tail.reasoning;
  return out;
}

}  // namespace lemma
