// compare(): the staged equivalence decision (docs/ARCHITECTURE.md, "lemma::math").
// normalise -> string -> parse -> structure (assignments, \pm, tuples, sets, intervals,
// matrices, equations, inequalities) -> exact / high-precision / tolerance numeric compare ->
// symbolic evaluation at deterministic random points -> otherwise undecided with a reason.

#include "lemma/math/compare.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "answer_parser.hpp"
#include "evaluate.hpp"
#include "text_scan.hpp"

namespace lemma::math {
namespace detail {
namespace {

using R = Verdict::Result;
using K = Node::Kind;

struct Outcome {
  R result = R::undecided;
  std::string rule;
  std::string explanation;
};

Outcome equal(std::string rule, std::string why) {
  return {R::equal, std::move(rule), std::move(why)};
}
Outcome differ(std::string rule, std::string why) {
  return {R::not_equal, std::move(rule), std::move(why)};
}
Outcome unsure(std::string rule, std::string why) {
  return {R::undecided, std::move(rule), std::move(why)};
}

// Deterministic pseudo-random values (splitmix64), local to one comparison.
class PointSource {
 public:
  explicit PointSource(std::uint64_t seed) : state_(seed) {}
  Rational next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    // Rationals in about (0.4, 7): positive, so roots and logs are defined, and not small
    // integers, so coincidences such as x^2 = 2x at x = 2 do not happen.
    long num = 13 + static_cast<long>(z % 191);
    long den = 7 + static_cast<long>((z >> 20) % 29);
    return Rational(Integer(num), Integer(den));
  }

 private:
  std::uint64_t state_;
};

const char* kind_name(K k) {
  switch (k) {
    case K::tuple: return "a tuple";
    case K::set: return "a set";
    case K::list: return "a list";
    case K::interval: return "an interval";
    case K::union_set: return "a union of intervals";
    case K::matrix: return "a matrix";
    case K::equation: return "an equation";
    case K::relation: return "an inequality";
    case K::text: return "text";
    case K::pm: return "a \\pm pair";
    default: return "a value";
  }
}

// "x = 5" names its value; so does a function definition "f(x) = 2x" (parsed as f*x).
bool is_assignment(const Node& n) {
  if (n.kind != K::equation) return false;
  const Node& lhs = n.kids[0];
  std::string name;
  if (lhs.kind == K::variable) {
    name = lhs.name;
  } else if (lhs.kind == K::mul && lhs.kids.size() == 2 && lhs.kids[0].kind == K::variable &&
             lhs.kids[1].kind == K::variable) {
    name = lhs.kids[0].name;
  } else {
    return false;
  }
  std::set<std::string> vars;
  collect_variables(n.kids[1], vars);
  return vars.count(name) == 0;
}

// Significant digits of a (possibly negated) decimal literal: 0.0149 has 3, 0.00 has none.
int significant_digits(const Node& n) {
  if (n.kind == K::neg) return significant_digits(n.kids[0]);
  if (n.kind != K::number || !n.decimal || n.places < 0 || n.places > 4000) return 0;
  Rational scaled =
      boost::multiprecision::abs(n.value) *
      Rational(boost::multiprecision::pow(Integer(10), static_cast<unsigned>(n.places)));
  Integer digits = boost::multiprecision::numerator(scaled);
  return digits == 0 ? 0 : static_cast<int>(digits.str().size());
}

bool has_variables(const Node& n) {
  std::set<std::string> vars;
  collect_variables(n, vars);
  return !vars.empty();
}

// An equation or "=" chain that computes a value: no free variables, or a variable followed
// only by variable-free sides ("x = 2+3 = 5").
bool value_chain(const Node& n) {
  if (n.kind != K::equation && n.kind != K::relation) return false;
  if (n.kind == K::relation &&
      !std::all_of(n.ops.begin(), n.ops.end(), [](const std::string& op) { return op == "="; })) {
    return false;
  }
  for (std::size_t k = 0; k < n.kids.size(); ++k) {
    if (k == 0 && n.kids[0].kind == K::variable) continue;
    if (!n.kids[k].is_scalar() || has_variables(n.kids[k])) return false;
  }
  return true;
}

std::string flip(const std::string& op) {
  if (op == "<") return ">";
  if (op == ">") return "<";
  if (op == "<=") return ">=";
  if (op == ">=") return "<=";
  return op;
}

class Comparer {
 public:
  Comparer(const CompareOptions& options, Budget& budget)
      : options_(options), budget_(budget), points_(std::clamp(options.symbolic_points, 1, 64)) {}

