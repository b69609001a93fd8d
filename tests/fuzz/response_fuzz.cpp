// Fuzz target for whole-response decoding: arbitrary bytes as the 200 body of a chat completion
// or a /models listing, through each built-in provider's public decoder, then the copies and
// dumps a user makes of the result (raw JSON included). Must never crash, leak or hang: bad
// bodies are protocol Errors.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "lemma/providers/aimlapi.hpp"
#include "lemma/providers/dataoorts.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/providers/self_hosted.hpp"
#include "lemma/wire.hpp"

namespace {

std::shared_ptr<lemma::Provider> provider_for(std::uint8_t selector) {
  using lemma::providers::Flavour;
  const lemma::ApiKey key("sk-fuzz-0123456789abcdef");
  switch (selector % 8) {
    case 0: return lemma::providers::openai_compatible("http://127.0.0.1:1/v1", key);
    case 1: return lemma::providers::aimlapi(key);
    case 2: return lemma::providers::dataoorts(key);
    case 3: return lemma::providers::self_hosted("http://127.0.0.1:1/v1", Flavour::vllm, key);
    case 4: return lemma::providers::self_hosted("http://127.0.0.1:1/v1", Flavour::sglang, key);
    case 5: return lemma::providers::self_hosted("http://127.0.0.1:1/v1", Flavour::tgi, key);
    case 6: return lemma::providers::self_hosted("http://127.0.0.1:1/v1", Flavour::llama_cpp, key);
    default: return lemma::providers::self_hosted("http://127.0.0.1:1/v1", Flavour::ollama, key);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte chooses the provider (low bits) and chat vs models (high bit).
  const auto provider = provider_for(data[0]);
  lemma::HttpResponse response;
  response.status = 200;
  response.headers.add("Content-Type", "application/json");
  response.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);

  if (data[0] & 0x80) {
    auto models = provider->decode_models(response);
    if (models.ok()) {
      for (const auto& model : *models) {
        const lemma::ModelInfo copy = model;
        (void)copy.raw.dump();
      }
    } else {
      (void)models.error().what();
    }
    return 0;
  }
  auto chat = provider->decode_chat(response);
  if (chat.ok()) {
    const lemma::ChatResponse copy = *chat;
    (void)copy.text();
    (void)copy.raw.dump();
    (void)lemma::wire::chunk_from_response(copy);
  } else {
    (void)chat.error().what();
  }
  return 0;
}
