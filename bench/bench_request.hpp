#pragma once
// The one request every lemma peer of the benchmarks sends (the server's answer is fixed).

#include "lemma/chat.hpp"

namespace lemma_bench {

inline lemma::ChatRequest bench_request() {
  lemma::ChatRequest request;
  request.model = "bench";
  request.messages = {lemma::Message::user("What is 1+1?")};
  request.sampling.max_tokens = 256;
  return request;
}

}  // namespace lemma_bench
