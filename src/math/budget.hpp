#pragma once

#include <cstddef>

namespace lemma::math::detail {

/// Work counter for one comparison: the parser and the evaluator charge steps (big-number
/// operations charge by size), and recursion depth is bounded, so a pathological input runs
/// out of budget instead of hanging, exhausting memory or overflowing the stack.
class Budget {
 public:
  /// Deepest recursion the parser and evaluator accept.
  static constexpr int kMaxDepth = 500;

  explicit Budget(std::size_t steps) noexcept : left_(steps) {}

  /// Charges `n` steps; false (and exhausted from then on) when the budget cannot pay.
  bool charge(std::size_t n = 1) noexcept {
    if (exhausted_ || n > left_) {
      exhausted_ = true;
      left_ = 0;
      return false;
    }
    left_ -= n;
    return true;
  }
  /// Enters one recursion level; false (and exhausted) past kMaxDepth.
  bool enter() noexcept {
    if (++depth_ > kMaxDepth) {
      exhausted_ = true;
      return false;
    }
    return charge();
  }
  /// Leaves one recursion level.
  void leave() noexcept { --depth_; }
  /// True once any charge or enter() failed.
  bool exhausted() const noexcept { return exhausted_; }
  /// Records that an exact value was too large to hold and was approximated.
  void note_approximation() noexcept { approximated_ = true; }
  /// Whether an approximation was noted since the last call; clears the note.
  bool take_approximation() noexcept {
    bool r = approximated_;
    approximated_ = false;
    return r;
  }
  /// Fails (exhausted from then on): for limits other than steps and depth, such as the
  /// height of a parsed tree.
  bool give_up() noexcept {
    exhausted_ = true;
    return false;
  }

 private:
  std::size_t left_;
  int depth_ = 0;
  bool exhausted_ = false;
  bool approximated_ = false;
};

/// RAII recursion guard: enter() on construction, leave() on destruction.
class DepthGuard {
 public:
  explicit DepthGuard(Budget& budget) noexcept : budget_(budget), ok_(budget.enter()) {}
  ~DepthGuard() { budget_.leave(); }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
  /// False when the depth limit or the budget was hit.
  bool ok() const noexcept { return ok_; }

 private:
  Budget& budget_;
  bool ok_;
};

}  // namespace lemma::math::detail
