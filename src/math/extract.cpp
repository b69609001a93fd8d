// Final-answer extraction: hand-written linear scanners (no std::regex: it is slow and recurses
// on long inputs), one per rule, tried in the documented priority order.

#include "lemma/math/extract.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "text_scan.hpp"

namespace lemma::math {
namespace {

using detail::scan::ends_with;
using detail::scan::is_alnum;
using detail::scan::is_alpha;
using detail::scan::is_digit;
using detail::scan::is_space;
using detail::scan::starts_with;
using detail::scan::to_lower_ascii;
using detail::scan::trim;

// ---------------------------------------------------------------------------------------------
// Cleaning an answer candidate.

// Punctuation that ends a sentence or a list and is never part of an answer (a percent sign and
// closing brackets are not here: they are).
constexpr std::array<std::string_view, 12> kTrailingPunctuation = {".",
                                                                   ",",
                                                                   ";",
                                                                   ":",
                                                                   "!",
                                                                   "?",
                                                                   "\xE3\x80\x82" /*。*/,
                                                                   "\xEF\xBC\x8C" /*，*/,
                                                                   "\xEF\xBC\x9B" /*；*/,
                                                                   "\xEF\xBC\x81" /*！*/,
                                                                   "\xEF\xBC\x9F" /*？*/,
                                                                   "\xEF\xBC\x9A" /*：*/};

// Copulas that close an answer sentence in Japanese and Korean ("答えは5です").
constexpr std::array<std::string_view, 5> kTrailingCopulas = {
    "\xE3\x81\xA7\xE3\x81\x99" /*です*/, "\xE3\x81\xA7\xE3\x81\x82\xE3\x82\x8B" /*である*/,
    "\xEC\x9E\x85\xEB\x8B\x88\xEB\x8B\xA4" /*입니다*/, "\xEC\x9D\xB4\xEB\x8B\xA4" /*이다*/,
    "\xEB\x8B\xA4" /*다*/};

std::optional<std::string_view> whole_box_content(std::string_view s);

// Removes what surrounds an answer without being part of it: spaces, trailing punctuation,
// Markdown bold markers, one enclosing math span or box, a closing copula. Works on views of
// the input (each pass is O(1) unless it unwraps a span), so a long run of markers stays linear.
// `math`: the text is the inside of a math span or box, where a final `!` is a factorial
// ($10!$); it becomes true once an enclosing span or box is unwrapped.
std::string clean_answer(std::string_view text, bool math = false) {
  std::string_view v = trim(text);
  for (bool changed = true; changed && !v.empty();) {
    changed = false;
    for (bool stripped = true; stripped;) {
      stripped = false;
      for (std::string_view p : kTrailingPunctuation) {
        // "\." and "\;" are LaTeX, not punctuation; "5\%." ends in a period, which goes.
        if (p == "!" && math) continue;
        if (ends_with(v, p) && !(p.size() == 1 && v.size() >= 2 && v[v.size() - 2] == '\\')) {
          v.remove_suffix(p.size());
          v = trim(v);
          stripped = changed = true;
        }
      }
    }
    if (ends_with(v, "\\\\")) {  // a LaTeX line break at the end of a display line
      v.remove_suffix(2);
      changed = true;
    }
    for (std::string_view c : kTrailingCopulas) {
      if (v.size() > c.size() && ends_with(v, c)) {
        v.remove_suffix(c.size());
        changed = true;
        break;
      }
    }
    if (starts_with(v, "**")) {
      v.remove_prefix(2);
      changed = true;
    }
    if (ends_with(v, "**")) {
      v.remove_suffix(2);
      changed = true;
    }
    v = trim(v);
    if (auto inner = detail::scan::whole_math_span(v)) {
      v = trim(*inner);
      changed = math = true;
    } else if (auto box = whole_box_content(v)) {
      v = trim(*box);
      changed = math = true;
    }
  }
  return std::string(v);
}

// ---------------------------------------------------------------------------------------------
// Rule boxed: \boxed{...}, \fbox{...}, \boxed X.

struct Box {
  std::size_t end = 0;  // one past the box (and its percent sign)
  std::string content;
};

// The `}` matching each `{`, found in one pass with a stack (escaped braces skipped), so that
// many unclosed boxes cost linear time, not one scan to the end each.
class BracePairs {
 public:
  explicit BracePairs(std::string_view s) {
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\') {
        ++i;
      } else if (s[i] == '{') {
        open.push_back(i);
      } else if (s[i] == '}' && !open.empty()) {
        pairs_.emplace_back(open.back(), i);
        open.pop_back();
      }
    }
    std::sort(pairs_.begin(), pairs_.end());
  }
  /// The matching close of the `{` at `at`, or npos.
  std::size_t close_of(std::size_t at) const {
    auto it = std::lower_bound(pairs_.begin(), pairs_.end(), std::make_pair(at, std::size_t{0}));
    return it != pairs_.end() && it->first == at ? it->second : std::string_view::npos;
  }

