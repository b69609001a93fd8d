// Recursive-descent parser from normalised LaTeX / plain text to a Node (answer_parser.hpp).
// Precedence, loosest first: list (, ;) > relation (= < > \le ...) > union (\cup) >
// sum (+ - \pm) > product (* \cdot / \div, implicit) > unary minus > power (^, right
// associative) > postfix (!) > primary. Every level holds a DepthGuard, so nesting past
// Budget::kMaxDepth fails instead of overflowing the stack.

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>

#include "answer_parser.hpp"
#include "function_names.hpp"
#include "text_scan.hpp"

namespace lemma::math::detail {
namespace {

using scan::is_alpha;
using scan::is_digit;

constexpr std::array<std::string_view, 30> kGreek = {
    "alpha", "beta",     "gamma", "delta",   "epsilon", "varepsilon", "zeta", "eta",
    "theta", "vartheta", "iota",  "kappa",   "lambda",  "mu",         "nu",   "xi",
    "rho",   "sigma",    "tau",   "upsilon", "phi",     "varphi",     "chi",  "psi",
    "omega", "Gamma",    "Delta", "Theta",   "Lambda",  "Omega"};

// Short words that are prose, not a product of variables ("is" is not i*s).
constexpr std::array<std::string_view, 40> kStopWords = {
    "is",   "it",  "of",  "to",  "be",  "an",  "as",   "at",  "by",  "if",
    "in",   "on",  "so",  "we",  "no",  "yes", "not",  "are", "for", "but",
    "all",  "any", "can", "has", "the", "was", "its",  "let", "get", "thus",
    "then", "our", "one", "two", "six", "ten", "true", "way", "now", "how"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& words, std::string_view w) {
  for (auto x : words) {
    if (x == w) return true;
  }
  return false;
}

Node make(Node::Kind kind) {
  Node n;
  n.kind = kind;
  return n;
}

// Sets the node's height from its kids (Node::height).
Node& grow(Node& n) {
  int h = 0;
  for (const auto& k : n.kids) h = std::max(h, k.height);
  n.height = h + 1;
  return n;
}

Node make(Node::Kind kind, Node a) {
  Node n = make(kind);
  n.kids.push_back(std::move(a));
  return grow(n);
}

Node make(Node::Kind kind, Node a, Node b) {
  Node n = make(kind);
  n.kids.push_back(std::move(a));
  n.kids.push_back(std::move(b));
  return grow(n);
}

Node named(Node::Kind kind, std::string name) {
  Node n = make(kind);
  n.name = std::move(name);
  return n;
}

Node integer(long v) {
  Node n = make(Node::Kind::number);
  n.value = v;
  return n;
}

class Parser {
 public:
  Parser(std::string_view s, Budget& budget) : s_(s), budget_(budget) {}

  ParseResult run() {
    ParseResult r;
    auto n = list();
    skip();
    if (n && pos_ < s_.size() && error_.empty()) {
      error_ = "unexpected '" + excerpt(pos_, 12) + "' at offset " + std::to_string(pos_);
    }
    if (!n || !error_.empty() || pos_ < s_.size()) {
      r.error = error_.empty() ? "could not parse" : error_;
      if (budget_.exhausted()) r.error = "step budget exhausted while parsing";
      return r;
    }
    r.node = std::move(n);
    return r;
  }

 private:
  using Opt = std::optional<Node>;

  // Up to `n` bytes of the text from `at`, extended to whole UTF-8 characters.
  std::string excerpt(std::size_t at, std::size_t n) const {
    std::size_t end = std::min(s_.size(), at + n);
    while (end < s_.size() && (static_cast<unsigned char>(s_[end]) & 0xC0) == 0x80) ++end;
    return std::string(s_.substr(at, end - at));
  }

  std::optional<Node> fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return std::nullopt;
  }

