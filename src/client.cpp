#include "lemma/client.hpp"

#include "lemma/version.hpp"
#include "lemma/wire.hpp"

namespace lemma {

class Client::Impl {
 public:
  Impl(std::shared_ptr<const Provider> provider, ClientOptions options)
      : provider_(std::move(provider)), options_(std::move(options)) {
    if (!options_.transport) options_.transport = std::make_shared<CurlTransport>(options_.curl);
  }

  const Provider* provider() const noexcept { return provider_.get(); }
  const ClientOptions& options() const noexcept { return options_; }

  // Client-wide and per-call settings applied to every request, in one place.
  void apply(HttpRequest& request, const CallOptions& call) const {
    request.connect_timeout = options_.connect_timeout;
    request.timeout = call.timeout.value_or(options_.timeout);
    request.max_response_bytes = options_.max_response_bytes;
    request.cancellation = call.cancellation;
    for (const auto& [name, value] : options_.default_headers) {
      if (!request.headers.contains(name)) request.headers.add(name, value);
    }
    for (const auto& [name, value] : call.headers) request.headers.set(name, value);
    if (!request.headers.contains("User-Agent")) {
      request.headers.set("User-Agent", std::string("lemma/") + kVersion);
    }
  }

  // Every error leaves through here: secrets a server may have echoed back are removed.
  Error finish(Error error) const {
    if (provider_) {
      provider_->redact(error.message);
      provider_->redact(error.provider_message);
      provider_->redact(error.body_excerpt);
    }
    return error;
  }

  // One exchange: encode, send, then decode the success or error body.
  template <typename T, typename Encode, typename Decode>
  Result<T> exchange(const CallOptions& call, Encode encode, Decode decode) const {
    if (!provider_) {
      return finish(
          invalid_request_error("provider",
                                "The Client has no provider; construct it with e.g. "
                                "lemma::providers::openai_compatible(base_url, api_key)."));
    }
    Result<HttpRequest> request = encode();
    if (!request) return finish(request.error());
    apply(*request, call);
    Result<HttpResponse> response = options_.transport->send(*request);
    if (!response) return finish(response.error());
    if (!response->is_success()) return finish(provider_->decode_error(*response));
    Result<T> decoded = decode(*response);
    if (!decoded) {
      Error error = decoded.error();
      error.http_status = response->status;
      if (error.request_id.empty()) error.request_id = wire::request_id_from(response->headers);
      return finish(std::move(error));
    }
    return decoded;
  }

 private:
  std::shared_ptr<const Provider> provider_;
  ClientOptions options_;
};

Client::Client(std::shared_ptr<const Provider> provider, ClientOptions options)
    : impl_(std::make_shared<const Impl>(std::move(provider), std::move(options))) {}

Result<ChatResponse> Client::chat(const ChatRequest& request, const CallOptions& call) const {
  return impl_->exchange<ChatResponse>(
      call,
      [&]() -> Result<HttpRequest> {
        if (!request.stream) return impl_->provider()->encode_chat(request);
        ChatRequest whole = request;  // chat() always asks for the whole answer
        whole.stream = false;
        return impl_->provider()->encode_chat(whole);
      },
      [&](const HttpResponse& response) { return impl_->provider()->decode_chat(response); });
}

Result<std::vector<ModelInfo>> Client::models(const CallOptions& call) const {
  return impl_->exchange<std::vector<ModelInfo>>(
      call, [&] { return impl_->provider()->encode_models(); },
      [&](const HttpResponse& response) { return impl_->provider()->decode_models(response); });
}

const Provider& Client::provider() const noexcept {
  return *impl_->provider();
}

const ClientOptions& Client::options() const noexcept {
  return impl_->options();
}

}  // namespace lemma
