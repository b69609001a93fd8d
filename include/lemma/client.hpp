#pragma once

#include <memory>
#include <vector>

#include "lemma/chat.hpp"
#include "lemma/client_options.hpp"
#include "lemma/export.hpp"
#include "lemma/model_info.hpp"
#include "lemma/provider.hpp"
#include "lemma/result.hpp"

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
  /// Lists the models the endpoint serves.
  Result<std::vector<ModelInfo>> models(const CallOptions& call = {}) const;

  /// The provider this client talks to.
  const Provider& provider() const noexcept;
  /// The options this client was created with (with the transport filled in).
  const ClientOptions& options() const noexcept;

  class Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace lemma
