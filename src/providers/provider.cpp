#include "lemma/provider.hpp"

#include "lemma/wire.hpp"

namespace lemma {

Result<StreamEvent> Provider::decode_stream_event(const SseEvent& event) const {
  return wire::decode_stream_event(event);
}

namespace {

// Stateless: each event on its own, through the provider's decode_stream_event().
class EventByEventDecoder final : public StreamDecoder {
 public:
  explicit EventByEventDecoder(const Provider& provider) : provider_(provider) {}
  Result<StreamEvent> decode(const SseEvent& event) override {
    return provider_.decode_stream_event(event);
  }

 private:
  const Provider& provider_;
};

}  // namespace

std::unique_ptr<StreamDecoder> Provider::stream_decoder() const {
  return std::make_unique<EventByEventDecoder>(*this);
}

Result<Done> Provider::prepare(Transport& /*transport*/) const {
  return Done{};
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