  // Chains (1!!!..., 1/2/3/..., a \pm b \pm c ...) grow the tree without recursing: past the
  // depth limit the parse fails like a too-deep nesting (rule "budget").
  bool too_tall(const Node& n) {
    if (n.height <= Budget::kMaxDepth) return false;
    budget_.give_up();
    return true;
  }

  void skip() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n')) ++pos_;
  }
  bool at_end() {
    skip();
    return pos_ >= s_.size();
  }
  char peek() {
    skip();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  bool accept(char c) {
    if (peek() == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // The \command at the cursor (without the backslash), or "" when there is none.
  std::string_view command() {
    skip();
    if (pos_ + 1 >= s_.size() || s_[pos_] != '\\') return {};
    std::size_t j = pos_ + 1;
    if (!is_alpha(s_[j])) return s_.substr(j, 1);
    while (j < s_.size() && is_alpha(s_[j])) ++j;
    return s_.substr(pos_ + 1, j - pos_ - 1);
  }
  bool accept_command(std::string_view name) {
    if (command() == name) {
      pos_ += 1 + name.size();
      return true;
    }
    return false;
  }
  bool accept_word(std::string_view w) {
    skip();
    if (s_.substr(pos_, w.size()) == w &&
        (pos_ + w.size() >= s_.size() || !is_alpha(s_[pos_ + w.size()])) &&
        (pos_ == 0 || !is_alpha(s_[pos_ - 1]))) {
      pos_ += w.size();
      return true;
    }
    return false;
  }

  bool at_ellipsis() {
    skip();
    return command() == "ldots" || s_.substr(pos_, 3) == "...";
  }

  // list := item ((',' | ';' | 'and' | 'or') item)*
  Opt list() {
    DepthGuard g(budget_);
    if (!g.ok()) return fail("nesting too deep");
    std::vector<Node> items;
    bool separated = false;
    for (;;) {
      if (at_end() || peek() == ')' || peek() == ']' || peek() == '}' || command() == "}" ||
          command() == "end") {
        break;
      }
      if (accept(',') || accept(';') || accept_word("and") || accept_word("or")) {
        separated = true;
        continue;
      }
      if (at_ellipsis()) {
        pos_ += command() == "ldots" ? 6 : 3;
        items.push_back(named(Node::Kind::text, "..."));
        continue;
      }
      if (!items.empty() && !separated) break;
      auto item = relation();
      if (!item) return std::nullopt;
      items.push_back(std::move(*item));
      separated = false;
      if (!(peek() == ',' || peek() == ';' || at_ellipsis() || next_is_word("and") ||
            next_is_word("or"))) {
        break;
      }
    }
    if (items.empty()) return fail("empty answer");
    if (items.size() == 1) return std::move(items.front());
    Node n = make(Node::Kind::list);
    n.kids = std::move(items);
    return grow(n);
  }

  bool next_is_word(std::string_view w) {
    std::size_t saved = pos_;
    bool r = accept_word(w);
    pos_ = saved;
    return r;
  }

  // The relation operator at the cursor, consumed; "" when none.
  std::string relop() {
    char c = peek();
    if (c == '=') {
      ++pos_;
      return "=";
    }
    if (c == '<' || c == '>') {
      ++pos_;
      if (peek() == '=') {
        ++pos_;
        return std::string(1, c) + "=";
      }
      return std::string(1, c);
    }
    if (c == '!' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '=') {
      pos_ += 2;
      return "!=";
    }
    auto cmd = command();
    if (cmd == "le" || cmd == "leq" || cmd == "leqslant") return take(cmd, "<=");
    if (cmd == "ge" || cmd == "geq" || cmd == "geqslant") return take(cmd, ">=");
    if (cmd == "lt") return take(cmd, "<");
    if (cmd == "gt") return take(cmd, ">");
    if (cmd == "ne" || cmd == "neq") return take(cmd, "!=");
    if (cmd == "in") return take(cmd, "in");
    if (cmd == "approx") return take(cmd, "=");
    return {};
  }
  std::string take(std::string_view cmd, std::string op) {
    pos_ += 1 + cmd.size();
    return op;
  }

  // relation := union (relop union)*
  Opt relation() {
    DepthGuard g(budget_);
    if (!g.ok()) return fail("nesting too deep");
    auto first = union_set();
    if (!first) return std::nullopt;
    std::vector<Node> operands;
    std::vector<std::string> ops;
    operands.push_back(std::move(*first));
    for (;;) {
      std::size_t saved = pos_;
      std::string op = relop();
      if (op.empty()) break;
      if (op == "in") {
        // "x \in [1, 2]" answers with the set.
        auto rhs = union_set();
        if (!rhs) return std::nullopt;
        return rhs;
      }
      auto next = union_set();
      if (!next) {
        pos_ = saved;
        return std::nullopt;
      }
      ops.push_back(op);
      operands.push_back(std::move(*next));
    }
    if (ops.empty()) return std::move(operands.front());
    if (ops.size() == 1 && ops.front() == "=") {
      return make(Node::Kind::equation, std::move(operands[0]), std::move(operands[1]));
    }
    Node n = make(Node::Kind::relation);
    n.kids = std::move(operands);
    n.ops = std::move(ops);
    return grow(n);
  }

  // union := sum (\cup sum)*
  Opt union_set() {
    DepthGuard g(budget_);
    if (!g.ok()) return fail("nesting too deep");
    auto first = sum();
    if (!first) return std::nullopt;
    if (command() != "cup" && !(peek() == 'U' && pos_ + 1 < s_.size() && !is_alpha(s_[pos_ + 1]))) {
      return first;
    }
    Node n = make(Node::Kind::union_set);
    n.kids.push_back(std::move(*first));
    while (accept_command("cup") || (peek() == 'U' && accept('U'))) {
      auto next = sum();
      if (!next) return std::nullopt;
      n.kids.push_back(std::move(*next));
    }
    return grow(n);
  }

  // sum := term (('+' | '-' | \pm | \mp) term)*
  Opt sum() {
    DepthGuard g(budget_);
    if (!g.ok()) return fail("nesting too deep");
    auto first = term();
    if (!first) return std::nullopt;
    Node acc = std::move(*first);
    for (;;) {
      if (!budget_.charge()) return fail("budget");
      char c = peek();
      bool pm = command() == "pm" || command() == "mp";
      if (c != '+' && c != '-' && !pm) break;
      if (pm) {
        pos_ += 3;
      } else {
        ++pos_;
      }
      auto next = term();
      if (!next) return std::nullopt;
      if (pm) {
        acc = make(Node::Kind::pm, std::move(acc), std::move(*next));
      } else if (c == '-') {
        append_sum(acc, make(Node::Kind::neg, std::move(*next)));
      } else {
        append_sum(acc, std::move(*next));
      }
      if (too_tall(acc)) return fail("the expression is nested too deeply");
    }
    return acc;
  }

  static void append_sum(Node& acc, Node next) {
    if (acc.kind != Node::Kind::add) acc = make(Node::Kind::add, std::move(acc));
    acc.height = std::max(acc.height, next.height + 1);
    acc.kids.push_back(std::move(next));
  }

  // Can the text at the cursor start a factor (for implicit multiplication)?
  bool starts_factor() {
    char c = peek();
    if (c == '\0') return false;
    if (is_digit(c) || c == '(') return true;
    if (c == '|') return abs_depth_ == 0;
    if (c == '{') return true;
    if (is_alpha(c)) return !(next_is_word("and") || next_is_word("or") || c == 'U');
    if (c == '\\') {
      auto cmd = command();
      return cmd == "frac" || cmd == "sqrt" || cmd == "pi" || cmd == "infty" || cmd == "binom" ||
             cmd == "mathrm" || is_function_name(cmd) || contains(kGreek, cmd) || cmd == "begin" ||
             cmd == "lfloor" || cmd == "lceil";
    }
    return false;
  }

  // term := unary (('*' | \cdot | \times | '/' | \div | implicit) unary)*
  Opt term() {
    DepthGuard g(budget_);
    if (!g.ok()) return fail("nesting too deep");
    auto first = unary();
    if (!first) return std::nullopt;
    Node acc = std::move(*first);
    for (;;) {
      if (!budget_.charge()) return fail("budget");
      auto cmd = command();
      bool times = peek() == '*' || cmd == "cdot" || cmd == "times" || cmd == "ast";
      bool divide = peek() == '/' || cmd == "div";
      if (times || divide) {
        pos_ += (peek() == '*' || peek() == '/') ? 1 : 1 + cmd.size();
        auto next = unary();
        if (!next) return std::nullopt;
        if (divide) {
          acc = make(Node::Kind::div, std::move(acc), std::move(*next));
        } else {
          append_product(acc, std::move(*next));
        }
        if (too_tall(acc)) return fail("the expression is nested too deeply");
        continue;
      }
      if (starts_factor()) {
        // Two plain numbers side by side ("2 3") are not a product.
        if (acc.kind == Node::Kind::number && is_digit(peek())) {
          return fail("two numbers without an operator");
        }
        auto next = power();
        if (!next) return std::nullopt;
        append_product(acc, std::move(*next));
        if (too_tall(acc)) return fail("the expression is nested too deeply");
        continue;
      }
      break;
    }
    return acc;
  }

  static void append_product(Node& acc, Node next) {
    if (acc.kind != Node::Kind::mul) acc = make(Node::Kind::mul, std::move(acc));
    acc.height = std::max(acc.height, next.height + 1);
    acc.kids.push_back(std::move(next));
  }

  // unary := ('-' | '+' | \pm) unary | power
  Opt unary() {
    DepthGuard g(budget_);
    if (!g.ok()) return fail("nesting too deep");
    if (accept('-')) {
      auto x = unary();
      if (!x) return std::nullopt;
      return make(Node::Kind::neg, std::move(*x));
    }
    if (accept('+')) return unary();
    if (accept_command("pm") || accept_command("mp")) {
      auto x = unary();
      if (!x) return std::nullopt;
      return make(Node::Kind::pm, integer(0), std::move(*x));
    }
    return power();
  }

  // power := postfix ('^' exponent)?   (right associative)
  Opt power() {
    DepthGuard g(budget_);
    if (!g.ok()) return fail("nesting too deep");
    auto base = postfix();
    if (!base) return std::nullopt;
    if (!accept('^')) return base;
    auto e = exponent();
    if (!e) return std::nullopt;
    Node p = make(Node::Kind::pow, std::move(*base), std::move(*e));
    // A factorial after the exponent (rare) applies to the power.
    while (peek() == '!' && !(pos_ + 1 < s_.size() && s_[pos_ + 1] == '=')) {
      if (!budget_.charge()) return fail("budget");
      ++pos_;
      p = make(Node::Kind::factorial, std::move(p));
      if (too_tall(p)) return fail("the expression is nested too deeply");
    }
    return p;
  }

  // The exponent after '^': a {group}, a signed number, a letter or a command atom; then
  // itself possibly raised (a^b^c = a^(b^c)).
  Opt exponent() {
    DepthGuard g(budget_);
    if (!g.ok()) return fail("nesting too deep");
    Opt e;
    if (peek() == '{') {
      e = group();
    } else if (peek() == '-' || peek() == '+') {
      bool minus = peek() == '-';
      ++pos_;
      auto x = exponent();
      if (!x) return std::nullopt;
      e = minus ? make(Node::Kind::neg, std::move(*x)) : std::move(*x);
      return e;
    } else {
      e = postfix();
    }
    if (!e) return std::nullopt;
    if (accept('^')) {
      auto up = exponent();
      if (!up) return std::nullopt;
      return make(Node::Kind::pow, std::move(*e), std::move(*up));
    }
    return e;
  }

  // postfix := primary '!'*
  Opt postfix() {
    DepthGuard g(budget_);
    if (!g.ok()) return fail("nesting too deep");
    auto p = primary();
    if (!p) return std::nullopt;
    while (peek() == '!' && !(pos_ + 1 < s_.size() && s_[pos_ + 1] == '=')) {
      if (!budget_.charge()) return fail("budget");
      ++pos_;
      p = make(Node::Kind::factorial, std::move(*p));
      if (too_tall(*p)) return fail("the expression is nested too deeply");
    }
    return p;
  }

  // {list}: a LaTeX group; with commas inside it is a set (models drop the backslashes).
  Opt group() {
    DepthGuard g(budget_);
    if (!g.ok()) return fail("nesting too deep");
    if (!accept('{')) return fail("expected '{'");
    auto inner = list();
    if (!inner) return std::nullopt;
    if (!accept('}')) return fail("missing '}'");
    if (inner->kind == Node::Kind::list) inner->kind = Node::Kind::set;
    return inner;
  }

  // A macro argument: {group}, or one character / digit / command (\frac12, \sqrt3).
  Opt argument() {
    DepthGuard g(budget_);
    if (!g.ok()) return fail("nesting too deep");
    char c = peek();
    if (c == '{') {
      auto inner = group();
      if (inner && inner->kind == Node::Kind::set) return fail("a list inside a macro argument");
      return inner;
    }
    if (is_digit(c)) {
      ++pos_;
      return integer(c - '0');
    }
    if (is_alpha(c)) {
      ++pos_;
      return letter(c);
    }
    if (c == '\\') return primary();
    return fail("expected an argument");
  }

  Node letter(char c) {
    if (c == 'e') return named(Node::Kind::constant, "e");
    if (c == 'i') return named(Node::Kind::constant, "i");
    std::string name(1, c);
    subscript(name);
    return named(Node::Kind::variable, std::move(name));
  }

  // _x or _{...} after a variable becomes part of its name.
  void subscript(std::string& name) {
    if (peek() != '_') return;
    ++pos_;
    skip();
    if (peek() == '{') {
      std::size_t start = pos_;
      int depth = 0;
      while (pos_ < s_.size()) {
        if (s_[pos_] == '{') ++depth;
        if (s_[pos_] == '}' && --depth == 0) break;
        ++pos_;
      }
      if (pos_ < s_.size()) ++pos_;
      std::string sub(s_.substr(start + 1, pos_ - start - 2));
      std::string compact;
      for (char ch : sub) {
        if (ch != ' ') compact += ch;
      }
      name += "_" + compact;
    } else if (pos_ < s_.size()) {
      name += "_";
      name += s_[pos_++];
    }
  }

  Opt number() {
    std::size_t start = pos_;
    Integer digits = 0;
    int places = 0;
    bool point = false;
    bool any = false;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (is_digit(c)) {
        if (!budget_.charge()) return fail("budget");
        if (pos_ - start > 4000) return fail("number too long");
        digits = digits * 10 + (c - '0');
        if (point) ++places;
        any = true;
        ++pos_;
      } else if (c == '.' && !point && pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1])) {
        point = true;
        ++pos_;
      } else {
        break;
      }
    }
    if (!any) return fail("expected a number");
    // A repeating decimal, 0.\overline{3} or 1.2\overline{45}: an exact rational.
    std::size_t bar = pos_;
    if (!point && bar < s_.size() && s_[bar] == '.') ++bar;
    if ((point || bar > pos_) && s_.compare(bar, 10, "\\overline{") == 0) {
      std::size_t r = bar + 10, t = r;
      while (t < s_.size() && is_digit(s_[t])) ++t;
      if (t > r && t - r <= 50 && t < s_.size() && s_[t] == '}') {
        Integer block(std::string(s_.substr(r, t - r)));
        Integer scale = boost::multiprecision::pow(Integer(10), static_cast<unsigned>(places));
        Integer period = boost::multiprecision::pow(Integer(10), static_cast<unsigned>(t - r)) - 1;
        Node n = make(Node::Kind::number);
        n.value = Rational(digits, scale) + Rational(block, scale * period);
        pos_ = t + 1;
        return n;
      }
    }
    Node n = make(Node::Kind::number);
    n.value =
        Rational(digits, boost::multiprecision::pow(Integer(10), static_cast<unsigned>(places)));
    n.decimal = point;
    n.places = places;
    // Scientific notation: 1.5e3, 2E-4.
    if (pos_ + 1 < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      std::size_t q = pos_ + 1;
      bool minus = false;
      if (q < s_.size() && (s_[q] == '-' || s_[q] == '+')) {
        minus = s_[q] == '-';
        ++q;
      }
      if (q < s_.size() && is_digit(s_[q])) {
        std::size_t r = q;
        unsigned e = 0;
        while (r < s_.size() && is_digit(s_[r]) && e < 100000) e = e * 10 + unsigned(s_[r++] - '0');
        if (e > 4000) return fail("exponent too large");
        Rational scale(boost::multiprecision::pow(Integer(10), e));
        n.value = minus ? n.value / scale : n.value * scale;
        n.decimal = true;
        n.places = minus ? places + static_cast<int>(e) : std::max(0, places - static_cast<int>(e));
        pos_ = r;
      }
    }
    return n;
  }