  Outcome nodes(const Node& a, const Node& b) {
    DepthGuard guard(budget_);
    if (!guard.ok()) return unsure("budget", "step budget exhausted");
    // "x = 5" against "5": the assignment's value is the answer.
    if (is_assignment(a) && b.kind != K::equation) return nodes(a.kids[1], b);
    if (is_assignment(b) && a.kind != K::equation) return nodes(a, b.kids[1]);
    // "3 \times 4 = 12" or "x = 2+3 = 5" against a value: the worked chain ends in the answer.
    if (b.is_scalar() && value_chain(a)) return nodes(a.kids.back(), b);
    if (a.is_scalar() && value_chain(b)) return nodes(a, b.kids.back());
    if (is_assignment(a) && is_assignment(b)) {
      // "x = y" against "y = x", or "y = 2x+1" against "x = (y-1)/2": different names on the
      // left make them relations between the variables, compared as equations.
      // A value under another name ("y = 5" against "x = 5") still reads as the value.
      if (a.kids[0].kind == K::variable && b.kids[0].kind == K::variable &&
          a.kids[0].name != b.kids[0].name &&
          (has_variables(a.kids[1]) || has_variables(b.kids[1]))) {
        return equations(a, b);
      }
      Outcome o = nodes(a.kids[1], b.kids[1]);
      if (a.kids[0].name != b.kids[0].name && o.result == R::equal) {
        o.explanation += " (names differ: " + a.kids[0].name + " vs " + b.kids[0].name + ")";
      }
      return o;
    }
    // "x = 1, y = 2" against "y = 2, x = 1": assignments are paired by name.
    if (auto paired = assignments_by_name(a, b)) return *paired;
    // "n = 2, 3, 4": the name goes with the whole list.
    if (a.kind == K::list || b.kind == K::list) {
      Node sa = strip_list_assignments(a, b);
      Node sb = strip_list_assignments(b, a);
      if (sa.kids.size() != a.kids.size() || sb.kids.size() != b.kids.size() ||
          !same_shape(sa, a) || !same_shape(sb, b)) {
        return nodes(sa, sb);
      }
    }
    // \pm is a two-element set.
    if (has_pm(a) && (a.is_scalar() || a.kind == K::pm)) {
      auto set = pm_set(a);
      if (!set) return unsure("pm", "too many \\pm combinations");
      return nodes(*set, b);
    }
    if (has_pm(b) && (b.is_scalar() || b.kind == K::pm)) {
      auto set = pm_set(b);
      if (!set) return unsure("pm", "too many \\pm combinations");
      return nodes(a, *set);
    }
    if (a.kind == K::pm || b.kind == K::pm) return unsure("pm", "a \\pm inside a collection");

    // Inequalities against intervals (Math-Verify's asymmetry: a reference inequality may
    // match a predicted interval; the reverse only when the option allows it).
    bool a_rel = is_relation_like(a), b_rel = is_relation_like(b);
    bool a_set = is_interval_like(a), b_set = is_interval_like(b);
    if (b_rel && a_set) {
      auto iv = to_intervals(b);
      if (iv) return nodes(a, *iv);
    }
    if (a_rel && b_set) {
      if (!options_.allow_predicted_relation_vs_interval) {
        return differ("relation_vs_interval",
                      "a predicted inequality is not accepted for a reference interval "
                      "(allow_predicted_relation_vs_interval is off)");
      }
      auto iv = to_intervals(a);
      if (iv) return nodes(*iv, b);
    }

    if (a.is_scalar() && b.is_scalar()) return scalars(a, b);
    if (a.kind == K::equation && b.kind == K::equation) return equations(a, b);
    if (a.kind == K::relation && b.kind == K::relation) return relations(a, b);
    if (a.kind == K::text || b.kind == K::text) {
      if (a.kind == b.kind && a.name == b.name) return equal("text", "same text");
      return differ("structure", std::string(kind_name(a.kind)) + " vs " + kind_name(b.kind));
    }
    if (is_collection(a.kind) && is_collection(b.kind)) return collections(a, b);
    // A one-element set against a value.
    if (!options_.strict_set_tuple) {
      if (a.kind == K::set && a.kids.size() == 1 && b.is_scalar()) return nodes(a.kids[0], b);
      if (b.kind == K::set && b.kids.size() == 1 && a.is_scalar()) return nodes(a, b.kids[0]);
    }
    return differ("structure", std::string("predicted is ") + kind_name(a.kind) +
                                   ", reference is " + kind_name(b.kind));
  }