 private:
  std::vector<std::pair<std::size_t, std::size_t>> pairs_;
};

// Matches the box command at `i` (which points at the backslash); nullopt when it is not a
// complete box. `pairs`, when given, answers brace matching for `s` in O(log n).
std::optional<Box> box_at(std::string_view s, std::size_t i, const BracePairs* pairs = nullptr) {
  std::size_t j = i;
  if (s.compare(i, 6, "\\boxed") == 0) {
    j = i + 6;
  } else if (s.compare(i, 5, "\\fbox") == 0) {
    j = i + 5;
  } else {
    return std::nullopt;
  }
  if (j < s.size() && is_alpha(s[j])) return std::nullopt;  // \boxedsymbol, \fboxsep, ...
  std::size_t k = j;
  while (k < s.size() && is_space(s[k]) && s[k] != '\n') ++k;
  Box box;
  if (k < s.size() && s[k] == '{') {
    const std::size_t close = pairs ? pairs->close_of(k) : detail::scan::matching_brace(s, k);
    if (close == std::string_view::npos) return std::nullopt;  // cut off inside the box
    box.content = std::string(trim(s.substr(k + 1, close - k - 1)));
    box.end = close + 1;
  } else {
    // "\boxed 5" (TeX takes one token; models write the whole answer up to a space or a $).
    if (k == j && k < s.size() && s[k] != '\\' && !is_digit(s[k])) return std::nullopt;
    std::size_t e = k;
    while (e < s.size() && !is_space(s[e]) && s[e] != '$') ++e;
    box.content = std::string(s.substr(k, e - k));
    box.end = e;
  }
  if (s.compare(box.end, 2, "\\%") == 0) {
    box.content += "\\%";
    box.end += 2;
  } else if (box.end < s.size() && s[box.end] == '%') {
    box.content += "%";
    box.end += 1;
  }
  if (auto inner = whole_box_content(box.content)) box.content = std::string(trim(*inner));
  if (box.content.empty()) return std::nullopt;
  return box;
}

std::vector<Box> find_boxes(std::string_view s) {
  std::vector<Box> boxes;
  if (s.find("\\boxed") == std::string_view::npos && s.find("\\fbox") == std::string_view::npos) {
    return boxes;
  }
  const BracePairs pairs(s);
  for (std::size_t i = s.find('\\'); i != std::string_view::npos && i < s.size();) {
    if (auto box = box_at(s, i, &pairs)) {
      const std::size_t next = box->end;
      boxes.push_back(std::move(*box));
      i = s.find('\\', next);
    } else {
      i = s.find('\\', i + 1);
    }
  }
  return boxes;
}

std::optional<std::string_view> whole_box_content(std::string_view s) {
  s = trim(s);
  if (!starts_with(s, "\\boxed") && !starts_with(s, "\\fbox")) return std::nullopt;
  const std::size_t j = starts_with(s, "\\boxed") ? 6 : 5;
  std::size_t k = j;
  while (k < s.size() && is_space(s[k])) ++k;
  if (k >= s.size() || s[k] != '{') return std::nullopt;
  const std::size_t close = detail::scan::matching_brace(s, k);
  if (close != s.size() - 1) return std::nullopt;
  return s.substr(k + 1, close - k - 1);
}

