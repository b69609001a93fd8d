#include "lemma/curl_transport.hpp"

#include "http/curl_handles_private.hpp"
#include "http/curl_multi_driver_private.hpp"
#include "http/curl_stream_private.hpp"

namespace lemma {

namespace detail {

void ensure_curl_initialized() {
  // Function-local static: initialised exactly once, thread-safely, on first use. libcurl is
  // deliberately never cleaned up: other code in the process may still use it.
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)result;
}

CurlShare::CurlShare() : share_(curl_share_init()) {
  if (!share_) return;
  curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlShare::lock);
  curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlShare::unlock);
  curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

CurlShare::~CurlShare() {
  // Idle handles first: curl_share_cleanup refuses (CURLSHE_IN_USE, leaking the share and its
  // caches) while any easy handle still refers to the share.
  idle_easy_.clear();
  idle_multi_.clear();
  if (share_) curl_share_cleanup(share_);
}

CurlHandles CurlShare::acquire() {
  CurlHandles handles;
  {
    std::lock_guard<std::mutex> lock(idle_mutex_);
    if (!idle_multi_.empty()) {
      handles.multi = std::move(idle_multi_.back());
      idle_multi_.pop_back();
    }
  }
  if (!handles.multi) handles.multi.reset(curl_multi_init());
  handles.easy = acquire_easy();
  return handles;
}

CurlEasyPtr CurlShare::acquire_easy() {
  {
    std::lock_guard<std::mutex> lock(idle_mutex_);
    if (!idle_easy_.empty()) {
      CurlEasyPtr easy = std::move(idle_easy_.back());
      idle_easy_.pop_back();
      return easy;
    }
  }
  return CurlEasyPtr(curl_easy_init());
}

void CurlShare::release_easy(CurlEasyPtr easy) noexcept {
  if (!easy) return;
  // curl_easy_reset leaves CURLOPT_SHARE set (libcurl keeps the share outside the options it
  // resets), so detach explicitly: an idle handle must not keep the share in use.
  curl_easy_setopt(easy.get(), CURLOPT_SHARE, nullptr);
  curl_easy_reset(easy.get());
  std::lock_guard<std::mutex> lock(idle_mutex_);
  if (idle_easy_.size() < kMaxIdleHandles) idle_easy_.push_back(std::move(easy));
}

void CurlShare::release_multi(CurlMultiPtr multi) noexcept {
  if (!multi) return;
  std::lock_guard<std::mutex> lock(idle_mutex_);
  if (idle_multi_.size() < kMaxIdleHandles) idle_multi_.push_back(std::move(multi));
}

void CurlShare::lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
  static_cast<CurlShare*>(self)->mutexes_[static_cast<std::size_t>(data)].lock();
}

void CurlShare::unlock(CURL*, curl_lock_data data, void* self) {
  static_cast<CurlShare*>(self)->mutexes_[static_cast<std::size_t>(data)].unlock();
}

}  // namespace detail

class CurlTransport::Impl {
 public:
  explicit Impl(CurlTransportOptions options) : options_(std::move(options)) {
    detail::ensure_curl_initialized();
    share_ = std::make_shared<detail::CurlShare>();
  }

  const CurlTransportOptions& options() const noexcept { return options_; }

  std::unique_ptr<TransferDriver> make_driver() const {
    return std::make_unique<detail::CurlMultiDriver>(share_, options_);
  }

  Result<std::unique_ptr<ResponseStream>> open(const HttpRequest& request) const {
    if (!share_->get()) {
      return make_error(ErrorKind::connection, "libcurl could not create its connection pool.");
    }
    auto stream = detail::CurlStream::start(options_, share_, request);
    if (!stream) return stream.error();
    return std::unique_ptr<ResponseStream>(std::move(*stream));
  }

 private:
  CurlTransportOptions options_;
  std::shared_ptr<detail::CurlShare> share_;
};

CurlTransport::CurlTransport(CurlTransportOptions options)
    : impl_(std::make_shared<Impl>(std::move(options))) {}

CurlTransport::~CurlTransport() = default;

const CurlTransportOptions& CurlTransport::options() const noexcept {
  return impl_->options();
}

Result<std::unique_ptr<ResponseStream>> CurlTransport::open(const HttpRequest& request) {
  return impl_->open(request);
}

std::unique_ptr<TransferDriver> CurlTransport::make_driver() {
  return impl_->make_driver();
}

Result<HttpResponse> CurlTransport::send(const HttpRequest& request) {
  auto stream = impl_->open(request);
  if (!stream) return stream.error();
  ResponseStream& body = **stream;
  // Refuse an announced oversized body before reading any of it.
  if (auto length = body.headers().get("content-length")) {
    const auto announced = std::strtoull(length->c_str(), nullptr, 10);
    if (announced > request.max_response_bytes) {
      body.cancel();
      return protocol_error("The response body announces " + std::to_string(announced) +
                            " bytes, over the limit of " +
                            std::to_string(request.max_response_bytes) +
                            " bytes; raise ClientOptions::max_response_bytes if that is expected.");
    }
  }
  auto content = body.read_all(request.max_response_bytes);
  if (!content) return content.error();
  HttpResponse response;
  response.status = body.status();
  response.headers = body.headers();
  response.body = std::move(*content);
  response.connect_time = body.connect_time();
  return response;
}

}  // namespace lemma
