#include "core/chat_stream_state_private.hpp"

#include <algorithm>

#include "core/error_text_private.hpp"

namespace lemma {

namespace {
constexpr std::size_t kReadSize = 64 * 1024;
// The parser is fed this much at a time and its events decoded before the next slice: at most
// a few hundred events (of at most SseParserOptions::max_id_bytes of id each) are ever queued,
// however many tiny events one read holds.
constexpr std::size_t kFeedSlice = 4 * 1024;
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
    : provider_(std::move(provider)),
      decoder_(provider_->stream_decoder()),
      body_(std::move(body)),
      parser_(sse),
      buffer_(kReadSize),
      max_body_bytes_(max_body_bytes),
      start_(start) {}

ChatStream::State::State(std::shared_ptr<const Provider> provider, std::vector<ChatChunk> chunks,
                         Clock::time_point start)
    : provider_(std::move(provider)),
      ready_(std::move(chunks)),
      eof_(true),
      saw_done_(true),
      start_(start) {}

ChatStream::State::~State() {
  if (observer_ && !reported_) {
    // Abandoned before its end: report it so that metrics never lose a call.
    error = make_error(ErrorKind::cancelled, "The stream was destroyed before it finished.");
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

void ChatStream::State::report_end() {
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
  detail::sanitize(failure, provider_.get());
  error = std::move(failure);
  finished = true;
  release_body(false);
  report_end();
  return nullptr;
}

Error ChatStream::State::scrubbed_failure(const SseEvent& event, Error failure) const {
  // Decoded again with the provider's secrets scrubbed from the event, so that no excerpt cut
  // from it can end inside a key.
  SseEvent clean = event;
  provider_->redact(clean.data);
  provider_->redact(clean.error);
  if (clean.data == event.data && clean.error == event.error) return failure;
  Result<StreamEvent> again = provider_->decode_stream_event(clean);
  return again ? failure : again.error();
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

const ChatChunk* ChatStream::State::end_of_body() {
  if (decoder_ && !ending_) {
    // Text the decoder held back (e.g. a possible partial tag) is delivered before the end.
    ending_ = true;
    if (auto tail = decoder_->finish()) return deliver(std::move(*tail));
  }
  finished = true;
  if (saw_done_ || !provider_->stream_requires_done()) {
    if (accumulator.chunk_count() == 0) {
      // "[DONE]" alone is no answer: a server that failed and said so in a way lemma did not
      // recognise must not look like an empty success.
      Error empty = protocol_error(
          saw_done_ ? "The stream ended with \"data: [DONE]\" before any chunk: the server sent "
                      "no answer and no error lemma recognises. Check the server's log."
                    : "The stream ended without any event.");
      empty.code = "empty_stream";
      return fail(std::move(empty));
    }
    release_body(true);
    if (spec_ && accumulator.response().usage) {
      accumulator.set_cost_usd(spec_->cost(*accumulator.response().usage));
    }
    report_end();
    return nullptr;
  }
  Error truncated = protocol_error(
      accumulator.chunk_count() == 0
          ? "The stream ended before any event and without the final \"data: [DONE]\"; the "
            "server or a proxy closed it early."
          : "The stream was truncated: it ended without the final \"data: [DONE]\", so the "
            "server or a proxy closed it early.");
  truncated.code = "truncated";
  return fail(std::move(truncated));
}

const ChatChunk* ChatStream::State::next() {
  if (finished) return nullptr;
  while (true) {
    if (cancelled_.load(std::memory_order_acquire)) {
      return fail(make_error(ErrorKind::cancelled, "The stream was cancelled."));
    }
    if (ending_) return end_of_body();
    if (next_ready_ < ready_.size()) return deliver(std::move(ready_[next_ready_++]));
    if (next_event_ < events_.size()) {
      const SseEvent& event = events_[next_event_++];
      Result<StreamEvent> decoded = decoder_->decode(event);
      if (!decoded) return fail(scrubbed_failure(event, decoded.error()));
      switch (decoded->kind) {
        case StreamEvent::Kind::chunk: return deliver(std::move(decoded->chunk));
        case StreamEvent::Kind::done: saw_done_ = true; return end_of_body();
        case StreamEvent::Kind::ignore: continue;
      }
    }
    events_.clear();
    next_event_ = 0;
    if (unparsed_begin_ < unparsed_end_) {
      const std::size_t slice = std::min(kFeedSlice, unparsed_end_ - unparsed_begin_);
      Result<std::size_t> parsed =
          parser_.feed(std::string_view(buffer_.data() + unparsed_begin_, slice), events_);
      unparsed_begin_ += slice;
      if (!parsed) return fail(parsed.error());
      continue;
    }
    if (eof_) return end_of_body();
    Result<std::size_t> n = body_->read(buffer_.data(), buffer_.size());
    if (!n) {
      if (cancelled_.load(std::memory_order_acquire)) {
        return fail(make_error(ErrorKind::cancelled, "The stream was cancelled."));
      }
      return fail(n.error());
    }
    if (*n == 0) {
      eof_ = true;
      Result<std::size_t> parsed = parser_.finish(events_);
      if (!parsed) return fail(parsed.error());
      continue;
    }
    body_bytes_ += *n;
    if (body_bytes_ > max_body_bytes_) {
      return fail(protocol_error("The stream's body exceeds the limit of " +
                                 std::to_string(max_body_bytes_) +
                                 " bytes; raise ClientOptions::max_stream_bytes if the server is "
                                 "trusted and answers that long are expected."));
    }
    unparsed_begin_ = 0;
    unparsed_end_ = *n;
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
