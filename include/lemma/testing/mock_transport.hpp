#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "lemma/chat.hpp"
#include "lemma/http.hpp"
#include "lemma/stream.hpp"
#include "lemma/testing_export.hpp"

/// Test doubles for users' own unit tests: no network, no gMock dependency.
namespace lemma::testing {

/// A scripted Transport: replays queued responses (or errors) in order and records every
/// request it was given. Thread-safe. Link the `lemma::testing` target to use it.
///
/// Queue typed values and let the mock write the OpenAI wire format for you:
/// @code
///   auto mock = std::make_shared<lemma::testing::MockTransport>();
///   mock->enqueue_response(lemma::testing::answer("\\boxed{4}"));        // for chat()
///   mock->enqueue_stream(lemma::testing::chunks_of(lemma::testing::answer("4")));  // stream()
///   lemma::ClientOptions options;
///   options.transport = mock;
///   lemma::Client client(lemma::providers::openai_compatible("http://mock"), options);
/// @endcode
class LEMMA_TESTING_EXPORT MockTransport : public Transport {
 public:
  /// Queues a response returned by a later send()/open().
  void enqueue(HttpResponse response);
  /// Queues a response with `status`, a JSON content type and `body`.
  void enqueue_json(int status, std::string body);
  /// Queues `response` as the OpenAI `chat.completion` JSON a server would send (status 200).
  void enqueue_response(const ChatResponse& response);
  /// Queues `chunks` as the OpenAI server-sent-event stream a server would send (status 200,
  /// `text/event-stream`, ending with `data: [DONE]`).
  void enqueue_stream(const std::vector<ChatChunk>& chunks);
  /// Queues an HTTP error in OpenAI's shape: `{"error": {"message", "type", "code"}}`.
  /// These enqueue_* helpers never throw on invalid UTF-8: such bytes are sent as U+FFFD.
  void enqueue_error_response(int status, std::string message, std::string type = "",
                              std::string code = "");
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

/// A one-choice response whose answer is `content` (and reasoning `reasoning` when not empty),
/// finish reason "stop", with a small usage record: a typical server answer for tests.
LEMMA_TESTING_EXPORT ChatResponse answer(std::string content, std::string reasoning = "",
                                         std::string model = "mock-model");
/// The chunks a server would stream for `response`: the reasoning and content of each choice
/// cut into pieces of at most `piece_bytes` bytes (never inside a UTF-8 character), then a
/// finish chunk per choice and a usage chunk when the response has usage.
LEMMA_TESTING_EXPORT std::vector<ChatChunk> chunks_of(const ChatResponse& response,
                                                      std::size_t piece_bytes = 8);

}  // namespace lemma::testing