  // ( ... ) or [ ... ] with either closer: grouping, tuple, or interval.
  Opt bracketed(char open) {
    ++pos_;
    auto inner = list();
    if (!inner) return std::nullopt;
    char close = peek();
    if (close != ')' && close != ']')
      return fail(std::string("missing closing bracket for '") + open + "'");
    ++pos_;
    std::vector<Node> items;
    if (inner->kind == Node::Kind::list) {
      items = std::move(inner->kids);
    } else {
      items.push_back(std::move(*inner));
    }
    if (items.size() == 2 && (open != '(' || close != ')')) {
      Node n = make(Node::Kind::interval, std::move(items[0]), std::move(items[1]));
      n.left_closed = open == '[';
      n.right_closed = close == ']';
      return n;
    }
    if (items.size() == 1 && open == '(' && close == ')') return std::move(items.front());
    if (items.size() == 1 && open == '[' && close == ']') return std::move(items.front());
    if (open != close - 1 && !(open == '[' && close == ']')) {
      return fail("mismatched brackets");
    }
    Node n = make(Node::Kind::tuple);
    n.kids = std::move(items);
    return grow(n);
  }

  // \begin{pmatrix} a & b \\ c & d \end{pmatrix} (also bmatrix, Bmatrix, matrix, smallmatrix,
  // array{..}).
  Opt matrix() {
    pos_ += 6;  // \begin
    if (!accept('{')) return fail("expected an environment name");
    std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != '}') ++pos_;
    if (pos_ >= s_.size()) return fail("unclosed environment name");
    std::string env(s_.substr(start, pos_ - start));
    ++pos_;
    if (env != "pmatrix" && env != "bmatrix" && env != "Bmatrix" && env != "matrix" &&
        env != "smallmatrix" && env != "array") {
      return fail("unsupported environment " + env);
    }
    if (env == "array" && peek() == '{') {
      while (pos_ < s_.size() && s_[pos_] != '}') ++pos_;
      if (pos_ >= s_.size()) return fail("unclosed array column specification");
      ++pos_;
    }
    Node m = make(Node::Kind::matrix);
    std::size_t cols = 0, in_row = 0;
    for (;;) {
      if (!budget_.charge()) return fail("budget");
      auto cell = sum();
      if (!cell) return std::nullopt;
      m.kids.push_back(std::move(*cell));
      ++in_row;
      if (accept('&')) continue;
      bool row_end = command() == "\\";
      if (row_end) pos_ += 2;
      if (row_end || command() == "end") {
        if (cols == 0) cols = in_row;
        if (in_row != cols) return fail("matrix rows of different lengths");
        in_row = 0;
        if (command() == "end") break;
        continue;
      }
      return fail("unexpected text in a matrix");
    }
    pos_ += 4;  // \end
    if (accept('{')) {
      while (pos_ < s_.size() && s_[pos_] != '}') ++pos_;
      if (pos_ >= s_.size()) return fail("unclosed \\end{...}");
      ++pos_;
    }
    m.cols = cols;
    return grow(m);
  }

  // A function's argument when it has no parentheses: \sin 2x is sin(2x).
  Opt function_argument() {
    if (peek() == '(') return primary();
    auto first = power();
    if (!first) return std::nullopt;
    Node acc = std::move(*first);
    while (starts_factor() && peek() != '(' && command().empty()) {
      auto next = power();
      if (!next) return std::nullopt;
      append_product(acc, std::move(*next));
    }
    return acc;
  }

  Opt function(std::string name) {
    if (name == "lg") name = "log10";
    std::optional<Node> base;
    if (name == "log" && accept('_')) {
      base = argument();
      if (!base) return std::nullopt;
    }
    std::optional<Node> raised;
    if (accept('^')) {
      raised = exponent();
      if (!raised) return std::nullopt;
      // \sin^{-1} is arcsin.
      if (raised->kind == Node::Kind::neg && raised->kids[0].kind == Node::Kind::number &&
          raised->kids[0].value == 1 && (name == "sin" || name == "cos" || name == "tan")) {
        name = "arc" + name;
        raised.reset();
      }
    }
    auto arg = function_argument();
    if (!arg) return std::nullopt;
    Node f = named(Node::Kind::func, name);
    f.kids.push_back(std::move(*arg));
    if (name == "log10") {
      f.name = "log_base";
      f.kids.push_back(integer(10));
    } else if (base) {
      f.name = "log_base";
      f.kids.push_back(std::move(*base));
    }
    grow(f);
    if (raised) return make(Node::Kind::pow, std::move(f), std::move(*raised));
    return f;
  }

  Opt primary() {
    DepthGuard g(budget_);
    if (!g.ok()) return fail("nesting too deep");
    char c = peek();
    if (c == '\0') return fail("unexpected end of answer");
    if (is_digit(c) || (c == '.' && pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1]))) {
      return number();
    }
    if (c == '(' || c == '[') return bracketed(c);
    if (c == '{') return group();
    if (c == '|') {
      ++pos_;
      ++abs_depth_;
      auto inner = sum();
      --abs_depth_;
      if (!inner) return std::nullopt;
      if (!accept('|')) return fail("missing closing '|'");
      Node f = named(Node::Kind::func, "abs");
      f.kids.push_back(std::move(*inner));
      return grow(f);
    }
    if (is_alpha(c)) return word();
    if (c == '\\') return command_primary();
    return fail("unexpected '" + excerpt(pos_, 1) + "'");
  }

  // A run of letters: a function name, pi, infinity, a short product of variables (xy), or
  // prose (which fails: "Monday" is not m*o*n*d*a*y).
  Opt word() {
    std::size_t start = pos_;
    while (pos_ < s_.size() && is_alpha(s_[pos_])) ++pos_;
    std::string w(s_.substr(start, pos_ - start));
    if (is_function_name(w)) return function(w);
    if (w == "sqrt") return sqrt_rest();
    if (w == "pi") return named(Node::Kind::constant, "pi");
    if (w == "inf" || w == "infty" || w == "infinity" || w == "oo") {
      return named(Node::Kind::constant, "oo");
    }
    if (w.size() == 1) return letter(w[0]);
    std::string lw;
    for (char ch : w) lw += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (w.size() >= 4 || contains(kStopWords, lw))
      return fail("the answer contains the word '" + w + "'");
    // xy, abc: a product of single-letter variables; a subscript goes with the last one.
    Node n = make(Node::Kind::mul);
    for (std::size_t k = 0; k < w.size(); ++k) {
      if (k + 1 == w.size()) {
        n.kids.push_back(letter(w[k]));
      } else {
        n.kids.push_back(w[k] == 'e' || w[k] == 'i'
                             ? named(Node::Kind::constant, std::string(1, w[k]))
                             : named(Node::Kind::variable, std::string(1, w[k])));
      }
    }
    return grow(n);
  }

  Opt sqrt_rest() {
    std::optional<Node> index;
    if (accept('[')) {
      auto inner = sum();
      if (!inner || !accept(']')) return fail("bad root index");
      index = std::move(*inner);
    }
    auto radicand = peek() == '(' ? primary() : argument();
    if (!radicand) return std::nullopt;
    return make(Node::Kind::root, std::move(*radicand), index ? std::move(*index) : integer(2));
  }

  Opt command_primary() {
    auto cmd = std::string(command());
    if (cmd.empty()) return fail("a lone backslash");
    if (cmd == "{") {
      pos_ += 2;
      if (accept_command("}")) return make(Node::Kind::set);
      auto inner = list();
      if (!inner) return std::nullopt;
      if (!accept_command("}")) return fail("missing '\\}'");
      Node n = make(Node::Kind::set);
      if (inner->kind == Node::Kind::list) {
        n.kids = std::move(inner->kids);
      } else {
        n.kids.push_back(std::move(*inner));
      }
      return grow(n);
    }
    if (cmd == "begin") return matrix();
    pos_ += 1 + cmd.size();
    if (cmd == "frac") {
      auto a = argument();
      if (!a) return std::nullopt;
      auto b = argument();
      if (!b) return std::nullopt;
      return make(Node::Kind::div, std::move(*a), std::move(*b));
    }
    if (cmd == "binom") {
      auto a = argument();
      if (!a) return std::nullopt;
      auto b = argument();
      if (!b) return std::nullopt;
      Node f = named(Node::Kind::func, "binom");
      f.kids.push_back(std::move(*a));
      f.kids.push_back(std::move(*b));
      return grow(f);
    }
    if (cmd == "sqrt") return sqrt_rest();
    if (cmd == "pi") return named(Node::Kind::constant, "pi");
    if (cmd == "infty") return named(Node::Kind::constant, "oo");
    if (cmd == "emptyset") return make(Node::Kind::set);
    if (cmd == "lfloor" || cmd == "lceil") {
      auto inner = sum();
      if (!inner) return std::nullopt;
      if (!accept_command(cmd == "lfloor" ? "rfloor" : "rceil")) {
        return fail("missing \\r" + cmd.substr(1));
      }
      Node f = named(Node::Kind::func, cmd == "lfloor" ? "floor" : "ceil");
      f.kids.push_back(std::move(*inner));
      return grow(f);
    }
    if (cmd == "mathrm") {
      auto a = argument();
      if (!a) return std::nullopt;
      return a;
    }
    if (is_function_name(cmd)) return function(cmd);
    if (contains(kGreek, cmd)) {
      std::string name = cmd;
      subscript(name);
      return named(Node::Kind::variable, std::move(name));
    }
    return fail("unsupported command \\" + cmd);
  }

  std::string_view s_;
  Budget& budget_;
  std::size_t pos_ = 0;
  int abs_depth_ = 0;
  std::string error_;
};

}  // namespace

ParseResult parse_normalized(std::string_view normalized, const CompareOptions& /*options*/,
                             Budget& budget) {
  // The options act in normalisation (decimal comma); the grammar itself has no knobs.
  Parser p(normalized, budget);
  return p.run();
}

ParseResult read_answer(std::string_view text, const CompareOptions& options, Budget& budget,
                        NormalizeInfo& info) {
  std::string normalized = normalize_answer(text, options, budget, info);
  if (budget.exhausted()) {
    ParseResult r;
    r.error = "step budget exhausted while normalising";
    return r;
  }
  return parse_normalized(normalized, options, budget);
}

}  // namespace lemma::math::detail