std::optional<Extracted> rule_boxed(std::string_view s, const ExtractOptions& o) {
  std::vector<Box> boxes = find_boxes(s);
  if (boxes.empty()) return std::nullopt;
  if (o.all_boxes) {
    std::vector<std::string> distinct;
    for (Box& b : boxes) {
      if (std::find(distinct.begin(), distinct.end(), b.content) == distinct.end()) {
        distinct.push_back(std::move(b.content));
      }
    }
    if (distinct.size() > 1) {
      std::string set = "\\{";
      for (std::size_t i = 0; i < distinct.size(); ++i) set += (i ? ", " : "") + distinct[i];
      return Extracted{set + "\\}", "boxed_all"};
    }
    return Extracted{distinct.front(), "boxed"};
  }
  return Extracted{std::move(boxes.back().content), "boxed"};
}

// ---------------------------------------------------------------------------------------------
// Phrase rules: the answer that follows a phrase.

// Skips what separates a phrase from its answer: spaces, blank lines, colons, Markdown bold
// markers, a dash used as a colon ("Ответ — 5").
std::size_t skip_separators(std::string_view s, std::size_t p) {
  while (p < s.size()) {
    if (is_space(s[p]) || s[p] == ':' || s[p] == '*') {
      ++p;
    } else if (s.compare(p, 3, "\xEF\xBC\x9A") == 0 /*：*/ ||
               s.compare(p, 3, "\xE2\x80\x94") == 0 ||
               s.compare(p, 3, "\xE2\x80\x93") == 0) {  // fullwidth colon, em dash, en dash
      p += 3;
    } else if (s[p] == '-' && p + 1 < s.size() && is_space(s[p + 1])) {
      p += 2;
    } else {
      break;
    }
  }
  return p;
}

// The end of the sentence that starts at `p`: a line end, a "。", or a period followed by a
// space (so "3.5" and "\ldots" stay whole).
std::size_t sentence_end(std::string_view s, std::size_t p) {
  std::size_t line_end = s.find('\n', p);
  if (line_end == std::string_view::npos) line_end = s.size();
  for (std::size_t i = p; i < line_end; ++i) {
    if (s[i] == '\\') {
      ++i;  // an escaped character never ends a sentence
    } else if (s[i] == '.' && (i + 1 == line_end || is_space(s[i + 1]))) {
      return i;
    } else if (s.compare(i, 3, "\xE3\x80\x82") == 0) {  // 。
      return i;
    }
  }
  return line_end;
}

// The answer that starts at `p` (after a phrase): a math span there is taken whole (it may
// span lines), otherwise the rest of the sentence.
std::optional<std::string> answer_after(std::string_view s, std::size_t p) {
  p = skip_separators(s, p);
  if (p >= s.size()) return std::nullopt;
  std::string answer;
  if (auto span = detail::scan::math_span_at(s, p)) {
    answer = clean_answer(span->inner, true);
  } else if (auto box = box_at(s, p)) {
    answer = box->content;
  } else {
    answer = clean_answer(s.substr(p, sentence_end(s, p) - p));
  }
  if (answer.empty()) return std::nullopt;
  return answer;
}

std::optional<Extracted> rule_minerva(std::string_view s, std::string_view lower) {
  constexpr std::string_view kOpen = "final answer: the final answer is";
  constexpr std::string_view kClose = "i hope it is correct";
  const std::size_t at = lower.rfind(kOpen);
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t from = at + kOpen.size();
  const std::size_t close = lower.find(kClose, from);
  std::optional<std::string> answer;
  if (close != std::string_view::npos) {
    std::string cleaned = clean_answer(s.substr(from, close - from));
    if (!cleaned.empty()) answer = std::move(cleaned);
  } else {
    answer = answer_after(s, from);
  }
  if (!answer) return std::nullopt;
  return Extracted{std::move(*answer), "minerva"};
}

// Phrases that introduce a final answer, lower case (ASCII letters match either case).
constexpr std::array<std::string_view, 7> kEnglishPhrases = {
    "the final answer is",   "final answer:",       "the answer is",       "answer:",
    "the correct answer is", "the answer would be", "the answer should be"};

