#include "lemma/client.hpp"

#include <algorithm>

#include "core/client_impl_private.hpp"

namespace lemma {

ChatStream Client::Impl::stream(const ChatRequest& request, const CallOptions& call) const {
  const auto start = Clock::now();
  CallInfo info = call_info("stream", request.model);
  std::optional<Error> unprepared = check(call);
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
  auto ticket = wait_for_rate(detail::estimate_tokens(request), call, queued);
  if (!ticket) return failed(std::move(ticket.error()));
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
          observe_rate(response->headers);
          if (!response->is_success()) return decode_error(*response);
          return decode_success<ChatResponse>(
              *response, [this](const HttpResponse& r) { return provider_->decode_chat(r); });
        },
        &attempts);
    entered->place.leave();
    settle_rate(*ticket, whole ? whole->usage : std::nullopt);
    if (!whole) return failed(whole.error());
    std::vector<ChatChunk> chunks{wire::chunk_from_response(*whole)};
    auto state = std::make_unique<ChatStream::State>(provider_, std::move(chunks), start);
    state->observe(options_.observer, info, start, attempts, queued,
                   provider_->model_spec(request.model));
    return ChatStream(std::move(state));
  }
  // Retries cover everything up to the first chunk: connecting, HTTP errors, and a body that
  // broke before any chunk was decoded. The first chunk is decoded inside the attempt and
  // delivered only once the attempt succeeded, so no token reaches the caller twice.
  int attempts = 1;
  auto state = with_retries<std::unique_ptr<ChatStream::State>>(
      *http, call, info,
      [&](const HttpRequest& attempt, AttemptInfo& report) {
        return start_stream(attempt, start, report);
      },
      &attempts);
  if (!state) {
    settle_rate(*ticket, std::nullopt);
    return failed(state.error());
  }
  (*state)->hold(std::move(entered->place));
  // The stream's usage, known at its end, corrects the estimate then.
  (*state)->on_end([self = shared_from_this(), ticket = *ticket](const ChatResponse& response) {
    self->settle_rate(ticket, response.usage);
  });
  (*state)->observe(options_.observer, info, start, attempts, queued,
                    provider_->model_spec(request.model));
  return ChatStream(std::move(*state));
}

Result<std::unique_ptr<ChatStream::State>> Client::Impl::start_stream(const HttpRequest& request,
                                                                      Clock::time_point start,
                                                                      AttemptInfo& report) const {
  const auto attempt_start = Clock::now();
  Result<std::unique_ptr<ResponseStream>> opened = options_.transport->open(request);
  if (!opened) return opened.error();
  std::unique_ptr<ResponseStream> body = std::move(*opened);
  report.http_status = body->status();
  report.connect_time = body->connect_time();
  observe_rate(body->headers());
  // Measured here, as the attempt goes on to the first chunk (at least 1 ms: with_retries
  // measures an attempt that left it at 0).
  report.time_to_headers = std::max(since(attempt_start), std::chrono::milliseconds(1));

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
    error.phase = ErrorPhase::response_started;
    error.request_id = wire::request_id_from(body->headers());
    body->cancel();
    return error;
  }
  auto state = std::make_unique<ChatStream::State>(provider_, std::move(body), options_.sse,
                                                   options_.max_stream_bytes, start);
  Result<Done> primed = state->prime();
  if (!primed) return detail::before_first_chunk(std::move(primed.error()));
  return state;
}

namespace {

// The Client's handle on its Impl: when the last Client copy goes, its async calls are ended
// and the loop stopped, while the Impl itself lives on as long as a call still refers to it.
std::shared_ptr<const Client::Impl> client_handle(std::shared_ptr<const Client::Impl> impl) {
  const Client::Impl* raw = impl.get();
  return std::shared_ptr<const Client::Impl>(raw, [impl](const Client::Impl*) mutable {
    impl->shutdown();
    impl.reset();
  });
}

}  // namespace

Client::Client(std::shared_ptr<const Provider> provider, ClientOptions options)
    : impl_(client_handle(std::make_shared<const Impl>(std::move(provider), std::move(options)))) {}

Result<ChatResponse> Client::chat(const ChatRequest& request, const CallOptions& call) const {
  return impl_->exchange<ChatResponse>(
      impl_->call_info("chat", request.model), call, detail::estimate_tokens(request),
      [&]() -> Result<HttpRequest> {
        if (!request.stream) return impl_->provider()->encode_chat(request);
        ChatRequest whole = request;  // chat() always asks for the whole answer
        whole.stream = false;
        return impl_->provider()->encode_chat(whole);
      },
      [&](const HttpResponse& response) {
        return impl_->decode_chat_answer(response, request.model);
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
      impl_->call_info("models", ""), call, 0, [&] { return impl_->provider()->encode_models(); },
      [&](const HttpResponse& response) { return impl_->provider()->decode_models(response); });
}

Result<Done> Client::health(const CallOptions& call) const {
  return impl_->exchange<Done>(
      impl_->call_info("health", ""), call, 0, [&] { return impl_->provider()->encode_health(); },
      [](const HttpResponse&) -> Result<Done> { return Done{}; });
}

const Provider& Client::provider() const noexcept {
  return *impl_->provider();
}

const ClientOptions& Client::options() const noexcept {
  return impl_->options();
}

}  // namespace lemma
