// Normalisation of an answer's text before parsing (see answer_parser.hpp). Plain string
// scanning (no std::regex) so a long input costs linear time under the step budget.

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "answer_parser.hpp"
#include "function_names.hpp"
#include "text_scan.hpp"

namespace lemma::math::detail {
namespace {

using scan::ends_with;
using scan::is_alpha;
using scan::is_digit;
using scan::is_space;
using scan::matching_brace;
using scan::starts_with;
using scan::to_lower_ascii;
using scan::trim;

// Unit words and the unit each names (plural, singular and abbreviation agree); modifiers
// such as "square" name none.
struct UnitWord {
  std::string_view word, unit;
};
constexpr std::array<UnitWord, 65> kUnitWords = {{
    {"cm", "cm"},          {"centimeter", "cm"}, {"centimeters", "cm"}, {"centimetre", "cm"},
    {"centimetres", "cm"}, {"mm", "mm"},         {"millimeter", "mm"},  {"millimeters", "mm"},
    {"km", "km"},          {"kilometer", "km"},  {"kilometers", "km"},  {"kilometre", "km"},
    {"kilometres", "km"},  {"meter", "m"},       {"meters", "m"},       {"metre", "m"},
    {"metres", "m"},       {"inch", "in"},       {"inches", "in"},      {"ft", "ft"},
    {"feet", "ft"},        {"foot", "ft"},       {"yd", "yd"},          {"yard", "yd"},
    {"yards", "yd"},       {"mile", "mi"},       {"miles", "mi"},       {"kg", "kg"},
    {"gram", "g"},         {"grams", "g"},       {"lb", "lb"},          {"lbs", "lb"},
    {"pound", "lb"},       {"pounds", "lb"},     {"oz", "oz"},          {"ounces", "oz"},
    {"sec", "s"},          {"second", "s"},      {"seconds", "s"},      {"minute", "min"},
    {"minutes", "min"},    {"hr", "h"},          {"hour", "h"},         {"hours", "h"},
    {"day", "day"},        {"days", "day"},      {"week", "week"},      {"weeks", "week"},
    {"year", "year"},      {"years", "year"},    {"degree", "deg"},     {"degrees", "deg"},
    {"deg", "deg"},        {"unit", "unit"},     {"units", "unit"},     {"dollar", "dollar"},
    {"dollars", "dollar"}, {"cent", "cent"},     {"cents", "cent"},     {"sq", ""},
    {"square", ""},        {"cubic", ""},        {"mph", "mph"},        {"ounce", "oz"},
    {"kilogram", "kg"},
}};

const UnitWord* find_unit_word(std::string_view w) {
  std::string l = to_lower_ascii(w);
  for (const auto& u : kUnitWords) {
    if (l == u.word) return &u;
  }
  return nullptr;
}

bool is_unit_word(std::string_view w) {
  return find_unit_word(w) != nullptr;
}

// Records the unit a word names (the last one read wins: "5 square cm" is cm).
void note_unit(std::string_view word, NormalizeInfo& info) {
  const UnitWord* u = find_unit_word(word);
  if (u != nullptr && !u->unit.empty()) info.unit = std::string(u->unit);
}

// True when every word of `s` is a unit word (letters, spaces, ^2, / between words).
bool only_letters_and_spaces(std::string_view s) {
  for (char c : s) {
    if (!is_alpha(c) && !is_space(c) && c != '.' && c != '-' && c != '\'') return false;
  }
  return true;
}

// Removes the outer delimiters a grader sees around an answer: $...$, $$...$$, \(...\),
// \[...\], \boxed{...}, \fbox{...}, \displaystyle.
std::string_view unwrap(std::string_view s, Budget& budget) {
  for (;;) {
    if (!budget.charge()) return s;
    s = trim(s);
    if (s.size() >= 4 && starts_with(s, "$$") && ends_with(s, "$$")) {
      s = s.substr(2, s.size() - 4);
    } else if (s.size() >= 2 && s.front() == '$' && s.back() == '$') {
      s = s.substr(1, s.size() - 2);
    } else if (starts_with(s, "\\(") && ends_with(s, "\\)")) {
      s = s.substr(2, s.size() - 4);
    } else if (starts_with(s, "\\[") && ends_with(s, "\\]")) {
      s = s.substr(2, s.size() - 4);
    } else if ((starts_with(s, "\\boxed{") || starts_with(s, "\\fbox{"))) {
      std::size_t open = s.find('{');
      if (matching_brace(s, open) != s.size() - 1) return s;
      s = s.substr(open + 1, s.size() - open - 2);
    } else if (starts_with(s, "\\displaystyle")) {
      s = s.substr(13);
    } else {
      return s;
    }
  }
}

struct Replacement {
  std::string_view from;
  std::string_view to;
};

// Commands rewritten before parsing; a command only matches when no letter follows it.
constexpr std::array<Replacement, 40> kCommands = {{
    {"\\displaystyle", ""},
    {"\\textstyle", ""},
    {"\\scriptstyle", ""},
    {"\\left", ""},
    {"\\right", ""},
    {"\\bigl", ""},
    {"\\bigr", ""},
    {"\\Bigl", ""},
    {"\\Bigr", ""},
    {"\\biggl", ""},
    {"\\biggr", ""},
    {"\\bigg", ""},
    {"\\Bigg", ""},
    {"\\big", ""},
    {"\\Big", ""},
    {"\\quad", " "},
    {"\\qquad", " "},
    {"\\dfrac", "\\frac"},
    {"\\tfrac", "\\frac"},
    {"\\cfrac", "\\frac"},
    {"\\lvert", "|"},
    {"\\rvert", "|"},
    {"\\vert", "|"},
    {"\\lbrace", "\\{"},
    {"\\rbrace", "\\}"},
    {"\\langle", "("},
    {"\\rangle", ")"},
    {"\\degree", ""},
    {"\\dots", "\\ldots"},
    {"\\cdots", "\\ldots"},
    {"\\dotsc", "\\ldots"},
    {"\\varnothing", "\\emptyset"},
    {"\\therefore", ""},
    {"\\implies", ","},
    {"\\Rightarrow", ","},
    {"\\rightarrow", "\\to"},
    {"\\colon", ":"},
    {"\\mathrm", "\\mathrm"},
    {"\\operatorname*", "\\operatorname"},
    {"\\hline", ""},
}};

// Unicode spellings models emit.
constexpr std::array<Replacement, 14> kUnicode = {{
    {"\xCF\x80", "\\pi "},
    {"\xE2\x88\x9E", "\\infty "},
    {"\xE2\x88\x9A", "\\sqrt "},
    {"\xC3\x97", "*"},
    {"\xC2\xB7", "*"},
    {"\xE2\x88\x92", "-"},
    {"\xC3\xB7", "/"},
    {"\xE2\x89\xA4", "\\le "},
    {"\xE2\x89\xA5", "\\ge "},
    {"\xE2\x89\xA0", "\\ne "},
    {"\xC2\xB0", ""},
    {"\xE2\x88\xAA", "\\cup "},
    {"\xE2\x88\x85", "\\emptyset "},
    {"\xC2\xB1", "\\pm "},
}};

constexpr std::array<std::string_view, 13> kTextCommands = {
    "\\text",   "\\textbf",     "\\textit", "\\textrm", "\\mbox",         "\\mathrm",    "\\mathbf",
    "\\mathit", "\\boldsymbol", "\\bm",     "\\mathsf", "\\operatorname", "\\textnormal"};

// Rewrites \text{...}-like commands: a whole-answer \text{X} becomes X; "and"/"or" become a
// comma; words (units, annotations) are dropped together with a following ^2 / ^3; anything
// else (digits, a letter in \mathrm) is kept inline.
std::string rewrite_text_commands(std::string_view s, Budget& budget, NormalizeInfo& info) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    if (!budget.charge()) return std::string(s);
    std::string_view matched;
    if (s[i] == '\\') {
      for (auto cmd : kTextCommands) {
        if (starts_with(s.substr(i), cmd) && i + cmd.size() < s.size() &&
            (s[i + cmd.size()] == '{' || s[i + cmd.size()] == ' ')) {
          if (cmd.size() > matched.size()) matched = cmd;
        }
      }
    }
    if (matched.empty()) {
      out += s[i++];
      continue;
    }
    std::size_t open = i + matched.size();
    while (open < s.size() && s[open] == ' ') ++open;
    if (open >= s.size() || s[open] != '{') {
      out += s[i++];
      continue;
    }
    std::size_t close = matching_brace(s, open);
    if (close == std::string_view::npos) {
      out += s[i++];
      continue;
    }
    std::string_view content = trim(s.substr(open + 1, close - open - 1));
    bool whole = trim(out).empty() && trim(s.substr(close + 1)).empty();
    std::size_t next = close + 1;
    std::string l = to_lower_ascii(content);
    bool math_font = matched == "\\mathrm" || matched == "\\mathbf" || matched == "\\mathit" ||
                     matched == "\\boldsymbol" || matched == "\\bm" || matched == "\\mathsf";
    if (matched == "\\operatorname") {
      out += "\\" + std::string(content) + " ";
    } else if (whole) {
      out += content;
    } else if (l == "and" || l == "or" || l == "," || l == ", and" || l == ", or") {
      out += ",";
    } else if (math_font && content.size() == 1) {
      out += content;
    } else if (math_font && (is_function_name(content) || content == "sqrt")) {
      out += "\\" + std::string(content) + " ";
    } else if (content.empty()) {
      // nothing
    } else if (only_letters_and_spaces(content)) {
      std::size_t last = content.find_last_of(' ');
      note_unit(last == std::string_view::npos ? content : content.substr(last + 1), info);
      // A unit's exponent goes with it: 5\text{ cm}^2 is 5.
      if (next + 1 < s.size() && s[next] == '^') {
        if (is_digit(s[next + 1])) {
          next += 2;
        } else if (s[next + 1] == '{') {
          std::size_t c2 = matching_brace(s, next + 1);
          if (c2 != std::string_view::npos) next = c2 + 1;
        }
      }
      out += ' ';
    } else {
      out += ' ';
      out += content;
      out += ' ';
    }
    i = next;
  }
  return out;
}