constexpr std::
    array<std::string_view, 37>
        kOtherLanguagePhrases =
            {
                // Chinese
                "\xE7\xAD\x94\xE6\xA1\x88\xE6\x98\xAF" /*答案是*/,
                "\xE7\xAD\x94\xE6\xA1\x88\xE4\xB8\xBA" /*答案为*/,
                "\xE7\xAD\x94\xE6\xA1\x88\xEF\xBC\x9A" /*答案：*/,
                "\xE7\xAD\x94\xE6\xA1\x88:" /*答案:*/,
                "\xE7\xAD\x94\xE6\xA1\x88\xE7\x82\xBA" /*答案為*/,
                "\xE6\x9C\x80\xE7\xBB\x88\xE7\xAD\x94\xE6\xA1\x88\xE6\x98\xAF" /*最终答案是*/,
                "\xE6\x89\x80\xE4\xBB\xA5\xE7\xAD\x94\xE6\xA1\x88\xE6\x98\xAF" /*所以答案是*/,
                // Japanese
                "\xE7\xAD\x94\xE3\x81\x88\xE3\x81\xAF" /*答えは*/,
                "\xE7\xAD\x94\xE3\x81\x88\xEF\xBC\x9A" /*答え：*/,
                "\xE7\xAD\x94\xE3\x81\x88:" /*答え:*/,
                "\xE8\xA7\xA3\xE7\xAD\x94\xEF\xBC\x9A" /*解答：*/,
                // Korean
                "\xEB\x8B\xB5\xEC\x9D\x80" /*답은*/,
                "\xEC\xA0\x95\xEB\x8B\xB5\xEC\x9D\x80" /*정답은*/, "\xEB\x8B\xB5:" /*답:*/,
                // Spanish
                "la respuesta es", "la respuesta final es", "respuesta final:", "respuesta:",
                // Portuguese
                "a resposta \xC3\xA9" /*a resposta é*/, "a resposta final \xC3\xA9", "resposta:",
                // French
                "la r\xC3\xA9ponse est" /*la réponse est*/, "la r\xC3\xA9ponse finale est",
                "r\xC3\xA9ponse :", "r\xC3\xA9ponse:",
                // German
                "die antwort ist", "die antwort lautet",
                "die endg\xC3\xBCltige antwort ist" /*endgültige*/, "antwort:",
                // Italian
                "la risposta \xC3\xA8" /*la risposta è*/, "risposta:",
                // Russian (Cyrillic is not case-folded: both spellings)
                "\xD0\xBE\xD1\x82\xD0\xB2\xD0\xB5\xD1\x82:" /*ответ:*/,
                "\xD0\x9E\xD1\x82\xD0\xB2\xD0\xB5\xD1\x82:" /*Ответ:*/,
                "\xD0\xBE\xD1\x82\xD0\xB2\xD0\xB5\xD1\x82 \xE2\x80\x94" /*ответ —*/,
                "\xD0\x9E\xD1\x82\xD0\xB2\xD0\xB5\xD1\x82 \xE2\x80\x94" /*Ответ —*/,
                "\xD0\xBE\xD1\x82\xD0\xB2\xD0\xB5\xD1\x82 \xD1\x80\xD0\xB0\xD0\xB2\xD0\xB5\xD0\xBD" /*ответ равен*/
                ,
                "\xD0\x9E\xD1\x82\xD0\xB2\xD0\xB5\xD1\x82 \xD1\x80\xD0\xB0\xD0\xB2\xD0\xB5\xD0\xBD" /*Ответ равен*/};

// The last occurrence of `phrase` in `lower` (the lower-cased text) that starts a word.
std::size_t rfind_word(std::string_view lower, std::string_view phrase) {
  for (std::size_t at = lower.rfind(phrase); at != std::string_view::npos;
       at = at == 0 ? std::string_view::npos : lower.rfind(phrase, at - 1)) {
    const bool ascii_start = is_alpha(phrase.front());
    if (!ascii_start || at == 0 || !is_alnum(lower[at - 1])) return at;
  }
  return std::string_view::npos;
}

