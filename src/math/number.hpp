#pragma once

// Numbers of the equivalence engine: exact complex rationals (big integers, Boost's cpp_int)
// while every operation stays exact, 50-digit binary floats once an irrational appears, and
// signed infinity. Every operation charges the budget by operand size and refuses results
// larger than kMaxBits, so 10^{10^{10}} or 100000! fails fast instead of exhausting memory.

#include <boost/multiprecision/cpp_bin_float.hpp>
#include <boost/multiprecision/cpp_int.hpp>
#include <optional>
#include <string>

#include "budget.hpp"

namespace lemma::math::detail {

// Expression templates off: plain values are simpler to reason about and cheap enough here.
using Integer = boost::multiprecision::number<boost::multiprecision::cpp_int_backend<>,
                                              boost::multiprecision::et_off>;
using Rational = boost::multiprecision::number<boost::multiprecision::cpp_rational_backend,
                                               boost::multiprecision::et_off>;
using Real = boost::multiprecision::number<boost::multiprecision::cpp_bin_float<50>,
                                           boost::multiprecision::et_off>;

/// Largest numerator or denominator (in bits) an exact result may have.
inline constexpr unsigned kMaxBits = 1u << 18;

/// A value: exact complex rational, approximate complex (50 digits), or signed infinity.
struct Number {
  /// Which representation holds the value.
  enum class Kind { exact, approx, infinity };
  Kind kind = Kind::exact;
  Rational re, im;   // exact parts
  Real are, aim;     // approximate parts
  Real err;          // approximate only: a bound on the absolute error of are + i aim
  int inf_sign = 1;  // for infinity

  static Number exact(Rational r, Rational i = 0) {
    Number n;
    n.re = std::move(r);
    n.im = std::move(i);
    return n;
  }
  /// An approximation with error bound `e` (default: the rounding of the parts themselves).
  static Number approx(Real r, Real i = 0, std::optional<Real> e = std::nullopt) {
    Number n;
    n.kind = Kind::approx;
    n.are = std::move(r);
    n.aim = std::move(i);
    n.err = e ? *e : rounding(n.are, n.aim);
    return n;
  }
  /// The rounding error of a 50-digit value: a few units in its last place.
  static Real rounding(const Real& r, const Real& i) {
    return Real("1e-47") * (boost::multiprecision::abs(r) + boost::multiprecision::abs(i));
  }
  static Number infinity(int sign) {
    Number n;
    n.kind = Kind::infinity;
    n.inf_sign = sign;
    return n;
  }
  bool is_exact() const { return kind == Kind::exact; }
  bool is_real() const;
  /// Approximate real part (converted when exact).
  Real real_part() const;
  /// Approximate imaginary part.
  Real imag_part() const;
};

/// A result or the reason there is none.
struct NumberResult {
  std::optional<Number> value;
  std::string error;
  bool ok() const { return value.has_value(); }
};

Real to_real(const Rational& q);
NumberResult add(const Number& a, const Number& b, Budget& budget);
NumberResult mul(const Number& a, const Number& b, Budget& budget);
NumberResult div(const Number& a, const Number& b, Budget& budget);
NumberResult neg(const Number& a);
NumberResult power(const Number& base, const Number& exponent, Budget& budget);
/// The principal n-th root (n >= 2); an odd root of a negative real is the real root.
NumberResult root(const Number& a, const Number& n, Budget& budget);
NumberResult factorial(const Number& a, Budget& budget);
NumberResult binomial(const Number& n, const Number& k, Budget& budget);
/// sin, cos, tan, cot, sec, csc, arcsin, arccos, arctan, sinh, cosh, tanh, ln, log, exp, abs.
NumberResult apply_function(const std::string& name, const Number& a, Budget& budget);
/// log base b of a.
NumberResult log_base(const Number& a, const Number& b, Budget& budget);

/// How two values relate under a tolerance policy.
enum class Closeness { equal, not_equal, incomparable };
/// Exact equality when both are exact; otherwise relative difference within `rel`; against an
/// exact zero, an approximation equals it when it is within its own error bound (sin(pi) is
/// 0, e^{-110} is not).
Closeness close(const Number& a, const Number& b, const Real& rel);
/// Rounds a real value half away from zero to `places` decimal places; nullopt if not real.
std::optional<Rational> round_to_places(const Number& a, int places);

/// Short decimal rendering for explanations.
std::string describe(const Number& a);

}  // namespace lemma::math::detail
