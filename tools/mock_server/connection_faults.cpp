#include "mock_server/connection_faults.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace lemma::tools::detail {

namespace {

int port_of(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, &address, sizeof v4);
    return ntohs(v4.sin_port);
  }
  if (address.ss_family == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, &address, sizeof v6);
    return ntohs(v6.sin6_port);
  }
  return -1;
}

int local_port(int fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return -1;
  return port_of(address);
}

int peer_port(int fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return -1;
  return port_of(address);
}

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

}  // namespace

int find_connection(int local, int remote) {
  if (local <= 0 || remote <= 0) return -1;
  const std::unique_ptr<DIR, DirCloser> dir(::opendir("/proc/self/fd"));
  if (!dir) return -1;
  const int own = ::dirfd(dir.get());
  while (const dirent* entry = ::readdir(dir.get())) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == own) continue;
    // A client socket of this process (in-process tests) has the two ports swapped.
    if (local_port(static_cast<int>(fd)) == local && peer_port(static_cast<int>(fd)) == remote) {
      return static_cast<int>(fd);
    }
  }
  return -1;
}

void reset_connection(int fd) {
  const linger abort_on_close{1, 0};  // close() then sends RST instead of FIN
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) {
    ::shutdown(fd, SHUT_RDWR);  // at least no response reaches the client
    return;
  }
  ::dup2(null_fd, fd);  // closes the socket: the only reference, so the RST goes out now
  ::close(null_fd);
}

bool peer_closed(int fd, std::chrono::milliseconds wait) {
  pollfd entry{fd, POLLRDHUP, 0};
  const int ready = ::poll(&entry, 1, static_cast<int>(wait.count()));
  return ready > 0 && (entry.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

}  // namespace lemma::tools::detail
