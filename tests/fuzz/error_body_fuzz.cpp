// Fuzz target for error decoding: arbitrary bytes as a non-2xx response (status, one header line
// and body chosen by the input) through each built-in provider's decode_error and the retry-hint
// reader, then what() and the copies a user makes. Must never crash, leak or hang.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "lemma/providers/aimlapi.hpp"
#include "lemma/providers/dataoorts.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/providers/self_hosted.hpp"
#include "lemma/wire.hpp"

namespace {

constexpr int kStatuses[] = {400, 401, 402, 403, 404, 408, 409, 413,
                             422, 429, 500, 502, 503, 504, 418, 599};

std::shared_ptr<lemma::Provider> provider_for(std::uint8_t selector) {
  using lemma::providers::Flavour;
  const lemma::ApiKey key("sk-fuzz-0123456789abcdef");
  switch (selector % 6) {
    case 0: return lemma::providers::openai_compatible("http://127.0.0.1:1/v1", key);
    case 1: return lemma::providers::aimlapi(key);
    case 2: return lemma::providers::dataoorts(key);
    case 3: return lemma::providers::self_hosted("http://127.0.0.1:1/v1", Flavour::vllm, key);
    case 4: return lemma::providers::self_hosted("http://127.0.0.1:1/v1", Flavour::tgi, key);
    default: return lemma::providers::self_hosted("http://127.0.0.1:1/v1", Flavour::llama_cpp, key);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // Byte 0: status (low nibble) and provider (high nibble); byte 1: which header the first line
  // of the rest fills; the remainder after that line is the body.
  const auto provider = provider_for(static_cast<std::uint8_t>(data[0] >> 4));
  lemma::HttpResponse response;
  response.status = kStatuses[data[0] & 0x0f];
  std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::size_t line_end = rest.find('\n');
  if (line_end != std::string_view::npos) {
    static constexpr const char* kHeaders[] = {"Retry-After", "retry-after-ms", "x-request-id",
                                               "Content-Type"};
    response.headers.add(kHeaders[data[1] % 4], std::string(rest.substr(0, line_end)));
    rest.remove_prefix(line_end + 1);
  }
  response.body.assign(rest.data(), rest.size());

  const lemma::Error error = provider->decode_error(response);
  const lemma::Error copy = error;
  (void)copy.what();
  (void)lemma::wire::retry_after_from(
      response.headers, std::chrono::system_clock::time_point(std::chrono::hours(490000)));
  return 0;
}
