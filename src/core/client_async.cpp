// The Client's async calls: one state machine per call, run on the Client's event loop. It
// is built from the same pieces as the blocking calls (RequestShaper, CallQueue, RetryRun,
// the provider's decoders, ChunkPipeline) and differs only in how it waits: a queue grant, a
// timer or a transfer event resumes it, where the blocking path would sleep or block in read.
#include <atomic>
#include <future>
#include <thread>

#include "core/chunk_pipeline_private.hpp"
#include "core/client_impl_private.hpp"

namespace lemma {

namespace detail {

namespace {

using SteadyClock = std::chrono::steady_clock;

std::chrono::milliseconds since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
}

bool has_text(const ChatChunk& chunk) {
  for (const auto& choice : chunk.choices) {
    const auto& d = choice.delta;
    if ((d.content && !d.content->empty()) ||
        (d.reasoning_content && !d.reasoning_content->empty())) {
      return true;
    }
  }
  return false;
}

}  // namespace

class AsyncCall final : public TransferHandler, public std::enable_shared_from_this<AsyncCall> {
 public:
  using OnDone = std::function<void(Result<ChatResponse>)>;

  AsyncCall(std::shared_ptr<const Client::Impl> core, std::shared_ptr<EventLoop> loop,
            CallInfo info, CallOptions call, HttpRequest request, bool streaming,
            StreamCallbacks callbacks, std::string model, OnDone done,
            SteadyClock::time_point start, std::int64_t tokens)
      : core_(std::move(core)),
        loop_(std::move(loop)),
        transfer_token_(std::make_shared<CancellationToken>()),
        // A Client going away cancels the transfer directly: a Transport without a driver of
        // its own runs it on the loop thread, where no posted cancel could reach it.
        on_shutdown_(&core_->shutdown_token_, [token = transfer_token_] { token->cancel(); }),
        info_(std::move(info)),
        call_(std::move(call)),
        request_(std::move(request)),
        streaming_(streaming),
        callbacks_(std::move(callbacks)),
        model_(std::move(model)),
        done_(std::move(done)),
        start_(start),
        tokens_(tokens) {}

  ~AsyncCall() override {
    // Every call ends: one dropped before it ended (its task discarded by a stopping loop)
    // still gets its result.
    if (done_) {
      OnDone done = std::move(done_);
      done(make_error(ErrorKind::cancelled,
                      "The call was cancelled because its Client was "
                      "destroyed."));
    }
  }

  // Called on any thread by Future::cancel and the caller's token: stops a transfer at once
  // (also one a driverless Transport runs on the loop thread) and ends the call on the loop.
  std::function<void()> canceller() {
    return [poster = loop_->poster(), weak = weak_from_this(), token = transfer_token_] {
      token->cancel();
      poster.post([weak] {
        if (auto call = weak.lock()) {
          call->cancel(make_error(ErrorKind::cancelled, "The call was cancelled."));
        }
      });
    };
  }

  // Loop thread: joins the Client's queue.
  void launch() {
    if (stage_ == Stage::finished) return;  // cancelled before it reached the loop
    // Subscribed here, on the loop thread, which alone writes the member.
    // (An already cancelled token posts its cancel, which runs after this.)
    cancel_subscription_ = CancellationToken::Subscription(call_.cancellation.get(), canceller());
    core_->async_calls_.emplace(info_.call_id, shared_from_this());
    stage_ = Stage::queued;
    std::weak_ptr<AsyncCall> weak = weak_from_this();
    const EventLoop::Poster poster = loop_->poster();
    // A place granted at once (no limit, or room) is taken here; one granted later, on any
    // thread, is posted to the loop.
    const auto launcher = std::this_thread::get_id();
    launching_.store(true, std::memory_order_release);
    ticket_ =
        core_->queue_.enter_async([weak, poster, launcher, call = this](CallQueue::Entry entry) {
          if (std::this_thread::get_id() == launcher &&
              call->launching_.load(std::memory_order_acquire)) {
            call->granted_at_launch_.emplace(std::move(entry));
            return;
          }
          auto held = std::make_shared<CallQueue::Entry>(std::move(entry));
          poster.post([weak, held] {
            if (auto self = weak.lock()) self->admitted(std::move(*held));
          });
        });
    launching_.store(false, std::memory_order_release);
    if (granted_at_launch_) {
      CallQueue::Entry entry = std::move(*granted_at_launch_);
      granted_at_launch_.reset();
      return admitted(std::move(entry));
    }
    // A queue wait may be bounded (ClientOptions::queue_timeout).
    const auto limit = core_->options_.queue_timeout;
    constexpr std::chrono::hours kNoLimitBeyond{24 * 366};
    if (stage_ == Stage::queued && limit.count() > 0 && limit < kNoLimitBeyond) {
      timer_ = loop_->at(loop_->clock().now() + limit, [weak, limit] {
        if (auto self = weak.lock()) self->queue_timed_out(limit);
      });
      timer_armed_ = true;
    }
  }

