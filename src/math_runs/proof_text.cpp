// Reading generator and verifier outputs (lemma/math/proof_text.hpp).

#include "lemma/math/proof_text.hpp"

#include <cctype>
#include <cstdlib>
#include <string>

namespace lemma::math {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// The content of the brace group opening at `open` (s[open] == '{'), or nullopt when it is not
// closed before the end of `s`.
std::optional<std::string_view> brace_group(std::string_view s, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {  // an escaped brace does not count
      ++i;
      continue;
    }
    if (s[i] == '{') ++depth;
    if (s[i] == '}' && --depth == 0) return s.substr(open + 1, i - open - 1);
  }
  return std::nullopt;
}

// The content of the last complete \boxed{...} of `s`.
std::optional<std::string_view> last_boxed(std::string_view s) {
  constexpr std::string_view kBoxed = "\\boxed";
  std::optional<std::string_view> last;
  for (std::size_t at = s.find(kBoxed); at != std::string_view::npos; at = s.find(kBoxed, at + 1)) {
    std::size_t open = at + kBoxed.size();
    while (open < s.size() && (s[open] == ' ' || s[open] == '\t')) ++open;
    if (open >= s.size() || s[open] != '{') continue;
    if (auto group = brace_group(s, open)) last = group;
  }
  return last;
}

// Strips wrappers a model may put around a score: $...$, \text{...}, \mathbf{...}, \textbf{}.
std::string_view unwrap(std::string_view s) {
  for (bool changed = true; changed;) {
    changed = false;
    s = trim(s);
    if (s.size() >= 2 && s.front() == '$' && s.back() == '$') {
      s = s.substr(1, s.size() - 2);
      changed = true;
      continue;
    }
    for (std::string_view command : {"\\text", "\\mathbf", "\\textbf", "\\mathrm"}) {
      if (starts_with(s, command) && s.size() > command.size() && s[command.size()] == '{' &&
          s.back() == '}') {
        auto group = brace_group(s, command.size());
        if (group && group->size() + command.size() + 2 == s.size()) {
          s = *group;
          changed = true;
          break;
        }
      }
    }
  }
  return s;
}

// 0, 0.5 or 1 when `s` spells one of them.
std::optional<double> score_value(std::string_view s) {
  s = unwrap(s);
  for (std::string_view half : {"1/2", "\\frac{1}{2}", "\\dfrac{1}{2}", "\\tfrac{1}{2}", "\\frac12",
                                "\\dfrac12", "\\tfrac12"}) {
    if (s == half) return 0.5;
  }
  // A plain decimal: digits with at most one dot, at least one digit.
  int digits = 0;
  int dots = 0;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c == '.') {
      ++dots;
    } else {
      return std::nullopt;
    }
  }
  if (digits == 0 || dots > 1 || digits > 32) return std::nullopt;
  const std::string text(s);
  const double value = std::strtod(text.c_str(), nullptr);
  if (value == 0.0 || value == 0.5 || value == 1.0) return value;
  return std::nullopt;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A heading line: two or more '#', then `name` (case-insensitive; '-' and ' ' alike), an
// optional colon, nothing else.
bool is_heading(std::string_view line, std::string_view name) {
  line = trim(line);
  std::size_t hashes = 0;
  while (hashes < line.size() && line[hashes] == '#') ++hashes;
  if (hashes < 2) return false;
  std::string rest = lower(trim(line.substr(hashes)));
  if (!rest.empty() && rest.back() == ':') rest.pop_back();
  for (char& c : rest) {
    if (c == '-') c = ' ';
  }
  return trim(rest) == name;
}

struct Line {
  std::size_t begin;  // offset of the line's first character
  std::size_t end;    // offset just past its last character (before '\n')
};

}  // namespace

std::string_view to_string(ScoreStatus status) noexcept {
  switch (status) {
    case ScoreStatus::ok: return "ok";
    case ScoreStatus::no_boxed: return "no_boxed";
    case ScoreStatus::not_a_score: return "not_a_score";
  }
  return "unknown";
}

std::string visible_text(std::string_view content) {
  constexpr std::string_view kClose = "</think>";
  const std::size_t close = content.rfind(kClose);
  if (close != std::string_view::npos)
    return std::string(trim(content.substr(close + kClose.size())));
  const std::string_view trimmed = trim(content);
  if (starts_with(trimmed, "<think>")) return std::string();  // reasoning that never ended
  return std::string(trimmed);
}

std::string visible_text(const ChatResponse& response) {
  return visible_text(response.text());
}

ParsedScore parse_verifier_score(std::string_view text) {
  ParsedScore parsed;
  const std::string visible = visible_text(text);
  const auto boxed = last_boxed(visible);
  if (!boxed) return parsed;
  parsed.boxed = std::string(trim(*boxed));
  if (auto value = score_value(*boxed)) {
    parsed.status = ScoreStatus::ok;
    parsed.score = value;
  } else {
    parsed.status = ScoreStatus::not_a_score;
  }
  return parsed;
}

GeneratorOutput parse_generator_output(std::string_view content) {
  GeneratorOutput out;
  const std::string visible = visible_text(content);
  const std::string_view text(visible);
  std::optional<Line> solution;
  std::optional<Line> evaluation;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(begin, end - begin);
    if (!solution && is_heading(line, "solution")) {
      solution = Line{begin, end};
    } else if (solution && is_heading(line, "self evaluation")) {
      evaluation = Line{begin, end};  // the last one wins
    }
    if (end == text.size()) break;
    begin = end + 1;
  }
  if (!solution) {
    out.solution = std::string(trim(text));
    return out;
  }
  const std::size_t body = solution->end;
  if (!evaluation) {
    out.solution = std::string(trim(text.substr(body)));
    return out;
  }
  out.well_formed = true;
  out.solution = std::string(trim(text.substr(body, evaluation->begin - body)));
  out.self_evaluation = std::string(trim(text.substr(evaluation->end)));
  out.self_score = parse_verifier_score(out.self_evaluation);
  return out;
}

}  // namespace lemma::math
