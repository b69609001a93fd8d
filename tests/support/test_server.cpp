#include "test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace lemma::test {

namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

int make_listener(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    throw std::runtime_error("bind/listen on 127.0.0.1 failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

Reply Reply::http(int status, std::string body, Headers headers, std::string content_type) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
  if (!content_type.empty()) head += "Content-Type: " + content_type + "\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  return Reply().write(head + body);
}

Reply Reply::chunked(int status, std::string content_type, Headers headers) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
  head += "Content-Type: " + content_type + "\r\nTransfer-Encoding: chunked\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  return Reply().write(head + "\r\n");
}

Reply& Reply::chunk(const std::string& bytes) {
  if (bytes.empty()) return *this;  // an empty chunk would end the body
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  return write(size + bytes + "\r\n");
}

Reply& Reply::chunks(const std::vector<std::string>& pieces, std::chrono::milliseconds delay) {
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0 && delay.count() > 0) sleep(delay);
    chunk(pieces[i]);
  }
  return *this;
}

Reply& Reply::write(std::string bytes) {
  steps_.push_back({Step::Kind::write, std::move(bytes), {}});
  return *this;
}
Reply& Reply::sleep(std::chrono::milliseconds delay) {
  steps_.push_back({Step::Kind::sleep, {}, delay});
  return *this;
}
Reply& Reply::drip(const std::string& bytes, std::size_t piece, std::chrono::milliseconds delay) {
  for (std::size_t i = 0; i < bytes.size(); i += piece) {
    if (i > 0) sleep(delay);
    write(bytes.substr(i, piece));
  }
  return *this;
}
Reply& Reply::close() {
  steps_.push_back({Step::Kind::close, {}, {}});
  return *this;
}
Reply& Reply::stall() {
  steps_.push_back({Step::Kind::stall, {}, {}});
  return *this;
}

TestServer::TestServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = make_listener(port_);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestServer::~TestServer() {
  stop();
}

std::string TestServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
}

std::vector<RecordedRequest> TestServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

bool TestServer::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

void TestServer::stop() {
  if (stopping_.exchange(true)) return;
  stop_cv_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& worker : workers_) worker.join();
  ::close(listen_fd_);
}

bool TestServer::wait_stop_for(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mutex_);
  return stop_cv_.wait_for(lock, delay, [this] { return stopping_.load(); });
}

void TestServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const int connection = ++connections_;
    std::lock_guard<std::mutex> lock(mutex_);
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd, connection] { serve(fd, connection); });
  }
}

bool TestServer::send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
    bytes_written_ += static_cast<std::size_t>(n);
  }
  return true;
}

bool TestServer::read_request(int fd, std::string& pending, RecordedRequest& out) {
  auto fill = [&]() -> bool {
    char buffer[16384];
    while (!stopping_) {
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, 20);
      if (ready < 0) return false;
      if (ready == 0) continue;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return false;
      pending.append(buffer, static_cast<std::size_t>(n));
      return true;
    }
    return false;
  };
  std::size_t head_end;
  while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return false;
  }
  const std::string head = pending.substr(0, head_end);
  std::size_t line_end = head.find("\r\n");
  const std::string request_line = head.substr(0, line_end);
  const auto first_space = request_line.find(' ');
  const auto second_space = request_line.find(' ', first_space + 1);
  out.method = request_line.substr(0, first_space);
  out.target = request_line.substr(first_space + 1, second_space - first_space - 1);
  std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    const std::string line = head.substr(pos, end - pos);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      out.headers.add(line.substr(0, colon), value);
    }
    pos = end + 2;
  }
  const std::size_t length = std::stoul(out.headers.get("content-length").value_or("0"));
  const std::size_t body_start = head_end + 4;
  while (pending.size() < body_start + length) {
    if (!fill()) return false;
  }
  out.body = pending.substr(body_start, length);
  pending.erase(0, body_start + length);
  return true;
}

void TestServer::serve(int fd, int connection) {
  std::string pending;
  bool open = true;
  while (open && !stopping_) {
    RecordedRequest request;
    if (!read_request(fd, pending, request)) break;
    request.connection = connection;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(request);
    }
    arrived_.notify_all();
    const Reply reply = handler_(request);
    for (const auto& step : reply.steps()) {
      if (!open || stopping_) break;
      switch (step.kind) {
        case Reply::Step::Kind::write: open = send_all(fd, step.bytes); break;
        case Reply::Step::Kind::sleep: open = !wait_stop_for(step.delay); break;
        case Reply::Step::Kind::close: open = false; break;
        case Reply::Step::Kind::stall:
          wait_stop_for(std::chrono::hours(1));
          open = false;
          break;
      }
    }
  }
  ::shutdown(fd, SHUT_RDWR);
  std::lock_guard<std::mutex> lock(mutex_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  ::close(fd);
}

int unused_port() {
  int port = 0;
  const int fd = make_listener(port);
  ::close(fd);  // nothing listens there any more: connections are refused
  return port;
}

}  // namespace lemma::test
