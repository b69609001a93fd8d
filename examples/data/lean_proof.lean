import Mathlib

theorem add_zero_right (n : ℕ) : n + 0 = n := by
  simp
