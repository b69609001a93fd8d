#include "number.hpp"

#include <boost/multiprecision/cpp_bin_float.hpp>
#include <limits>
#include <utility>

namespace lemma::math::detail {
namespace {

unsigned bits(const Integer& z) {
  if (z == 0) return 0;
  return static_cast<unsigned>(boost::multiprecision::msb(boost::multiprecision::abs(z))) + 1;
}

unsigned bits(const Rational& q) {
  unsigned n = bits(boost::multiprecision::numerator(q));
  unsigned d = bits(boost::multiprecision::denominator(q));
  return n > d ? n : d;
}

unsigned bits(const Number& a) {
  if (!a.is_exact()) return 64;
  unsigned r = bits(a.re);
  unsigned i = bits(a.im);
  return r > i ? r : i;
}

// Charges the budget for an operation on operands of these sizes: linear for additions,
// quadratic (in 64-bit limbs) for multiplications, so huge numbers exhaust the budget.
bool charge_for(Budget& budget, unsigned a_bits, unsigned b_bits, bool quadratic) {
  std::size_t a = a_bits / 64 + 1;
  std::size_t b = b_bits / 64 + 1;
  std::size_t cost = quadratic ? 1 + (a * b) / 64 : 1 + (a + b) / 16;
  return budget.charge(cost);
}

NumberResult ok(Number n) {
  NumberResult r;
  r.value = std::move(n);
  return r;
}

NumberResult fail(std::string why) {
  NumberResult r;
  r.error = std::move(why);
  return r;
}

NumberResult too_big() {
  return fail("a number grew past the size limit");
}
NumberResult no_budget() {
  return fail("step budget exhausted");
}

bool finite(const Real& x) {
  return boost::multiprecision::isfinite(x);
}

// An approximate result; `err` bounds the error propagated from the operands, to which the
// result's own rounding is added.
NumberResult checked_approx(Real re, Real im, const Real& err = 0) {
  if (!finite(re) || !finite(im)) return fail("a value overflowed");
  Real total = err + Number::rounding(re, im);
  if (!finite(total)) total = std::numeric_limits<Real>::max();
  return ok(Number::approx(std::move(re), std::move(im), std::move(total)));
}

const Real kEps("1e-47");

// |re| + |im| of a value (approximated when exact).
Real magnitude(const Number& a) {
  return boost::multiprecision::abs(a.real_part()) + boost::multiprecision::abs(a.imag_part());
}

// The error of a value as an operand: its bound, plus the rounding of converting it to 50
// digits when it is exact.
Real input_error(const Number& a) {
  if (a.kind == Number::Kind::infinity) return 0;
  return (a.is_exact() ? Real(0) : a.err) + kEps * magnitude(a);
}

NumberResult checked_exact(Rational re, Rational im) {
  if (bits(re) > kMaxBits || bits(im) > kMaxBits) return too_big();
  return ok(Number::exact(std::move(re), std::move(im)));
}

// Complex helpers on approximate parts.
std::pair<Real, Real> complex_log(const Real& re, const Real& im) {
  Real modulus = boost::multiprecision::sqrt(re * re + im * im);
  return {boost::multiprecision::log(modulus), boost::multiprecision::atan2(im, re)};
}

std::pair<Real, Real> complex_exp(const Real& re, const Real& im) {
  Real m = boost::multiprecision::exp(re);
  if (im == 0) return {m, Real(0)};
  return {m * boost::multiprecision::cos(im), m * boost::multiprecision::sin(im)};
}

bool is_integer(const Number& a) {
  return a.is_exact() && a.im == 0 && boost::multiprecision::denominator(a.re) == 1;
}

// Integer n-th root when `x` (>= 0) is a perfect n-th power.
std::optional<Integer> exact_root(const Integer& x, unsigned n) {
  if (x == 0 || x == 1) return x;
  if (bits(x) > 512) return std::nullopt;  // beyond what a 50-digit first guess can settle
  Real guess = boost::multiprecision::pow(Real(x), Real(1) / Real(n));
  Integer r = static_cast<Integer>(boost::multiprecision::round(guess));
  for (int delta = -1; delta <= 1; ++delta) {
    Integer c = r + delta;
    if (c >= 0 && boost::multiprecision::pow(c, n) == x) return c;
  }
  return std::nullopt;
}

NumberResult integer_power(const Number& base, const Integer& n, Budget& budget) {
  if (n == 0) return ok(Number::exact(1));
  bool negative = n < 0;
  Integer e = negative ? Integer(-n) : n;
  if (base.is_exact()) {
    if (base.im == 0 && (base.re == 0 || base.re == 1)) {
      if (base.re == 0 && negative) return fail("division by zero");
      return ok(base);
    }
    if (base.im == 0 && base.re == -1) {
      return ok(Number::exact((e % 2 == 0) ? 1 : -1));
    }
    unsigned b = bits(base);
    if (bits(e) > 32 || static_cast<unsigned long long>(e) * b > kMaxBits) {
      // Too large to hold exactly: fall back to a 50-digit approximation when it is real.
      if (base.im != 0) return too_big();
      if (!budget.charge(50)) return no_budget();
      budget.note_approximation();
      Real lb = to_real(base.re);
      Real ex = Real(n);
      Real lg = boost::multiprecision::log(lb > 0 ? lb : Real(-lb));
      Real mag = boost::multiprecision::exp(ex * lg);
      Real err = mag * kEps * (1 + boost::multiprecision::abs(ex * lg));
      if (lb > 0) return checked_approx(mag, 0, err);
      return checked_approx(e % 2 == 0 ? mag : Real(-mag), 0, err);
    }
    unsigned exponent = static_cast<unsigned>(e);
    if (!charge_for(budget, b * exponent, b * exponent, true)) return no_budget();
    if (base.im == 0) {
      Integer num = boost::multiprecision::pow(boost::multiprecision::numerator(base.re), exponent);
      Integer den =
          boost::multiprecision::pow(boost::multiprecision::denominator(base.re), exponent);
      Rational r(num, den);
      if (negative) r = Rational(den, num);
      return checked_exact(std::move(r), 0);
    }
  }
  // Square-and-multiply for complex or approximate bases.
  if (bits(e) > 40) return fail("exponent too large for this base");
  Number result = Number::exact(1);
  Number square = base;
  while (e > 0) {
    if (!budget.charge()) return no_budget();
    if ((e & 1) != 0) {
      auto r = mul(result, square, budget);
      if (!r.ok()) return r;
      result = std::move(*r.value);
    }
    e >>= 1;
    if (e > 0) {
      auto s = mul(square, square, budget);
      if (!s.ok()) return s;
      square = std::move(*s.value);
    }
  }
  if (negative) return div(Number::exact(1), result, budget);
  return ok(std::move(result));
}

NumberResult approx_power(const Number& base, const Number& exponent, Budget& budget) {
  if (!budget.charge(50)) return no_budget();
  Real br = base.real_part(), bi = base.imag_part();
  Real er = exponent.real_part(), ei = exponent.imag_part();
  if (br == 0 && bi == 0) {
    if (er > 0) return ok(Number::exact(0));
    return fail("zero to a non-positive power");
  }
  auto lg = complex_log(br, bi);
  Real xr = er * lg.first - ei * lg.second;
  Real xi = er * lg.second + ei * lg.first;
  auto r = complex_exp(xr, xi);
  // exp(x) with x = e log b: the error of x, relative in the result.
  Real x_err = magnitude(exponent) * input_error(base) / magnitude(base) +
               input_error(exponent) *
                   (boost::multiprecision::abs(lg.first) + boost::multiprecision::abs(lg.second));
  Real mag = boost::multiprecision::abs(r.first) + boost::multiprecision::abs(r.second);
  return checked_approx(r.first, r.second, mag * x_err);
}

}  // namespace

bool Number::is_real() const {
  switch (kind) {
    case Kind::exact: return im == 0;
    case Kind::approx: return aim == 0;
    case Kind::infinity: return true;
  }
  return false;
}

Real to_real(const Rational& q) {
  return Real(boost::multiprecision::numerator(q)) / Real(boost::multiprecision::denominator(q));
}

Real Number::real_part() const {
  return kind == Kind::exact ? to_real(re) : are;
}
Real Number::imag_part() const {
  return kind == Kind::exact ? to_real(im) : aim;
}

NumberResult add(const Number& a, const Number& b, Budget& budget) {
  if (a.kind == Number::Kind::infinity || b.kind == Number::Kind::infinity) {
    if (a.kind == Number::Kind::infinity && b.kind == Number::Kind::infinity) {
      if (a.inf_sign == b.inf_sign) return ok(a);
      return fail("infinity minus infinity");
    }
    return ok(a.kind == Number::Kind::infinity ? a : b);
  }
  if (a.is_exact() && b.is_exact()) {
    if (!charge_for(budget, bits(a), bits(b), false)) return no_budget();
    return checked_exact(a.re + b.re, a.im + b.im);
  }
  if (!budget.charge()) return no_budget();
  return checked_approx(a.real_part() + b.real_part(), a.imag_part() + b.imag_part(),
                        input_error(a) + input_error(b));
}

NumberResult neg(const Number& a) {
  Number r = a;
  r.re = -r.re;
  r.im = -r.im;
  r.are = -r.are;
  r.aim = -r.aim;
  r.inf_sign = -r.inf_sign;
  return ok(std::move(r));
}

NumberResult mul(const Number& a, const Number& b, Budget& budget) {
  if (a.kind == Number::Kind::infinity || b.kind == Number::Kind::infinity) {
    const Number& other = a.kind == Number::Kind::infinity ? b : a;
    int sign = a.kind == Number::Kind::infinity ? a.inf_sign : b.inf_sign;
    if (other.kind == Number::Kind::infinity) return ok(Number::infinity(sign * other.inf_sign));
    if (!other.is_real()) return fail("complex infinity");
    Real v = other.real_part();
    if (v == 0) return fail("zero times infinity");
    return ok(Number::infinity(v > 0 ? sign : -sign));
  }
  if (a.is_exact() && b.is_exact()) {
    if (!charge_for(budget, bits(a), bits(b), true)) return no_budget();
    if (bits(a) + bits(b) > 2 * kMaxBits) return too_big();
    if (a.im == 0 && b.im == 0) return checked_exact(a.re * b.re, 0);
    return checked_exact(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
  }
  if (!budget.charge()) return no_budget();
  Real ar = a.real_part(), ai = a.imag_part(), br = b.real_part(), bi = b.imag_part();
  Real ea = input_error(a), eb = input_error(b);
  return checked_approx(ar * br - ai * bi, ar * bi + ai * br,
                        magnitude(a) * eb + magnitude(b) * ea + ea * eb);
}

NumberResult div(const Number& a, const Number& b, Budget& budget) {
  if (b.kind == Number::Kind::infinity) {
    if (a.kind == Number::Kind::infinity) return fail("infinity over infinity");
    return ok(Number::exact(0));
  }
  if (a.kind == Number::Kind::infinity) {
    if (!b.is_real()) return fail("complex infinity");
    Real v = b.real_part();
    if (v == 0) return fail("division by zero");
    return ok(Number::infinity(v > 0 ? a.inf_sign : -a.inf_sign));
  }
  if (b.is_exact()) {
    if (b.re == 0 && b.im == 0) return fail("division by zero");
    if (a.is_exact()) {
      if (!charge_for(budget, bits(a), bits(b), true)) return no_budget();
      if (b.im == 0) return checked_exact(a.re / b.re, a.im / b.re);
      Rational d = b.re * b.re + b.im * b.im;
      return checked_exact((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
    }
  }
  if (!budget.charge()) return no_budget();
  Real ar = a.real_part(), ai = a.imag_part(), br = b.real_part(), bi = b.imag_part();
  Real d = br * br + bi * bi;
  if (d == 0) return fail("division by zero");
  Real qr = (ar * br + ai * bi) / d, qi = (ai * br - ar * bi) / d;
  Real mb = magnitude(b), eb = input_error(b);
  Real room = mb > 2 * eb ? Real(mb - eb) : Real(mb / 2);
  Real q = boost::multiprecision::abs(qr) + boost::multiprecision::abs(qi);
  return checked_approx(qr, qi, (input_error(a) + q * eb) / room);
}

NumberResult power(const Number& base, const Number& exponent, Budget& budget) {
  if (base.kind == Number::Kind::infinity || exponent.kind == Number::Kind::infinity) {
    return fail("a power of infinity");
  }
  if (is_integer(exponent)) return integer_power(base, exponent.re.convert_to<Integer>(), budget);
  if (base.is_exact() && exponent.is_exact() && base.im == 0 && exponent.im == 0) {
    // Rational exponent p/q: exact when the base is a perfect q-th power.
    Integer p = boost::multiprecision::numerator(exponent.re);
    Integer q = boost::multiprecision::denominator(exponent.re);
    if (q <= 64) {
      auto r = root(base, Number::exact(Rational(q)), budget);
      if (r.ok() && r.value->is_exact()) return integer_power(*r.value, p, budget);
      if (base.re < 0 && q % 2 == 1 && r.ok()) return integer_power(*r.value, p, budget);
    }
  }
  return approx_power(base, exponent, budget);
}

NumberResult root(const Number& a, const Number& n, Budget& budget) {
  if (!is_integer(n) || n.re < 2 || n.re > 64) {
    auto inv = div(Number::exact(1), n, budget);
    if (!inv.ok()) return inv;
    return approx_power(a, *inv.value, budget);
  }
  unsigned k = n.re.convert_to<unsigned>();
  if (!budget.charge(10)) return no_budget();
  if (a.is_exact() && a.im == 0) {
    bool negative = a.re < 0;
    if (negative && k % 2 == 0) {
      // sqrt(-x) = i sqrt(x) (principal root); other even roots by the principal power.
      if (k == 2) {
        auto r = root(Number::exact(-a.re), n, budget);
        if (!r.ok()) return r;
        return mul(*r.value, Number::exact(0, 1), budget);
      }
      return approx_power(a, Number::exact(Rational(Integer(1), Integer(k))), budget);
    }
    Rational mag = negative ? Rational(-a.re) : a.re;
    auto num = exact_root(boost::multiprecision::numerator(mag), k);
    auto den = exact_root(boost::multiprecision::denominator(mag), k);
    if (num && den) {
      Rational r(*num, *den);
      return ok(Number::exact(negative ? Rational(-r) : r));
    }
    // Past exact_root's reach a perfect power is approximated too.
    if (bits(mag) > 512) budget.note_approximation();
    Real v = boost::multiprecision::pow(to_real(mag), Real(1) / Real(k));
    return checked_approx(negative ? Real(-v) : v, 0);
  }
  if (a.kind == Number::Kind::infinity) return fail("a root of infinity");
  if (a.is_real() && k % 2 == 1 && a.real_part() < 0) {
    Real v = boost::multiprecision::pow(Real(-a.real_part()), Real(1) / Real(k));
    return checked_approx(-v, 0, v * input_error(a) / magnitude(a));
  }
  return approx_power(a, Number::exact(Rational(Integer(1), Integer(k))), budget);
}

// Each step multiplies a growing big integer by a small one: linear in its limbs, charged so.
NumberResult factorial(const Number& a, Budget& budget) {
  if (!is_integer(a) || a.re < 0) return fail("factorial of a non-natural number");
  if (a.re > 20000) return too_big();
  unsigned n = a.re.convert_to<unsigned>();
  Integer r = 1;
  for (unsigned i = 2; i <= n; ++i) {
    r *= i;
    if (!budget.charge(1 + bits(r) / 512)) return no_budget();
    if (bits(r) > kMaxBits) return too_big();
  }
  return ok(Number::exact(Rational(r)));
}

NumberResult binomial(const Number& n, const Number& k, Budget& budget) {
  if (!is_integer(n) || !is_integer(k)) return fail("binomial of non-integers");
  if (k.re < 0 || k.re > n.re) return ok(Number::exact(0));
  if (n.re > 100000) return too_big();
  unsigned nn = n.re.convert_to<unsigned>();
  unsigned kk = k.re.convert_to<unsigned>();
  if (kk > nn - kk) kk = nn - kk;
  Integer r = 1;
  for (unsigned i = 1; i <= kk; ++i) {
    r = r * (nn - kk + i) / i;
    if (!budget.charge(1 + bits(r) / 256)) return no_budget();
    if (bits(r) > kMaxBits) return too_big();
  }
  return ok(Number::exact(Rational(r)));
}

NumberResult apply_function(const std::string& name, const Number& a, Budget& budget) {
  if (!budget.charge(50)) return no_budget();
  if (a.kind == Number::Kind::infinity) return fail(name + " of infinity");
  bool zero = a.is_exact() && a.re == 0 && a.im == 0;
  bool one = a.is_exact() && a.re == 1 && a.im == 0;
  if (name == "abs") {
    if (a.is_exact() && a.im == 0) return ok(Number::exact(boost::multiprecision::abs(a.re)));
    Real r = a.real_part(), i = a.imag_part();
    return checked_approx(boost::multiprecision::sqrt(r * r + i * i), 0, input_error(a));
  }
  if (name == "floor" || name == "ceil") {
    if (!a.is_real()) return fail(name + " of a complex number");
    if (a.is_exact()) {
      Integer q = boost::multiprecision::numerator(a.re) / boost::multiprecision::denominator(a.re);
      // Integer division truncates toward zero; adjust to floor / ceil.
      Rational t(q);
      if (name == "floor" && t > a.re) t -= 1;
      if (name == "ceil" && t < a.re) t += 1;
      return ok(Number::exact(t));
    }
    Real v =
        name == "floor" ? boost::multiprecision::floor(a.are) : boost::multiprecision::ceil(a.are);
    if (boost::multiprecision::abs(v) > Real("1e40")) return fail(name + " of a huge value");
    return ok(Number::exact(Rational(static_cast<Integer>(v))));
  }
  if (name == "exp") {
    if (zero) return ok(Number::exact(1));
    auto r = complex_exp(a.real_part(), a.imag_part());
    Real mag = boost::multiprecision::abs(r.first) + boost::multiprecision::abs(r.second);
    return checked_approx(r.first, r.second, mag * input_error(a));
  }
  if (name == "ln" || name == "log") {
    if (one) return ok(Number::exact(0));
    if (zero) return fail("log of zero");
    auto r = complex_log(a.real_part(), a.imag_part());
    return checked_approx(r.first, r.second, input_error(a) / magnitude(a));
  }
  if (!a.is_real()) return fail(name + " of a complex number");
  Real x = a.real_part();
  namespace mp = boost::multiprecision;
  if (name == "sin" || name == "tan" || name == "arcsin" || name == "arctan" || name == "sinh" ||
      name == "tanh") {
    if (zero) return ok(Number::exact(0));
  }
  if ((name == "cos" || name == "sec" || name == "cosh") && zero) return ok(Number::exact(1));
  // Each result's error from its argument's, through the derivative's size.
  const Real ex = input_error(a);
  if (name == "sin") return checked_approx(mp::sin(x), 0, ex);
  if (name == "cos") return checked_approx(mp::cos(x), 0, ex);
  if (name == "tan") {
    Real t = mp::tan(x);
    return checked_approx(t, 0, (1 + t * t) * ex);
  }
  if (name == "cot" || name == "sec" || name == "csc") {
    Real d = name == "cot" ? mp::tan(x) : name == "sec" ? mp::cos(x) : mp::sin(x);
    if (d == 0) return fail(name + " at a pole");
    Real ed = (name == "cot" ? 1 + d * d : Real(1)) * ex + kEps;
    Real ad = mp::abs(d);
    if (ad <= 2 * ed) return fail(name + " too close to a pole");
    return checked_approx(Real(1) / d, 0, ed / (ad * (ad - ed)));
  }
  if (name == "arcsin" || name == "arccos") {
    if (x > 1 || x < -1) return fail(name + " outside [-1, 1]");
    Real slope = 1 - x * x;
    Real e = slope > 0 ? Real(ex / mp::sqrt(slope)) : Real(mp::sqrt(2 * ex));
    return checked_approx(name == "arcsin" ? mp::asin(x) : mp::acos(x), 0, e);
  }
  if (name == "arctan") return checked_approx(mp::atan(x), 0, ex);
  if (name == "sinh" || name == "cosh") {
    Real c = mp::cosh(x);
    return checked_approx(name == "sinh" ? mp::sinh(x) : c, 0, c * ex);
  }
  if (name == "tanh") return checked_approx(mp::tanh(x), 0, ex);
  return fail("unknown function " + name);
}

NumberResult log_base(const Number& a, const Number& b, Budget& budget) {
  auto la = apply_function("ln", a, budget);
  if (!la.ok()) return la;
  auto lb = apply_function("ln", b, budget);
  if (!lb.ok()) return lb;
  // Exact when a is an exact integer power of b (log_2 8 = 3).
  if (a.is_exact() && b.is_exact() && a.im == 0 && b.im == 0 && a.re > 0 && b.re > 0 && b.re != 1 &&
      la.value->is_real() && lb.value->is_real()) {
    Real q = la.value->real_part() / lb.value->real_part();
    if (boost::multiprecision::abs(q) < 100000) {
      Integer k = static_cast<Integer>(boost::multiprecision::round(q));
      auto check = integer_power(b, k, budget);
      if (check.ok() && check.value->is_exact() && check.value->re == a.re) {
        return ok(Number::exact(Rational(k)));
      }
    }
  }
  return div(*la.value, *lb.value, budget);
}

Closeness close(const Number& a, const Number& b, const Real& rel) {
  if (a.kind == Number::Kind::infinity || b.kind == Number::Kind::infinity) {
    if (a.kind == b.kind && a.inf_sign == b.inf_sign) return Closeness::equal;
    return Closeness::not_equal;
  }
  if (a.is_exact() && b.is_exact()) {
    return (a.re == b.re && a.im == b.im) ? Closeness::equal : Closeness::not_equal;
  }
  Real ar = a.real_part(), ai = a.imag_part(), br = b.real_part(), bi = b.imag_part();
  Real diff = boost::multiprecision::abs(ar - br) + boost::multiprecision::abs(ai - bi);
  Real ma = boost::multiprecision::abs(ar) + boost::multiprecision::abs(ai);
  Real mb = boost::multiprecision::abs(br) + boost::multiprecision::abs(bi);
  Real m = ma > mb ? ma : mb;
  if (diff == 0) return Closeness::equal;
  bool a_zero = a.is_exact() && a.re == 0 && a.im == 0;
  bool b_zero = b.is_exact() && b.re == 0 && b.im == 0;
  if (a_zero || b_zero) {
    // Against an exact zero, an approximation within its error bound is the rounding noise of
    // a 50-digit evaluation (sin(pi), e^{i pi} + 1), not a value (e^{-110} is one).
    const Number& x = a_zero ? b : a;
    return diff <= 4 * x.err ? Closeness::equal : Closeness::not_equal;
  }
  return diff <= rel * m ? Closeness::equal : Closeness::not_equal;
}

std::optional<Rational> round_to_places(const Number& a, int places) {
  if (!a.is_real() || a.kind == Number::Kind::infinity || places < 0 || places > 60) {
    return std::nullopt;
  }
  Integer scale = boost::multiprecision::pow(Integer(10), static_cast<unsigned>(places));
  if (a.is_exact()) {
    Rational scaled = boost::multiprecision::abs(a.re) * scale + Rational(Integer(1), Integer(2));
    Integer q =
        boost::multiprecision::numerator(scaled) / boost::multiprecision::denominator(scaled);
    Rational r(q, scale);
    return a.re < 0 ? Rational(-r) : r;
  }
  Real scaled = boost::multiprecision::abs(a.are) * Real(scale) + Real(0.5);
  if (scaled > Real("1e60")) return std::nullopt;
  Integer q = static_cast<Integer>(boost::multiprecision::floor(scaled));
  Rational r(q, scale);
  return a.are < 0 ? Rational(-r) : r;
}

std::string describe(const Number& a) {
  auto clip = [](std::string s) {
    if (s.size() > 40) s = s.substr(0, 18) + "..." + s.substr(s.size() - 18);
    return s;
  };
  switch (a.kind) {
    case Number::Kind::infinity: return a.inf_sign > 0 ? "oo" : "-oo";
    case Number::Kind::exact: {
      // Printing a 6,000-digit rational in full costs more than the comparison: past 256 bits
      // an explanation shows 20 significant digits.
      auto show = [&](const Rational& q) {
        if (bits(q) > 256) return "~" + to_real(q).str(20);
        return clip(q.str());
      };
      std::string s = show(a.re);
      if (a.im != 0) s += " + (" + show(a.im) + ")i";
      return s;
    }
    case Number::Kind::approx: {
      std::string s = a.are.str(20);
      if (a.aim != 0) s += " + (" + a.aim.str(20) + ")i";
      return s;
    }
  }
  return "?";
}

}  // namespace lemma::math::detail