  // Loop thread: ends the call with `why` (cancelled) wherever it is.
  void cancel(Error why) {
    switch (stage_) {
      case Stage::finished: return;
      case Stage::none: return complete(core_->finish(std::move(why)));
      case Stage::queued:
        core_->queue_.cancel_wait(ticket_);  // a grant already on its way is dropped
        why.phase = ErrorPhase::before_send;
        return complete(core_->finish(std::move(why)));
      case Stage::rate_wait:
        disarm_timer();
        why.phase = ErrorPhase::before_send;
        return complete(core_->finish(std::move(why)));
      case Stage::backoff:
        if (retry_booked_) {  // waiting for a retry's rate slot: give it back
          retry_booked_ = false;
          core_->limiter_.release(retry_ticket_, loop_->clock().now());
        }
        if (run_) {
          Error error = run_->cancelled_while_waiting(attempt_);
          error.message = why.message;
          return complete(core_->finish(std::move(error)));
        }
        return complete(core_->finish(std::move(why)));
      case Stage::transfer:
        cancelled_ = std::move(why);
        // Ends at once (on_end with `cancelled`), closing the connection.
        return loop_->driver().cancel(transfer_);
    }
  }

  // --- TransferHandler (loop thread) ---

  void on_headers(int status, const Headers& headers) override {
    core_->observe_rate(headers);
    status_ = status;
    headers_ = headers;
    time_to_headers_ = since(attempt_start_);
    const bool success = status >= 200 && status < 300;
    const std::string content_type = headers.get("content-type").value_or("");
    const bool is_json = content_type.find("json") != std::string::npos;
    stream_body_ = streaming_ && success && !is_json;
    if (stream_body_ && !content_type.empty() &&
        content_type.find("text/event-stream") == std::string::npos) {
      Error error =
          protocol_error("The server answered a stream request with content type '" + content_type +
                         "' instead of text/event-stream; check that the base URL points at an "
                         "OpenAI-compatible endpoint.");
      error.http_status = status;
      error.phase = ErrorPhase::response_started;
      error.request_id = wire::request_id_from(headers);
      stop_transfer(std::move(error));
      return;
    }
    if (stream_body_) {
      pipeline_.emplace(core_->provider_, core_->options_.sse, core_->options_.max_stream_bytes);
    }
  }

  void on_body(std::string_view bytes) override {
    if (stopping_) return;
    if (!stream_body_) {
      // A stream request's transfer is bounded by max_stream_bytes; an error or plain JSON
      // body in its place is held whole, so it gets the whole-body bound.
      const std::size_t limit = core_->options_.max_response_bytes;
      if (bytes.size() > limit - std::min(body_.size(), limit)) {
        stop_transfer(
            protocol_error("The response body exceeds the limit of " + std::to_string(limit) +
                           " bytes; raise ClientOptions::max_response_bytes if that is expected."));
        return;
      }
      body_.append(bytes.data(), bytes.size());
      return;
    }
    std::vector<ChatChunk>& chunks = decoded_;  // reused: no allocation per body callback
    chunks.clear();
    Result<Done> fed = pipeline_->feed(bytes, chunks);
    for (ChatChunk& chunk : chunks) {
      // A callback may have ended the call (cancel, or the last Client dropped): no more.
      if (stopping_ || cancelled_ || stage_ != Stage::transfer) return;
      if (!deliver(std::move(chunk))) return;
    }
    if (!fed) stop_transfer(fed.error());
  }

