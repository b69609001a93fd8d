#pragma once

// Evaluation of scalar expression trees to Numbers, with variables bound to values.

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "expr.hpp"
#include "number.hpp"

namespace lemma::math::detail {

/// Values of free variables at one evaluation point.
using Bindings = std::vector<std::pair<std::string, Number>>;

/// Evaluates a scalar node; fails on collections, unbound variables or domain errors, and
/// with `real_only` also when any subexpression is not real (sqrt(x) at x < 0).
NumberResult evaluate(const Node& node, const Bindings& bindings, Budget& budget,
                      bool real_only = false);

/// Adds the names of the free variables of `node` to `out`.
void collect_variables(const Node& node, std::set<std::string>& out);

/// True when a number literal written with a decimal point or exponent occurs in `node`.
bool has_decimal(const Node& node);

/// The number of decimal places of `node` when it is a (possibly negated) decimal literal.
std::optional<int> decimal_places(const Node& node);

/// Replaces every variable-free subtree whose value is an exact real by a number node, so that
/// evaluating at many points does not recompute (say) 2006! each time. False when the budget
/// ran out.
bool fold_constants(Node& node, Budget& budget);

/// Expands every \pm into its two signs: a ± b gives {a + b, a - b}. Empty when there are
/// more than 16 combinations.
std::vector<Node> expand_pm(const Node& node);

/// True when a \pm occurs in `node`.
bool has_pm(const Node& node);

}  // namespace lemma::math::detail