 private:
  static bool is_collection(K k) {
    return k == K::tuple || k == K::set || k == K::list || k == K::interval || k == K::union_set ||
           k == K::matrix;
  }
  static bool same_shape(const Node& x, const Node& y) { return x.kind == y.kind; }

  // The names of a list whose items all assign distinct plain variables ("x = 1, y = 2").
  static std::optional<std::vector<std::string>> assigned_names(const Node& n) {
    if (n.kind != K::list) return std::nullopt;
    std::vector<std::string> names;
    for (const auto& k : n.kids) {
      if (!is_assignment(k) || k.kids[0].kind != K::variable) return std::nullopt;
      if (std::find(names.begin(), names.end(), k.kids[0].name) != names.end()) {
        return std::nullopt;  // "x = 2, x = 3" lists roots: compared as a list
      }
      names.push_back(k.kids[0].name);
    }
    return names;
  }

  // Both sides assign distinct variables: each value against the one of the same name.
  std::optional<Outcome> assignments_by_name(const Node& a, const Node& b) {
    auto na = assigned_names(a);
    auto nb = assigned_names(b);
    if (!na || !nb) return std::nullopt;
    std::vector<std::string> sa = *na, sb = *nb;
    std::sort(sa.begin(), sa.end());
    std::sort(sb.begin(), sb.end());
    std::vector<Node> va, vb;
    for (std::size_t i = 0; i < na->size(); ++i) {
      va.push_back(a.kids[i].kids[1]);
      // Other names altogether ("a = 1, b = 2" against "x = 1, y = 2"): paired in order.
      std::size_t j = i;
      if (sa == sb) {
        j = static_cast<std::size_t>(std::find(nb->begin(), nb->end(), (*na)[i]) - nb->begin());
      }
      if (j < b.kids.size()) vb.push_back(b.kids[j].kids[1]);
    }
    return ordered(va, vb, "assignments");
  }

  // In a list whose first item is "name = value" and whose other items are values (n = 2, 3),
  // or whose items are all assignments (x = 1, y = 2) while the other side has none, the
  // names are dropped.
  static Node strip_list_assignments(const Node& n, const Node& other) {
    if (n.kind != K::list) return n;
    bool all_assign = std::all_of(n.kids.begin(), n.kids.end(), is_assignment);
    bool other_assign =
        other.kind == K::list && std::any_of(other.kids.begin(), other.kids.end(), is_assignment);
    Node out = n;
    if (all_assign && !other_assign) {
      for (auto& k : out.kids) k = Node(k.kids[1]);
      return out;
    }
    if (!n.kids.empty() && is_assignment(n.kids[0]) &&
        std::none_of(n.kids.begin() + 1, n.kids.end(),
                     [](const Node& k) { return k.kind == K::equation; })) {
      out.kids[0] = Node(n.kids[0].kids[1]);
    }
    return out;
  }

  static std::optional<Node> pm_set(const Node& n) {
    Node s;
    s.kind = K::set;
    s.kids = expand_pm(n);
    if (s.kids.empty()) return std::nullopt;  // too many combinations
    return s;
  }

  static bool is_relation_like(const Node& n) {
    if (n.kind == K::relation) return true;
    if (n.kind == K::list && !n.kids.empty()) {
      return std::all_of(n.kids.begin(), n.kids.end(),
                         [](const Node& k) { return k.kind == K::relation; });
    }
    return false;
  }
  static bool is_interval_like(const Node& n) {
    return n.kind == K::interval || n.kind == K::union_set ||
           (n.kind == K::tuple && n.kids.size() == 2);
  }

  static Node infinity(int sign) {
    Node oo;
    oo.kind = K::constant;
    oo.name = "oo";
    if (sign > 0) return oo;
    Node n;
    n.kind = K::neg;
    n.kids.push_back(std::move(oo));
    return n;
  }

  static Node interval(Node lo, Node hi, bool lc, bool rc) {
    Node n;
    n.kind = K::interval;
    n.kids.push_back(std::move(lo));
    n.kids.push_back(std::move(hi));
    n.left_closed = lc;
    n.right_closed = rc;
    return n;
  }

