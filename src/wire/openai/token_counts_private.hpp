#pragma once

// The one rule for token counts a server reports, shared by the DOM decoder and the chunk SAX
// fast path so that both decode the same usage identically: counts are never negative (a
// negative count is a protocol error; the fast path declines it and the DOM decoder reports
// it), and a total the server left out is the saturated sum of prompt and completion tokens,
// so counts near INT64_MAX cannot overflow.

#include <cstdint>
#include <limits>

namespace lemma::detail {

/// prompt + completion, saturated at INT64_MAX (both are already known to be >= 0).
inline std::int64_t total_tokens_of(std::int64_t prompt, std::int64_t completion) noexcept {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  return prompt > kMax - completion ? kMax : prompt + completion;
}

}  // namespace lemma::detail
