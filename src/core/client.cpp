#include "lemma/client.hpp"

#include <atomic>
#include <type_traits>

#include "core/call_queue_private.hpp"
#include "core/chat_stream_state_private.hpp"
#include "core/error_text_private.hpp"
#include "core/request_headers_private.hpp"
#include "core/retry_run_private.hpp"
#include "core/seed_source_private.hpp"
#include "lemma/wire.hpp"

namespace lemma {

namespace {

ClientOptions with_transport(ClientOptions options) {
  if (!options.transport) options.transport = std::make_shared<CurlTransport>(options.curl);
  return options;
}

}  // namespace

class Client::Impl {
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
    return provider_->decode_error(scrubbed(response));
  }
  // A success body that fails to decode is decoded again, scrubbed, for the error's excerpts.
  template <typename T, typename Decode>
  Result<T> decode_success(const HttpResponse& response, Decode&& decode) const {
    Result<T> decoded = decode(response);
    if (decoded) return decoded;
    const HttpResponse clean = scrubbed(response);
    if (clean.body == response.body) return decoded;
    Result<T> again = decode(clean);
    return again ? decoded : again;
  }

  // Every error leaves through here.
  Error finish(Error error) const {
    redact(error);
    return error;
  }

  void log(LogLevel level, std::string line) const {
    if (!options_.log_sink || level < options_.log_level || options_.log_level == LogLevel::off) {
      return;
    }
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
    log(LogLevel::debug, "call " + std::to_string(info.call_id) + " " + info.operation + ": " +
                             request.to_redacted_string());
    const auto timeout = request.timeout;
    for (int attempt = 1;; ++attempt) {
      detail::RequestShaper::per_attempt(request, timeout, run);
      const auto attempt_start = Clock::now();
      AttemptInfo report;
      Result<T> result = attempt_once(static_cast<const HttpRequest&>(request), report);
      report.attempt = attempt;
      report.time_to_headers = since(attempt_start);
      if (attempts_made) *attempts_made = attempt;
      if (result) {
        if (options_.observer) options_.observer->on_attempt_end(info, report);
        return result;
      }
      Error error = std::move(result.error());
      redact(error);
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
    }
  }