std::string replace_all_commands(std::string_view s, Budget& budget) {
  std::string out;
  out.reserve(s.size() + 8);
  std::size_t i = 0;
  while (i < s.size()) {
    if (!budget.charge()) return std::string(s);
    bool done = false;
    if (s[i] == '\\') {
      // Spacing commands and escapes.
      if (i + 1 < s.size()) {
        char c = s[i + 1];
        if (c == '\\') {  // a matrix row break stays as it is
          out += "\\\\";
          i += 2;
          continue;
        }
        if (c == ',' || c == '!') {  // thin space or negative space: join (1\,000 is 1000)
          i += 2;
          continue;
        }
        if (c == ';' || c == ':' || c == ' ') {
          out += ' ';
          i += 2;
          continue;
        }
        if (c == '%') {
          out += '%';
          i += 2;
          continue;
        }
        if (c == '$') {
          i += 2;
          continue;
        }
      }
      std::size_t best = 0;
      std::string_view to;
      for (const auto& r : kCommands) {
        if (r.from.size() > best && starts_with(s.substr(i), r.from)) {
          std::size_t end = i + r.from.size();
          if (end < s.size() && is_alpha(s[end])) continue;
          best = r.from.size();
          to = r.to;
        }
      }
      if (best > 0) {
        out += to;
        i += best;
        // \left. and \right. are invisible delimiters.
        if ((to.empty()) && i < s.size() && s[i] == '.' &&
            (s.substr(i - best, best) == "\\left" || s.substr(i - best, best) == "\\right")) {
          ++i;
        }
        done = true;
      }
    } else if (static_cast<unsigned char>(s[i]) >= 0x80) {
      for (const auto& r : kUnicode) {
        if (starts_with(s.substr(i), r.from)) {
          out += r.to;
          i += r.from.size();
          done = true;
          break;
        }
      }
    }
    if (!done) out += s[i++];
  }
  return out;
}

