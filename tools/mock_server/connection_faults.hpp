#pragma once

// Socket-level faults for the mock endpoint's scenarios. cpp-httplib hands a handler no socket,
// so the connection is found by its ports (Linux: /proc/self/fd); it stays owned by httplib,
// which closes it after the handler returns.

#include <chrono>

namespace lemma::tools::detail {

/// The descriptor of this process's TCP connection whose local port is `local_port` and whose
/// peer's port is `remote_port` (a request's local_port and remote_port), or -1.
int find_connection(int local_port, int remote_port);

/// Resets the connection (RST, no response) and leaves a /dev/null descriptor in its place, so
/// httplib's later writes and its close() touch no socket (no SIGPIPE, no double close).
void reset_connection(int fd);

/// Waits up to `wait` for the peer to close its side; true when it has.
bool peer_closed(int fd, std::chrono::milliseconds wait);

}  // namespace lemma::tools::detail