  // One exchange: encode, then send with retries, decoding the success or error body.
  template <typename T, typename Encode, typename Decode>
  Result<T> exchange(CallInfo info, const CallOptions& call, Encode encode, Decode decode) const {
    const auto start = Clock::now();
    // The caller's headers are checked before anything, including a provider's preparation,
    // is sent.
    std::optional<Error> unprepared = shaper_.check(call);
    if (!unprepared) unprepared = prepare(info);
    if (options_.observer) options_.observer->on_call_start(info);
    int attempts = 1;
    CallOutcome outcome;
    Result<T> result = [&]() -> Result<T> {
      if (unprepared) return finish(std::move(*unprepared));
      auto entered = enter_queue(call);
      if (!entered) return finish(std::move(entered.error()));
      outcome.queue_time = entered->waited;
      return exchange_once<T>(info, call, encode, decode, attempts);
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
      log(LogLevel::debug, "call " + std::to_string(info.call_id) + " succeeded in " +
                               std::to_string(outcome.total.count()) + " ms");
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
        [&](const HttpRequest& attempt, AttemptInfo& report) -> Result<T> {
          Result<HttpResponse> response = options_.transport->send(attempt);
          if (!response) return response.error();
          report.http_status = response->status;
          report.connect_time = response->connect_time;
          if (!response->is_success()) return decode_error(*response);
          Result<T> decoded = decode_success<T>(*response, decode);
          if (!decoded) {
            Error error = decoded.error();
            error.http_status = response->status;
            if (error.request_id.empty())
              error.request_id = wire::request_id_from(response->headers);
            return error;
          }
          return decoded;
        },
        &attempts);
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

 private:
  std::shared_ptr<const Provider> provider_;
  ClientOptions options_;
  mutable std::atomic<std::uint64_t> next_call_id_{0};
  detail::CallQueue queue_;
  detail::RequestShaper shaper_;  // refers to options_
  mutable detail::SeedSource seeds_;
  std::shared_ptr<const lemma::Clock> clock_;
};

ChatStream Client::Impl::stream(const ChatRequest& request, const CallOptions& call) const {
  const auto start = Clock::now();
  CallInfo info = call_info("stream", request.model);
  std::optional<Error> unprepared = shaper_.check(call);
  if (!unprepared) unprepared = prepare(info);
  if (options_.observer) options_.observer->on_call_start(info);
  std::chrono::milliseconds queued{0};
  auto failed = [&](Error error) {
    auto state = std::make_unique<ChatStream::State>(finish(std::move(error)));
    log(LogLevel::info,
        "call " + std::to_string(info.call_id) + " failed: " + state->error->what());
    state->observe(options_.observer, info, start, state->error->attempts, queued, nullptr);
    return ChatStream(std::move(state));
  };
  if (unprepared) return failed(std::move(*unprepared));
  const bool can_stream = provider_->capabilities().streaming;
  ChatRequest streamed = request;
  streamed.stream = can_stream;
  Result<HttpRequest> http = provider_->encode_chat(streamed);
  if (!http) return failed(http.error());
  apply(*http, call, can_stream ? Mode::stream : Mode::whole);
  auto entered = enter_queue(call);
  if (!entered) return failed(std::move(entered.error()));
  queued = entered->waited;
  if (!can_stream) {
    // The provider cannot stream: one whole call, delivered as a single chunk.
    int attempts = 1;
    auto whole = with_retries<ChatResponse>(
        *http, call, info,
        [&](const HttpRequest& attempt, AttemptInfo& report) -> Result<ChatResponse> {
          Result<HttpResponse> response = options_.transport->send(attempt);
          if (!response) return response.error();
          report.http_status = response->status;
          report.connect_time = response->connect_time;
          if (!response->is_success()) return decode_error(*response);
          return decode_success<ChatResponse>(
              *response, [this](const HttpResponse& r) { return provider_->decode_chat(r); });
        },
        &attempts);
    entered->place.leave();
    if (!whole) return failed(whole.error());
    std::vector<ChatChunk> chunks{wire::chunk_from_response(*whole)};
    auto state = std::make_unique<ChatStream::State>(provider_, std::move(chunks), start);
    state->observe(options_.observer, info, start, attempts, queued,
                   provider_->model_spec(request.model));
    return ChatStream(std::move(state));
  }
  // Retries cover everything up to the first event: connecting, and HTTP errors.
  int attempts = 1;
  auto state = with_retries<std::unique_ptr<ChatStream::State>>(
      *http, call, info,
      [&](const HttpRequest& attempt, AttemptInfo& report) {
        return start_stream(attempt, start, report);
      },
      &attempts);
  if (!state) return failed(state.error());
  (*state)->hold(std::move(entered->place));
  (*state)->observe(options_.observer, info, start, attempts, queued,
                    provider_->model_spec(request.model));
  return ChatStream(std::move(*state));
}

Result<std::unique_ptr<ChatStream::State>> Client::Impl::start_stream(const HttpRequest& request,
                                                                      Clock::time_point start,
                                                                      AttemptInfo& report) const {
  Result<std::unique_ptr<ResponseStream>> opened = options_.transport->open(request);
  if (!opened) return opened.error();
  std::unique_ptr<ResponseStream> body = std::move(*opened);
  report.http_status = body->status();
  report.connect_time = body->connect_time();

  const std::string content_type = body->headers().get("content-type").value_or("");
  const bool is_json = content_type.find("json") != std::string::npos;
  if (body->status() < 200 || body->status() >= 300 || is_json) {
    // An error, or a server that ignored "stream": true: read the whole (bounded) body.
    HttpResponse whole;
    whole.status = body->status();
    whole.headers = body->headers();
    Result<std::string> text = body->read_all(options_.max_response_bytes);
    if (!text) return text.error();
    whole.body = std::move(*text);
    if (!whole.is_success()) return decode_error(whole);
    Result<ChatResponse> decoded = decode_success<ChatResponse>(
        whole, [this](const HttpResponse& r) { return provider_->decode_chat(r); });
    if (!decoded) return decoded.error();
    std::vector<ChatChunk> chunks{wire::chunk_from_response(*decoded)};
    return std::make_unique<ChatStream::State>(provider_, std::move(chunks), start);
  }
  if (!content_type.empty() && content_type.find("text/event-stream") == std::string::npos) {
    Error error =
        protocol_error("The server answered a stream request with content type '" + content_type +
                       "' instead of text/event-stream; check that the base URL points "
                       "at an OpenAI-compatible endpoint.");
    error.http_status = body->status();
    error.request_id = wire::request_id_from(body->headers());
    body->cancel();
    return error;
  }
  return std::make_unique<ChatStream::State>(provider_, std::move(body), options_.sse,
                                             options_.max_stream_bytes, start);
}

Client::Client(std::shared_ptr<const Provider> provider, ClientOptions options)
    : impl_(std::make_shared<const Impl>(std::move(provider), std::move(options))) {}

Result<ChatResponse> Client::chat(const ChatRequest& request, const CallOptions& call) const {
  return impl_->exchange<ChatResponse>(
      impl_->call_info("chat", request.model), call,
      [&]() -> Result<HttpRequest> {
        if (!request.stream) return impl_->provider()->encode_chat(request);
        ChatRequest whole = request;  // chat() always asks for the whole answer
        whole.stream = false;
        return impl_->provider()->encode_chat(whole);
      },
      [&](const HttpResponse& response) {
        Result<ChatResponse> decoded = impl_->provider()->decode_chat(response);
        if (decoded && decoded->model.empty()) decoded->model = request.model;
        if (decoded && decoded->usage) {
          if (const ModelSpec* spec = impl_->provider()->model_spec(request.model)) {
            decoded->cost_usd = spec->cost(*decoded->usage);
          }
        }
        return decoded;
      });
}

ChatStream Client::stream(const ChatRequest& request, const CallOptions& call) const {
  return impl_->stream(request, call);
}

Result<ChatResponse> Client::stream(const ChatRequest& request, const StreamCallbacks& callbacks,
                                    const CallOptions& call) const {
  ChatStream chunks = impl_->stream(request, call);
  while (const ChatChunk* chunk = chunks.next()) {
    for (const ChunkChoice& choice : chunk->choices) {
      if (choice.index != 0) continue;
      const auto& delta = choice.delta;
      if (callbacks.on_reasoning && delta.reasoning_content && !delta.reasoning_content->empty()) {
        callbacks.on_reasoning(*delta.reasoning_content);
      }
      if (callbacks.on_content && delta.content && !delta.content->empty()) {
        callbacks.on_content(*delta.content);
      }
    }
    if (callbacks.on_chunk && !callbacks.on_chunk(*chunk)) {
      chunks.cancel();
      return make_error(ErrorKind::cancelled,
                        "The stream was stopped by the on_chunk callback after " +
                            std::to_string(chunks.response().text().size()) +
                            " bytes of answer; use Client::stream(request) to keep the partial "
                            "answer.");
    }
  }
  if (chunks.error()) return *chunks.error();
  return chunks.response();
}

Result<ChatResponse> Client::stream(const ChatRequest& request,
                                    std::function<bool(const ChatChunk&)> on_chunk,
                                    const CallOptions& call) const {
  StreamCallbacks callbacks;
  callbacks.on_chunk = std::move(on_chunk);
  return stream(request, callbacks, call);
}

Result<std::vector<ModelInfo>> Client::models(const CallOptions& call) const {
  return impl_->exchange<std::vector<ModelInfo>>(
      impl_->call_info("models", ""), call, [&] { return impl_->provider()->encode_models(); },
      [&](const HttpResponse& response) { return impl_->provider()->decode_models(response); });
}

Result<Done> Client::health(const CallOptions& call) const {
  return impl_->exchange<Done>(
      impl_->call_info("health", ""), call, [&] { return impl_->provider()->encode_health(); },
      [](const HttpResponse&) -> Result<Done> { return Done{}; });
}

const Provider& Client::provider() const noexcept {
  return *impl_->provider();
}

const ClientOptions& Client::options() const noexcept {
  return impl_->options();
}

}  // namespace lemma
