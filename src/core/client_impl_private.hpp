#pragma once
// Client::Impl: what every call of one Client shares (provider, options, queue, shaper, seeds,
// clock) and the steps calls are made of (check, prepare, shape, retry, decode, report). The
// blocking calls (client.cpp) and the event-loop calls (client_async.cpp) are built from it.

#include <atomic>
#include <map>
#include <mutex>
#include <type_traits>

#include "core/call_queue_private.hpp"
#include "core/chat_stream_state_private.hpp"
#include "core/error_text_private.hpp"
#include "core/event_loop_private.hpp"
#include "core/rate_limiter_private.hpp"
#include "core/request_headers_private.hpp"
#include "core/retry_run_private.hpp"
#include "core/seed_source_private.hpp"
#include "lemma/client.hpp"
#include "lemma/future.hpp"
#include "lemma/wire.hpp"

namespace lemma {

inline ClientOptions with_transport(ClientOptions options) {
  if (!options.transport) options.transport = std::make_shared<CurlTransport>(options.curl);
  return options;
}

namespace detail {

class AsyncCall;

// A stream cut after its headers but before its first chunk (a proxy that gives up during a
// long prefill, a server restarting) delivered nothing: to the caller it is a connection that
// broke before the response, and it is retried as one. What the server said (an error event,
// [DONE] alone) and a body that broke the protocol are left as they are.
inline Error before_first_chunk(Error error) {
  const bool transport = error.kind == ErrorKind::connection || error.kind == ErrorKind::timeout;
  const bool cut = error.kind == ErrorKind::protocol && error.code == "truncated";
  if (!transport && !cut) return error;
  if (cut) error.kind = ErrorKind::connection;
  error.phase = ErrorPhase::before_response;
  return error;
}

}  // namespace detail

class Client::Impl : public std::enable_shared_from_this<Client::Impl> {
 public:
  Impl(std::shared_ptr<const Provider> provider, ClientOptions options)
      : provider_(std::move(provider)),
        options_(with_transport(std::move(options))),
        queue_(options_.max_concurrent_calls),
        shaper_(options_),
        clock_(options_.clock ? options_.clock : lemma::Clock::steady()) {}

  const Provider* provider() const noexcept { return provider_.get(); }
  const ClientOptions& options() const noexcept { return options_; }

  using Mode = detail::RequestShaper::Mode;

  // The Client's and the call's settings, applied to a provider's request (request_headers.cpp).
  void apply(HttpRequest& request, const CallOptions& call, Mode mode = Mode::whole) const {
    shaper_.per_call(request, call, mode,
                     [this](const std::string& warning) { log(LogLevel::warning, warning); });
  }

  using Clock = std::chrono::steady_clock;

  static std::chrono::milliseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  }

  // Removes secrets a server may have echoed back and escapes its control characters.
  void redact(Error& error) const { detail::sanitize(error, provider_.get()); }

  // Errors are decoded from a copy of the response with the provider's secrets scrubbed, so
  // that no excerpt cut from the body can end inside a key.
  HttpResponse scrubbed(const HttpResponse& response) const {
    HttpResponse copy = response;
    if (provider_) provider_->redact(copy.body);
    return copy;
  }
  Error decode_error(const HttpResponse& response) const {
    Error error = provider_->decode_error(scrubbed(response));
    error.phase = ErrorPhase::response_started;
    return error;
  }
  // A success body that fails to decode is decoded again, scrubbed, for the error's excerpts.
  template <typename T, typename Decode>
  Result<T> decode_success(const HttpResponse& response, Decode&& decode) const {
    Result<T> decoded = decode(response);
    if (decoded) return decoded;
    decoded.error().phase = ErrorPhase::response_started;
    const HttpResponse clean = scrubbed(response);
    if (clean.body == response.body) return decoded;
    Result<T> again = decode(clean);
    if (again) return decoded;
    again.error().phase = ErrorPhase::response_started;
    return again;
  }

  // Every error leaves through here.
  Error finish(Error error) const {
    redact(error);
    return error;
  }

  // Whether a line at `level` would reach the sink: the per-call lines are built only then, so
  // a Client without a log sink spends nothing on them (the request line copies the body).
  bool logs(LogLevel level) const {
    return options_.log_sink && level >= options_.log_level && options_.log_level != LogLevel::off;
  }

