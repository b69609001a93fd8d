#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "lemma/export.hpp"
#include "lemma/http.hpp"

/// Test doubles for users' own unit tests: no network, no gMock dependency.
namespace lemma::testing {

/// A scripted Transport: replays queued responses (or errors) in order and records every
/// request it was given. Thread-safe.
///
/// @code
///   auto mock = std::make_shared<lemma::testing::MockTransport>();
///   mock->enqueue_json(200, R"({"choices":[{"message":{"role":"assistant","content":"4"}}]})");
///   lemma::ClientOptions options;
///   options.transport = mock;
///   lemma::Client client(lemma::providers::openai_compatible("http://mock"), options);
/// @endcode
class LEMMA_EXPORT MockTransport : public Transport {
 public:
  /// Queues a response returned by a later send()/open().
  void enqueue(HttpResponse response);
  /// Queues a response with `status`, a JSON content type and `body`.
  void enqueue_json(int status, std::string body);
  /// Queues an error (e.g. a connection error) returned by a later send()/open().
  void enqueue_error(Error error);
  /// For open(): deliver bodies in pieces of at most this many bytes per read (default: all).
  void set_read_chunk_size(std::size_t bytes);

  /// Returns the next queued response; a `connection` error when the queue is empty.
  Result<HttpResponse> send(const HttpRequest& request) override;
  /// Like send(), with the body delivered through a ResponseStream.
  Result<std::unique_ptr<ResponseStream>> open(const HttpRequest& request) override;

  /// Copies of every request received, in order.
  std::vector<HttpRequest> requests() const;
  /// Number of requests received.
  std::size_t request_count() const;
  /// Number of queued responses not yet used.
  std::size_t pending() const;

 private:
  Result<HttpResponse> next(const HttpRequest& request);

  mutable std::mutex mutex_;
  std::deque<std::variant<HttpResponse, Error>> queue_;
  std::vector<HttpRequest> requests_;
  std::size_t chunk_size_ = 0;
};

}  // namespace lemma::testing
