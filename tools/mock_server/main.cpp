// lemma-mock-server: a local OpenAI-compatible endpoint for demos and offline tests.
//
//   lemma-mock-server [--host 127.0.0.1] [--port 0] [--port-file FILE] [--api-key KEY]
//                     [--delay-ms N] [--chunk-delay-ms N] [--threads N]
//                     [--log-requests FILE] [--scenario FILE.json]
//
// Prints the base URL, writes the port to FILE when asked, and serves until SIGINT/SIGTERM.
// Exit codes: 0 stopped by a signal (or --help), 1 cannot listen, 2 bad arguments or scenario.

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "mock_server/mock_endpoint.hpp"
#include "mock_server/scenario.hpp"

namespace {

constexpr int kExitCannotListen = 1;
constexpr int kExitUsage = 2;

}  // namespace

int main(int argc, char** argv) {
  lemma::tools::MockEndpointOptions options;
  std::string port_file;
  std::string scenario_file;
  long delay_ms = 0;
  long chunk_delay_ms = 0;

  CLI::App app{
      "lemma-mock-server: a local OpenAI-compatible mock endpoint (POST /v1/chat/completions, "
      "GET /v1/models, GET /health). It answers \"a + b\", \"a - b\" and \"a * b\" with a "
      "reasoning trace, a \\boxed{} answer and usage, whole or streamed; --scenario FILE.json "
      "scripts other answers, errors and faults."};
  app.add_option("--host", options.host, "Address to listen on")
      ->type_name("ADDR")
      ->capture_default_str();
  app.add_option("--port", options.port, "Port to listen on (0..65535); 0 picks a free one")
      ->type_name("N")
      ->check(CLI::Range(0, 65535).description(""))
      ->capture_default_str();
  app.add_option("--port-file", port_file,
                 "Write the port to FILE once listening (atomically: written, then renamed)")
      ->type_name("FILE");
  app.add_option("--api-key", options.api_key,
                 "Require \"Authorization: Bearer KEY\" on every request")
      ->type_name("KEY");
  app.add_option("--delay-ms", delay_ms,
                 "Wait N ms (0..600000) before each answer (a model's latency)")
      ->type_name("N")
      ->check(CLI::Range(0L, 600000L).description(""))
      ->capture_default_str();
  app.add_option("--chunk-delay-ms", chunk_delay_ms,
                 "Streams: wait N ms (0..60000) between two events")
      ->type_name("N")
      ->check(CLI::Range(0L, 60000L).description(""))
      ->capture_default_str();
  app.add_option("--threads", options.threads,
                 "Requests served at once (1..4096; each kept-alive connection holds one)")
      ->type_name("N")
      ->check(CLI::Range(1, 4096).description(""))
      ->capture_default_str();
  app.add_option("--log-requests", options.request_log,
                 "Append each chat request's last user message to FILE, one line per request")
      ->type_name("FILE");
  app.add_option("--scenario", scenario_file,
                 "Answer by the rules in FILE.json (README.md, \"Scripted answers\"); an "
                 "unreadable or invalid file stops the server before it starts (exit 2)")
      ->type_name("FILE");
  app.footer(
      "Example:\n"
      "  lemma-mock-server --port 0 --port-file port.txt --scenario examples/data/"
      "sample_scenario.json\n"
      "Exit codes: 0 stopped by SIGINT/SIGTERM, 1 cannot listen (or open the --log-requests "
      "file), 2 bad arguments or scenario.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      app.exit(e);  // --help
      return 0;
    }
    std::cerr << "lemma-mock-server: " << e.what() << " (see lemma-mock-server --help)\n";
    return kExitUsage;
  }
  options.delay = std::chrono::milliseconds(delay_ms);
  options.chunk_delay = std::chrono::milliseconds(chunk_delay_ms);
  if (!scenario_file.empty()) {
    lemma::Result<lemma::tools::Scenario> scenario = lemma::tools::load_scenario(scenario_file);
    if (!scenario) {
      std::cerr << "lemma-mock-server: " << scenario.error().message << "\n";
      return kExitUsage;
    }
    options.scenario = std::make_shared<const lemma::tools::Scenario>(std::move(*scenario));
  }

  // A client that hangs up mid-answer must cost a write error, not the process.
  std::signal(SIGPIPE, SIG_IGN);
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
    return kExitCannotListen;
  }
  std::cout << "lemma-mock-server listening on " << endpoint.base_url()
            << (scenario_file.empty() ? "" : " (scenario " + scenario_file + ")") << std::endl;
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
