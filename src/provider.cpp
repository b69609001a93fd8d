#include "lemma/provider.hpp"

#include "lemma/wire.hpp"

namespace lemma {

Result<StreamEvent> Provider::decode_stream_event(const SseEvent& event) const {
  return wire::decode_stream_event(event);
}

const ModelSpec* Provider::model_spec(const std::string& model) const {
  return ModelCatalog::builtin().find(name(), model);
}

void Provider::redact(Error& error) const {
  for (std::string* text : {&error.message, &error.provider_message, &error.code, &error.type,
                            &error.param, &error.request_id, &error.body_excerpt}) {
    redact(*text);
  }
  for (auto& record : error.history) redact(record.message);
}

}  // namespace lemma