// Inside a trig argument degrees are an angle: the number just written to `out`, after
// \sin / \cos / ... (and a "(" or "{"), becomes (n\pi/180). Elsewhere ^\circ is dropped.
void trig_degrees_to_radians(std::string& out) {
  std::size_t end = out.size(), k = end;
  while (k > 0 && (is_digit(out[k - 1]) || out[k - 1] == '.')) --k;
  if (k == end) return;
  std::size_t j = k;
  while (j > 0 && (out[j - 1] == ' ' || out[j - 1] == '(' || out[j - 1] == '{')) --j;
  std::size_t w = j;
  while (w > 0 && is_alpha(out[w - 1])) --w;
  std::string_view name(out.data() + w, j - w);
  static constexpr std::array<std::string_view, 6> kTrig = {"sin", "cos", "tan",
                                                            "cot", "sec", "csc"};
  if (std::find(kTrig.begin(), kTrig.end(), name) == kTrig.end()) return;
  std::string number = out.substr(k);
  out.replace(k, end - k, "(" + number + "\\pi/180)");
}

// Drops ^\circ, ^{\circ}, \circ (degrees), % and dollar signs: 50\% reads as 50 (see
// CompareOptions::percent_guess).
std::string strip_marks(std::string_view s, Budget& budget) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    if (!budget.charge()) return std::string(s);
    std::string_view rest = s.substr(i);
    if (starts_with(rest, "^{\\circ}")) {
      trig_degrees_to_radians(out);
      i += 8;
    } else if (starts_with(rest, "^\\circ")) {
      trig_degrees_to_radians(out);
      i += 6;
    } else if (starts_with(rest, "^{\\circ }")) {
      trig_degrees_to_radians(out);
      i += 9;
    } else if (starts_with(rest, "\\circ") && !(rest.size() > 5 && is_alpha(rest[5]))) {
      i += 5;
    } else if (s[i] == '%') {
      ++i;
    } else if (s[i] == '$') {
      ++i;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// Unit words after a number ("5 cm", "12 dollars") are dropped; other words stay for the parser.
std::string strip_unit_words(std::string_view s, Budget& budget, NormalizeInfo& info) {
  bool has_digit = false;
  for (char c : s) has_digit = has_digit || is_digit(c);
  if (!has_digit) return std::string(s);
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (!budget.charge()) return std::string(s);
    if (is_alpha(s[i]) && (i == 0 || (!is_alpha(s[i - 1]) && s[i - 1] != '\\'))) {
      std::size_t j = i;
      while (j < s.size() && is_alpha(s[j])) ++j;
      std::string_view word = s.substr(i, j - i);
      if (word.size() >= 2 && is_unit_word(word)) {
        note_unit(word, info);
        if (j + 1 < s.size() && s[j] == '^' && is_digit(s[j + 1])) j += 2;
        out += ' ';
        i = j;
        continue;
      }
      out += word;
      i = j;
      continue;
    }
    out += s[i++];
  }
  return out;
}