  void on_end(std::optional<Error> error) override {
    loop_->transfer_ended();
    stage_ = Stage::none;
    transfer_ = 0;
    if (cancelled_) return complete(core_->finish(std::move(*cancelled_)));
    if (stopped_by_callback_) return complete(stopped_error());
    if (stop_error_) error = std::move(stop_error_);
    if (error) return failed(std::move(*error));
    if (stream_body_) return end_of_stream();
    HttpResponse response;
    response.status = status_;
    response.headers = std::move(headers_);
    response.body = std::move(body_);
    if (!response.is_success()) return failed(core_->decode_error(response));
    Result<ChatResponse> decoded = core_->decode_success<ChatResponse>(
        response, [this](const HttpResponse& r) { return core_->decode_chat_answer(r, model_); });
    if (!decoded) {
      Error decode_error = decoded.error();
      decode_error.http_status = response.status;
      if (decode_error.request_id.empty()) {
        decode_error.request_id = wire::request_id_from(response.headers);
      }
      return failed(std::move(decode_error));
    }
    if (!streaming_) return succeed(std::move(*decoded));
    // A stream answered with plain JSON (or a provider that cannot stream): one chunk.
    if (!deliver(wire::chunk_from_response(*decoded))) return complete(stopped_error());
    return succeed_stream();
  }

  // Loop thread: its turn in the Client's queue came.
  void admitted(CallQueue::Entry entry) {
    if (stage_ != Stage::queued) return;  // cancelled meanwhile: the place is given back
    disarm_timer();
    place_ = std::move(entry.place);
    queue_time_ = entry.waited;
    if (!core_->limiter_.active()) return begin();
    rate_asked_ = loop_->clock().now();
    auto [at, ticket] = core_->limiter_.reserve(rate_asked_, tokens_);
    rate_ticket_ = ticket;
    rate_at_ = at;
    wait_for_rate();
  }

 private:
  // Waits (a timer) until the rate limits let the call start: its reservation, then any pause
  // a 429 or a remaining of 0 set since. The wait is queue time, not part of the timeout.
  void wait_for_rate() {
    const auto now = loop_->clock().now();
    // A pause (a 429) that began meanwhile books the call again behind it.
    std::tie(rate_at_, rate_ticket_) =
        core_->limiter_.rebook_after_pause(rate_at_, rate_ticket_, tokens_, now);
    if (rate_at_ > now) {
      stage_ = Stage::rate_wait;
      std::weak_ptr<AsyncCall> weak = weak_from_this();
      timer_ = loop_->at(rate_at_, [weak] {
        if (auto self = weak.lock()) {
          self->timer_armed_ = false;
          if (self->stage_ == Stage::rate_wait) self->wait_for_rate();
        }
      });
      timer_armed_ = true;
      return;
    }
    queue_time_ += std::chrono::duration_cast<std::chrono::milliseconds>(now - rate_asked_);
    begin();
  }

  // Admitted: the retry state starts now, so time in line never counts against the deadline.
  void begin() {
    const RetryPolicy& policy = call_.retry ? *call_.retry : core_->options_.retry;
    run_.emplace(policy, call_.cancellation, core_->seeds_.next(), core_->clock_);
    RequestShaper::idempotency(request_, policy, core_->seeds_);
    request_.cancellation = transfer_token_;
    timeout_ = request_.timeout;
    send();
  }

  enum class Stage { none, queued, rate_wait, backoff, transfer, finished };

  Error stopped_error() const {
    return make_error(ErrorKind::cancelled,
                      "The stream was stopped by the on_chunk callback after " +
                          std::to_string(accumulator_.response().text().size()) +
                          " bytes of answer.");
  }

