#include "lemma/http.hpp"

#include <algorithm>
#include <vector>

#include "lemma/url.hpp"

namespace lemma {

Result<std::string> ResponseStream::read_all(std::size_t max_bytes) {
  // The body is gathered in 1 MiB blocks and joined once at the end, each block freed as soon
  // as it is copied: a growing std::string would hold its old and new buffers at once on every
  // reallocation, so a body at the limit would peak at up to twice the limit.
  constexpr std::size_t kBlock = std::size_t{1} << 20;
  std::vector<std::string> blocks;
  std::size_t total = 0;
  char chunk[16 * 1024];
  while (true) {
    auto n = read(chunk, sizeof chunk);
    if (!n) return n.error();
    if (*n == 0) break;
    if (*n > max_bytes - total) {
      cancel();
      return protocol_error("The response body exceeds the limit of " + std::to_string(max_bytes) +
                            " bytes; raise ClientOptions::max_response_bytes if that is expected.");
    }
    std::size_t copied = 0;
    while (copied < *n) {
      if (blocks.empty() || blocks.back().size() == kBlock) {
        blocks.emplace_back();
        blocks.back().reserve(blocks.size() == 1 ? sizeof chunk : kBlock);
      }
      std::string& block = blocks.back();
      const std::size_t take = std::min(*n - copied, kBlock - block.size());
      block.append(chunk + copied, take);
      copied += take;
    }
    total += *n;
  }
  if (blocks.size() <= 1) return blocks.empty() ? std::string() : std::move(blocks.front());
  std::string body;
  body.reserve(total);
  for (std::string& block : blocks) {
    body += block;
    std::string().swap(block);
  }
  return body;
}

void CancellationToken::cancel() noexcept {
  {
    // Callbacks run under the lock, so that a Subscription being destroyed on another thread
    // waits for a callback in progress instead of racing it.
    std::lock_guard<std::mutex> lock(mutex_);
    if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
    for (const auto& entry : callbacks_) entry.second();
  }
  woken_.notify_all();
}

CancellationToken::Subscription::Subscription(const CancellationToken* token,
                                              std::function<void()> callback) {
  if (!token || !callback) return;
  std::lock_guard<std::mutex> lock(token->mutex_);
  if (token->cancelled_.load(std::memory_order_acquire)) {
    callback();
    return;
  }
  token_ = token;
  id_ = ++token->next_subscription_;
  token->callbacks_.emplace_back(id_, std::move(callback));
}

CancellationToken::Subscription::Subscription(Subscription&& other) noexcept
    : token_(std::exchange(other.token_, nullptr)), id_(other.id_) {}

CancellationToken::Subscription& CancellationToken::Subscription::operator=(
    Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    token_ = std::exchange(other.token_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

CancellationToken::Subscription::~Subscription() {
  reset();
}

void CancellationToken::Subscription::reset() noexcept {
  if (!token_) return;
  std::lock_guard<std::mutex> lock(token_->mutex_);
  auto& callbacks = token_->callbacks_;
  for (auto it = callbacks.begin(); it != callbacks.end(); ++it) {
    if (it->first == id_) {
      callbacks.erase(it);
      break;
    }
  }
  token_ = nullptr;
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