  void log(LogLevel level, std::string line) const {
    if (!logs(level)) return;
    if (provider_) provider_->redact(line);
    detail::make_printable(line);  // one line, whatever a server put into it
    options_.log_sink(level, line);
  }

  CallInfo call_info(const char* operation, const std::string& model) const {
    CallInfo info;
    info.call_id = ++next_call_id_;
    info.operation = operation;
    info.provider = provider_ ? provider_->name() : std::string();
    info.model = model;
    return info;
  }

  // Lets the provider learn what it needs from the server first (Provider::prepare), before
  // the call is reported to the observer, so that the call carries the provider's final name.
  std::optional<Error> prepare(CallInfo& info) const {
    if (!provider_) return no_provider();
    Result<Done> ready = provider_->prepare(*options_.transport);
    const std::string name = provider_->name();
    if (name != info.provider) {
      log(LogLevel::info, "provider '" + info.provider + "' is '" + name + "' from now on");
      info.provider = name;
    }
    if (!ready) return ready.error();
    return std::nullopt;
  }

  // Waits for a place among the calls in flight (ClientOptions::max_concurrent_calls).
  Result<detail::CallQueue::Entry> enter_queue(const CallOptions& call) const {
    return queue_.enter(call.cancellation.get(), options_.queue_timeout);
  }

  // Runs `attempt_once` under the call's retry policy: the same request (and idempotency key)
  // on every attempt, each bounded by the call's deadline. Reports each attempt.
  template <typename T, typename Attempt>
  Result<T> with_retries(HttpRequest& request, const CallOptions& call, const CallInfo& info,
                         Attempt attempt_once, int* attempts_made = nullptr) const {
    const RetryPolicy& policy = call.retry ? *call.retry : options_.retry;
    detail::RetryRun run(policy, call.cancellation, seeds_.next(), clock_);
    detail::RequestShaper::idempotency(request, policy, seeds_);
    if (logs(LogLevel::debug)) {
      log(LogLevel::debug, "call " + std::to_string(info.call_id) + " " + info.operation + ": " +
                               request.to_redacted_string());
    }
    const auto timeout = request.timeout;
    for (int attempt = 1;; ++attempt) {
      detail::RequestShaper::per_attempt(request, timeout, run);
      const auto attempt_start = Clock::now();
      AttemptInfo report;
      Result<T> result = attempt_once(static_cast<const HttpRequest&>(request), report);
      report.attempt = attempt;
      // A stream's attempt reads on to its first chunk, and measures its headers itself.
      if (report.time_to_headers.count() == 0) report.time_to_headers = since(attempt_start);
      if (attempts_made) *attempts_made = attempt;
      if (result) {
        if (options_.observer) options_.observer->on_attempt_end(info, report);
        return result;
      }
      Error error = std::move(result.error());
      redact(error);
      pause_for(error);
      const std::string failure = error.what();
      const detail::RetryStep step = run.next(error, attempt);
      const bool retry = step.action == detail::RetryStep::Action::retry;
      report.http_status = error.http_status;
      report.error = std::move(error);
      report.will_retry = retry;
      report.retry_delay = step.delay;
      if (options_.observer) options_.observer->on_attempt_end(info, report);
      if (!retry) return finish(*step.error);
      log(LogLevel::warning, "call " + std::to_string(info.call_id) + " attempt " +
                                 std::to_string(attempt) + " failed (" + failure +
                                 "); retrying in " + std::to_string(step.delay.count()) + " ms");
      if (run.wait(step)) return finish(run.cancelled_while_waiting(attempt));
      if (!retry_rate_slot(call)) return finish(run.cancelled_while_waiting(attempt));
    }
  }

  // A retry is a request too: the provider counts it, so it waits for a start slot of the rate
  // limits (one request, no tokens: a failed attempt produced none). False when cancelled.
  bool retry_rate_slot(const CallOptions& call) const {
    if (!limiter_.active()) return true;
    std::chrono::milliseconds waited{0};
    auto ticket = wait_for_rate(0, call, waited);
    if (!ticket) return false;
    settle_rate(*ticket, std::nullopt);
    return true;
  }

