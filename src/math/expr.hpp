#pragma once

// The expression tree both sides of a comparison are parsed into.

#include <string>
#include <vector>

#include "number.hpp"

namespace lemma::math::detail {

/// One node of a parsed answer.
struct Node {
  /// What the node is; scalar kinds evaluate to a Number, the others are compared by shape.
  enum class Kind {
    number,     // value (exact), decimal/places when written with a point or exponent
    constant,   // name: "pi", "e", "i", "oo"
    variable,   // name, with any subscript ("x_1")
    add,        // kids summed
    mul,        // kids multiplied
    neg,        // -kids[0]
    div,        // kids[0] / kids[1]
    pow,        // kids[0] ^ kids[1]
    factorial,  // kids[0]!
    func,       // name(kids[0]); "log_base": log of kids[0] in base kids[1]; "binom": 2 kids
    root,       // kids[0] ^ (1 / kids[1])
    pm,         // kids[0] ± kids[1]
    tuple,      // ordered, in parentheses
    set,        // unordered, in \{ \}
    list,       // a bare comma list: compatible with a set or a tuple
    interval,   // kids[0], kids[1] with left_closed / right_closed
    union_set,  // kids are intervals or sets
    matrix,     // kids are cells row-major, `cols` per row
    equation,   // kids[0] = kids[1]
    relation,   // kids[0] ops[0] kids[1] ops[1] kids[2] ... (ops: <, <=, >, >=, !=, =)
    text,       // name: text that is not math (e.g. "..." in a list)
  };
  Kind kind = Kind::number;
  Rational value;
  bool decimal = false;
  int places = 0;
  std::string name;
  std::vector<Node> kids;
  std::vector<std::string> ops;
  bool left_closed = false;
  bool right_closed = false;
  std::size_t cols = 0;
  /// 1 + the tallest kid's height; the parser keeps it within Budget::kMaxDepth plus its own
  /// recursion, so walking, copying or destroying a tree never overflows the stack.
  int height = 1;

  bool is_scalar() const {
    switch (kind) {
      case Kind::number:
      case Kind::constant:
      case Kind::variable:
      case Kind::add:
      case Kind::mul:
      case Kind::neg:
      case Kind::div:
      case Kind::pow:
      case Kind::factorial:
      case Kind::func:
      case Kind::root: return true;
      default: return false;
    }
  }
};

}  // namespace lemma::math::detail