  void queue_timed_out(std::chrono::milliseconds limit) {
    timer_armed_ = false;
    if (stage_ != Stage::queued) return;
    core_->queue_.cancel_wait(ticket_);
    Error error = make_error(
        ErrorKind::timeout,
        "The call waited " + std::to_string(limit.count()) +
            " ms for one of the Client's places (ClientOptions::max_concurrent_calls) and gave "
            "up; raise max_concurrent_calls or ClientOptions::queue_timeout, or make fewer calls "
            "at once.");
    error.code = "queue_timeout";
    error.phase = ErrorPhase::before_send;  // nothing was sent: the call never left the queue
    complete(core_->finish(std::move(error)));
  }

  void disarm_timer() {
    if (timer_armed_) loop_->cancel_timer(timer_);
    timer_armed_ = false;
  }

  void send() {
    ++attempt_;
    RequestShaper::per_attempt(request_, timeout_, *run_);
    status_ = 0;
    headers_ = Headers();
    body_.clear();
    pipeline_.reset();
    stream_body_ = false;
    stopping_ = false;
    stop_error_.reset();
    time_to_headers_ = std::chrono::milliseconds(0);
    attempt_start_ = SteadyClock::now();
    if (attempt_ == 1) {
      core_->log(LogLevel::debug, "call " + std::to_string(info_.call_id) + " " + info_.operation +
                                      ": " + request_.to_redacted_string());
    }
    stage_ = Stage::transfer;
    Result<TransferDriver::Id> started = loop_->driver().start(request_, *this);
    if (!started) {
      stage_ = Stage::none;
      return failed(started.error());
    }
    transfer_ = *started;
    loop_->transfer_started();
  }

  // Ends the transfer from inside one of its events; on_end follows with `error`.
  void stop_transfer(Error error) {
    if (stopping_) return;
    stopping_ = true;
    stop_error_ = std::move(error);
    loop_->driver().cancel(transfer_);
  }

  // Hands one chunk to the caller; false when the caller stopped the stream.
  bool deliver(ChatChunk chunk) {
    accumulator_.add(chunk);
    delivered_ = true;
    if (!time_to_first_token_ && has_text(chunk)) {
      time_to_first_token_ = since(start_);
      if (core_->options_.observer) {
        core_->options_.observer->on_first_token(info_, *time_to_first_token_);
      }
    }
    if (core_->options_.observer) core_->options_.observer->on_chunk(info_, chunk);
    for (const ChunkChoice& choice : chunk.choices) {
      if (choice.index != 0) continue;
      const auto& delta = choice.delta;
      if (callbacks_.on_reasoning && delta.reasoning_content && !delta.reasoning_content->empty()) {
        callbacks_.on_reasoning(*delta.reasoning_content);
      }
      if (callbacks_.on_content && delta.content && !delta.content->empty()) {
        callbacks_.on_content(*delta.content);
      }
    }
    if (callbacks_.on_chunk && !callbacks_.on_chunk(chunk)) {
      stopped_by_callback_ = true;
      if (stage_ == Stage::transfer) {
        stopping_ = true;
        loop_->driver().cancel(transfer_);
      }
      return false;
    }
    return true;
  }

  void end_of_stream() {
    std::vector<ChatChunk> tail;
    Result<Done> finished = pipeline_->finish(tail);
    for (ChatChunk& chunk : tail) {
      if (!deliver(std::move(chunk))) return complete(stopped_error());
    }
    if (!finished) return failed(finished.error());
    succeed_stream();
  }

  void succeed_stream() {
    if (accumulator_.response().usage) {
      if (const ModelSpec* spec = core_->provider_->model_spec(model_)) {
        accumulator_.set_cost_usd(spec->cost(*accumulator_.response().usage));
      }
    }
    ChatResponse response = accumulator_.response();
    if (response.model.empty()) response.model = model_;
    succeed(std::move(response));
  }

