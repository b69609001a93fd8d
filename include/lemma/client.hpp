#pragma once

#include <memory>
#include <vector>

#include "lemma/chat.hpp"
#include "lemma/client_options.hpp"
#include "lemma/export.hpp"
#include "lemma/future.hpp"
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
/// @par Event loop
/// The *_async methods run on one event-loop thread per Client (started by the first async
/// call; the only thread lemma adds), which drives all their transfers over one connection
/// pool: no thread per call. Destroying the last copy of a Client ends its calls in flight
/// with a `cancelled` Error (their Futures become ready, their callbacks run) and waits for
/// the loop thread to finish.
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
  /// Starts streaming the answer (server-sent events) and returns once the first chunk was
  /// decoded (not yet delivered); iterate the ChatStream for chunks. Everything before that is
  /// retried under the call's RetryPolicy: connecting, HTTP errors, and a connection cut or
  /// stalled after the headers before any chunk (a proxy giving up during a long prefill).
  /// Once a chunk reached the caller nothing is retried: a token is never delivered twice.
  /// Caller mistakes, connection failures and HTTP errors come back as a stream whose error()
  /// is set. A server that answers with plain
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
  /// Starts one chat request on the Client's event loop and returns at once; the Future holds
  /// the answer (or the Error) when the call ends. The same checks, retries, limits and
  /// observer events as chat(): caller mistakes come back as a ready Future holding an
  /// invalid_request Error, before any I/O. Calls beyond ClientOptions::max_concurrent_calls or
  /// ClientOptions::rate_limit wait in the Client's queue, first come first served; that wait
  /// does not count against the call's timeout.
  Future<Result<ChatResponse>> chat_async(const ChatRequest& request,
                                          const CallOptions& call = {}) const;
  /// chat_async() that calls `on_done` with the result instead of returning a Future.
  /// `on_done` runs on the event-loop thread (or, for a caller mistake, on the calling thread
  /// before chat_async returns): it must not block, since every call of the Client waits while
  /// it runs. It may start more calls.
  void chat_async(const ChatRequest& request, std::function<void(Result<ChatResponse>)> on_done,
                  const CallOptions& call = {}) const;
  /// Streams the answer on the Client's event loop into `callbacks` (on_chunk returning false
  /// ends the call with `cancelled`), and returns at once; the Future holds the accumulated
  /// response. The callbacks run on the event-loop thread and must not block. As with
  /// stream(), the call is retried only until its first chunk reached the callbacks: a token
  /// is never delivered twice.
  Future<Result<ChatResponse>> stream_async(const ChatRequest& request, StreamCallbacks callbacks,
                                            const CallOptions& call = {}) const;
  /// stream_async() that calls `on_done` with the accumulated response (or the Error) instead of
  /// returning a Future; `on_done` runs on the event-loop thread like the callbacks (or, for a
  /// caller mistake, on the calling thread before stream_async returns) and must not block.
  void stream_async(const ChatRequest& request, StreamCallbacks callbacks,
                    std::function<void(Result<ChatResponse>)> on_done,
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
