#include "core/chat_stream_state_private.hpp"

#include <algorithm>

#include "core/error_text_private.hpp"

namespace lemma {

namespace {
constexpr std::size_t kReadSize = 64 * 1024;
// After [DONE] the body normally ends at once; waiting this long for its last bytes lets the
// connection go back to the pool instead of being closed.
constexpr std::chrono::milliseconds kDiscardGrace{200};
}  // namespace

ChatStream::State::State(Error failure) : finished(true) {
  error = std::move(failure);
}

ChatStream::State::State(std::shared_ptr<const Provider> provider,
                         std::unique_ptr<ResponseStream> body, SseParserOptions sse,
                         std::size_t max_body_bytes, Clock::time_point start)
    : provider_(std::move(provider)), body_(std::move(body)), buffer_(kReadSize), start_(start) {
  pipeline_.emplace(provider_, sse, max_body_bytes);
}

ChatStream::State::State(std::shared_ptr<const Provider> provider, std::vector<ChatChunk> chunks,
                         Clock::time_point start)
    : provider_(std::move(provider)), ready_(std::move(chunks)), start_(start) {}

ChatStream::State::~State() {
  run_end_callback();
  if (observer_ && !reported_) {
    // Abandoned before its end: report it so that metrics never lose a call.
    error = make_error(ErrorKind::cancelled, "The stream was destroyed before it finished.");
    error->phase =
        accumulator.chunk_count() > 0 ? ErrorPhase::mid_stream : ErrorPhase::response_started;
    report_end();
  }
}

void ChatStream::State::observe(std::shared_ptr<Observer> observer, CallInfo call,
                                Clock::time_point start, int attempts,
                                std::chrono::milliseconds queue_time, const ModelSpec* spec) {
  spec_ = spec;
  queue_time_ = queue_time;
  observer_ = std::move(observer);
  call_ = std::move(call);
  start_ = start;
  attempts_ = attempts;
  if (finished) report_end();
}

void ChatStream::State::on_end(std::function<void(const ChatResponse&)> callback) {
  end_callback_ = std::move(callback);
  if (finished) run_end_callback();
}

void ChatStream::State::run_end_callback() {
  if (!end_callback_) return;
  auto callback = std::move(end_callback_);
  end_callback_ = nullptr;
  callback(accumulator.response());
}

void ChatStream::State::report_end() {
  run_end_callback();
  if (!observer_ || reported_) return;
  reported_ = true;
  CallOutcome outcome;
  outcome.error = error;
  outcome.attempts = error ? std::max(error->attempts, attempts_) : attempts_;
  outcome.total = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_);
  outcome.queue_time = queue_time_;
  outcome.time_to_first_token = time_to_first_token;
  outcome.usage = accumulator.response().usage;
  outcome.cost_usd = accumulator.response().cost_usd;
  if (error) outcome.request_id = error->request_id;
  observer_->on_call_end(call_, outcome);
}

std::string ChatStream::State::progress() const {
  const ChatResponse& so_far = accumulator.response();
  if (accumulator.chunk_count() == 0) return " No chunk had been received.";
  std::string text = " " + std::to_string(accumulator.chunk_count()) + " chunks had arrived (" +
                     std::to_string(so_far.text().size()) + " bytes of answer, " +
                     std::to_string(so_far.reasoning().size()) +
                     " of reasoning); ChatStream::response() holds them";
  if (!so_far.choices.empty() && !so_far.choices.front().finish_reason.empty()) {
    text +=
        ", and the last one carried finish_reason \"" + so_far.choices.front().finish_reason + "\"";
  }
  return text + ".";
}

const ChatChunk* ChatStream::State::fail(Error failure) {
  failure.message += progress();
  // The body was open: the response had started, and once a chunk reached the caller a retry
  // would deliver its tokens twice.
  if (accumulator.chunk_count() > 0) {
    failure.phase = ErrorPhase::mid_stream;
  } else if (failure.phase == ErrorPhase::before_send ||
             failure.phase == ErrorPhase::before_response) {
    failure.phase = ErrorPhase::response_started;
  }
  detail::sanitize(failure, provider_.get());
  error = std::move(failure);
  finished = true;
  release_body(false);
  report_end();
  return nullptr;
}

void ChatStream::State::hold(detail::CallQueue::Place place) {
  std::lock_guard<std::mutex> lock(body_mutex_);
  if (body_) place_ = std::move(place);  // else the exchange is over: let the next call in
}

void ChatStream::State::release_body(bool reuse_connection) {
  std::unique_ptr<ResponseStream> body;
  detail::CallQueue::Place place;
  {
    std::lock_guard<std::mutex> lock(body_mutex_);
    body = std::move(body_);
    place = std::move(place_);
  }
  if (body && reuse_connection) body->discard_rest(kDiscardGrace);
}

