#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lemma/catalog.hpp"
#include "lemma/chat.hpp"
#include "lemma/error.hpp"
#include "lemma/export.hpp"
#include "lemma/http.hpp"
#include "lemma/model_info.hpp"
#include "lemma/result.hpp"
#include "lemma/sse_parser.hpp"
#include "lemma/stream.hpp"

namespace lemma {

/// What one server-sent event of a chat stream means.
struct StreamEvent {
  /// The event's meaning.
  enum class Kind {
    chunk,   ///< a ChatChunk to deliver
    done,    ///< the end marker (`data: [DONE]`)
    ignore,  ///< nothing to deliver (pings, empty data, unknown event types)
  };
  /// The event's meaning.
  Kind kind = Kind::ignore;
  /// The chunk, when kind == chunk.
  ChatChunk chunk;

  /// A chunk event.
  static StreamEvent of(ChatChunk chunk) { return {Kind::chunk, std::move(chunk)}; }
  /// The end marker.
  static StreamEvent done() { return {Kind::done, {}}; }
  /// An event to skip.
  static StreamEvent ignore() { return {Kind::ignore, {}}; }
};

/// Decodes the events of one stream. Stateful (one per stream, used by one thread), so that a
/// provider can carry state across chunks, e.g. a `<think>` tag split between two chunks.
class LEMMA_EXPORT StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  /// Decodes the next event.
  virtual Result<StreamEvent> decode(const SseEvent& event) = 0;
  /// The stream ended: a last chunk with anything held back, if any.
  virtual std::optional<ChatChunk> finish() { return std::nullopt; }
};

/// What a provider can do; the Client adapts where it cannot.
struct ProviderCapabilities {
  /// Server-sent-event streaming. When false, Client::stream() makes a whole call and delivers
  /// the answer as one chunk.
  bool streaming = true;
  /// A model-list endpoint (Client::models()).
  bool list_models = true;
  /// OpenAI's Files and Batches API (`POST /files`, `POST /batches`, `GET /batches/{id}`,
  /// `GET /files/{id}/content`) next to the model list, used by lemma::RemoteBatch.
  bool batch_api = true;
  /// Several choices from one request (`n` > 1). When false, callers that want K samples of
  /// one prompt (lemma::math::Evaluation) send K requests instead.
  bool multiple_choices = true;
};

/// A provider knows one wire format: it turns typed requests into HTTP requests and HTTP
/// responses back into typed values or typed errors. It does no I/O itself.
///
/// Implement it to support a server lemma does not know; the built-ins (providers::*) use only
/// this interface and the public helpers in lemma/wire.hpp. Implementations must be immutable
/// after construction and safe to use from several threads.
class LEMMA_EXPORT Provider {
 public:
  virtual ~Provider() = default;

  /// A short name for logs and metrics, e.g. "openai_compatible".
  virtual std::string name() const = 0;

  /// Validates `request` against this provider's rules and builds the HTTP request.
  /// Returns an invalid_request Error (before any I/O) for caller mistakes.
  virtual Result<HttpRequest> encode_chat(const ChatRequest& request) const = 0;
  /// Decodes a 2xx response to a chat request; a protocol (or provider) Error when it can't.
  virtual Result<ChatResponse> decode_chat(const HttpResponse& response) const = 0;

  /// Builds the HTTP request that lists models.
  virtual Result<HttpRequest> encode_models() const = 0;
  /// Decodes a 2xx response to the models request.
  virtual Result<std::vector<ModelInfo>> decode_models(const HttpResponse& response) const = 0;

  /// Builds the request that checks the server is up (Client::health()). The default is the
  /// model list (encode_models()).
  virtual Result<HttpRequest> encode_health() const { return encode_models(); }

  /// Decodes a non-2xx response into a typed Error (kind from the status and body).
  virtual Error decode_error(const HttpResponse& response) const = 0;

  /// Decodes one server-sent event of a streamed chat response: a chunk, the end marker, an
  /// event to skip, or the typed Error the server reported mid-stream. The default reads the
  /// OpenAI format (wire::decode_stream_event).
  virtual Result<StreamEvent> decode_stream_event(const SseEvent& event) const;
  /// A decoder for one new stream. The default decodes each event with decode_stream_event();
  /// override it when decoding needs state across events.
  virtual std::unique_ptr<StreamDecoder> stream_decoder() const;

  /// Called by the Client before every call, with the Client's transport, so that a provider
  /// can learn what it needs from the server before encoding anything (e.g.
  /// providers::self_hosted with Flavour::auto_detect identifies the server on the first call).
  /// An Error fails the call. Must be thread-safe and cheap once prepared. Default: nothing.
  virtual Result<Done> prepare(Transport& transport) const;
  /// What this provider supports (default: everything).
  virtual ProviderCapabilities capabilities() const { return {}; }
  /// The catalogue entry of `model` at this provider (limits, prices), or nullptr. The default
  /// looks it up in ModelCatalog::builtin() under name().
  virtual const ModelSpec* model_spec(const std::string& model) const;

  /// Whether this server ends every stream with `data: [DONE]`. When true (the default), a
  /// stream that ends without it is reported as truncated.
  virtual bool stream_requires_done() const { return true; }

  /// Removes this provider's secrets (API keys) from `text`; lemma calls it on every error text
  /// before returning it, in case a server echoed a key back.
  virtual void redact(std::string& text) const = 0;
  /// Applies redact() to every text field of `error` (message, provider fields, request id,
  /// body excerpt, attempt history).
  void redact(Error& error) const;
};

}  // namespace lemma
