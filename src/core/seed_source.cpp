#include "core/seed_source_private.hpp"

#include <random>

namespace lemma::detail {
namespace {

// splitmix64's finaliser: a bijection with good avalanche, so consecutive counters give
// unrelated outputs.
std::uint64_t mix(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t random_word() {
  std::random_device device;
  return (std::uint64_t{device()} << 32) ^ std::uint64_t{device()};
}

}  // namespace

SeedSource::SeedSource() : key_(random_word()), counter_(random_word()) {}

std::uint64_t SeedSource::next() noexcept {
  return mix(key_ ^ counter_.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed));
}

std::string SeedSource::unique_key() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key = "lemma-";
  key.reserve(6 + 32);
  for (int word = 0; word < 2; ++word) {
    std::uint64_t bits = next();
    for (int i = 0; i < 16; ++i, bits >>= 4) key += kHex[bits & 15];
  }
  return key;
}

}  // namespace lemma::detail