void ChatStream::State::cancel() noexcept {
  cancelled_.store(true, std::memory_order_release);
  std::lock_guard<std::mutex> lock(body_mutex_);
  if (body_) body_->cancel();
}

const ChatChunk* ChatStream::State::deliver(ChatChunk chunk) {
  accumulator.add(chunk);
  if (!time_to_first_token) {
    for (const auto& choice : chunk.choices) {
      const auto& d = choice.delta;
      if ((d.content && !d.content->empty()) ||
          (d.reasoning_content && !d.reasoning_content->empty())) {
        time_to_first_token =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_);
        if (observer_) observer_->on_first_token(call_, *time_to_first_token);
        break;
      }
    }
  }
  current_ = std::move(chunk);
  if (observer_) observer_->on_chunk(call_, current_);
  return &current_;
}

const ChatChunk* ChatStream::State::succeed() {
  finished = true;
  release_body(true);
  if (spec_ && accumulator.response().usage) {
    accumulator.set_cost_usd(spec_->cost(*accumulator.response().usage));
  }
  report_end();
  return nullptr;
}

void ChatStream::State::end_body() {
  Result<Done> ended = pipeline_->finish(ready_);
  if (ended) {
    ended_ = true;
  } else {
    pending_ = std::move(ended.error());
  }
}

void ChatStream::State::pump() {
  if (unparsed_begin_ < unparsed_end_) {
    // One slice at a time, delivered before the next: few chunks are ever queued.
    const std::size_t slice =
        std::min(detail::ChunkPipeline::kSlice, unparsed_end_ - unparsed_begin_);
    Result<Done> fed =
        pipeline_->feed(std::string_view(buffer_.data() + unparsed_begin_, slice), ready_);
    unparsed_begin_ += slice;
    if (!fed) {
      pending_ = std::move(fed.error());
    } else if (pipeline_->done()) {
      end_body();  // the rest of the body is not read: the connection can be reused
    }
    return;
  }
  Result<std::size_t> n = body_->read(buffer_.data(), buffer_.size());
  if (!n) {
    pending_ = std::move(n.error());
    return;
  }
  if (*n == 0) {
    end_body();
    return;
  }
  unparsed_begin_ = 0;
  unparsed_end_ = *n;
}

Result<Done> ChatStream::State::prime() {
  while (!finished && pipeline_ && next_ready_ == ready_.size() && !pending_ && !ended_) {
    if (cancelled_.load(std::memory_order_acquire)) break;
    pump();
  }
  if (next_ready_ < ready_.size() || ended_) return Done{};
  next();  // reports the failure (or cancellation) as the stream's error
  if (error) return *error;
  return Done{};
}

const ChatChunk* ChatStream::State::next() {
  if (finished) return nullptr;
  while (true) {
    if (cancelled_.load(std::memory_order_acquire)) {
      return fail(make_error(ErrorKind::cancelled, "The stream was cancelled."));
    }
    if (next_ready_ < ready_.size()) return deliver(std::move(ready_[next_ready_++]));
    ready_.clear();
    next_ready_ = 0;
    if (pending_) {
      Error failure = std::move(*pending_);
      pending_.reset();
      return fail(std::move(failure));
    }
    if (ended_ || !pipeline_) return succeed();
    pump();
  }
}

ChatStream::ChatStream(Error error) : state_(std::make_unique<State>(std::move(error))) {}
ChatStream::ChatStream(std::unique_ptr<State> state) : state_(std::move(state)) {}
ChatStream::~ChatStream() = default;
ChatStream::ChatStream(ChatStream&& other) noexcept = default;
ChatStream& ChatStream::operator=(ChatStream&& other) noexcept = default;

const ChatChunk* ChatStream::next() {
  return state_ ? state_->next() : nullptr;
}

const std::optional<Error>& ChatStream::error() const noexcept {
  static const std::optional<Error> kNone;
  return state_ ? state_->error : kNone;
}

bool ChatStream::finished() const noexcept {
  return !state_ || state_->finished;
}

const ChatResponse& ChatStream::response() const noexcept {
  static const ChatResponse kEmpty;
  return state_ ? state_->accumulator.response() : kEmpty;
}

void ChatStream::cancel() noexcept {
  if (state_) state_->cancel();
}

std::optional<std::chrono::milliseconds> ChatStream::time_to_first_token() const noexcept {
  return state_ ? state_->time_to_first_token : std::nullopt;
}

ChatStream::Iterator ChatStream::begin() {
  return Iterator(this, next());
}
ChatStream::Iterator ChatStream::end() noexcept {
  return Iterator();
}

}  // namespace lemma