  void report_attempt(const std::optional<Error>& error, const RetryStep* step) {
    if (!core_->options_.observer) return;
    AttemptInfo report;
    report.attempt = attempt_;
    // No headers (a failed connect): the attempt's duration, as the blocking path reports it.
    report.time_to_headers =
        time_to_headers_.count() > 0 ? time_to_headers_ : since(attempt_start_);
    report.http_status = error ? error->http_status : status_;
    report.error = error;
    if (step) {
      report.will_retry = step->action == RetryStep::Action::retry;
      report.retry_delay = step->delay;
    }
    core_->options_.observer->on_attempt_end(info_, report);
  }

  void failed(Error error) {
    core_->redact(error);
    core_->pause_for(error);
    if (delivered_) {
      // A chunk reached the caller: a retry could deliver a token twice, so the call ends.
      error.phase = ErrorPhase::mid_stream;
      report_attempt(error, nullptr);
      error.attempts = attempt_;
      return complete(core_->finish(std::move(error)));
    }
    if (stream_body_) error = before_first_chunk(std::move(error));  // nothing delivered yet
    const std::string failure = error.what();
    const RetryStep step = run_->next(error, attempt_);
    report_attempt(error, &step);
    if (step.action != RetryStep::Action::retry) return complete(core_->finish(*step.error));
    core_->log(LogLevel::warning, "call " + std::to_string(info_.call_id) + " attempt " +
                                      std::to_string(attempt_) + " failed (" + failure +
                                      "); retrying in " + std::to_string(step.delay.count()) +
                                      " ms");
    stage_ = Stage::backoff;
    std::weak_ptr<AsyncCall> weak = weak_from_this();
    timer_ = loop_->at(step.until, [weak] {
      if (auto self = weak.lock()) {
        self->timer_armed_ = false;
        if (self->stage_ == Stage::backoff) self->retry_when_rate_allows();
      }
    });
    timer_armed_ = true;
  }

  // A retry is a request too: the provider counts it, so it takes a start slot of the rate
  // limits (one request, no tokens: a failed attempt produced none). Booked when the backoff
  // ends, never earlier, so that a long backoff does not hold up other calls' slots.
  void retry_when_rate_allows() {
    if (!retry_booked_ && !core_->limiter_.active()) return send();
    const auto now = loop_->clock().now();
    if (!retry_booked_) {
      std::tie(retry_at_, retry_ticket_) = core_->limiter_.reserve(now, 0);
      retry_booked_ = true;
    } else {
      // A pause (a 429) that began meanwhile books the retry again behind it.
      std::tie(retry_at_, retry_ticket_) =
          core_->limiter_.rebook_after_pause(retry_at_, retry_ticket_, 0, now);
    }
    if (retry_at_ <= now) {
      retry_booked_ = false;
      core_->settle_rate(retry_ticket_, std::nullopt);
      return send();
    }
    std::weak_ptr<AsyncCall> weak = weak_from_this();
    timer_ = loop_->at(retry_at_, [weak] {
      if (auto self = weak.lock()) {
        self->timer_armed_ = false;
        if (self->stage_ == Stage::backoff) self->retry_when_rate_allows();
      }
    });
    timer_armed_ = true;
  }

  void succeed(ChatResponse response) {
    report_attempt(std::nullopt, nullptr);
    complete(std::move(response));
  }

  void complete(Result<ChatResponse> result) {
    if (stage_ == Stage::finished) return;
    stage_ = Stage::finished;
    disarm_timer();
    place_.leave();
    if (rate_ticket_.id != 0) {
      if (attempt_ > 0) {
        core_->settle_rate(rate_ticket_, result ? result->usage : std::nullopt);
      } else {
        core_->limiter_.release(rate_ticket_, loop_->clock().now());  // never sent
      }
    }
    cancel_subscription_ = CancellationToken::Subscription();
    auto self = shared_from_this();  // alive until the end of this function
    core_->async_calls_.erase(info_.call_id);
    CallOutcome outcome;
    outcome.total = since(start_);
    outcome.queue_time = queue_time_;
    outcome.attempts = std::max(attempt_, 1);
    outcome.time_to_first_token = time_to_first_token_;
    if (result) {
      outcome.usage = result->usage;
      outcome.cost_usd = result->cost_usd;
      core_->log(LogLevel::debug, "call " + std::to_string(info_.call_id) + " succeeded in " +
                                      std::to_string(outcome.total.count()) + " ms");
    } else {
      outcome.error = result.error();
      outcome.attempts = std::max(outcome.attempts, result.error().attempts);
      outcome.request_id = result.error().request_id;
      core_->log(LogLevel::info,
                 "call " + std::to_string(info_.call_id) + " failed: " + result.error().what());
    }
    if (core_->options_.observer) core_->options_.observer->on_call_end(info_, outcome);
    OnDone done = std::move(done_);
    done_ = nullptr;
    callbacks_ = StreamCallbacks();
    // Last: the callback may start calls, or drop the last Client (which ends the loop).
    if (done) done(std::move(result));
  }

