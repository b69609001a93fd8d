#include "lemma/testing/mock_transport.hpp"

#include <algorithm>
#include <cstring>

namespace lemma::testing {

namespace {

// Serves a canned body through the pull interface, in pieces of a chosen size.
class CannedStream final : public ResponseStream {
 public:
  CannedStream(HttpResponse response, std::size_t chunk_size)
      : response_(std::move(response)), chunk_size_(chunk_size) {}

  int status() const noexcept override { return response_.status; }
  const Headers& headers() const noexcept override { return response_.headers; }
  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    if (cancelled_) return make_error(ErrorKind::cancelled, "The mock stream was cancelled.");
    std::size_t n = std::min(capacity, response_.body.size() - position_);
    if (chunk_size_ > 0) n = std::min(n, chunk_size_);
    std::memcpy(buffer, response_.body.data() + position_, n);
    position_ += n;
    return n;
  }
  void cancel() noexcept override { cancelled_ = true; }

 private:
  HttpResponse response_;
  std::size_t chunk_size_;
  std::size_t position_ = 0;
  bool cancelled_ = false;
};

}  // namespace

void MockTransport::enqueue(HttpResponse response) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.emplace_back(std::move(response));
}

void MockTransport::enqueue_json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.set("Content-Type", "application/json");
  response.body = std::move(body);
  enqueue(std::move(response));
}

void MockTransport::enqueue_error(Error error) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.emplace_back(std::move(error));
}

void MockTransport::set_read_chunk_size(std::size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  chunk_size_ = bytes;
}

Result<HttpResponse> MockTransport::next(const HttpRequest& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  requests_.push_back(request);
  if (queue_.empty()) {
    return make_error(ErrorKind::connection, "MockTransport has no queued response for " +
                                                 request.method + " " + request.url +
                                                 "; call enqueue() or enqueue_json() first.");
  }
  auto next = std::move(queue_.front());
  queue_.pop_front();
  if (auto* error = std::get_if<Error>(&next)) return std::move(*error);
  return std::get<HttpResponse>(std::move(next));
}

Result<HttpResponse> MockTransport::send(const HttpRequest& request) {
  auto response = next(request);
  if (response && response->body.size() > request.max_response_bytes) {
    return protocol_error("The response body exceeds the limit of " +
                          std::to_string(request.max_response_bytes) + " bytes.");
  }
  return response;
}

Result<std::unique_ptr<ResponseStream>> MockTransport::open(const HttpRequest& request) {
  auto response = next(request);
  if (!response) return response.error();
  std::size_t chunk_size = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    chunk_size = chunk_size_;
  }
  return std::unique_ptr<ResponseStream>(
      std::make_unique<CannedStream>(std::move(*response), chunk_size));
}

std::vector<HttpRequest> MockTransport::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::size_t MockTransport::request_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

std::size_t MockTransport::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

}  // namespace lemma::testing
