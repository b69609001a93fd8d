#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "lemma/chat.hpp"
#include "lemma/error.hpp"
#include "lemma/export.hpp"
#include "lemma/stream.hpp"

namespace lemma {

/// Which call an event belongs to.
struct CallInfo {
  /// Increasing per Client, for correlating the events of one call.
  std::uint64_t call_id = 0;
  /// "chat", "stream" or "models".
  std::string operation;
  /// Provider::name().
  std::string provider;
  /// The requested model ("" for models()).
  std::string model;
};

/// One attempt of a call ending (successfully or not).
struct AttemptInfo {
  /// 1-based attempt number.
  int attempt = 1;
  /// Time from the attempt's start until the response status and headers arrived (or until
  /// it failed, when it failed before that).
  std::chrono::milliseconds time_to_headers{0};
  /// Time spent connecting (TCP + TLS), when the transport reports it; 0 when an idle
  /// connection was reused.
  std::optional<std::chrono::milliseconds> connect_time;
  /// HTTP status, 0 when none was received.
  int http_status = 0;
  /// The attempt's error, if it failed.
  std::optional<Error> error;
  /// Whether it will be retried, and after how long.
  bool will_retry = false;
  /// The backoff before the next attempt.
  std::chrono::milliseconds retry_delay{0};
};

/// How a call ended.
struct CallOutcome {
  /// The call's error; nullopt when it succeeded.
  std::optional<Error> error;
  /// Attempts made.
  int attempts = 1;
  /// Time from the call's start to its end (queue_time included).
  std::chrono::milliseconds total{0};
  /// Time the call waited for a place (ClientOptions::max_concurrent_calls) before its first
  /// attempt; 0 without a limit.
  std::chrono::milliseconds queue_time{0};
  /// Streams: time from the call's start to the first content or reasoning token.
  std::optional<std::chrono::milliseconds> time_to_first_token;
  /// Token usage, when the server reported it.
  std::optional<Usage> usage;
  /// Cost in US dollars, when the model's prices are known.
  std::optional<double> cost_usd;
  /// The server's request id, when known.
  std::string request_id;
};

/// Receives events from every call of a Client (ClientOptions::observer): for metrics,
/// tracing or logging. Callbacks run on the calling thread and must be thread-safe when the
/// Client is shared; keep them cheap (on_chunk runs once per token).
class LEMMA_EXPORT Observer {
 public:
  virtual ~Observer() = default;
  /// A call starts.
  virtual void on_call_start(const CallInfo& call) { (void)call; }
  /// An attempt ended; `attempt.will_retry` tells whether another follows.
  virtual void on_attempt_end(const CallInfo& call, const AttemptInfo& attempt) {
    (void)call;
    (void)attempt;
  }
  /// A stream delivered its first content or reasoning token.
  virtual void on_first_token(const CallInfo& call, std::chrono::milliseconds since_start) {
    (void)call;
    (void)since_start;
  }
  /// A stream delivered a chunk.
  virtual void on_chunk(const CallInfo& call, const ChatChunk& chunk) {
    (void)call;
    (void)chunk;
  }
  /// A call ended (streams: when the stream finished, failed or was destroyed).
  virtual void on_call_end(const CallInfo& call, const CallOutcome& outcome) {
    (void)call;
    (void)outcome;
  }
};

/// Severity of a log line.
enum class LogLevel { debug, info, warning, error, off };

/// Returns "debug", "info", "warning", "error" or "off".
LEMMA_EXPORT std::string_view to_string(LogLevel level) noexcept;

/// Where lemma's log lines go (ClientOptions::log_sink). Lines never contain API keys:
/// credentials are redacted before a line is formed.
using LogSink = std::function<void(LogLevel level, std::string_view line)>;

}  // namespace lemma