  // One exchange: encode, then send with retries, decoding the success or error body.
  template <typename T, typename Encode, typename Decode>
  Result<T> exchange(CallInfo info, const CallOptions& call, std::int64_t tokens, Encode encode,
                     Decode decode) const {
    const auto start = Clock::now();
    // The caller's headers are checked before anything, including a provider's preparation,
    // is sent.
    std::optional<Error> unprepared = check(call);
    if (!unprepared) unprepared = prepare(info);
    if (options_.observer) options_.observer->on_call_start(info);
    int attempts = 1;
    CallOutcome outcome;
    Result<T> result = [&]() -> Result<T> {
      if (unprepared) return finish(std::move(*unprepared));
      auto entered = enter_queue(call);
      if (!entered) return finish(std::move(entered.error()));
      outcome.queue_time = entered->waited;
      auto ticket = wait_for_rate(tokens, call, outcome.queue_time);
      if (!ticket) return finish(std::move(ticket.error()));
      Result<T> done = exchange_once<T>(info, call, encode, decode, attempts);
      std::optional<Usage> usage;
      if constexpr (std::is_same_v<T, ChatResponse>) {
        if (done) usage = done->usage;
      }
      settle_rate(*ticket, usage);
      return done;
    }();  // the call's place in the queue is given up here
    outcome.total = since(start);
    outcome.attempts = attempts;
    if (!result) {
      outcome.error = result.error();
      outcome.attempts = result.error().attempts;
      outcome.request_id = result.error().request_id;
      log(LogLevel::info,
          "call " + std::to_string(info.call_id) + " failed: " + result.error().what());
    } else {
      if constexpr (std::is_same_v<T, ChatResponse>) {
        outcome.usage = result->usage;
        outcome.cost_usd = result->cost_usd;
      }
      if (logs(LogLevel::debug)) {
        log(LogLevel::debug, "call " + std::to_string(info.call_id) + " succeeded in " +
                                 std::to_string(outcome.total.count()) + " ms");
      }
    }
    if (options_.observer) options_.observer->on_call_end(info, outcome);
    return result;
  }

  template <typename T, typename Encode, typename Decode>
  Result<T> exchange_once(const CallInfo& info, const CallOptions& call, Encode& encode,
                          Decode& decode, int& attempts) const {
    Result<HttpRequest> request = encode();
    if (!request) return finish(request.error());
    apply(*request, call);
    return with_retries<T>(
        *request, call, info,
        [&](const HttpRequest& attempt, AttemptInfo& report) {
          return send_once<T>(attempt, report, decode);
        },
        &attempts);
  }

  // One attempt of a whole exchange: send, report, read the rate-limit headers, then decode
  // the error or the success body (a body that fails to decode keeps the status and id).
  template <typename T, typename Decode>
  Result<T> send_once(const HttpRequest& attempt, AttemptInfo& report, Decode& decode) const {
    Result<HttpResponse> response = options_.transport->send(attempt);
    if (!response) return response.error();
    report.http_status = response->status;
    report.connect_time = response->connect_time;
    observe_rate(response->headers);
    if (!response->is_success()) return decode_error(*response);
    Result<T> decoded = decode_success<T>(*response, decode);
    if (!decoded) {
      Error error = decoded.error();
      error.http_status = response->status;
      if (error.request_id.empty()) error.request_id = wire::request_id_from(response->headers);
      return error;
    }
    return decoded;
  }

  static Error no_provider() {
    return invalid_request_error("provider",
                                 "The Client has no provider; construct it with e.g. "
                                 "lemma::providers::openai_compatible(base_url, api_key).");
  }

  Result<std::unique_ptr<ChatStream::State>> start_stream(const HttpRequest& request,
                                                          Clock::time_point start,
                                                          AttemptInfo& report) const;

  ChatStream stream(const ChatRequest& request, const CallOptions& call) const;

  // --- Rate limits (ClientOptions::rate_limit, x-ratelimit-* headers, 429s) ---

