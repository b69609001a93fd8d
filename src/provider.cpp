#include "lemma/provider.hpp"

#include "lemma/wire.hpp"

namespace lemma {

Result<StreamEvent> Provider::decode_stream_event(const SseEvent& event) const {
  return wire::decode_stream_event(event);
}

}  // namespace lemma
