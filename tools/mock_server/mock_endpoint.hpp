#pragma once

// lemma's local mock endpoint: an OpenAI-compatible server on loopback that answers math
// questions deterministically, for the demo and for users' offline tests.

#include <chrono>
#include <memory>
#include <string>

#include "mock_server/scenario.hpp"

namespace lemma::tools {

/// Settings of the mock endpoint.
struct MockEndpointOptions {
  /// Address to bind; loopback by default.
  std::string host = "127.0.0.1";
  /// Port to bind; 0 picks a free one.
  int port = 0;
  /// When not empty, requests must carry "Authorization: Bearer <api_key>".
  std::string api_key;
  /// Delay before each answer, to imitate a model's latency.
  std::chrono::milliseconds delay{0};
  /// Streams: delay between two chunks, so a demo shows tokens arriving.
  std::chrono::milliseconds chunk_delay{0};
  /// Streams: a ": keep-alive" comment after every this many chunks (0 = never).
  int keep_alive_every = 4;
  /// When not empty, the last user message of every chat request is appended to this file as
  /// one line (line breaks become spaces) as the request arrives, so a test can tell what was
  /// sent. start() fails when the file cannot be opened.
  std::string request_log;
  /// Requests served at once: each kept-alive connection holds a worker until it closes, so
  /// this is also how many clients keep connections open without waiting. Default 64.
  int threads = 64;
  /// Scripted answers (see scenario.hpp; `load_scenario()` reads a file): requests a rule
  /// matches get its responses, the others the built-in answerer. Each endpoint counts the
  /// rules' matches from zero. Unset: every request gets the built-in answerer.
  std::shared_ptr<const Scenario> scenario;
};

/// An OpenAI-compatible server answering POST /v1/chat/completions (whole or streamed as
/// server-sent events, with reasoning deltas, keep-alive comments, a usage chunk when
/// `stream_options.include_usage` is set, and `data: [DONE]`) and GET /v1/models.
/// Its answers carry `reasoning_content`, a `\boxed{}` answer and usage, and say they come from
/// the mock (model "lemma-mock-math", header X-Lemma-Mock: 1). A request with `n` > 1 gets n
/// choices. With a scenario, matching requests get scripted answers, errors and faults instead;
/// waits (latency, stalls, chunk delays) end when the endpoint stops, so stop() never hangs.
class MockEndpoint {
 public:
  explicit MockEndpoint(MockEndpointOptions options = {});
  ~MockEndpoint();
  MockEndpoint(const MockEndpoint&) = delete;
  MockEndpoint& operator=(const MockEndpoint&) = delete;

  /// Binds and starts serving on a background thread; returns the bound port, or -1.
  int start();
  /// Stops serving and joins the thread (also done by the destructor).
  void stop();
  /// "http://<host>:<port>/v1" once started.
  std::string base_url() const;
  /// Chat requests received so far (counted as each arrives, before any answer or fault), so a
  /// test can tell that a request reached the server.
  long chat_requests() const;
  /// Waits until `count` chat requests have arrived (a condition, not a poll); false after
  /// `timeout`.
  bool wait_for_chat_requests(long count, std::chrono::milliseconds timeout) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lemma::tools
