// Lean 4 blocks in a model's answer: find the fenced block, lex it just enough to tell code from
// comments and strings, and read or rewrite its theorem statements.

#include "lemma/math/lean.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "text_scan.hpp"

namespace lemma::math {
namespace {

using detail::scan::is_alnum;
using detail::scan::is_space;
using detail::scan::starts_with;
using detail::scan::trim;

struct FencedBlock {
  std::string_view code;
  bool complete = false;
};

// Every ```lean / ```lean4 block, in order; the last may be unterminated.
std::vector<FencedBlock> find_blocks(std::string_view text) {
  std::vector<FencedBlock> blocks;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t line_end = text.find('\n', pos);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::string_view line = trim(text.substr(pos, line_end - pos));
    std::string_view tag;
    if (starts_with(line, "```")) tag = trim(line.substr(3));
    if (tag == "lean" || tag == "lean4" || tag == "Lean" || tag == "Lean4") {
      const std::size_t start = line_end < text.size() ? line_end + 1 : text.size();
      // The block ends at the next line that is a fence of backticks only.
      std::size_t p = start;
      bool closed = false;
      while (p < text.size()) {
        std::size_t e = text.find('\n', p);
        if (e == std::string_view::npos) e = text.size();
        const std::string_view l = trim(text.substr(p, e - p));
        if (starts_with(l, "```") && l.find_first_not_of('`') == std::string_view::npos) {
          blocks.push_back({text.substr(start, p - start), true});
          closed = true;
          line_end = e;  // go on after the closing fence
          break;
        }
        p = e + 1;
      }
      if (!closed) {
        blocks.push_back({text.substr(start), false});
        break;
      }
    }
    pos = line_end + 1;
  }
  return blocks;
}

// Characters after which a `'` is a prime in a name (h', x'') rather than a char literal.
bool continues_name(char c) {
  return is_alnum(c) || c == '_' || c == '\'' || static_cast<unsigned char>(c) >= 0x80;
}

// A copy of `code` with comments (`--`, nested `/- -/`), string and char literals blanked to
// spaces, same length, so keyword searches in it see only code.
std::string code_only(std::string_view code) {
  std::string out(code);
  std::size_t i = 0;
  while (i < code.size()) {
    if (code.compare(i, 2, "--") == 0) {
      while (i < code.size() && code[i] != '\n') out[i++] = ' ';
    } else if (code.compare(i, 2, "/-") == 0) {
      int depth = 0;
      while (i < code.size()) {
        if (code.compare(i, 2, "/-") == 0) {
          ++depth;
          out[i] = out[i + 1] = ' ';
          i += 2;
        } else if (code.compare(i, 2, "-/") == 0) {
          out[i] = out[i + 1] = ' ';
          i += 2;
          if (--depth == 0) break;
        } else {
          if (code[i] != '\n') out[i] = ' ';
          ++i;
        }
      }
    } else if (code[i] == '\'' && (i == 0 || !continues_name(code[i - 1]))) {
      // A char literal ('a', '"', '\'', 'λ'); a prime after a name (h', x') is part of it.
      std::size_t j = i + 1;
      if (j < code.size() && code[j] == '\\') {
        j += 2;
      } else if (j < code.size()) {
        ++j;
        while (j < code.size() && (static_cast<unsigned char>(code[j]) & 0xC0) == 0x80) ++j;
      }
      if (j < code.size() && code[j] == '\'') {
        for (std::size_t k = i; k <= j; ++k) out[k] = ' ';
        i = j + 1;
      } else {
        ++i;
      }
    } else if (code[i] == '"') {
      out[i++] = ' ';
      while (i < code.size() && code[i] != '"') {
        if (code[i] == '\\' && i + 1 < code.size()) out[i++] = ' ';
        if (code[i] != '\n') out[i] = ' ';
        ++i;
      }
      if (i < code.size()) out[i++] = ' ';
    } else {
      ++i;
    }
  }
  return out;
}

// Characters that continue a Lean identifier (ASCII part; `h'`, `foo.bar`, `rfl!` are names).
bool is_ident_char(char c) {
  return is_alnum(c) || c == '_' || c == '\'' || c == '!' || c == '?' || c == '.';
}

// Positions where `word` appears as a whole token in `masked`.
std::vector<std::size_t> find_tokens(std::string_view masked, std::string_view word) {
  std::vector<std::size_t> found;
  for (std::size_t at = masked.find(word); at != std::string_view::npos;
       at = masked.find(word, at + 1)) {
    const std::size_t end = at + word.size();
    // `foo.sorry` is a field, `sorry.` ends a tactic line: a dot only joins on the left.
    if ((at == 0 || !is_ident_char(masked[at - 1])) &&
        (end == masked.size() || !is_ident_char(masked[end]) || masked[end] == '.')) {
      found.push_back(at);
    }
  }
  return found;
}

struct Declaration {
  std::size_t keyword = 0;  // where `theorem` / `lemma` starts
  std::string name;
};

// The theorem and lemma declarations of `masked` (code with comments blanked), in order.
std::vector<Declaration> declarations(std::string_view masked) {
  std::vector<Declaration> decls;
  for (std::string_view kw : {"theorem", "lemma"}) {
    for (std::size_t at : find_tokens(masked, kw)) {
      std::size_t p = at + kw.size();
      while (p < masked.size() && is_space(masked[p])) ++p;
      std::size_t e = p;
      if (masked.compare(p, 2, "\xC2\xAB") == 0) {  // «a name with spaces»
        const std::size_t close = masked.find("\xC2\xBB", p);
        e = close == std::string_view::npos ? masked.size() : close + 2;
      } else {
        while (e < masked.size() && !is_space(masked[e]) &&
               std::string_view("({[:").find(masked[e]) == std::string_view::npos) {
          ++e;
        }
      }
      if (e > p) decls.push_back({at, std::string(masked.substr(p, e - p))});
    }
  }
  std::sort(decls.begin(), decls.end(),
            [](const Declaration& a, const Declaration& b) { return a.keyword < b.keyword; });
  return decls;
}

// The first `:=` after `from` outside brackets (a default argument `(x := 1)` is inside).
std::size_t top_level_assign(std::string_view masked, std::size_t from) {
  int depth = 0;
  for (std::size_t i = from; i < masked.size(); ++i) {
    const char c = masked[i];
    if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      if (depth > 0) --depth;
    } else if (depth == 0 && masked.compare(i, 2, ":=") == 0) {
      return i;
    } else if (masked.compare(i, 3, "\xE2\x9F\xA8") == 0) {  // ⟨ anonymous constructor
      ++depth;
      i += 2;
    } else if (masked.compare(i, 3, "\xE2\x9F\xA9") == 0) {  // ⟩
      if (depth > 0) --depth;
      i += 2;
    }
  }
  return std::string_view::npos;
}