  std::shared_ptr<const Client::Impl> core_;
  std::shared_ptr<EventLoop> loop_;  // shared: code on the loop thread outlives a shutdown
  // Wakes the call when the caller's CancellationToken is cancelled (loop thread only).
  CancellationToken::Subscription cancel_subscription_;
  std::shared_ptr<CancellationToken> transfer_token_;  // the request's: cancels its transfer
  CancellationToken::Subscription on_shutdown_;
  CallInfo info_;
  CallOptions call_;
  HttpRequest request_;
  bool streaming_;
  StreamCallbacks callbacks_;
  std::string model_;
  OnDone done_;
  SteadyClock::time_point start_;

  Stage stage_ = Stage::none;
  std::uint64_t ticket_ = 0;
  std::atomic<bool> launching_{false};  // read by queue grants on other threads
  std::optional<CallQueue::Entry> granted_at_launch_;
  CallQueue::Place place_;
  std::chrono::milliseconds queue_time_{0};
  std::int64_t tokens_;
  detail::RateLimiter::Ticket rate_ticket_;
  // A retry's rate slot, while the retry waits for it (retry_when_rate_allows).
  bool retry_booked_ = false;
  detail::RateLimiter::Ticket retry_ticket_;
  Clock::time_point retry_at_{};
  Clock::time_point rate_asked_{};
  Clock::time_point rate_at_{};
  std::optional<RetryRun> run_;
  std::chrono::milliseconds timeout_{0};
  int attempt_ = 0;
  EventLoop::TimerId timer_ = 0;
  bool timer_armed_ = false;
  TransferDriver::Id transfer_ = 0;
  std::optional<Error> cancelled_;
  bool stopped_by_callback_ = false;
  bool stopping_ = false;
  std::optional<Error> stop_error_;

  SteadyClock::time_point attempt_start_;
  std::chrono::milliseconds time_to_headers_{0};
  int status_ = 0;
  Headers headers_;
  std::string body_;
  bool stream_body_ = false;
  std::optional<ChunkPipeline> pipeline_;
  std::vector<ChatChunk> decoded_;  // the chunks of one on_body
  StreamAccumulator accumulator_;
  bool delivered_ = false;
  std::optional<std::chrono::milliseconds> time_to_first_token_;
};

}  // namespace detail

std::shared_ptr<detail::EventLoop> Client::Impl::loop() const {
  std::lock_guard<std::mutex> lock(loop_mutex_);
  if (shut_down_) return nullptr;
  if (!loop_) {
    loop_ = std::make_shared<detail::EventLoop>(options_.transport,
                                                options_.transport->make_driver(), clock_);
  }
  return loop_;
}

void Client::Impl::shutdown() const {
  std::shared_ptr<detail::EventLoop> loop;
  {
    std::lock_guard<std::mutex> lock(loop_mutex_);
    shut_down_ = true;
    loop = std::move(loop_);
  }
  if (!loop) return;
  // A transfer a driverless Transport runs on the loop thread is stopped from here, at once.
  shutdown_token_.cancel();
  auto end_all = [this] {
    // A snapshot, kept alive: a call cancelled from inside its own transfer's events ends
    // (leaves the map) only once those events return, within the same loop round.
    const auto calls = async_calls_;
    for (const auto& [id, call] : calls) {
      call->cancel(make_error(ErrorKind::cancelled,
                              "The call was cancelled because its Client was destroyed."));
    }
  };
  if (loop->on_loop_thread()) {
    end_all();
    loop->stop();  // the thread ends once the code above this on its stack returns
    return;
  }
  std::promise<void> ended;
  if (loop->poster().post([&] {
        end_all();
        ended.set_value();
      })) {
    ended.get_future().wait();
  }
  loop->stop();
}

