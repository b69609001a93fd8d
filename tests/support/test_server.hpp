#pragma once

// A loopback HTTP/1.1 server for tests, scripted per request down to the byte: write pieces,
// pause, stall, close mid-body. It binds 127.0.0.1 on an ephemeral port and counts connections.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lemma/headers.hpp"

namespace lemma::test {

/// A request as the server received it.
struct RecordedRequest {
  std::string method;
  std::string target;
  Headers headers;
  std::string body;
  int connection = 0;  // 1-based index of the TCP connection it arrived on
};

/// What the server does in answer to one request: steps run in order.
class Reply {
 public:
  struct Step {
    enum class Kind { write, sleep, close, stall } kind;
    std::string bytes;
    std::chrono::milliseconds delay{0};
  };

  /// A complete response with Content-Length.
  static Reply http(int status, std::string body, Headers headers = {},
                    std::string content_type = "application/json");
  /// A JSON response.
  static Reply json(int status, std::string body, Headers headers = {}) {
    return http(status, std::move(body), std::move(headers));
  }
  /// Raw bytes, exactly as given.
  static Reply raw(std::string bytes) { return Reply().write(std::move(bytes)); }

  /// Status line and headers of a chunked (Transfer-Encoding: chunked) response.
  static Reply chunked(int status, std::string content_type = "text/event-stream",
                       Headers headers = {});
  /// Writes `bytes` as one HTTP chunk.
  Reply& chunk(const std::string& bytes);
  /// Writes each piece as its own HTTP chunk, with `delay` between them.
  Reply& chunks(const std::vector<std::string>& pieces,
                std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  /// Writes the last (empty) chunk: the body is complete and the connection reusable.
  Reply& end_chunks() { return write("0\r\n\r\n"); }

  Reply& write(std::string bytes);
  Reply& sleep(std::chrono::milliseconds delay);
  /// Writes `bytes` in pieces of `piece` bytes with `delay` between them.
  Reply& drip(const std::string& bytes, std::size_t piece, std::chrono::milliseconds delay);
  /// Closes the connection.
  Reply& close();
  /// Keeps the connection open, sending nothing, until the server stops.
  Reply& stall();

  const std::vector<Step>& steps() const { return steps_; }

 private:
  std::vector<Step> steps_;
};

using Handler = std::function<Reply(const RecordedRequest&)>;

class TestServer {
 public:
  explicit TestServer(Handler handler);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:<port>/v1"
  std::string base_url() const;
  std::vector<RecordedRequest> requests() const;
  /// Waits until `count` requests have arrived (a condition, not a poll); false after
  /// `timeout`.
  bool wait_for_requests(std::size_t count,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  int connection_count() const { return connections_.load(); }
  /// Bytes written to clients so far (all connections).
  std::size_t bytes_written() const { return bytes_written_.load(); }
  void stop();

 private:
  void accept_loop();
  void serve(int fd, int connection);
  bool read_request(int fd, std::string& pending, RecordedRequest& out);
  bool send_all(int fd, const std::string& bytes);
  bool wait_stop_for(std::chrono::milliseconds delay);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<std::size_t> bytes_written_{0};
  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  mutable std::condition_variable arrived_;  // a request was recorded
  std::vector<RecordedRequest> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

/// A loopback port with nothing listening (connecting to it is refused).
int unused_port();

}  // namespace lemma::test
