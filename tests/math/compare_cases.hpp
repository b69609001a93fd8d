#pragma once

// The equivalence table: named cases {predicted, reference, expected verdict, expected rule}
// shared by tests/math/compare_table_test.cpp and bench/math_bench.cpp. Cases marked with a
// source reproduce failures reported against the Python graders (Math-Verify, the Qwen2.5-Math
// / DeepSeek-Math graders, PRM800K's grader, MathRuler, lm-evaluation-harness minerva_math).

namespace lemma::math::testing {

/// Expected verdict of a case.
enum class Expect { equal, not_equal, undecided };

/// One named comparison with its expected verdict; `rule` empty when any rule will do.
struct CompareCase {
  const char* name;
  const char* predicted;
  const char* reference;
  Expect expect;
  const char* rule;
};

inline constexpr Expect E = Expect::equal;
inline constexpr Expect N = Expect::not_equal;
inline constexpr Expect U = Expect::undecided;

// clang-format off
inline constexpr CompareCase kCompareCases[] = {
    // --- strings and normalisation
    {"same_integer", "42", "42", E, "string"},
    {"dollar_wrapped", "$42$", "42", E, "string"},
    {"double_dollar_wrapped", "$$42$$", "42", E, "string"},
    {"paren_math_delimiters", R"(\(42\))", "42", E, "string"},
    {"bracket_math_delimiters", R"(\[42\])", "42", E, "string"},
    {"boxed_unwrapped", R"(\boxed{42})", "42", E, "string"},
    {"fbox_unwrapped", R"(\fbox{7})", "7", E, "string"},
    {"boxed_in_dollars", R"($\boxed{\frac{1}{2}}$)", R"(\frac12)", E, ""},
    {"left_right_removed", R"(\left(1,2\right))", "(1,2)", E, "string"},
    {"spacing_commands", R"(3\,x\quad +\;1)", "3x+1", E, "string"},
    {"displaystyle", R"(\displaystyle\frac{1}{2})", R"(\frac{1}{2})", E, "string"},
    {"dfrac_is_frac", R"(\dfrac{3}{4})", R"(\frac{3}{4})", E, "string"},
    {"tfrac_is_frac", R"(\tfrac{3}{4})", R"(\frac{3}{4})", E, "string"},
    {"text_number", R"(\text{13})", "13", E, "string"},  // Math-Verify #37
    {"text_unit_cm", R"(5\text{ cm})", "5", E, ""},
    {"text_unit_squared", R"(12\text{ cm}^2)", "12", E, ""},
    {"text_unit_mbox", R"(7\mbox{ inches})", "7", E, ""},
    {"plain_unit_word", "15 dollars", "15", E, ""},
    {"plain_unit_meters", "3.5 meters", "3.5", E, ""},
    {"unit_does_not_hide_value", R"(6\text{ cm})", "5", N, ""},
    {"degrees_circ", R"(90^\circ)", "90", E, ""},
    {"degrees_braced_circ", R"(45^{\circ})", "45", E, ""},
    {"degrees_unicode", "30\xC2\xB0", "30", E, ""},
    {"degrees_word", "60 degrees", "60", E, ""},
    {"degrees_differ", R"(91^\circ)", "90", N, ""},
    {"percent_escaped", R"(50\%)", "50", E, ""},
    {"percent_plain", "25%", "25", E, ""},
    {"percent_not_fraction_by_default", R"(50\%)", "0.5", N, ""},
    {"dollar_sign_money", R"(\$5.00)", "5", E, ""},
    {"dollar_sign_thousands", R"(\$1,000)", "1000", E, ""},
    {"trailing_full_stop", "12.", "12", E, ""},
    {"whitespace_only_differs", "x + 1", "x+1", E, "string"},
    {"text_answer_same", R"(\text{Monday})", "Monday", E, ""},
    {"text_answer_case", R"(\text{yes})", "Yes", E, "text"},
    {"text_answer_differs", R"(\text{Tuesday})", "Monday", N, "text"},
    {"mathrm_e_constant", R"(1-\frac{1}{\mathrm{e}})", "1-1/e", E, ""},
    {"unicode_pi", "2\xCF\x80", R"(2\pi)", E, ""},
    {"unicode_sqrt", "\xE2\x88\x9A" "2", R"(\sqrt{2})", E, ""},
    {"unicode_minus", "\xE2\x88\x92" "3", "-3", E, ""},
    {"unicode_times", "2\xC3\x97" "3", "6", E, ""},

    // --- integers and thousands separators
    {"thousands_comma", "1,000", "1000", E, ""},
    {"thousands_two_groups", "12,345,678", "12345678", E, ""},
    {"thousands_latex_brace", "1{,}000", "1000", E, ""},
    {"thousands_thin_space", R"(1\,000)", "1000", E, ""},
    {"tuple_with_space_not_thousands", "(1, 000)", "1000", N, ""},
    {"list_not_thousands", "1,2", "12", N, ""},
    {"two_digit_group_not_thousands", "1,00", "100", N, ""},
    {"leading_plus", "+5", "5", E, ""},
    {"negative_integer", "-17", "-17", E, "string"},
    {"negative_differs", "-17", "17", N, "numeric_exact"},
    {"big_integer_exact", "123456789012345678901234567890", "123456789012345678901234567891", N, "numeric_exact"},
    {"big_integer_product", "2^{100}", "1267650600228229401496703205376", E, "numeric_exact"},
    {"integer_vs_other", "41", "42", N, "numeric_exact"},
    {"zero_vs_negative_zero", "-0", "0", E, "numeric_exact"},

    // --- decimals, scientific notation, tolerance
    {"decimal_equals_fraction", "0.5", R"(\frac{1}{2})", E, "numeric_exact"},
    {"leading_point_decimal", ".5", "0.5", E, "numeric_exact"},
    {"trailing_zeros", "2.50", "2.5", E, "numeric_exact"},
    {"decimal_vs_integer", "3.0", "3", E, "numeric_exact"},
    {"scientific_e", "1.5e3", "1500", E, "numeric_exact"},
    {"scientific_negative_exponent", "2E-4", "0.0002", E, "numeric_exact"},
    {"scientific_times_ten", R"(1.5 \times 10^{3})", "1500", E, "numeric_exact"},
    {"scientific_cdot_ten", R"(6.02\cdot10^{23})", "602000000000000000000000", E, "numeric_exact"},
    {"small_decimals_not_absolute_tolerance", "0.0001", "0.0009", N, ""},  // DeepSeek-Math's abs 1e-3
    {"small_decimals_equal", "0.0001", "0.00010", E, "numeric_exact"},
    {"decimal_rounds_to_pi", "3.14", R"(\pi)", E, "numeric_rounding"},
    {"decimal_rounds_to_third", "0.333", R"(\frac{1}{3})", E, "numeric_rounding"},
    {"decimal_wrong_rounding_third", "0.334", R"(\frac{1}{3})", N, ""},
    {"one_place_decimal_no_rounding", "0.3", R"(\frac{1}{3})", N, ""},
    {"decimal_rounds_to_sqrt2", "1.414", R"(\sqrt{2})", E, "numeric_rounding"},
    {"decimal_sqrt2_wrong", "1.41", R"(\sqrt{3})", N, ""},
    {"reference_decimal_rounding", R"(\frac{2}{3})", "0.67", E, "numeric_rounding"},
    {"decimal_vs_decimal_rounding", "3.1416", "3.14", E, "numeric_rounding"},
    {"decimal_far_from_value", "2.71", R"(\pi)", N, ""},
    {"decimal_e_constant", "2.718", "e", E, "numeric_rounding"},
    {"decimal_large_relative", "1234567.891", "1234567.89", E, ""},
    {"decimal_integer_not_rounded", "3", "3.4", N, ""},
    {"negative_decimal_rounding", "-0.67", R"(-\frac{2}{3})", E, "numeric_rounding"},
    {"decimal_sign_matters", "0.67", R"(-\frac{2}{3})", N, ""},

    // --- fractions
    {"frac_braced", R"(\frac{1}{2})", "1/2", E, "numeric_exact"},
    {"frac_shorthand_digits", R"(\frac12)", "1/2", E, "numeric_exact"},
    {"frac_shorthand_mixed", R"(\frac1{72})", "1/72", E, "numeric_exact"},
    {"frac_unreduced", R"(\frac{2}{4})", R"(\frac{1}{2})", E, "numeric_exact"},
    {"frac_negative_denominator", "2/(-3)", "-2/3", E, "numeric_exact"},
    {"frac_negative_outside", R"(-\frac{2}{3})", R"(\frac{-2}{3})", E, "numeric_exact"},
    {"frac_differs", R"(\frac{2}{3})", R"(\frac{3}{2})", N, "numeric_exact"},
    {"nested_frac", R"(\frac{1}{\frac{1}{2}})", "2", E, "numeric_exact"},
    {"frac_of_sums", R"(\frac{1+2}{3+4})", "3/7", E, "numeric_exact"},
    {"slash_precedence", "1/2/3", "1/6", E, "numeric_exact"},
    {"big_fraction_2004_2006", R"(\frac{1}{2004!})", R"(\frac{1}{2006!})", N, "numeric_exact"},  // Math-Verify #14
    {"big_fraction_factorial_equal", R"(\frac{2005 \cdot 2006}{2006!})", R"(\frac{1}{2004!})", E, "numeric_exact"},
    {"power_of_two_99_98", R"(\frac{1}{2^{99}})", R"(\frac{1}{2^{98}})", N, "numeric_exact"},  // Math-Verify #14
    {"power_of_two_equal", R"(\frac{1}{2^{99}})", R"(2^{-99})", E, "numeric_exact"},
    {"huge_numerators", R"(\frac{2^{2005}+1}{3 \cdot 2^{2006}})", R"(\frac{1}{3 \cdot 2^{2006}})", N, "numeric_exact"},  // Math-Verify #14
    {"divide_symbol", R"(7 \div 2)", "3.5", E, "numeric_exact"},
    {"mathruler_pi_div", R"(0.5 + \frac{\pi}{8})", R"(\pi \div 8 + 1 \div 2)", E, ""},  // MathRuler #2
    {"mixed_number_space", "7 3/4", "31/4", E, "numeric_exact"},
    {"mixed_number_frac", R"(7\frac{3}{4})", "7.75", E, "numeric_exact"},
    {"mixed_number_negative", "-2 1/2", "-2.5", E, "numeric_exact"},
    {"mixed_number_not_product", R"(2\frac{1}{2})", "1", N, ""},
    {"unreduced_3245_5", "3245/5", "649", E, "numeric_exact"},

    // --- roots and powers
    {"sqrt_simplified", R"(2\sqrt{3})", R"(\sqrt{12})", E, "numeric"},
    {"sqrt_shorthand", R"(\sqrt3)", R"(\sqrt{3})", E, "numeric"},
    {"sqrt_perfect_square", R"(\sqrt{16})", "4", E, "numeric_exact"},
    {"sqrt_fraction_exact", R"(\sqrt{\frac{9}{4}})", "1.5", E, "numeric_exact"},
    {"sqrt_differs", R"(2\sqrt{3})", R"(3\sqrt{2})", N, "numeric"},
    {"cube_root", R"(\sqrt[3]{27})", "3", E, "numeric_exact"},
    {"cube_root_negative", R"(\sqrt[3]{-8})", "-2", E, "numeric_exact"},
    {"fourth_root", R"(\sqrt[4]{16})", "2", E, "numeric_exact"},
    {"nth_root_irrational", R"(\sqrt[3]{2})", R"(2^{1/3})", E, "numeric"},
    {"rationalized_denominator", R"(\frac{1}{\sqrt{2}})", R"(\frac{\sqrt{2}}{2})", E, "numeric"},
    {"sqrt_sum", R"(\sqrt{2}+\sqrt{8})", R"(3\sqrt{2})", E, "numeric"},
    {"sqrt_close_but_different", R"(\sqrt{2}+\sqrt{3})", R"(\sqrt{10})", N, "numeric"},
    {"power_braced", "2^{10}", "1024", E, "numeric_exact"},
    {"power_plain", "2^10", "1024", E, "numeric_exact"},
    {"power_right_assoc", "2^{3^2}", "512", E, "numeric_exact"},
    {"negative_base_power", "(-2)^3", "-8", E, "numeric_exact"},
    {"unary_minus_before_power", "-2^2", "-4", E, "numeric_exact"},
    {"fractional_power", "8^{2/3}", "4", E, "numeric_exact"},
    {"negative_power", "2^{-2}", "0.25", E, "numeric_exact"},
    {"zero_power", "7^0", "1", E, "numeric_exact"},
    {"sqrt_negative_is_imaginary", R"(\sqrt{-4})", "2i", E, "numeric_exact"},
    {"power_close_values_differ", "3^{40}", "3^{40}+1", N, "numeric_exact"},

    // --- factorials and binomials
    {"factorial_small", "5!", "120", E, "numeric_exact"},
    {"factorial_zero", "0!", "1", E, "numeric_exact"},
    {"factorial_parenthesised", "(3!)!", "720", E, "numeric_exact"},
    {"factorial_ratio", R"(\frac{10!}{8!})", "90", E, "numeric_exact"},
    {"factorial_differs", "6!", "700", N, "numeric_exact"},
    {"binomial", R"(\binom{5}{2})", "10", E, "numeric_exact"},
    {"binomial_large", R"(\binom{100}{50})", "100891344545564193334812497256", E, "numeric_exact"},

    // --- constants
    {"pi_times_two", R"(2\pi)", R"(\pi \cdot 2)", E, ""},
    {"pi_fraction", R"(\frac{\pi}{2})", R"(\frac{1}{2}\pi)", E, ""},
    {"pi_vs_3", R"(\pi)", "3", N, "numeric"},
    {"pi_word", "pi/4", R"(\frac{\pi}{4})", E, ""},
    {"e_constant_minus", R"(1 - \frac{1}{e})", R"(1 + \frac{1}{e})", N, "numeric"},  // Math-Verify #14
    {"e_squared", "e^2", R"(e \cdot e)", E, ""},
    {"exp_function", R"(\exp(1))", "e", E, "numeric"},
    {"imaginary_sum", "3+4i", "4i+3", E, "numeric_exact"},
    {"imaginary_product", "(1+i)(1-i)", "2", E, "numeric_exact"},
    {"imaginary_square", "i^2", "-1", E, "numeric_exact"},
    {"imaginary_differs", "3+4i", "3-4i", N, "numeric_exact"},
    {"imaginary_quotient", R"(\frac{1}{i})", "-i", E, "numeric_exact"},
    {"euler_identity", R"(e^{i\pi})", "-1", E, "numeric"},
    {"infinity", R"(\infty)", "oo", E, ""},
    {"infinity_signs", R"(-\infty)", R"(\infty)", N, ""},

    // --- trigonometry, logarithms, exponentials
    {"sin_pi_over_6", R"(\sin\frac{\pi}{6})", R"(\frac{1}{2})", E, "numeric"},
    {"cos_pi", R"(\cos(\pi))", "-1", E, "numeric"},
    {"tan_pi_over_4", R"(\tan(\pi/4))", "1", E, "numeric"},
    {"sin_pi_is_zero", R"(\sin \pi)", "0", E, "numeric"},
    {"sin_squared_plus_cos_squared", R"(\sin^2 x + \cos^2 x)", "1", E, "symbolic"},
    {"arcsin_half", R"(\arcsin\frac{1}{2})", R"(\frac{\pi}{6})", E, "numeric"},
    {"inverse_sin_notation", R"(\sin^{-1}(1))", R"(\frac{\pi}{2})", E, "numeric"},
    {"arctan_one", R"(\arctan 1)", R"(\frac{\pi}{4})", E, "numeric"},
    {"ln_e", R"(\ln e)", "1", E, "numeric"},
    {"log_base_exact", R"(\log_2 8)", "3", E, "numeric_exact"},
    {"log_base_braced", R"(\log_{3}81)", "4", E, "numeric_exact"},
    {"log_product_rule", R"(\ln 6)", R"(\ln 2 + \ln 3)", E, "numeric"},
    {"log_differs", R"(\ln 2)", R"(\log_2 e)", N, "numeric"},
    {"exp_of_log", R"(e^{\ln 5})", "5", E, "numeric"},
    {"sec_value", R"(\sec 0)", "1", E, "numeric_exact"},
    {"cos_degrees_not_radians", R"(\cos 60)", R"(\frac{1}{2})", N, "numeric"},

    // --- multiplication
    {"cdot_product", R"(3 \cdot 4)", "12", E, "numeric_exact"},
    {"times_product", R"(3 \times 4)", "12", E, "numeric_exact"},
    {"star_product", "3*4", "12", E, "numeric_exact"},
    {"implicit_paren_product", "2(3+4)", "14", E, "numeric_exact"},
    {"implicit_paren_paren", "(2)(3)", "6", E, "numeric_exact"},
    {"implicit_variable_product", "2x", R"(x \cdot 2)", E, "symbolic"},
    {"two_numbers_side_by_side", "2 3", "6", U, "parse"},

    // --- x = prefixes and assignments
    {"x_equals_prefix", "x = 5", "5", E, "numeric_exact"},
    {"reference_assignment", "5", "x=5", E, "numeric_exact"},
    {"both_assignments", "x=5", "x = 5", E, "string"},
    {"assignment_value_differs", "x = 4", "5", N, "numeric_exact"},
    {"assignment_other_name", "y = 5", "x = 5", E, ""},
    {"assignment_expression", R"(k = \frac{3}{2})", "1.5", E, "numeric_exact"},
    {"assignment_list", "x=1, y=2", "1, 2", E, ""},
    {"assignment_lists_n", "n=2, 3, 4", "n=1, 2, 3", N, ""},  // Math-Verify #14
    {"assignment_pair_paren", "D = (0, 1)", "D = (0, 1.5)", N, ""},  // Math-Verify #14
    {"assignment_named_pair", "p = 5, q = 2", R"(\boxed{p = 5, q = 2})", E, "string"},
    {"assignment_named_pair_values", "5, 2", "p = 5, q = 2", E, ""},
    {"therefore_prefix", R"(\therefore x = 3)", "3", E, ""},

    // --- \pm
    {"pm_as_set", R"(\pm 2)", R"(\{2, -2\})", E, "set"},
    {"pm_vs_single", R"(\pm 2021)", "2021", N, ""},  // Math-Verify #14
    {"pm_vs_list", R"(1 \pm \sqrt{2})", R"(1+\sqrt{2}, 1-\sqrt{2})", E, ""},
    {"pm_list_order_free", R"(1 \pm \sqrt{2})", R"(1-\sqrt{2}, 1+\sqrt{2})", E, ""},
    {"pm_vs_wrong_list", R"(1 \pm \sqrt{2})", R"(1+\sqrt{2}, -1-\sqrt{2})", N, ""},
    {"pm_unicode", "\xC2\xB1" "3", R"(\pm 3)", E, ""},
    {"pm_in_fraction", R"(\frac{-1 \pm \sqrt{5}}{2})", R"(\frac{-1+\sqrt5}{2}, \frac{-1-\sqrt5}{2})", E, ""},
    {"pm_assignment", R"(x = \pm 3)", "3, -3", E, ""},

    // --- tuples
    {"tuple_same", "(1, 2)", "(1,2)", E, "string"},
    {"tuple_order_matters", "(1, 2)", "(2, 1)", N, ""},
    {"tuple_value_equal", R"((\frac{1}{2}, 3))", "(0.5, 3)", E, "tuple"},
    {"tuple_length", "(1, 2, 3)", "(1, 2)", N, "tuple"},
    {"tuple_three", "(1, -2, 3)", R"((1, -2, \frac{6}{2}))", E, "tuple"},
    {"tuple_of_expressions", R"((\sqrt{4}, 2^3))", "(2, 8)", E, "tuple"},
    {"tuple_vs_number", "(1, 2)", "3", N, "structure"},
    {"bare_list_vs_tuple_in_order", "1, 2", "(1, 2)", E, "tuple"},
    {"bare_list_vs_tuple_reordered", "2, 1", "(1, 2)", N, ""},
    {"point_with_symbolic_coordinates", "(a, 2a)", R"((a, a+a))", E, "tuple"},
    {"tuple_nested", "((1,2),(3,4))", "((1,2),(3,4))", E, "string"},
    {"tuple_nested_differs", "((1,2),(3,4))", "((1,2),(4,3))", N, ""},
    {"tuple_with_semicolon_list", "1; 2; 3", "1, 2, 3", E, ""},

    // --- sets and lists
    {"set_order_free", R"(\{1, 2, 3\})", R"(\{3, 1, 2\})", E, "set"},
    {"set_differs", R"(\{1, 2, 3\})", R"(\{1, 2, 4\})", N, "set"},
    {"set_duplicates", R"(\{1, 1, 2\})", R"(\{1, 2\})", E, "set"},
    {"set_vs_tuple_strict", R"(\{1, 2\})", "(1, 2)", N, "set_vs_tuple"},
    {"tuple_vs_set_strict", "(1, 2)", R"(\{1, 2\})", N, "set_vs_tuple"},
    {"list_vs_set", "2, 1", R"(\{1, 2\})", E, "set"},
    {"list_vs_list_order_free", "3, 1, 2", "1, 2, 3", E, "list"},
    {"list_length_differs", "1, 2", "1, 2, 3", N, ""},
    {"list_with_and", R"(19, 46, \text{ and } 82)", "21, 36, and 82", N, ""},  // Math-Verify #14
    {"list_with_and_same", R"(19, 46, \text{ and } 82)", "19, 46, 82", E, ""},
    {"list_with_or", "2 or 3", "2, 3", E, ""},
    {"list_of_fractions", R"(\frac{1}{2}, \frac{1}{3})", "1/3, 1/2", E, "list"},
    {"empty_set", R"(\emptyset)", R"(\{\})", E, ""},
    {"empty_set_vs_zero", R"(\emptyset)", "0", N, "structure"},
    {"braces_without_backslash", "{1, 2}", R"(\{2, 1\})", E, "set"},
    {"set_of_expressions", R"(\{\sqrt{4}, 3\})", R"(\{3, 2\})", E, "set"},
    {"list_ellipsis_differs", R"(1, 2, \ldots, n)", R"(1, 3, 5, \ldots, 2n-1)", N, ""},  // Math-Verify #14
    {"list_ellipsis_same", R"(1, 2, \ldots, n)", "1, 2, ..., n", E, ""},
    {"ratio_time_unread", "12:00", "1:00", U, "parse"},  // Math-Verify #14: not read, never equal

    // --- intervals and unions
    {"interval_closed", "[1, 2]", "[1,2]", E, "string"},
    {"interval_open_closed", "(1, 2]", "(1,2]", E, "string"},
    {"interval_ends_matter", "[1, 2)", "[1, 2]", N, "interval"},
    {"interval_ends_matter_left", "(1, 2]", "[1, 2]", N, "interval"},
    {"interval_values", R"([\frac{1}{2}, 3))", "[0.5, 3)", E, "interval"},
    {"interval_values_differ", "[0, 1)", "[0, 2)", N, "interval"},
    {"interval_infinity", R"((-\infty, 3))", R"((-\infty,3))", E, "string"},
    {"interval_infinity_values", R"([2, \infty))", R"([\frac{4}{2}, \infty))", E, "interval"},
    {"interval_infinity_sign", R"((-\infty, 3))", R"((\infty, 3))", N, ""},
    {"open_interval_is_pair", "(1, 2)", R"((1, 2))", E, "string"},
    {"open_pair_vs_closed_interval", "(1, 2)", "[1, 2]", N, "interval"},
    {"union_order_free", R"((-\infty, 1) \cup (2, \infty))", R"((2, \infty) \cup (-\infty, 1))", E, "union"},
    {"union_differs", R"((-\infty, 1) \cup (2, \infty))", R"((-\infty, 1] \cup (2, \infty))", N, ""},
    {"union_vs_interval", R"((0,1) \cup (2,3))", "(0,3)", N, "union"},
    {"union_unicode_cup", "(0,1) \xE2\x88\xAA (2,3)", R"((0,1) \cup (2,3))", E, ""},
    {"interval_from_reference_inequality", R"((3, \infty))", "x > 3", E, "interval"},
    {"interval_from_reference_le", R"((-\infty, 5])", R"(x \le 5)", E, "interval"},
    {"interval_from_reference_chain", "(1, 2]", R"(1 < x \leq 2)", E, "interval"},
    {"interval_from_reference_chain_wrong_end", "[1, 2]", R"(1 < x \leq 2)", N, "interval"},
    {"predicted_inequality_vs_interval", "x > 3", R"((3, \infty))", N, "relation_vs_interval"},
    {"interval_x_in_prefix", R"(x \in [1, 2])", "[1, 2]", E, ""},
    {"domain_interval", "[2,5)", "[2, 5)", E, "string"},
    {"union_from_or_inequalities", R"((-\infty, 1) \cup (2, \infty))", "x < 1 or x > 2", E, "union"},
    {"interval_from_not_equal", R"((-\infty, 0) \cup (0, \infty))", R"(x \neq 0)", E, "union"},

    // --- matrices
    {"pmatrix_same", R"(\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix})", R"(\begin{pmatrix}1&2\\3&4\end{pmatrix})", E, "string"},
    {"bmatrix_vs_pmatrix", R"(\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix})", R"(\begin{pmatrix}1&2\\3&4\end{pmatrix})", E, "matrix"},
    {"matrix_element_values", R"(\begin{pmatrix} \frac{1}{2} & 0 \\ 0 & 1 \end{pmatrix})", R"(\begin{pmatrix} 0.5 & 0 \\ 0 & 1 \end{pmatrix})", E, "matrix"},
    {"matrix_element_differs", R"(\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix})", R"(\begin{pmatrix} 1 & 2 \\ 4 & 3 \end{pmatrix})", N, "matrix"},
    {"matrix_shape_differs", R"(\begin{pmatrix} 1 & 2 & 3 & 4 \end{pmatrix})", R"(\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix})", N, "matrix"},
    {"matrix_transposed", R"(\begin{pmatrix} 1 & 3 \\ 2 & 4 \end{pmatrix})", R"(\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix})", N, "matrix"},
    {"column_vector_vs_tuple", R"(\begin{pmatrix} 1 \\ 2 \\ 3 \end{pmatrix})", "(1, 2, 3)", E, "matrix"},
    {"column_vector_symbolic", R"(\begin{pmatrix} x \\ 2x \end{pmatrix})", R"(\begin{pmatrix} x \\ x+x \end{pmatrix})", E, "matrix"},
    {"matrix_vs_number", R"(\begin{pmatrix} 1 \end{pmatrix})", R"(\begin{pmatrix} 2 \end{pmatrix})", N, "matrix"},

    // --- equations
    {"equation_scaled", "2x+2y=2", "x+y=1", E, "equation"},
    {"equation_rearranged", "2x+4y-3=0", R"(y = -\frac{1}{2}x + \frac{3}{4})", E, "equation"},  // Math-Verify #26
    {"equation_different_lines", "3x-y+13=0", "3x+4y+14=0", N, "equation"},  // Math-Verify #60
    {"equation_sides_swapped", "y = 2x+1", "2x+1 = y", E, ""},
    {"equation_negated", "x - y = 1", "y - x = -1", E, "equation"},
    {"equation_not_equivalent", "x^2 = 4", "x = 2", N, ""},
    {"equation_circle", "x^2+y^2=1", "2x^2+2y^2-2=0", E, "equation"},
    {"equation_circle_radius", "x^2+y^2=1", "x^2+y^2=4", N, "equation"},
    {"equation_line_slope_form", "y=3x-2", "y = 3x - 2", E, "string"},
    {"equation_line_differs", "y=3x-2", "y = 3x + 2", N, ""},
    {"equation_vs_expression", "y=2x+1", "2x+1", E, "symbolic"},
    {"equation_different_variables", "x+y=1", "x+z=1", N, "equation"},

    // --- inequalities
    {"inequality_flipped", "x > 3", "3 < x", E, "inequality"},
    {"inequality_flipped_ge", R"(x \geq 3)", R"(3 \le x)", E, "inequality"},
    {"inequality_strictness", "x > 3", R"(x \geq 3)", N, "inequality"},
    {"inequality_scaled", "2x > 6", "x > 3", E, "inequality"},
    {"inequality_direction_flip_not_equal", "x > 3", "x < 3", N, "inequality"},
    {"inequality_negative_factor", "-x < -3", "x > 3", E, "inequality"},
    {"inequality_chain", R"(1 < x \le 2)", R"(2 \geq x > 1)", E, "inequality"},
    {"inequality_chain_differs", "1 < x < 2", "1 < x < 3", N, "inequality"},
    {"inequality_unicode", "x \xE2\x89\xA4 5", R"(x \le 5)", E, ""},
    {"inequality_ascii_ge", "x >= 5", R"(x \ge 5)", E, ""},

    // --- symbolic (free variables)
    {"symbolic_commuted", "x+1", "1+x", E, "symbolic"},
    {"symbolic_expanded_square", "(x+1)^2", "x^2+2x+1", E, "symbolic"},
    {"symbolic_square_differs", "(x+1)^2", "x^2+1", N, "symbolic"},
    {"symbolic_rational_function", R"(\frac{x^2-1}{x-1})", "x+1", E, "symbolic"},
    {"symbolic_sqrt_n", R"(\frac{1}{\sqrt{n}})", R"(\sqrt{\frac{1}{n}})", E, "symbolic"},
    {"symbolic_sqrt_product", R"(\sqrt{2}\sqrt{x})", R"(\sqrt{2x})", E, "symbolic"},
    {"symbolic_different_variables", "x^2+2x+1", "y^2+2y+1", N, "variables"},
    {"symbolic_extra_variable", "x+y", "x", N, "variables"},
    {"symbolic_two_vars", "(a+b)^2", "a^2+2ab+b^2", E, "symbolic"},
    {"symbolic_two_vars_wrong", "(a+b)^2", "a^2+b^2", N, "symbolic"},
    {"symbolic_college_math", "10-4n", R"(-10-4(n-5))", E, "symbolic"},  // Qwen2.5-Math #57 dataset row
    {"symbolic_trig_identity", R"(\sin^2 x + \cos^2 x)", R"(\frac{\sin x}{\sin x})", E, "symbolic"},
    {"symbolic_double_angle", R"(2\sin x\cos x)", R"(\sin(2x))", E, "symbolic"},
    {"symbolic_log_rule", R"(\ln(x^2))", R"(2\ln x)", E, "symbolic"},
    {"symbolic_exp_rule", R"(e^{2x})", R"((e^x)^2)", E, "symbolic"},
    {"symbolic_fraction_sum", R"(\frac{1}{x}+\frac{1}{y})", R"(\frac{x+y}{xy})", E, "symbolic"},
    {"symbolic_fraction_sum_wrong", R"(\frac{1}{x}+\frac{1}{y})", R"(\frac{2}{x+y})", N, "symbolic"},
    {"symbolic_greek", R"(2\theta)", R"(\theta+\theta)", E, "symbolic"},
    {"symbolic_subscript", "a_1 + a_2", "a_2 + a_1", E, "symbolic"},
    {"symbolic_subscript_differs", "a_1 + a_2", "a_1 + a_3", N, "variables"},
    {"symbolic_pi_r_squared", R"(\pi r^2)", R"(r^2\pi)", E, "symbolic"},
    {"symbolic_decimal_coefficient", "0.5x", R"(\frac{x}{2})", E, "symbolic"},
    {"symbolic_abs", "|x - 3|", "|3 - x|", E, "symbolic"},
    {"symbolic_abs_differs", "|x - 3|", "x - 3", N, "symbolic"},
    {"symbolic_factorial_n", "(n+1)!", "(n+1) n!", U, ""},
    {"symbolic_polynomial_high", "(x-1)^5", "x^5-5x^4+10x^3-10x^2+5x-1", E, "symbolic"},
    {"symbolic_polynomial_near_miss", "(x-1)^5", "x^5-5x^4+10x^3-10x^2+5x+1", N, "symbolic"},
    {"symbolic_cube_root", R"(\sqrt[3]{x^3})", "x", E, "symbolic"},
    {"symbolic_mixed_constants", R"(\frac{\pi x}{2})", R"(\frac{x}{2}\pi)", E, "symbolic"},
    {"symbolic_binomial_form", "x^2 - y^2", "(x-y)(x+y)", E, "symbolic"},

    // --- multiple choice letters
    {"choice_letter_parens", "(A)", "A", E, ""},
    {"choice_letter_text", R"(\text{(B)})", "B", E, ""},
    {"choice_letter_differs", "C", "D", N, ""},
    {"choice_letter_bold", R"(\textbf{(C)})", "C", E, ""},

    // --- more traps reported against the Python graders
    {"minerva_identical_tuple", "(2,4)", "(2,4)", E, "string"},  // lm-evaluation-harness #4030
    {"minerva_identical_interval", "[2,5)", "[2,5)", E, "string"},  // lm-evaluation-harness #4030
    {"minerva_identical_vector", R"(\begin{pmatrix}1\\2\end{pmatrix})", R"(\begin{pmatrix}1\\2\end{pmatrix})", E, "string"},  // #4030
    {"open_interval_vs_gold_chain", "(0, 12.5)", "0 < x < 12.5", E, "interval"},  // Math-Verify #10
    {"gold_interval_vs_predicted_chain", "0 < x < 12.5", "(0, 12.5)", N, "relation_vs_interval"},  // Math-Verify #10
    {"rationalised_sqrt3", R"(\frac{\sqrt{3}}{3})", R"(\frac{1}{\sqrt3})", E, "numeric"},  // lighteval #170
    {"five_sqrt_two", R"(5\sqrt{2})", R"(\sqrt{50})", E, "numeric"},
    {"float_sum_exact", "0.1+0.2", "0.3", E, "numeric_exact"},
    {"huge_plus_one_differs", "10^{100}", "10^{100}+1", N, "numeric_exact"},
    {"tiny_decimal_not_zero", "1e-10", "0", N, ""},
    {"repeating_third_rounded", "0.33333", "1/3", E, "numeric_rounding"},
    {"sqrt_squared", R"(\sqrt{2}^2)", "2", E, "numeric"},
    {"negative_half_forms", R"(-\frac{1}{2})", R"(\frac{1}{-2})", E, "numeric_exact"},
    {"half_as_power", "2^{-1}", "0.5", E, "numeric_exact"},
    {"assignment_half", R"(x=\frac{1}{2})", "0.5", E, "numeric_exact"},
    {"left_bracket_interval", R"(\left[ 1, 2 \right))", "[1,2)", E, "string"},
    {"text_and_list", R"(3 \text{ and } 4)", "3, 4", E, ""},
    {"tuple_decimal_element", "(1,2)", "(1, 2.0)", E, "tuple"},
    {"exp_vs_e_power", R"(e^{x})", R"(\exp(x))", E, "symbolic"},
    {"ln_of_power", R"(\ln(e^3))", "3", E, "numeric"},
    {"log10_exact", R"(\log_{10} 1000)", "3", E, "numeric_exact"},
    {"degrees_not_radians", R"(60^\circ)", R"(\frac{\pi}{3})", N, "numeric"},
    {"assignments_vs_tuple", "a=2, b=3", "(2,3)", E, "tuple"},
    {"power_braces_optional", "x^2", "x^{2}", E, "symbolic"},
    {"frac_vs_slash_symbolic", R"(\frac{x}{2})", "x/2", E, "symbolic"},
    {"percent_both_sides", R"(10\%)", "10%", E, "string"},
    {"sqrt_square_is_abs_not_x", R"(\sqrt{x^2})", "x", N, "symbolic"},  // sampled at both signs
    {"sqrt_square_is_abs", R"(\sqrt{x^2})", "|x|", E, "symbolic"},
    {"symbolic_not_constant_multiple", "2x", "x", N, "symbolic"},
    {"quadratic_roots_set", "x = 2, x = 3", R"(\{2, 3\})", E, "set"},
    {"quadratic_roots_wrong", "x = 2, x = -3", R"(\{2, 3\})", N, "set"},

    {"function_definition_prefix", "f(x) = 2x", "2x", E, "symbolic"},
    {"function_definition_differs", "p(x) = x^2+1", "x^2", N, "symbolic"},
    {"repeating_decimal_third", R"(0.\overline{3})", R"(\frac{1}{3})", E, "numeric_exact"},
    {"repeating_decimal_block", R"(1.2\overline{45})", R"(\frac{137}{110})", E, "numeric_exact"},
    {"repeating_decimal_not_truncation", R"(0.\overline{3})", "0.3", N, ""},
    {"floor_value", R"(\lfloor 3.7 \rfloor)", "3", E, "numeric_exact"},
    {"floor_negative", R"(\lfloor -3.2 \rfloor)", "-4", E, "numeric_exact"},
    {"ceil_of_irrational", R"(\lceil \sqrt{2} \rceil)", "2", E, "numeric_exact"},
    {"real_line_mathbb", R"(\mathbb{R})", R"((-\infty, \infty))", E, ""},
    {"real_line_words", R"(\text{all real numbers})", R"((-\infty,\infty))", E, ""},
    // --- review findings (each reproduced before its fix)
    {"assignments_values_swapped", "x = 1, y = 2", "x = 2, y = 1", N, ""},
    {"assignments_paired_by_name", "y = 2, x = 1", "x = 1, y = 2", E, "assignments"},
    {"assignments_other_names_in_order", "x = 1, y = 2", "a = 1, b = 2", E, "assignments"},
    {"assignments_other_names_in_order_differ", "x = 1, y = 2", "a = 2, b = 1", N, "assignments"},
    {"assignment_sides_swapped", "x = y", "y = x", E, "equation"},
    {"assignment_solved_for_other_variable", "y = 2x+1", "x = (y-1)/2", E, "equation"},
    {"assignment_same_name_roots", "x = 3, x = 2", "x = 2, x = 3", E, ""},
    {"coarser_prediction_zero", "0.00", "0.0009", N, ""},
    {"coarser_prediction_truncated", "0.01", "0.0149", N, ""},
    {"zero_significant_digits_no_rounding", "0.00", R"(\frac{1}{300})", N, ""},
    {"one_significant_digit_no_rounding", "0.01", R"(\frac{1}{75})", N, ""},
    {"two_significant_digits_rounding", "0.013", R"(\frac{1}{75})", E, "numeric_rounding"},
    {"huge_power_plus_one", "10^{100000}+1", "10^{100000}", U, "approximation"},
    {"huge_powers_differ_in_magnitude", "10^{100000}", "10^{100001}", N, ""},
    {"set_notation_unparsed", R"(A \cap B)", R"(B \cap A)", U, "parse"},
    {"sum_notation_unparsed", R"(\sum_{k=1}^n k)", R"(\sum_{i=1}^n i)", U, "parse"},
    {"prose_both_sides_differ", "no solution", "infinitely many solutions", N, "text"},
    {"abs_is_not_identity", "|x|", "x", N, "symbolic"},
    {"abs_of_product", "|xy|", "|x||y|", E, "symbolic"},
    {"sqrt_product_positive_only", R"(\sqrt{x}\sqrt{y})", R"(\sqrt{xy})", E, "symbolic"},
    {"reciprocal_sqrt_positive_only", R"(\frac{1}{\sqrt{n}})", R"(\sqrt{\frac{1}{n}})", E, "symbolic"},
    {"cube_root_odd", R"(\sqrt[3]{x^3})", "x", E, "symbolic"},
    {"even_power_not_identity", "(x^2)^{1/2}", "x", N, "symbolic"},
    {"equation_abs_not_identity", "y = |x|", "y = x", N, "symbolic"},
    {"sin_degrees", R"(\sin 30^\circ)", R"(\frac12)", E, "numeric"},
    {"cos_degrees_parenthesised", R"(\cos(60^{\circ}))", "0.5", E, ""},
    {"tan_degrees_braced", R"(\tan{45^\circ})", "1", E, "numeric"},
    {"degrees_outside_trig_dropped", R"(30^\circ)", "30", E, ""},
    {"digits_apart_not_joined", "2 3", "23", U, "parse"},
    {"units_differ", "5 km", "5 cm", N, "units"},
    {"units_differ_in_text", R"(5\text{ km})", R"(5\text{ cm})", N, "units"},
    {"units_same_spelled_out", "5 cm", R"(5\text{ centimeters})", E, ""},
    {"unit_on_one_side_only", "5 km", "5", E, ""},
    {"python_power_operator", "2**10", "1024", E, "numeric_exact"},
    {"matrix_environment_unclosed", R"(\begin{pmatrix} 1 & 2 \end{pmatrix)", "(1, 2)", U, "parse"},
    {"array_spec_unclosed", R"(\begin{array}{cc)", "1", U, "parse"},
    {"arccot_in_mathrm", R"(\mathrm{arccot}(2))", R"(\arctan\frac12)", E, "numeric"},
    {"equation_without_variables_vs_value", R"(3 \times 4 = 12)", "12", E, "numeric_exact"},
    {"equation_without_variables_wrong_value", R"(3 \times 4 = 12)", "13", N, ""},
    {"assignment_chain_vs_value", "x = 2+3 = 5", "5", E, "numeric_exact"},
    {"equation_with_variables_vs_value", "2x = 6", "3", N, "structure"},
    {"tiny_exponential_is_not_zero", "e^{-110}", "0", N, "numeric"},
    {"tiny_power_is_not_zero", R"(2^{-200}\pi)", "0", N, "numeric"},
    {"cos_half_pi_is_zero", R"(\cos\frac{\pi}{2})", "0", E, "numeric"},
    {"euler_identity_is_zero", R"(e^{i\pi}+1)", "0", E, "numeric"},
    {"log_difference_is_zero", R"(\ln 6 - \ln 2 - \ln 3)", "0", E, "numeric"},
    // --- text and prose
    {"prose_prediction", "I do not know", "5", U, "parse"},
    {"empty_prediction", "", "5", N, "empty"},
    {"empty_reference", "5", "", U, "empty"},
    {"blank_prediction", "   ", "5", N, "empty"},
    {"text_vs_number", "Monday", "5", U, "parse"},
    {"words_same_ignoring_punctuation", "no solution.", "No solution", E, ""},
};
// clang-format on

}  // namespace lemma::math::testing