  // One inequality in one variable as intervals: x < 3, 3 <= x, 1 < x <= 2, x != 0.
  static std::optional<Node> relation_interval(const Node& r) {
    std::vector<Node> kids = r.kids;
    std::vector<std::string> ops = r.ops;
    orient(kids, ops);
    auto is_var = [](const Node& n) { return n.kind == K::variable; };
    if (ops.size() == 1 && ops[0] == "!=" && is_var(kids[0])) {
      Node u;
      u.kind = K::union_set;
      u.kids.push_back(interval(infinity(-1), kids[1], false, false));
      u.kids.push_back(interval(kids[1], infinity(1), false, false));
      return u;
    }
    for (const auto& o : ops) {
      if (o != "<" && o != "<=") return std::nullopt;
    }
    if (ops.size() == 1 && is_var(kids[0])) {
      return interval(infinity(-1), kids[1], false, ops[0] == "<=");
    }
    if (ops.size() == 1 && is_var(kids[1])) {
      return interval(kids[0], infinity(1), ops[0] == "<=", false);
    }
    if (ops.size() == 2 && is_var(kids[1])) {
      return interval(kids[0], kids[2], ops[0] == "<=", ops[1] == "<=");
    }
    return std::nullopt;
  }

  static std::optional<Node> to_intervals(const Node& n) {
    if (n.kind == K::relation) return relation_interval(n);
    Node u;
    u.kind = K::union_set;
    for (const auto& k : n.kids) {
      auto iv = relation_interval(k);
      if (!iv) return std::nullopt;
      u.kids.push_back(std::move(*iv));
    }
    return u;
  }

  Outcome ordered(const std::vector<Node>& a, const std::vector<Node>& b, const char* rule) {
    if (a.size() != b.size()) {
      return differ(rule, std::to_string(a.size()) + " elements vs " + std::to_string(b.size()));
    }
    Outcome unsure_one;
    bool any_unsure = false;
    for (std::size_t k = 0; k < a.size(); ++k) {
      Outcome o = nodes(a[k], b[k]);
      if (o.result == R::not_equal) {
        return differ(rule, "element " + std::to_string(k + 1) + " differs: " + o.explanation);
      }
      if (o.result == R::undecided && !any_unsure) {
        any_unsure = true;
        unsure_one = o;
      }
    }
    if (any_unsure) return unsure_one;
    return equal(rule, "all " + std::to_string(a.size()) + " elements equal in order");
  }

  // Every element of each side matches one of the other (set semantics: duplicates ignored).
  Outcome unordered(const std::vector<Node>& a, const std::vector<Node>& b, const char* rule) {
    auto covers = [&](const std::vector<Node>& x, const std::vector<Node>& y, bool swap,
                      Outcome& why) {
      for (std::size_t i = 0; i < x.size(); ++i) {
        bool found = false, maybe = false;
        for (const auto& yj : y) {
          if (budget_.exhausted()) return false;
          Outcome o = swap ? nodes(yj, x[i]) : nodes(x[i], yj);
          if (o.result == R::equal) {
            found = true;
            break;
          }
          if (o.result == R::undecided) {
            maybe = true;
            why = o;
          }
        }
        if (!found) {
          if (!maybe) why = differ(rule, "an element has no match on the other side");
          return false;
        }
      }
      return true;
    };
    Outcome why;
    if (!covers(a, b, false, why) || !covers(b, a, true, why)) {
      if (budget_.exhausted()) return unsure("budget", "step budget exhausted");
      if (why.result == R::not_equal) why.rule = rule;
      return why;
    }
    return equal(rule, "same elements in any order");
  }

  Outcome intervals(const Node& a, const Node& b) {
    if (a.left_closed != b.left_closed || a.right_closed != b.right_closed) {
      return differ("interval", "the interval ends differ (open vs closed)");
    }
    Outcome o = ordered(a.kids, b.kids, "interval");
    return o;
  }

  Outcome collections(const Node& a, const Node& b) {
    K ka = a.kind, kb = b.kind;
    if (ka == K::matrix || kb == K::matrix) return matrices(a, b);
    if (ka == K::interval && kb == K::interval) return intervals(a, b);
    if (ka == K::union_set || kb == K::union_set) {
      if (ka == K::union_set && kb == K::union_set) return unordered(a.kids, b.kids, "union");
      const Node& u = ka == K::union_set ? a : b;
      const Node& other = ka == K::union_set ? b : a;
      if (u.kids.size() == 1)
        return ka == K::union_set ? nodes(u.kids[0], other) : nodes(other, u.kids[0]);
      return differ("union", "a union of intervals vs " + std::string(kind_name(other.kind)));
    }
    if (ka == K::interval || kb == K::interval) {
      // (a, b) is both an open interval and a pair.
      const Node& iv = ka == K::interval ? a : b;
      const Node& other = ka == K::interval ? b : a;
      if ((other.kind == K::tuple || other.kind == K::list) && other.kids.size() == 2) {
        if (iv.left_closed || iv.right_closed) {
          return differ("interval", "an interval with a closed end vs an open pair");
        }
        return ordered(a.kids, b.kids, "interval");
      }
      return differ("structure", std::string(kind_name(ka)) + " vs " + kind_name(kb));
    }
    if (ka == K::tuple && kb == K::tuple) return ordered(a.kids, b.kids, "tuple");
    if (ka == K::set && kb == K::set) return unordered(a.kids, b.kids, "set");
    if (ka == K::list && kb == K::list) return unordered(a.kids, b.kids, "list");
    if ((ka == K::list && kb == K::tuple) || (ka == K::tuple && kb == K::list)) {
      return ordered(a.kids, b.kids, "tuple");
    }
    if ((ka == K::list && kb == K::set) || (ka == K::set && kb == K::list)) {
      return unordered(a.kids, b.kids, "set");
    }
    // set vs tuple
    if (options_.strict_set_tuple) {
      return differ("set_vs_tuple", std::string("predicted is ") + kind_name(ka) +
                                        ", reference is " + kind_name(kb) +
                                        " (strict_set_tuple is on)");
    }
    return unordered(a.kids, b.kids, "set");
  }