void Client::Impl::start_async(const ChatRequest& request, const CallOptions& call, bool streaming,
                               StreamCallbacks callbacks,
                               std::function<void(Result<ChatResponse>)> done,
                               detail::FutureState<Result<ChatResponse>>* future) const {
  const auto start = std::chrono::steady_clock::now();
  CallInfo info = call_info(streaming ? "stream" : "chat", request.model);
  std::optional<Error> unprepared = check(call);
  if (!unprepared) unprepared = prepare(info);
  if (options_.observer) options_.observer->on_call_start(info);
  auto refuse = [&](Error error) {
    error = finish(std::move(error));
    log(LogLevel::info, "call " + std::to_string(info.call_id) + " failed: " + error.what());
    if (options_.observer) {
      CallOutcome outcome;
      outcome.error = error;
      outcome.total = since(start);
      options_.observer->on_call_end(info, outcome);
    }
    done(std::move(error));
  };
  if (unprepared) return refuse(std::move(*unprepared));
  const bool can_stream = streaming && provider_->capabilities().streaming;
  ChatRequest encoded = request;
  encoded.stream = can_stream;
  Result<HttpRequest> http = provider_->encode_chat(encoded);
  if (!http) return refuse(http.error());
  apply(*http, call, can_stream ? Mode::stream : Mode::whole);
  std::shared_ptr<detail::EventLoop> events = loop();
  if (!events) {
    return refuse(make_error(ErrorKind::cancelled, "The Client is being destroyed."));
  }
  auto self = std::const_pointer_cast<Impl>(shared_from_this());
  auto async = std::make_shared<detail::AsyncCall>(
      self, events, info, call, std::move(*http), streaming, std::move(callbacks), request.model,
      std::move(done), start, detail::estimate_tokens(request));
  if (future) future->on_cancel(async->canceller());
  if (!events->poster().post([async] { async->launch(); })) {
    // The Client is going away (a copy was destroyed meanwhile): the call ends cancelled.
    async->cancel(make_error(ErrorKind::cancelled, "The Client is being destroyed."));
  }
}

Future<Result<ChatResponse>> Client::chat_async(const ChatRequest& request,
                                                const CallOptions& call) const {
  auto state = std::make_shared<detail::FutureState<Result<ChatResponse>>>();
  impl_->start_async(
      request, call, false, {},
      [state](Result<ChatResponse> result) { state->set(std::move(result)); }, state.get());
  return Future<Result<ChatResponse>>(state);
}

void Client::chat_async(const ChatRequest& request,
                        std::function<void(Result<ChatResponse>)> on_done,
                        const CallOptions& call) const {
  if (!on_done) on_done = [](Result<ChatResponse>) {};
  impl_->start_async(request, call, false, {}, std::move(on_done), nullptr);
}

Future<Result<ChatResponse>> Client::stream_async(const ChatRequest& request,
                                                  StreamCallbacks callbacks,
                                                  const CallOptions& call) const {
  auto state = std::make_shared<detail::FutureState<Result<ChatResponse>>>();
  impl_->start_async(
      request, call, true, std::move(callbacks),
      [state](Result<ChatResponse> result) { state->set(std::move(result)); }, state.get());
  return Future<Result<ChatResponse>>(state);
}

void Client::stream_async(const ChatRequest& request, StreamCallbacks callbacks,
                          std::function<void(Result<ChatResponse>)> on_done,
                          const CallOptions& call) const {
  if (!on_done) on_done = [](Result<ChatResponse>) {};
  impl_->start_async(request, call, true, std::move(callbacks), std::move(on_done), nullptr);
}

}  // namespace lemma