bool uses_sorry(std::string_view masked) {
  return !find_tokens(masked, "sorry").empty() || !find_tokens(masked, "admit").empty() ||
         !find_tokens(masked, "sorryAx").empty();
}

// The canonical statement without any `:= proof` part.
std::string statement_head(std::string_view statement) {
  const std::string masked = code_only(statement);
  const std::size_t assign = top_level_assign(masked, 0);
  return std::string(trim(statement.substr(0, assign)));
}

// Replaces the model's statement of the target theorem with `statement`; false when the code
// has no theorem to restate (or its statement has no `:=`).
bool restate(std::string& code, std::string_view statement) {
  const std::string head = statement_head(statement);
  if (head.empty()) return false;
  const std::string masked = code_only(code);
  const std::vector<Declaration> decls = declarations(masked);
  if (decls.empty()) return false;
  const std::vector<Declaration> wanted = declarations(code_only(head));
  const Declaration* target = &decls.back();
  if (!wanted.empty()) {
    for (const Declaration& d : decls) {
      if (d.name == wanted.front().name) target = &d;
    }
  }
  const std::size_t assign = top_level_assign(masked, target->keyword);
  if (assign == std::string_view::npos) return false;
  code.replace(target->keyword, assign - target->keyword, head + " ");
  return true;
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t e = text.find('\n', pos);
    if (e == std::string_view::npos) e = text.size();
    lines.emplace_back(text.substr(pos, e - pos));
    pos = e + 1;
  }
  return lines;
}

bool is_import(std::string_view line) {
  return starts_with(trim(line), "import ");
}

// header's imports, then the code's imports not already there, then the rest of the header,
// then the rest of the code.
std::string with_header(std::string_view header, std::string_view code) {
  std::vector<std::string> imports;
  std::string header_rest;
  std::string code_rest;
  auto add_import = [&](std::string_view line) {
    const std::string l(trim(line));
    if (std::find(imports.begin(), imports.end(), l) == imports.end()) imports.push_back(l);
  };
  for (const std::string& line : lines_of(header)) {
    if (is_import(line)) {
      add_import(line);
    } else if (!trim(line).empty() || !header_rest.empty()) {
      header_rest += line + "\n";
    }
  }
  for (const std::string& line : lines_of(code)) {
    if (is_import(line)) {
      add_import(line);
    } else {
      code_rest += line + "\n";
    }
  }
  std::string out;
  for (const std::string& i : imports) out += i + "\n";
  if (!imports.empty()) out += "\n";
  std::string_view rest_of_header = trim(header_rest);
  if (!rest_of_header.empty()) out += std::string(rest_of_header) + "\n\n";
  out += std::string(trim(code_rest));
  out += "\n";
  return out;
}

}  // namespace

std::optional<LeanBlock> extract_lean(std::string_view text, const LeanOptions& options) {
  const std::vector<FencedBlock> blocks = find_blocks(text);
  if (blocks.empty()) return std::nullopt;
  const FencedBlock* chosen = nullptr;
  if (options.first_block) {
    chosen = &blocks.front();
  } else {
    for (const FencedBlock& b : blocks) {
      if (b.complete) chosen = &b;
    }
    if (chosen == nullptr) chosen = &blocks.back();  // only a cut-off block
  }

  LeanBlock block;
  block.complete = chosen->complete;
  block.code = std::string(chosen->code);
  if (!options.statement.empty()) block.restated = restate(block.code, options.statement);
  if (!trim(options.header).empty()) block.code = with_header(options.header, block.code);

  const std::string masked = code_only(block.code);
  for (Declaration& d : declarations(masked)) block.theorems.push_back(std::move(d.name));
  block.has_sorry = uses_sorry(masked);
  return block;
}

}  // namespace lemma::math