  Outcome matrices(const Node& a, const Node& b) {
    auto vector_like = [](const Node& m) {
      return m.kind == K::matrix && (m.cols == 1 || m.cols == m.kids.size());
    };
    if (a.kind == K::matrix && b.kind == K::matrix) {
      if (a.cols != b.cols || a.kids.size() != b.kids.size()) {
        return differ("matrix", "the matrices have different shapes");
      }
      return ordered(a.kids, b.kids, "matrix");
    }
    const Node& m = a.kind == K::matrix ? a : b;
    const Node& other = a.kind == K::matrix ? b : a;
    if (vector_like(m) && (other.kind == K::tuple || other.kind == K::list)) {
      return ordered(a.kids, b.kids, "matrix");
    }
    return differ("structure", std::string(kind_name(a.kind)) + " vs " + kind_name(b.kind));
  }

  // One evaluation point: a value per variable, positive when `signs` < 0, else variable j
  // negative when bit j of `signs` is clear (so the first points cover every sign pattern).
  static Bindings draw(PointSource& points, const std::set<std::string>& vars, int signs) {
    Bindings at;
    int j = 0;
    for (const auto& v : vars) {
      Rational r = points.next();
      if (signs >= 0 && ((signs >> (j++ % 30)) & 1) == 0) r = -r;
      at.emplace_back(v, Number::exact(std::move(r)));
    }
    return at;
  }

  // Values of both sides at one point (no variables: the point is empty).
  struct PointValues {
    NumberResult a, b;
  };

  Outcome evaluation_failure(const NumberResult& r, const char* side) {
    if (budget_.exhausted()) return unsure("budget", "step budget exhausted while evaluating");
    return unsure("evaluation",
                  std::string("could not evaluate the ") + side + " answer: " + r.error);
  }

  Outcome scalars(const Node& a, const Node& b) {
    std::set<std::string> va, vb;
    collect_variables(a, va);
    collect_variables(b, vb);
    bool decimals = has_decimal(a) || has_decimal(b);
    if (va.empty() && vb.empty()) {
      budget_.take_approximation();
      auto x = evaluate(a, {}, budget_);
      if (!x.ok()) return evaluation_failure(x, "predicted");
      auto y = evaluate(b, {}, budget_);
      if (!y.ok()) return evaluation_failure(y, "reference");
      bool approximated = budget_.take_approximation();
      return unless_approximated(numbers(*x.value, *y.value, a, b, decimals), approximated);
    }
    // Different variables usually mean different answers, but sin^2 x + cos^2 x is 1: evaluate
    // over the union, and name the variables when the values differ.
    std::set<std::string> all = va;
    all.insert(vb.begin(), vb.end());
    Outcome o = symbolic(a, b, all, decimals);
    if (va != vb && o.result == R::not_equal) {
      auto names = [](const std::set<std::string>& s) {
        std::string out = "{";
        for (const auto& v : s) out += (out.size() > 1 ? ", " : "") + v;
        return out + "}";
      };
      return differ("variables",
                    "the answers use different variables: " + names(va) + " vs " + names(vb));
    }
    return o;
  }

  // Exact operands whose result was too large to hold exactly (10^{100000} + 1) were
  // approximated to 50 digits: agreement then proves nothing.
  static Outcome unless_approximated(Outcome o, bool approximated) {
    if (!approximated || o.result != R::equal) return o;
    return unsure("approximation",
                  "an exact value too large to hold was approximated, so agreement to 50 digits "
                  "proves nothing (" +
                      o.explanation + ")");
  }