// Thousands separators: "1,000" and "12,345,678" at bracket depth 0 lose their commas (only
// in the 3-digit form, so "(1, 000)" and "1,2" stay lists); "1{,}000" is LaTeX's spelling.
// With decimal_comma, "3,5" becomes 3.5 instead.
std::string join_digit_groups(std::string_view in, const CompareOptions& options, Budget& budget) {
  std::string s;
  s.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in.substr(i, 3) == "{,}") {
      s += ',';
      i += 2;
    } else {
      s += in[i];
    }
  }
  std::string out;
  out.reserve(s.size());
  int depth = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    if (!budget.charge()) return s;
    char c = s[i];
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    if (options.decimal_comma) {
      if (c == ',' && i > 0 && is_digit(s[i - 1]) && i + 1 < s.size() && is_digit(s[i + 1])) {
        out += '.';
      } else if (c == ';') {
        out += ',';
      } else {
        out += c;
      }
      ++i;
      continue;
    }
    bool number_start =
        is_digit(c) && (i == 0 || (!is_digit(s[i - 1]) && s[i - 1] != '.' && s[i - 1] != ','));
    if (number_start && depth == 0) {
      std::size_t j = i;
      while (j < s.size() && is_digit(s[j])) ++j;
      std::size_t lead = j - i;
      std::size_t k = j;
      int groups = 0;
      while (lead <= 3 && k + 3 < s.size() + 0 && s[k] == ',' && k + 3 < s.size() + 1 &&
             is_digit(s[k + 1]) && is_digit(s[k + 2]) && is_digit(s[k + 3]) &&
             (k + 4 >= s.size() || !is_digit(s[k + 4]))) {
        k += 4;
        ++groups;
      }
      if (groups > 0 && !(k < s.size() && s[k] == ',' && k + 1 < s.size() && is_digit(s[k + 1]))) {
        for (std::size_t t = i; t < k; ++t) {
          if (s[t] != ',') out += s[t];
        }
        i = k;
        continue;
      }
      out.append(s, i, j - i);
      i = j;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

std::string collapse_spaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// "7 3/4" and "7\frac{3}{4}" (digits only, the whole answer) are mixed numbers.
std::string mixed_number(const std::string& s) {
  std::size_t i = 0;
  std::string sign;
  if (i < s.size() && s[i] == '-') {
    sign = "-";
    ++i;
  }
  std::size_t a = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i == a) return s;
  std::string whole = s.substr(a, i - a);
  bool space = i < s.size() && s[i] == ' ';
  if (space) ++i;
  std::string num, den;
  if (s.compare(i, 6, "\\frac{") == 0) {
    std::size_t p = i + 6, q = p;
    while (q < s.size() && is_digit(s[q])) ++q;
    if (q == p || q + 1 >= s.size() || s[q] != '}' || s[q + 1] != '{') return s;
    num = s.substr(p, q - p);
    std::size_t r = q + 2, t = r;
    while (t < s.size() && is_digit(s[t])) ++t;
    if (t == r || t + 1 != s.size() || s[t] != '}') return s;
    den = s.substr(r, t - r);
  } else if (space) {
    std::size_t p = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == p || i >= s.size() || s[i] != '/') return s;
    num = s.substr(p, i - p);
    std::size_t r = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == r || i != s.size()) return s;
    den = s.substr(r, i - r);
  } else {
    return s;
  }
  return sign + "(" + whole + "+" + num + "/" + den + ")";
}

