#pragma once
// A loopback SSE server that holds many streams open on one thread (poll): every request gets
// status, headers and a first chunk at once, then nothing until release(), which finishes
// every held stream. For tests with a thousand concurrent streams, where TestServer's thread
// per connection would measure the server instead of the client.

#include <atomic>
#include <string>
#include <thread>

namespace lemma::test {

class HoldServer {
 public:
  /// Listens on 127.0.0.1 (ephemeral port); `first` and `rest` are SSE text (e.g. one
  /// "data: {...}\n\n" event, and the remaining events with "data: [DONE]\n\n").
  HoldServer(std::string first, std::string rest);
  ~HoldServer();
  HoldServer(const HoldServer&) = delete;
  HoldServer& operator=(const HoldServer&) = delete;

  /// "http://127.0.0.1:<port>/v1"
  std::string base_url() const;
  /// Streams that got their first chunk and are being held.
  int held() const { return held_.load(); }
  /// Connections accepted so far.
  int connections() const { return connections_.load(); }
  /// Sends the rest of every held stream (and of every later one) and ends it.
  void release() { released_.store(true); }

 private:
  void run();
  std::string first_;
  std::string rest_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> released_{false};
  std::atomic<int> held_{0};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace lemma::test