std::optional<Extracted> rule_answer_is(std::string_view s, std::string_view lower,
                                        const ExtractOptions& o) {
  std::size_t best_at = std::string_view::npos;
  std::size_t best_len = 0;
  auto consider = [&](std::string_view phrase) {
    if (phrase.empty()) return;
    const std::size_t at = rfind_word(lower, phrase);
    if (at == std::string_view::npos) return;
    if (best_at == std::string_view::npos || at > best_at ||
        (at == best_at && phrase.size() > best_len)) {
      best_at = at;
      best_len = phrase.size();
    }
  };
  if (o.answer_phrases) {
    for (std::string_view p : kEnglishPhrases) consider(p);
  }
  if (o.multilingual) {
    for (std::string_view p : kOtherLanguagePhrases) consider(p);
  }
  for (const std::string& p : o.extra_phrases) consider(to_lower_ascii(trim(p)));
  if (best_at == std::string_view::npos) return std::nullopt;
  auto answer = answer_after(s, best_at + best_len);
  if (!answer) return std::nullopt;
  return Extracted{std::move(*answer), "answer_is"};
}

// True when `text` reads like a heading or prose ("Step 1: Simplify", "Final Answer") rather
// than an answer: it ends with a colon or has two words of three or more letters outside
// LaTeX commands.
bool looks_like_heading(std::string_view text) {
  text = trim(text);
  if (text.empty()) return true;
  if (ends_with(text, ":") || ends_with(text, "\xEF\xBC\x9A")) return true;
  int words = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\\') {  // skip a command name such as \frac
      ++i;
      while (i < text.size() && is_alpha(text[i])) ++i;
    } else if (text[i] == '$') {  // skip a math span
      const std::size_t close = text.find('$', i + 1);
      i = close == std::string_view::npos ? text.size() : close + 1;
    } else if (is_alpha(text[i])) {
      std::size_t e = i;
      while (e < text.size() && is_alpha(text[e])) ++e;
      if (e - i >= 3 && ++words >= 2) return true;
      i = e;
    } else {
      ++i;
    }
  }
  if (words >= 2) return true;  // (reached early: the loop above stops at two)
  const std::string lower = to_lower_ascii(text);
  for (std::string_view h : {"answer", "solution", "final answer", "conclusion", "summary",
                             "verification", "explanation", "note", "proof", "step"}) {
    if (lower == h) return true;
  }
  return false;
}

// Longest "#### X" line read as an answer; keeps the scan linear on pathological input.
constexpr std::size_t kMaxLineAnswer = 1000;

std::optional<Extracted> rule_gsm8k(std::string_view s) {
  for (std::size_t at = s.rfind("####"); at != std::string_view::npos;
       at = at == 0 ? std::string_view::npos : s.rfind("####", at - 1)) {
    if (at > 0 && s[at - 1] == '#') continue;  // "#####": part of a longer run
    std::size_t from = at + 4;
    if (from < s.size() && s[from] == '#') continue;
    std::size_t line_end = s.find('\n', from);
    if (line_end == std::string_view::npos) line_end = s.size();
    const std::string_view rest = s.substr(from, line_end - from);
    if (rest.size() > kMaxLineAnswer) continue;  // a paragraph, not an answer line
    if (looks_like_heading(rest)) continue;      // a Markdown heading "#### Step 2: ..."
    std::string answer = clean_answer(rest);
    if (!answer.empty()) return Extracted{std::move(answer), "gsm8k"};
  }
  return std::nullopt;
}

std::optional<Extracted> rule_bold(std::string_view s) {
  // Pair the "**" markers from the left; keep the last pair whose content is an answer.
  std::optional<std::string> last;
  for (std::size_t open = s.find("**"); open != std::string_view::npos;) {
    const std::size_t close = s.find("**", open + 2);
    if (close == std::string_view::npos) break;
    const std::string_view inner = s.substr(open + 2, close - open - 2);
    if (inner.find('\n') == std::string_view::npos && !looks_like_heading(inner)) {
      std::string answer = clean_answer(inner);
      if (!answer.empty()) last = std::move(answer);
    }
    open = s.find("**", close + 2);
  }
  if (!last) return std::nullopt;
  return Extracted{std::move(*last), "bold"};
}

// "It costs $5 and then $10": a single-dollar "span" that opens on a digit and closes right
// before another amount is two prices in prose.
bool is_money(std::string_view s, std::size_t at, const detail::scan::MathSpan& span) {
  if (s.compare(at, 2, "$$") == 0 || s[at] != '$') return false;
  if (span.inner.empty() || !is_digit(span.inner.front())) return false;
  return span.end < s.size() && is_digit(s[span.end]);
}

