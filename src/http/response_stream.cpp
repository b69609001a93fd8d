#include "lemma/http.hpp"

#include <algorithm>

#include "lemma/url.hpp"

namespace lemma {

Result<std::string> ResponseStream::read_all(std::size_t max_bytes) {
  std::string body;
  char chunk[16 * 1024];
  while (true) {
    auto n = read(chunk, sizeof chunk);
    if (!n) return n.error();
    if (*n == 0) return body;
    if (body.size() + *n > max_bytes) {
      cancel();
      return protocol_error("The response body exceeds the limit of " + std::to_string(max_bytes) +
                            " bytes; raise ClientOptions::max_response_bytes if that is expected.");
    }
    if (body.size() + *n > body.capacity()) {
      // Grow geometrically but never past the limit, so a body at the limit peaks near it
      // rather than at twice it.
      body.reserve(std::min(max_bytes, std::max(body.size() + *n, 2 * body.capacity())));
    }
    body.append(chunk, *n);
  }
}

void CancellationToken::cancel() noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cancelled_.store(true, std::memory_order_release);
  }
  woken_.notify_all();
}

bool CancellationToken::wait_for(std::chrono::milliseconds duration) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return woken_.wait_for(lock, duration, [this] { return is_cancelled(); });
}

std::string HttpRequest::to_redacted_string() const {
  auto parsed = Url::parse(url);
  std::string out =
      method + " " + (parsed ? parsed->to_string() : std::string("(invalid URL)")) + "\n";
  out += headers.to_redacted_string();
  out += "(" + std::to_string(body.size()) + " body bytes)";
  return out;
}

}  // namespace lemma
