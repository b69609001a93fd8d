#include "evaluate.hpp"

#include <boost/multiprecision/cpp_bin_float.hpp>

namespace lemma::math::detail {
namespace {

NumberResult failed(std::string why) {
  NumberResult r;
  r.error = std::move(why);
  return r;
}

Real euler() {
  return boost::multiprecision::exp(Real(1));
}

NumberResult evaluate_node(const Node& node, const Bindings& bindings, Budget& budget,
                           bool real_only);

}  // namespace

NumberResult evaluate(const Node& node, const Bindings& bindings, Budget& budget, bool real_only) {
  auto r = evaluate_node(node, bindings, budget, real_only);
  if (real_only && r.ok() && !r.value->is_real()) return failed("not a real value");
  return r;
}

namespace {

NumberResult evaluate_node(const Node& node, const Bindings& bindings, Budget& budget,
                           bool real_only) {
  DepthGuard guard(budget);
  if (!guard.ok()) return failed("step budget exhausted");
  using K = Node::Kind;
  switch (node.kind) {
    case K::number: {
      NumberResult r;
      r.value = Number::exact(node.value);
      return r;
    }
    case K::constant: {
      NumberResult r;
      if (node.name == "pi") {
        r.value = Number::approx(boost::multiprecision::default_ops::get_constant_pi<
                                 boost::multiprecision::cpp_bin_float<50>>());
      } else if (node.name == "e") {
        r.value = Number::approx(euler());
      } else if (node.name == "i") {
        r.value = Number::exact(0, 1);
      } else {
        r.value = Number::infinity(1);
      }
      return r;
    }
    case K::variable: {
      for (const auto& b : bindings) {
        if (b.first == node.name) {
          NumberResult r;
          r.value = b.second;
          return r;
        }
      }
      return failed("free variable " + node.name);
    }
    case K::add:
    case K::mul: {
      auto acc = evaluate(node.kids.front(), bindings, budget, real_only);
      if (!acc.ok()) return acc;
      for (std::size_t k = 1; k < node.kids.size(); ++k) {
        auto x = evaluate(node.kids[k], bindings, budget, real_only);
        if (!x.ok()) return x;
        acc = node.kind == K::add ? add(*acc.value, *x.value, budget)
                                  : mul(*acc.value, *x.value, budget);
        if (!acc.ok()) return acc;
      }
      return acc;
    }
    case K::neg: {
      auto x = evaluate(node.kids[0], bindings, budget, real_only);
      if (!x.ok()) return x;
      return neg(*x.value);
    }
    case K::div:
    case K::pow:
    case K::root: {
      auto a = evaluate(node.kids[0], bindings, budget, real_only);
      if (!a.ok()) return a;
      auto b = evaluate(node.kids[1], bindings, budget, real_only);
      if (!b.ok()) return b;
      if (node.kind == K::div) return div(*a.value, *b.value, budget);
      if (node.kind == K::pow) {
        // e^x is exp(x), evaluated without first rounding e.
        if (node.kids[0].kind == K::constant && node.kids[0].name == "e") {
          return apply_function("exp", *b.value, budget);
        }
        return power(*a.value, *b.value, budget);
      }
      return root(*a.value, *b.value, budget);
    }
    case K::factorial: {
      auto a = evaluate(node.kids[0], bindings, budget, real_only);
      if (!a.ok()) return a;
      return factorial(*a.value, budget);
    }
    case K::func: {
      auto a = evaluate(node.kids[0], bindings, budget, real_only);
      if (!a.ok()) return a;
      if (node.name == "log_base" || node.name == "binom") {
        auto b = evaluate(node.kids[1], bindings, budget, real_only);
        if (!b.ok()) return b;
        if (node.name == "binom") return binomial(*a.value, *b.value, budget);
        return log_base(*a.value, *b.value, budget);
      }
      if (node.name == "arccot" || node.name == "arcsec" || node.name == "arccsc") {
        auto inv = div(Number::exact(1), *a.value, budget);
        if (!inv.ok()) return inv;
        if (node.name == "arccot") return apply_function("arctan", *inv.value, budget);
        return apply_function(node.name == "arcsec" ? "arccos" : "arcsin", *inv.value, budget);
      }
      if (node.name == "sgn") {
        if (!a.value->is_real()) return failed("sign of a complex number");
        Real v = a.value->real_part();
        NumberResult r;
        r.value = Number::exact(v > 0 ? 1 : v < 0 ? -1 : 0);
        return r;
      }
      return apply_function(node.name, *a.value, budget);
    }
    default: return failed("not a single value");
  }
}

}  // namespace

bool fold_constants(Node& node, Budget& budget) {
  DepthGuard guard(budget);
  if (!guard.ok()) return false;
  if (node.kind == Node::Kind::number || node.kind == Node::Kind::variable ||
      node.kind == Node::Kind::constant) {
    return true;
  }
  std::set<std::string> vars;
  collect_variables(node, vars);
  if (vars.empty() && node.is_scalar() && !has_pm(node)) {
    auto value = evaluate(node, {}, budget);
    if (value.ok() && value.value->is_exact() && value.value->im == 0) {
      Node n;
      n.kind = Node::Kind::number;
      n.value = value.value->re;
      n.decimal = has_decimal(node);
      node = std::move(n);
    }
    return !budget.exhausted();
  }
  for (auto& k : node.kids) {
    if (!fold_constants(k, budget)) return false;
  }
  return true;
}

void collect_variables(const Node& node, std::set<std::string>& out) {
  if (node.kind == Node::Kind::variable) out.insert(node.name);
  for (const auto& k : node.kids) collect_variables(k, out);
}

bool has_decimal(const Node& node) {
  if (node.kind == Node::Kind::number && node.decimal) return true;
  for (const auto& k : node.kids) {
    if (has_decimal(k)) return true;
  }
  return false;
}

std::optional<int> decimal_places(const Node& node) {
  if (node.kind == Node::Kind::neg) return decimal_places(node.kids[0]);
  if (node.kind == Node::Kind::number && node.decimal) return node.places;
  return std::nullopt;
}

bool has_pm(const Node& node) {
  if (node.kind == Node::Kind::pm) return true;
  for (const auto& k : node.kids) {
    if (has_pm(k)) return true;
  }
  return false;
}

std::vector<Node> expand_pm(const Node& node) {
  if (!has_pm(node)) return {node};
  if (node.kind == Node::Kind::pm) {
    std::vector<Node> out;
    auto lhs = expand_pm(node.kids[0]);
    auto rhs = expand_pm(node.kids[1]);
    if (lhs.empty() || rhs.empty() || lhs.size() * rhs.size() * 2 > 16) return {};
    for (const auto& a : lhs) {
      for (const auto& b : rhs) {
        for (int sign : {1, -1}) {
          Node sum;
          sum.kind = Node::Kind::add;
          sum.kids.push_back(a);
          if (sign > 0) {
            sum.kids.push_back(b);
          } else {
            Node n;
            n.kind = Node::Kind::neg;
            n.kids.push_back(b);
            sum.kids.push_back(std::move(n));
          }
          out.push_back(std::move(sum));
        }
      }
    }
    return out;
  }
  // Expand the first child holding a \pm, then recurse on the results.
  for (std::size_t k = 0; k < node.kids.size(); ++k) {
    if (!has_pm(node.kids[k])) continue;
    auto options = expand_pm(node.kids[k]);
    if (options.empty()) return {};
    std::vector<Node> out;
    for (auto& o : options) {
      Node copy = node;
      copy.kids[k] = std::move(o);
      auto more = expand_pm(copy);
      if (more.empty()) return {};
      for (auto& m : more) out.push_back(std::move(m));
      if (out.size() > 16) return {};
    }
    return out;
  }
  return {node};
}

}  // namespace lemma::math::detail
