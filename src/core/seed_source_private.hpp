#pragma once

// Per-Client randomness for retry jitter and idempotency keys: one std::random_device read
// when the Client is made, then a lock-free counter mixed by splitmix64 for every call.
// (A std::random_device per call cost ~10 % of a sequential call's CPU: it opens the entropy
// source each time.)

#include <atomic>
#include <cstdint>
#include <string>

#include "lemma/export.hpp"

namespace lemma::detail {

// Exported only so that white-box unit tests link against the shared library.
class LEMMA_EXPORT SeedSource {
 public:
  /// Seeds from std::random_device once.
  SeedSource();

  /// A fresh 64-bit value; thread-safe, never the same twice for this source.
  std::uint64_t next() noexcept;
  /// "lemma-" and 32 hex digits (128 bits), unique per call and across processes: the
  /// Idempotency-Key of one logical call.
  std::string unique_key();

 private:
  std::uint64_t key_;
  std::atomic<std::uint64_t> counter_;
};

}  // namespace lemma::detail
