#include "support/hold_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <stdexcept>
#include <vector>

namespace lemma::test {

namespace {

std::string http_chunk(const std::string& bytes) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  return size + bytes + "\r\n";
}

struct Connection {
  std::string in;
  std::string out;
  bool answered = false;  // headers and the first chunk queued
  bool finished = false;  // the rest queued
};

// True once `in` holds a whole request (headers and a Content-Length body).
bool whole_request(const std::string& in) {
  const auto end = in.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  std::size_t length = 0;
  const auto at = in.find("Content-Length:");
  if (at != std::string::npos && at < end) length = std::strtoul(in.c_str() + at + 15, nullptr, 10);
  return in.size() >= end + 4 + length;
}

}  // namespace

HoldServer::HoldServer(std::string first, std::string rest)
    : first_(std::move(first)), rest_(std::move(rest)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket() failed");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 4096) != 0) {
    throw std::runtime_error("bind/listen on 127.0.0.1 failed");
  }
  socklen_t size = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &size);
  port_ = ntohs(addr.sin_port);
  if (::pipe2(wake_fds_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
  thread_ = std::thread([this] { run(); });
}

HoldServer::~HoldServer() {
  stopping_.store(true);
  (void)!::write(wake_fds_[1], "x", 1);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_fds_[0]);
  ::close(wake_fds_[1]);
}

std::string HoldServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
}

void HoldServer::run() {
  std::map<int, Connection> connections;
  std::vector<pollfd> fds;
  char buffer[16 * 1024];
  while (!stopping_.load()) {
    fds.clear();
    fds.push_back({listen_fd_, POLLIN, 0});
    fds.push_back({wake_fds_[0], POLLIN, 0});
    for (auto& [fd, c] : connections) {
      fds.push_back({fd, static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
    }
    ::poll(fds.data(), fds.size(), 20);  // also notices release() within 20 ms
    if (fds[0].revents & POLLIN) {
      while (true) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        connections[fd];
        ++connections_;
      }
    }
    const bool released = released_.load();
    std::vector<int> closed;
    for (std::size_t i = 2; i < fds.size(); ++i) {
      const int fd = fds[i].fd;
      Connection& c = connections[fd];
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
          closed.push_back(fd);
          continue;
        }
        if (n > 0) c.in.append(buffer, static_cast<std::size_t>(n));
      }
      if (!c.answered && whole_request(c.in)) {
        c.answered = true;
        c.out +=
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            "Transfer-Encoding: chunked\r\n\r\n" +
            http_chunk(first_);
        ++held_;
      }
      if (c.answered && !c.finished && released) {
        c.finished = true;
        c.out += http_chunk(rest_) + "0\r\n\r\n";
      }
      if (!c.out.empty()) {
        const ssize_t n = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n > 0) c.out.erase(0, static_cast<std::size_t>(n));
      }
      if (c.finished && c.out.empty()) {
        // The stream is over; a kept-alive connection may carry the next request.
        c = Connection();
        --held_;
      }
    }
    for (const int fd : closed) {
      if (connections[fd].answered && !connections[fd].finished) --held_;
      ::close(fd);
      connections.erase(fd);
    }
  }
  for (auto& [fd, c] : connections) ::close(fd);
}

}  // namespace lemma::test