// The real line, however it is written: \mathbb{R}, \mathbb R, "all real numbers".
std::string real_line(std::string s) {
  for (std::string_view reals : {"\\mathbb{R}", "\\mathbb R"}) {
    for (std::size_t at = s.find(reals); at != std::string::npos; at = s.find(reals, at)) {
      s.replace(at, reals.size(), "(-\\infty,\\infty)");
    }
  }
  std::string key;
  for (char c : s) {
    if (is_alpha(c)) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (key == "allrealnumbers" || key == "textallrealnumbers") return "(-\\infty,\\infty)";
  return s;
}

// "2**10" (Python's power, common in code-writing models' answers) is 2^10.
std::string python_powers(std::string s) {
  for (std::size_t i = s.find("**"); i != std::string::npos; i = s.find("**", i + 1)) {
    s.replace(i, 2, "^");
  }
  return s;
}

}  // namespace

std::string normalize_answer(std::string_view text, const CompareOptions& options, Budget& budget,
                             NormalizeInfo& info) {
  std::string s(unwrap(text, budget));
  s = real_line(s);
  s = replace_all_commands(s, budget);
  s = std::string(unwrap(s, budget));
  s = rewrite_text_commands(s, budget, info);
  s = strip_marks(s, budget);
  s = strip_unit_words(s, budget, info);
  s = join_digit_groups(s, options, budget);
  s = python_powers(s);
  s = collapse_spaces(s);
  // A sentence's full stop is not part of the answer.
  while (!s.empty() && (s.back() == '.' || s.back() == ' ') &&
         !(s.size() >= 2 && s[s.size() - 2] == '.')) {
    s.pop_back();
  }
  s = std::string(unwrap(s, budget));
  return mixed_number(s);
}

}  // namespace lemma::math::detail