  Outcome numbers(const Number& x, const Number& y, const Node& a, const Node& b, bool decimals) {
    static const char* kExact = "numeric_exact";
    Closeness c = close(x, y, Real("1e-35"));
    if (c == Closeness::equal) {
      if (x.is_exact() && y.is_exact()) return equal(kExact, "both are exactly " + describe(x));
      return equal("numeric", "equal to 35 significant digits: " + describe(x));
    }
    if (decimals) {
      auto as_approx = [](const Number& n) {
        return n.kind == Number::Kind::infinity ? n : Number::approx(n.real_part(), n.imag_part());
      };
      if (close(as_approx(x), as_approx(y), Real(options_.relative_tolerance)) ==
          Closeness::equal) {
        return equal("numeric_tolerance",
                     describe(x) + " and " + describe(y) + " are within the relative tolerance");
      }
      if (options_.rounding_places) {
        auto rx = round_to_places(x, *options_.rounding_places);
        auto ry = round_to_places(y, *options_.rounding_places);
        if (rx && ry && *rx == *ry) {
          return equal(
              "numeric_rounding",
              "equal when rounded to " + std::to_string(*options_.rounding_places) + " places");
        }
      }
      if (options_.min_rounding_places >= 0) {
        // The decimal as written, with enough digits after the point and enough significant
        // digits (0.00 or 0.01 says too little), equals the other side rounded to its places;
        // a prediction coarser than a decimal reference is never accepted (0.01 is not 0.0149).
        int min = options_.min_rounding_places;
        auto try_round = [&](const Number& dec_value, const Node& dec, const Number& other,
                             const Node& other_node, bool dec_is_predicted) {
          auto places = decimal_places(dec);
          if (!places || *places < min || significant_digits(dec) < min) return false;
          auto other_places = decimal_places(other_node);
          if (dec_is_predicted && other_places && *other_places > *places) return false;
          auto r = round_to_places(other, *places);
          return r && dec_value.is_exact() && dec_value.im == 0 && *r == dec_value.re;
        };
        if (try_round(x, a, y, b, true) || try_round(y, b, x, a, false)) {
          return equal("numeric_rounding", "the other value rounds to the decimal as written (" +
                                               describe(x) + " vs " + describe(y) + ")");
        }
      }
    }
    if (options_.percent_guess) {
      Number hundred = Number::exact(100);
      auto x100 = mul(x, hundred, budget_);
      auto y100 = mul(y, hundred, budget_);
      Real rel(decimals ? options_.relative_tolerance : 1e-35);
      if ((x100.ok() && close(*x100.value, y, rel) == Closeness::equal) ||
          (y100.ok() && close(x, *y100.value, rel) == Closeness::equal)) {
        return equal("percent_guess", "equal up to a factor of 100 (percent_guess is on)");
      }
    }
    bool both_exact = x.is_exact() && y.is_exact();
    return differ(both_exact ? kExact : "numeric", describe(x) + " vs " + describe(y));
  }

  Outcome symbolic(const Node& original_a, const Node& original_b,
                   const std::set<std::string>& vars, bool decimals) {
    budget_.take_approximation();
    Outcome o = symbolic_points(original_a, original_b, vars, decimals);
    return unless_approximated(std::move(o), budget_.take_approximation());
  }

  Outcome symbolic_points(const Node& original_a, const Node& original_b,
                          const std::set<std::string>& vars, bool decimals) {
    Node a = original_a, b = original_b;
    if (!fold_constants(a, budget_) || !fold_constants(b, budget_)) {
      return unsure("budget", "step budget exhausted in symbolic evaluation");
    }
    PointSource points(0x6C656D6D61ULL);  // fixed seed: the same verdict on every run
    int agreed = 0, tried = 0, signed_agreed = 0;
    Real rel(decimals ? std::max(options_.relative_tolerance, 1e-35) : 1e-35);
    std::string last_error;
    // First points_ points with negative values too (|x| is not x), read as real functions;
    // a point where either side leaves the reals (sqrt(x) at x < 0) is skipped. Then positive
    // points, where both sides are defined, in the complex numbers.
    for (int p = 0; p < points_ * 4 && agreed < points_; ++p) {
      if (budget_.exhausted()) break;
      bool signs = p < points_;
      if (!signs) ++tried;
      Bindings at = draw(points, vars, signs ? p : -1);
      auto x = evaluate(a, at, budget_, signs);
      auto y = evaluate(b, at, budget_, signs);
      if (!x.ok() || !y.ok()) {
        if (!signs) last_error = !x.ok() ? x.error : y.error;
        continue;
      }
      if (close(*x.value, *y.value, rel) != Closeness::equal) {
        std::string where;
        for (const auto& v : at)
          where += (where.empty() ? "" : ", ") + v.first + " = " + describe(v.second);
        return differ("symbolic", "the answers differ at " + where + ": " + describe(*x.value) +
                                      " vs " + describe(*y.value));
      }
      ++(signs ? signed_agreed : agreed);
    }
    if (budget_.exhausted())
      return unsure("budget", "step budget exhausted in symbolic evaluation");
    if (agreed >= std::min(3, points_)) {
      return equal("symbolic", "equal at " + std::to_string(agreed) +
                                   " random points of the variables (and at " +
                                   std::to_string(signed_agreed) + " with negative values)");
    }
    return unsure("symbolic", "could evaluate both answers at only " + std::to_string(agreed) +
                                  " of " + std::to_string(tried) + " points" +
                                  (last_error.empty() ? "" : " (" + last_error + ")"));
  }