std::optional<Extracted> rule_math_span(std::string_view s) {
  std::optional<std::string> last;
  // Once a \( (or \[) finds no close, no later one can: skip them instead of rescanning.
  bool paren_unclosed = false;
  bool bracket_unclosed = false;
  for (std::size_t i = 0; i < s.size();) {
    const bool paren = s.compare(i, 2, "\\(") == 0;
    const bool bracket = s.compare(i, 2, "\\[") == 0;
    if ((paren && paren_unclosed) || (bracket && bracket_unclosed)) {
      i += 2;
      continue;
    }
    if (auto span = detail::scan::math_span_at(s, i); span && !is_money(s, i, *span)) {
      std::string answer = clean_answer(span->inner, true);
      if (!answer.empty()) last = std::move(answer);
      i = span->end;
    } else if (span) {
      i = span->end;  // "$5 and then $10": both dollars are prices, neither opens a span
    } else if (s[i] == '\\') {
      paren_unclosed = paren_unclosed || paren;
      bracket_unclosed = bracket_unclosed || bracket;
      i += 2;  // an escaped character ("\$") opens nothing
    } else if (s[i] == '$') {
      break;  // an unterminated span: nothing after it can be paired
    } else {
      ++i;
    }
  }
  if (!last) return std::nullopt;
  return Extracted{std::move(*last), "math_span"};
}

// ---------------------------------------------------------------------------------------------
// Multiple choice.

// Strips a \text{...}-like wrapper around the whole text.
std::string_view strip_text_command(std::string_view s) {
  for (std::string_view cmd : {"\\text", "\\textbf", "\\mathrm", "\\mathbf", "\\textrm"}) {
    if (starts_with(s, cmd) && s.size() > cmd.size() && s[cmd.size()] == '{') {
      const std::size_t close = detail::scan::matching_brace(s, cmd.size());
      if (close == s.size() - 1) return trim(s.substr(cmd.size() + 1, close - cmd.size() - 1));
    }
  }
  return s;
}

// "B", "(B)", "B.", "B) 42", "(B) 42", "Option B", "\text{(B)}" -> "B".
std::optional<char> as_choice(std::string_view s, std::string_view letters) {
  s = strip_text_command(trim(s));
  const std::string lower = to_lower_ascii(s.substr(0, 7));
  if (starts_with(lower, "option ")) s = trim(s.substr(7));
  if (starts_with(lower, "choice ")) s = trim(s.substr(7));
  s = strip_text_command(s);
  auto is_letter = [&](char c) { return letters.find(c) != std::string_view::npos; };
  if (s.size() == 1 && is_letter(s[0])) return s[0];
  if (s.size() >= 3 && s[0] == '(' && is_letter(s[1]) && s[2] == ')') return s[1];
  if (s.size() >= 2 && is_letter(s[0]) && (s[1] == ')' || s[1] == '.' || s[1] == ':') &&
      (s.size() == 2 || is_space(s[2]))) {
    return s[0];
  }
  return std::nullopt;
}

// The last "(B)" in the text, or the last line that is only a choice ("B", "B.", "**B**").
std::optional<Extracted> rule_choice(std::string_view s, const ExtractOptions& o) {
  std::size_t best = std::string_view::npos;
  char letter = 0;
  for (std::size_t i = 0; i + 2 < s.size(); ++i) {
    if (s[i] == '(' && s[i + 2] == ')' && o.choice_letters.find(s[i + 1]) != std::string::npos &&
        (i == 0 || !is_alnum(s[i - 1]))) {
      best = i;
      letter = s[i + 1];
    }
  }
  std::size_t line_start = 0;
  while (line_start <= s.size()) {
    std::size_t line_end = s.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = s.size();
    const std::string_view raw = s.substr(line_start, line_end - line_start);
    const std::string line = raw.size() <= 16 ? clean_answer(raw) : std::string();
    if (!line.empty() && line.size() <= 3) {
      if (auto c = as_choice(line, o.choice_letters)) {
        if (best == std::string_view::npos || line_start > best) {
          best = line_start;
          letter = *c;
        }
      }
    }
    line_start = line_end + 1;
  }
  if (best == std::string_view::npos) return std::nullopt;
  return Extracted{std::string(1, letter), "choice"};
}

