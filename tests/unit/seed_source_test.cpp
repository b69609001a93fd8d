// White-box: the per-Client randomness behind retry jitter and Idempotency-Key.

#include "core/seed_source_private.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

TEST(SeedSourceTest, UniqueKeysAreLemmaPlus32HexDigitsAndNeverRepeat) {
  lemma::detail::SeedSource first;
  lemma::detail::SeedSource second;
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    for (auto* source : {&first, &second}) {
      const std::string key = source->unique_key();
      ASSERT_EQ(key.size(), 6u + 32u) << key;
      EXPECT_EQ(key.rfind("lemma-", 0), 0u) << key;
      EXPECT_EQ(key.find_first_not_of("0123456789abcdef", 6), std::string::npos) << key;
      EXPECT_TRUE(seen.insert(key).second) << "repeated key " << key;
    }
  }
}

TEST(SeedSourceTest, ConcurrentCallersGetDistinctSeeds) {
  lemma::detail::SeedSource source;
  std::vector<std::vector<std::uint64_t>> drawn(4);
  std::vector<std::thread> threads;
  for (auto& out : drawn) {
    threads.emplace_back([&source, &out] {
      for (int i = 0; i < 5000; ++i) out.push_back(source.next());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::uint64_t> all;
  for (const auto& out : drawn) all.insert(out.begin(), out.end());
  EXPECT_EQ(all.size(), 4u * 5000u);
}

TEST(SeedSourceTest, SeedsSpreadOverTheHighBits) {
  // Jitter uses the seed modulo minstd's modulus: consecutive seeds must not share low or
  // high halves (a plain counter would).
  lemma::detail::SeedSource source;
  std::set<std::uint32_t> high, low;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t seed = source.next();
    high.insert(static_cast<std::uint32_t>(seed >> 32));
    low.insert(static_cast<std::uint32_t>(seed));
  }
  EXPECT_GT(high.size(), 990u);
  EXPECT_GT(low.size(), 990u);
}

}  // namespace