  // lhs - rhs of an equation or relation, as a node.
  static Node difference(const Node& lhs, const Node& rhs) {
    Node d;
    d.kind = K::add;
    d.kids.push_back(lhs);
    Node n;
    n.kind = K::neg;
    n.kids.push_back(rhs);
    d.kids.push_back(std::move(n));
    return d;
  }

  // f and g equal up to a constant factor c (c > 0 when `positive`) at random points.
  Outcome proportional(const Node& original_f, const Node& original_g, bool positive,
                       const char* rule) {
    Node f = original_f, g = original_g;
    if (!fold_constants(f, budget_) || !fold_constants(g, budget_)) {
      return unsure("budget", "step budget exhausted");
    }
    std::set<std::string> vf, vg;
    collect_variables(f, vf);
    collect_variables(g, vg);
    if (vf != vg) return differ(rule, "the two sides use different variables");
    PointSource points(0x65717561ULL);
    std::optional<Number> ratio;
    int agreed = 0;
    // As in symbolic(): points of both signs (real only) first, then positive points.
    for (int p = 0; p < points_ * 4 && agreed < points_; ++p) {
      if (budget_.exhausted()) break;
      bool signs = p < points_;
      Bindings at = draw(points, vf, signs ? p : -1);
      auto x = evaluate(f, at, budget_, signs);
      auto y = evaluate(g, at, budget_, signs);
      if (!x.ok() || !y.ok()) continue;
      bool xz = close(*x.value, Number::exact(0), Real("1e-35")) == Closeness::equal;
      bool yz = close(*y.value, Number::exact(0), Real("1e-35")) == Closeness::equal;
      if (xz != yz) return differ(rule, "one side vanishes where the other does not");
      if (xz) continue;
      auto r = div(*x.value, *y.value, budget_);
      if (!r.ok()) continue;
      if (!ratio) {
        ratio = *r.value;
        if (positive && (!ratio->is_real() || ratio->real_part() <= 0)) {
          return differ(rule, "the inequalities point in opposite directions");
        }
      } else if (close(*ratio, *r.value, Real("1e-30")) != Closeness::equal) {
        return differ(rule, "not proportional: the ratio changes between points");
      }
      if (!signs) ++agreed;
    }
    if (budget_.exhausted()) return unsure("budget", "step budget exhausted");
    if (agreed >= std::min(3, points_) || (vf.empty() && agreed >= 1)) {
      return equal(rule, "equal up to the factor " + describe(*ratio));
    }
    return unsure(rule, "could not evaluate enough points to compare");
  }

  Outcome equations(const Node& a, const Node& b) {
    std::set<std::string> vars;
    collect_variables(a, vars);
    collect_variables(b, vars);
    if (vars.empty()) return ordered(a.kids, b.kids, "equation");
    return proportional(difference(a.kids[0], a.kids[1]), difference(b.kids[0], b.kids[1]), false,
                        "equation");
  }

  // Orients a chain so that it reads with < / <= (x > 3 becomes 3 < x).
  static void orient(std::vector<Node>& kids, std::vector<std::string>& ops) {
    if (ops.empty() || !(ops[0] == ">" || ops[0] == ">=")) return;
    std::reverse(kids.begin(), kids.end());
    std::reverse(ops.begin(), ops.end());
    for (auto& o : ops) o = flip(o);
  }

  Outcome relations(const Node& a, const Node& b) {
    std::vector<Node> ka = a.kids, kb = b.kids;
    std::vector<std::string> oa = a.ops, ob = b.ops;
    orient(ka, oa);
    orient(kb, ob);
    if (oa != ob) return differ("inequality", "the relations differ");
    Outcome o = ordered(ka, kb, "inequality");
    if (o.result == R::equal || oa.size() != 1) return o;
    // 2x > 6 and x > 3: the same inequality up to a positive factor.
    Outcome p = proportional(difference(ka[0], ka[1]), difference(kb[0], kb[1]),
                             oa[0] != "!=", "inequality");
    return p.result == R::equal ? p : o;
  }