  // Caller mistakes in the Client's and the call's settings, returned before any I/O.
  std::optional<Error> check(const CallOptions& call) const {
    if (options_.queue_timeout.count() < 0) {
      return invalid_request_error("queue_timeout",
                                   "ClientOptions::queue_timeout is negative (" +
                                       std::to_string(options_.queue_timeout.count()) +
                                       " ms); use 0 for no limit or a positive duration.");
    }
    if (auto error = detail::RateLimiter::check(options_.rate_limit)) return error;
    return shaper_.check(call);
  }
  // Blocking: waits on the Client's clock until the rate limits let a call of `tokens` start
  // (first come first served; a pause that began meanwhile is waited for too), adding the wait
  // to `queued`. A cancelled call gives its claim back.
  Result<detail::RateLimiter::Ticket> wait_for_rate(std::int64_t tokens, const CallOptions& call,
                                                    std::chrono::milliseconds& queued) const {
    if (!limiter_.active()) return detail::RateLimiter::Ticket{};
    const auto asked = clock_->now();
    auto [at, ticket] = limiter_.reserve(asked, tokens);
    // A pause (a 429) that began meanwhile books the call again behind it.
    for (std::tie(at, ticket) = limiter_.rebook_after_pause(at, ticket, tokens, clock_->now());
         at > clock_->now();
         std::tie(at, ticket) = limiter_.rebook_after_pause(at, ticket, tokens, clock_->now())) {
      if (clock_->sleep_until(at, call.cancellation.get())) {
        limiter_.release(ticket, clock_->now());
        Error error = make_error(ErrorKind::cancelled,
                                 "The call was cancelled while waiting for the Client's rate "
                                 "limit (ClientOptions::rate_limit or the server's).");
        error.phase = ErrorPhase::before_send;
        return error;
      }
    }
    queued += std::chrono::duration_cast<std::chrono::milliseconds>(clock_->now() - asked);
    return ticket;
  }
  // A sent call's real usage corrects its estimate (unknown usage: the estimate stands).
  void settle_rate(const detail::RateLimiter::Ticket& ticket,
                   const std::optional<Usage>& usage) const {
    if (ticket.id == 0) return;
    limiter_.settle(ticket, usage ? usage->total_tokens : ticket.tokens, clock_->now());
  }
  void observe_rate(const Headers& headers) const { limiter_.observe(headers, clock_->now()); }
  // A 429's Retry-After pauses every call of the Client, not only the one that got it.
  void pause_for(const Error& error) const {
    if (error.kind == ErrorKind::rate_limited && error.retry_after) {
      limiter_.pause_until(clock_->now() + *error.retry_after);
    }
  }

  // --- The event loop (client_async.cpp) ---

  // Starts one async call: checks and encodes on the calling thread (caller mistakes end the
  // call before any I/O), then hands it to the loop. `done` runs exactly once.
  void start_async(const ChatRequest& request, const CallOptions& call, bool streaming,
                   StreamCallbacks callbacks, std::function<void(Result<ChatResponse>)> done,
                   detail::FutureState<Result<ChatResponse>>* future) const;
  // The loop, started on first use; null once shut down.
  std::shared_ptr<detail::EventLoop> loop() const;
  // The last Client copy is gone: ends every async call in flight with `cancelled` and stops
  // the loop (waits for its thread unless called on it).
  void shutdown() const;
  // Decodes a whole chat answer: the model name when the server left it out, and the cost.
  Result<ChatResponse> decode_chat_answer(const HttpResponse& response,
                                          const std::string& model) const {
    Result<ChatResponse> decoded = provider_->decode_chat(response);
    if (decoded && decoded->model.empty()) decoded->model = model;
    if (decoded) decoded->request_id = wire::request_id_from(response.headers);
    if (decoded && decoded->usage) {
      if (const ModelSpec* spec = provider_->model_spec(model)) {
        decoded->cost_usd = spec->cost(*decoded->usage);
      }
    }
    return decoded;
  }

 private:
  friend class detail::AsyncCall;
  std::shared_ptr<const Provider> provider_;
  ClientOptions options_;
  mutable std::atomic<std::uint64_t> next_call_id_{0};
  detail::CallQueue queue_;
  detail::RequestShaper shaper_;  // refers to options_
  mutable detail::SeedSource seeds_;
  std::shared_ptr<const lemma::Clock> clock_;
  mutable detail::RateLimiter limiter_{options_.rate_limit};
  mutable std::mutex loop_mutex_;
  mutable std::shared_ptr<detail::EventLoop> loop_;  // guarded by loop_mutex_
  // Cancelled when the last Client copy goes: stops transfers the loop cannot reach.
  mutable CancellationToken shutdown_token_;
  mutable bool shut_down_ = false;  // guarded by loop_mutex_
  // The calls in flight on the loop (loop thread only).
  mutable std::map<std::uint64_t, std::shared_ptr<detail::AsyncCall>> async_calls_;
};

}  // namespace lemma
