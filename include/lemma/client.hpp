#pragma once

#include <memory>
#include <vector>

#include "lemma/chat.hpp"
#include "lemma/client_options.hpp"
#include "lemma/export.hpp"
#include "lemma/model_info.hpp"
#include "lemma/provider.hpp"
#include "lemma/result.hpp"
#include "lemma/stream.hpp"

namespace lemma {

/// The entry point: sends typed chat requests to one provider over one transport.
///
/// @par Thread safety
/// A Client is immutable after construction and safe to share between threads; copies are
/// cheap and share the provider, transport and connection pool.
///
/// @par Errors
/// No method throws; each returns a Result. Caller mistakes are invalid_request errors returned
/// before any network I/O.
class LEMMA_EXPORT Client {
 public:
  /// A client for `provider` with `options` (default: a CurlTransport, 600 s timeout).
  explicit Client(std::shared_ptr<const Provider> provider, ClientOptions options = {});

  /// Sends one chat request and waits for the whole answer. `request.stream` is ignored (sent
  /// as false).
  Result<ChatResponse> chat(const ChatRequest& request, const CallOptions& call = {}) const;
  /// Starts streaming the answer (server-sent events) and returns once the server answered
  /// with headers; iterate the ChatStream for chunks. Caller mistakes, connection failures and
  /// HTTP errors come back as a stream whose error() is set. A server that answers with plain
  /// JSON instead of a stream is handled: its answer arrives as one chunk.
  ChatStream stream(const ChatRequest& request, const CallOptions& call = {}) const;
  /// Streams the answer into `callbacks` and returns the accumulated response (or the error,
  /// `cancelled` when on_chunk returned false).
  Result<ChatResponse> stream(const ChatRequest& request, const StreamCallbacks& callbacks,
                              const CallOptions& call = {}) const;
  /// Streams the answer, calling `on_chunk` for each chunk (return false to stop), and returns
  /// the accumulated response.
  Result<ChatResponse> stream(const ChatRequest& request,
                              std::function<bool(const ChatChunk&)> on_chunk,
                              const CallOptions& call = {}) const;
  /// Lists the models the endpoint serves.
  Result<std::vector<ModelInfo>> models(const CallOptions& call = {}) const;
  /// Checks that the server is up (its health endpoint, or the model list); the error says
  /// why not (e.g. a llama.cpp server still loading its model answers 503).
  Result<Done> health(const CallOptions& call = {}) const;

  /// The provider this client talks to.
  const Provider& provider() const noexcept;
  /// The options this client was created with (with the transport filled in).
  const ClientOptions& options() const noexcept;

  class Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace lemma
