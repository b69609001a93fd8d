// lemma-mock-server: a local OpenAI-compatible endpoint for demos and offline tests.
//
//   lemma-mock-server [--host 127.0.0.1] [--port 0] [--port-file FILE] [--api-key KEY]
//                     [--delay-ms N] [--chunk-delay-ms N] [--threads N]
//                     [--log-requests FILE]
//
// Prints the base URL, writes the port to FILE when asked, and serves until SIGINT/SIGTERM.

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "mock_server/mock_endpoint.hpp"

namespace {

int usage(const char* problem) {
  std::cerr << "lemma-mock-server: " << problem << "\n"
            << "usage: lemma-mock-server [--host ADDR] [--port N] [--port-file FILE] "
               "[--api-key KEY] [--delay-ms N] [--chunk-delay-ms N] [--threads N] "
               "[--log-requests FILE]\n";
  return 2;
}

bool parse_int(const std::string& text, long min, long max, long& out) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < min || value > max) return false;
  out = value;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  lemma::tools::MockEndpointOptions options;
  std::string port_file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << "lemma-mock-server: a local OpenAI-compatible mock endpoint\n"
                   "usage: lemma-mock-server [--host ADDR] [--port N] [--port-file FILE] "
                   "[--api-key KEY] [--delay-ms N] [--chunk-delay-ms N] [--threads N] "
                   "[--log-requests FILE]\n"
                   "  --delay-ms N          wait N ms before each answer (a model's latency)\n"
                   "  --log-requests FILE   append each chat request's last user message to "
                   "FILE, one line per request\n";
      return 0;
    }
    if (i + 1 >= argc) return usage(("missing value after " + arg).c_str());
    const std::string value = argv[++i];
    long number = 0;
    if (arg == "--host") {
      options.host = value;
    } else if (arg == "--port") {
      if (!parse_int(value, 0, 65535, number)) return usage("--port takes 0..65535");
      options.port = static_cast<int>(number);
    } else if (arg == "--port-file") {
      port_file = value;
    } else if (arg == "--api-key") {
      options.api_key = value;
    } else if (arg == "--chunk-delay-ms") {
      if (!parse_int(value, 0, 60000, number)) return usage("--chunk-delay-ms takes 0..60000");
      options.chunk_delay = std::chrono::milliseconds(number);
    } else if (arg == "--threads") {
      if (!parse_int(value, 1, 4096, number)) return usage("--threads takes 1..4096");
      options.threads = static_cast<int>(number);
    } else if (arg == "--delay-ms") {
      if (!parse_int(value, 0, 600000, number)) return usage("--delay-ms takes 0..600000");
      options.delay = std::chrono::milliseconds(number);
    } else if (arg == "--log-requests") {
      options.request_log = value;
    } else {
      return usage(("unknown option " + arg).c_str());
    }
  }

  // Block the stop signals before starting threads, then wait for one synchronously: no work
  // happens inside a signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  lemma::tools::MockEndpoint endpoint(options);
  const int port = endpoint.start();
  if (port <= 0) {
    std::cerr << "lemma-mock-server: cannot listen on " << options.host << ":" << options.port
              << (options.request_log.empty() ? "" : " or cannot open the --log-requests file")
              << "\n";
    return 1;
  }
  std::cout << "lemma-mock-server listening on " << endpoint.base_url() << std::endl;
  if (!port_file.empty()) {
    const std::string temp = port_file + ".tmp";
    std::ofstream(temp) << port << "\n";
    std::rename(temp.c_str(), port_file.c_str());  // atomic: readers never see a partial file
  }
  int received = 0;
  sigwait(&signals, &received);
  endpoint.stop();
  return 0;
}