  const CompareOptions& options_;
  Budget& budget_;
  int points_;  // options_.symbolic_points clamped to 1..64
};

// The text without spaces, except one between two digits ("2 3" is not 23).
std::string compact(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != ' ') {
      out += s[i];
    } else if (!out.empty() && scan::is_digit(out.back()) && i + 1 < s.size() &&
               scan::is_digit(s[i + 1])) {
      out += ' ';
    }
  }
  return out;
}

std::string text_key(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// Words and punctuation only: no LaTeX command, operator, bracket or digit.
bool is_prose(const std::string& s) {
  bool letter = false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u) != 0) {
      letter = true;
    } else if (std::isdigit(u) != 0 ||
               std::string_view("\\^_{}()[]=<>+*/|&").find(c) != std::string_view::npos) {
      return false;
    }
  }
  return letter;
}

Verdict to_verdict(Outcome o) {
  Verdict v;
  v.result = o.result;
  v.rule = std::move(o.rule);
  v.explanation = std::move(o.explanation);
  return v;
}

Verdict compare_impl(std::string_view predicted, std::string_view reference,
                     const CompareOptions& options) {
  Budget budget(options.step_budget);
  NormalizeInfo pi, ri;
  std::string np = normalize_answer(predicted, options, budget, pi);
  std::string nr = normalize_answer(reference, options, budget, ri);
  if (budget.exhausted())
    return to_verdict(unsure("budget", "step budget exhausted while normalising"));
  if (compact(nr).empty()) return to_verdict(unsure("empty", "the reference answer is empty"));
  if (compact(np).empty()) return to_verdict(differ("empty", "the predicted answer is empty"));
  // "5 km" is not "5 cm"; a unit on one side only is dropped (the reference may omit it).
  if (!pi.unit.empty() && !ri.unit.empty() && pi.unit != ri.unit) {
    return to_verdict(differ("units", "different units: " + pi.unit + " vs " + ri.unit));
  }
  if (compact(np) == compact(nr))
    return to_verdict(equal("string", "same text after normalisation"));
  ParseResult p = parse_normalized(np, options, budget);
  ParseResult r = parse_normalized(nr, options, budget);
  if (budget.exhausted())
    return to_verdict(unsure("budget", "step budget exhausted while parsing"));
  if (!p.node && !r.node) {
    if (text_key(np) == text_key(nr) && !text_key(np).empty()) {
      return to_verdict(equal("text", "same words"));
    }
    // Two sentences that differ are different answers; unread notation (A \cap B, \sum_k)
    // may still be equal.
    if (is_prose(np) && is_prose(nr)) {
      return to_verdict(differ("text", "neither answer is math and the texts differ"));
    }
    return to_verdict(unsure("parse", "could read neither answer: " + p.error));
  }
  if (!p.node)
    return to_verdict(unsure("parse", "could not read the predicted answer: " + p.error));
  if (!r.node)
    return to_verdict(unsure("parse", "could not read the reference answer: " + r.error));
  Comparer c(options, budget);
  return to_verdict(c.nodes(*p.node, *r.node));
}

}  // namespace
}  // namespace detail

const char* to_string(Verdict::Result result) noexcept {
  switch (result) {
    case Verdict::Result::equal: return "equal";
    case Verdict::Result::not_equal: return "not_equal";
    case Verdict::Result::undecided: return "undecided";
  }
  return "undecided";
}

Verdict compare(std::string_view predicted, std::string_view reference,
                const CompareOptions& options) {
  // The boundary: nothing escapes (bad_alloc, a Boost overflow) as anything but undecided.
  try {
    return detail::compare_impl(predicted, reference, options);
  } catch (const std::exception& e) {
    Verdict v;
    v.rule = "internal";
    v.explanation = std::string("comparison failed: ") + e.what();
    return v;
  } catch (...) {
    Verdict v;
    v.rule = "internal";
    v.explanation = "comparison failed";
    return v;
  }
}

bool parses_as_answer(std::string_view text, const CompareOptions& options) {
  try {
    detail::Budget budget(options.step_budget);
    detail::NormalizeInfo info;
    auto r = detail::read_answer(text, options, budget, info);
    return r.node.has_value() && !budget.exhausted();
  } catch (...) {
    return false;
  }
}

}  // namespace lemma::math
