// What the async benchmarks measure about their own process, read from /proc (Linux): resident
// memory now and at its peak, threads, TCP connections to the server, CPU time. Shared by the
// peers of bench/run_async_bench (lemma_async_bench, lemma_async_bare_bench) so both are
// measured the same way; the Node peer (bench/node/async_bench.mjs) reads the same files.
#pragma once

#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace lemma_bench {

/// A "VmRSS:" / "VmHWM:" line of /proc/self/status, in KiB (0 when absent).
inline long status_kib(std::string_view field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.compare(0, field.size(), field) == 0)
      return std::strtol(line.c_str() + field.size(), nullptr, 10);
  return 0;
}

/// Resident memory now, KiB.
inline long rss_kib() {
  return status_kib("VmRSS:");
}
/// The highest resident memory this process has had, KiB.
inline long peak_rss_kib() {
  return status_kib("VmHWM:");
}

/// Threads of this process now (entries of /proc/self/task).
inline int thread_count() {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return 0;
  int threads = 0;
  while (const dirent* entry = readdir(dir))
    if (entry->d_name[0] != '.') ++threads;
  closedir(dir);
  return threads;
}

/// ESTABLISHED IPv4 connections whose remote end is 127.0.0.1:`port` (the client side of each
/// connection to the benchmark's server; only the benchmark talks to that port).
inline int established_to(int port) {
  std::ifstream tcp("/proc/net/tcp");
  std::string line;
  std::getline(tcp, line);  // header
  char wanted[16];
  std::snprintf(wanted, sizeof wanted, "0100007F:%04X", static_cast<unsigned>(port));
  int count = 0;
  while (std::getline(tcp, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (remote == wanted && state == "01") ++count;
  }
  return count;
}

/// User + system CPU seconds of this process so far (all its threads).
inline double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// The highest thread and connection counts seen. The driving loop calls maybe_sample() freely:
/// threads are counted at most every 20 ms, connections at most every 250 ms, because reading
/// /proc/net/tcp walks the kernel's whole connection table (every 20 ms it took a third of a
/// peer's CPU) while the count settles within the first milliseconds of a run.
class PeakSampler {
 public:
  explicit PeakSampler(int port) : port_(port) {}
  void maybe_sample() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_threads_ >= std::chrono::milliseconds(20)) {
      last_threads_ = now;
      threads_ = std::max(threads_, thread_count());
    }
    if (now - last_connections_ >= std::chrono::milliseconds(250)) {
      last_connections_ = now;
      connections_ = std::max(connections_, established_to(port_));
    }
  }
  int threads() const { return threads_; }
  int connections() const { return connections_; }

 private:
  int port_;
  std::chrono::steady_clock::time_point last_threads_{};
  std::chrono::steady_clock::time_point last_connections_{};
  int threads_ = 0;
  int connections_ = 0;
};

/// The command line of a peer: --flag value pairs.
class Args {
 public:
  Args(int argc, char** argv) {
    for (int i = 1; i + 1 < argc; i += 2) values_[argv[i]] = argv[i + 1];
  }
  std::string text(const std::string& flag, std::string fallback = {}) const {
    const auto it = values_.find(flag);
    return it == values_.end() ? fallback : it->second;
  }
  double number(const std::string& flag, double fallback) const {
    const auto it = values_.find(flag);
    return it == values_.end() ? fallback : std::strtod(it->second.c_str(), nullptr);
  }

 private:
  std::map<std::string, std::string> values_;
};

/// The command line every async peer takes; parse() prints the usage and returns nullopt when
/// it is wrong.
struct PeerOptions {
  std::string base;
  std::string mode;
  int in_flight = 64;
  double seconds = 1.0;
  double warmup = 0.3;
  int streams = 1000;

  static std::optional<PeerOptions> parse(int argc, char** argv, const char* program) {
    const Args args(argc, argv);
    PeerOptions o;
    o.base = args.text("--base-url");
    o.mode = args.text("--mode", "chat");
    o.in_flight = static_cast<int>(args.number("--in-flight", 64));
    o.seconds = args.number("--seconds", 1.0);
    o.warmup = args.number("--warmup", 0.3);
    o.streams = static_cast<int>(args.number("--streams", 1000));
    if (!o.base.empty() && (o.mode == "chat" || o.mode == "stream" || o.mode == "idle") &&
        o.in_flight > 0 && o.seconds > 0 && o.streams > 0) {
      return o;
    }
    std::fprintf(stderr,
                 "usage: %s --base-url http://127.0.0.1:PORT --mode chat|stream "
                 "[--in-flight N] [--seconds S] [--warmup S]\n"
                 "       %s --base-url http://127.0.0.1:HOLD_PORT --mode idle [--streams 1000]\n",
                 program, program);
    return std::nullopt;
  }
};

/// The port of "http://127.0.0.1:PORT/..." (0 when there is none).
inline int port_of(const std::string& url) {
  const auto host = url.find("://");
  const auto colon = url.find(':', host == std::string::npos ? 0 : host + 3);
  return colon == std::string::npos ? 0 : std::atoi(url.c_str() + colon + 1);
}

/// One measured run of a peer, printed as one JSON line for bench/run_async_bench.
struct RunFigures {
  std::string peer;   // "bare", "lemma", "node"
  std::string mode;   // "chat" (units: answers) or "stream" (units: chunks)
  int in_flight = 0;  // calls kept in flight
  double units = 0;
  double seconds = 0;
  double cpu = 0;
  long peak_rss_kib = 0;
  int threads = 0;
  int connections = 0;
  long failures = 0;

  void print() const {
    std::printf(
        "{\"peer\":\"%s\",\"mode\":\"%s\",\"in_flight\":%d,\"units\":%.0f,\"seconds\":%.6f,"
        "\"cpu\":%.6f,\"peak_rss_kib\":%ld,\"threads\":%d,\"connections\":%d,\"failures\":%ld}\n",
        peer.c_str(), mode.c_str(), in_flight, units, seconds, cpu, peak_rss_kib, threads,
        connections, failures);
    std::fflush(stdout);
  }
};

/// The request every peer sends (the server answers the same whatever it says).
inline const char* request_body(bool stream) {
  return stream
             ? R"({"model":"bench","messages":[{"role":"user","content":"What is 1+1?"}],"max_tokens":256,"stream":true,"stream_options":{"include_usage":true}})"
             : R"({"model":"bench","messages":[{"role":"user","content":"What is 1+1?"}],"max_tokens":256})";
}

}  // namespace lemma_bench