// ---------------------------------------------------------------------------------------------
// Rule last_number.

std::optional<Extracted> rule_last_number(std::string_view s) {
  std::optional<std::string> last;
  for (std::size_t i = 0; i < s.size();) {
    const bool starts_digit = is_digit(s[i]);
    const bool starts_point =
        s[i] == '.' && i + 1 < s.size() && is_digit(s[i + 1]) && (i == 0 || !is_digit(s[i - 1]));
    if (!starts_digit && !starts_point) {
      ++i;
      continue;
    }
    if (i > 0 && is_alpha(s[i - 1])) {  // x2, a1, p.1: part of a name
      ++i;                              // past the digit or point, so the scan always moves on
      while (i < s.size() && is_alnum(s[i])) ++i;
      continue;
    }
    std::size_t b = i;
    if (b > 0 && s[b - 1] == '-') --b;
    std::size_t e = i;
    while (e < s.size() && is_digit(s[e])) ++e;
    // Thousands groups: ",ddd" exactly.
    while (e + 3 < s.size() + 0 && s[e] == ',' && is_digit(s[e + 1]) && is_digit(s[e + 2]) &&
           is_digit(s[e + 3]) && (e + 4 == s.size() || !is_digit(s[e + 4]))) {
      e += 4;
    }
    if (e + 1 < s.size() && s[e] == '.' && is_digit(s[e + 1])) {
      ++e;
      while (e < s.size() && is_digit(s[e])) ++e;
    }
    last = std::string(s.substr(b, e - b));
    i = e;
  }
  if (!last) return std::nullopt;
  return Extracted{std::move(*last), "last_number"};
}

// The part of the text that holds the answer: after the last </think>; none when a <think>
// is never closed.
std::optional<std::string_view> answer_region(std::string_view s, bool skip_think) {
  if (!skip_think) return s;
  constexpr std::string_view kClose = "</think>";
  const std::size_t close = s.rfind(kClose);
  if (close != std::string_view::npos) return s.substr(close + kClose.size());
  if (s.find("<think>") != std::string_view::npos) return std::nullopt;
  return s;
}

}  // namespace

std::optional<Extracted> extract_answer(std::string_view text, const ExtractOptions& options) {
  const auto region = answer_region(text, options.skip_think);
  if (!region) return std::nullopt;
  const std::string_view s = *region;
  const std::string lower = to_lower_ascii(s);

  using Rule = std::function<std::optional<Extracted>()>;
  const Rule boxed = [&]() -> std::optional<Extracted> {
    if (!options.boxed) return std::nullopt;
    return rule_boxed(s, options);
  };
  const Rule phrases = [&]() -> std::optional<Extracted> {
    std::optional<Extracted> found;
    if (options.minerva) found = rule_minerva(s, lower);
    if (!found &&
        (options.answer_phrases || options.multilingual || !options.extra_phrases.empty())) {
      found = rule_answer_is(s, lower, options);
    }
    if (!found && options.gsm8k) found = rule_gsm8k(s);
    return found;
  };
  const Rule rest = [&]() -> std::optional<Extracted> {
    std::optional<Extracted> found;
    if (options.bold) found = rule_bold(s);
    if (!found && options.math_span) found = rule_math_span(s);
    if (!found && options.multiple_choice) found = rule_choice(s, options);
    if (!found && options.last_number) found = rule_last_number(s);
    return found;
  };

  std::optional<Extracted> found = options.boxed_first ? boxed() : phrases();
  if (!found) found = options.boxed_first ? phrases() : boxed();
  if (!found) found = rest();
  if (found && options.multiple_choice) {
    if (auto c = as_choice(found->text, options.choice_letters)) found->text = std::string(1, *c);
  }
  return found;
}

ResponseAnswer extract_response_answer(std::optional<std::string_view> content,
                                       std::string_view finish_reason,
                                       const ExtractOptions& options) {
  ResponseAnswer out;
  out.truncated = finish_reason == "length";
  if (content) out.answer = extract_answer(*content, options);
  return out;
}

}  // namespace lemma::math
