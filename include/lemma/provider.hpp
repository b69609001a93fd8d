#pragma once

#include <string>
#include <vector>

#include "lemma/chat.hpp"
#include "lemma/error.hpp"
#include "lemma/export.hpp"
#include "lemma/http.hpp"
#include "lemma/model_info.hpp"
#include "lemma/result.hpp"

namespace lemma {

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

  /// Decodes a non-2xx response into a typed Error (kind from the status and body).
  virtual Error decode_error(const HttpResponse& response) const = 0;

  /// Removes this provider's secrets (API keys) from `text`; lemma calls it on every error text
  /// before returning it, in case a server echoed a key back.
  virtual void redact(std::string& text) const = 0;
};

}  // namespace lemma
