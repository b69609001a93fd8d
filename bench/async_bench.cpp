// lemma's async calls under load, the lemma peer of bench/run_async_bench (which runs it next
// to the bare curl-multi loop of async_bare_bench.cpp and the OpenAI Node SDK, against the same
// nginx, and prints the ratios).
//
//   lemma_async_bench --base-url http://127.0.0.1:PORT --mode chat|stream
//                     [--in-flight N] [--seconds S] [--warmup S]
//   lemma_async_bench --base-url http://127.0.0.1:HOLD_PORT --mode idle [--streams 1000]
//
// chat: Client::chat_async's callback form keeps N calls in flight (each on_done starts the next
// call); answers with content that end inside the measured window count.
// stream: N stream_async calls in flight (a ring of Futures: the oldest is awaited, then
// replaced); chunks with choices delivered inside the window count.
// idle: against a server that sends headers and a first chunk and then holds every stream
// open (bench/hold_server.py), starts `streams` stream_async calls on one Client, measures the
// process's RSS growth until all have had their first chunk, the threads and connections then,
// cancels them all (Future::cancel) and checks that every one ends with `cancelled`.
// Each mode prints one JSON line of figures (process_probe.hpp).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_request.hpp"
#include "lemma/lemma.hpp"
#include "process_probe.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Answer = lemma::Future<lemma::Result<lemma::ChatResponse>>;

lemma::Client make_client(const std::string& base_url) {
  return lemma::Client(lemma::providers::openai_compatible(base_url, lemma::ApiKey("bench")));
}

// The measured window: warm-up, then `seconds` whose units and CPU count.
class Window {
 public:
  Window(double warmup, double seconds)
      : from_(Clock::now() + to_duration(warmup)), to_(from_ + to_duration(seconds)) {}
  // Moves the window on; `units` is read at its edges. True once the window has closed.
  bool update(const std::atomic<std::size_t>& units) {
    const auto now = Clock::now();
    if (!open_ && !closed_ && now >= from_) {
      open_ = true;
      t0_ = now;
      cpu0_ = lemma_bench::cpu_seconds();
      units0_ = units.load();
    } else if (open_ && now >= to_) {
      open_ = false;
      closed_ = true;
      t1_ = now;
      cpu1_ = lemma_bench::cpu_seconds();
      units1_ = units.load();
    }
    return closed_;
  }
  void fill(lemma_bench::RunFigures& figures) const {
    figures.units = static_cast<double>(units1_ - units0_);
    figures.seconds = std::chrono::duration<double>(t1_ - t0_).count();
    figures.cpu = cpu1_ - cpu0_;
  }

 private:
  static Clock::duration to_duration(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }
  Clock::time_point from_, to_, t0_, t1_;
  bool open_ = false, closed_ = false;
  double cpu0_ = 0, cpu1_ = 0;
  std::size_t units0_ = 0, units1_ = 0;
};

// chat_async's callback form: every finished call starts the next one until told to stop.
class ChatPump {
 public:
  ChatPump(const lemma::Client& client, lemma::ChatRequest request)
      : client_(client), request_(std::move(request)) {}

  void start(int calls) {
    in_flight_ += calls;
    for (int i = 0; i < calls; ++i) launch();
  }
  void stop() { stopping_ = true; }
  // Waits up to `period` for the last call to end; true when none is left.
  bool wait_drained(std::chrono::milliseconds period) {
    std::unique_lock<std::mutex> lock(mutex_);
    return drained_.wait_for(lock, period, [this] { return in_flight_.load() == 0; });
  }
  const std::atomic<std::size_t>& answers() const { return answers_; }
  long failures() const { return failures_.load(); }

 private:
  void launch() {
    client_.chat_async(request_, [this](lemma::Result<lemma::ChatResponse> answer) {
      if (answer && !answer->text().empty()) {
        ++answers_;
      } else if (++failures_ >= kMaxFailures) {
        // A failure that comes back at once (on this thread) would otherwise recurse for ever;
        // the figures are void anyway.
        stopping_ = true;
      }
      if (!stopping_) {
        launch();
        return;
      }
      // Under the lock: the waiter may destroy this pump as soon as it sees zero.
      std::lock_guard<std::mutex> lock(mutex_);
      if (--in_flight_ == 0) drained_.notify_all();
    });
  }

  static constexpr long kMaxFailures = 100;
  const lemma::Client& client_;
  const lemma::ChatRequest request_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> in_flight_{0};
  std::atomic<std::size_t> answers_{0};
  std::atomic<long> failures_{0};
  std::mutex mutex_;
  std::condition_variable drained_;
};

lemma_bench::RunFigures run_chat(const std::string& base, int in_flight, double warmup,
                                 double seconds) {
  const lemma::Client client = make_client(base + "/whole/v1");
  lemma_bench::PeakSampler sampler(lemma_bench::port_of(base));
  ChatPump pump(client, lemma_bench::bench_request());
  Window window(warmup, seconds);
  pump.start(in_flight);
  while (!window.update(pump.answers())) {
    pump.wait_drained(std::chrono::milliseconds(5));
    sampler.maybe_sample();
  }
  pump.stop();
  while (!pump.wait_drained(std::chrono::milliseconds(100))) {
  }
  lemma_bench::RunFigures figures;
  figures.mode = "chat";
  window.fill(figures);
  figures.threads = sampler.threads();
  figures.connections = sampler.connections();
  figures.failures = pump.failures();
  return figures;
}

lemma_bench::RunFigures run_stream(const std::string& base, int in_flight, double warmup,
                                   double seconds) {
  const lemma::Client client = make_client(base + "/sse/v1");
  const lemma::ChatRequest request = lemma_bench::bench_request();
  lemma_bench::PeakSampler sampler(lemma_bench::port_of(base));
  std::atomic<std::size_t> chunks{0};
  auto start_one = [&] {
    lemma::StreamCallbacks callbacks;
    callbacks.on_chunk = [&chunks](const lemma::ChatChunk& chunk) {
      if (!chunk.choices.empty()) chunks.fetch_add(1, std::memory_order_relaxed);
      return true;
    };
    return client.stream_async(request, std::move(callbacks));
  };
  std::vector<Answer> ring;
  ring.reserve(static_cast<std::size_t>(in_flight));
  for (int i = 0; i < in_flight; ++i) ring.push_back(start_one());
  Window window(warmup, seconds);
  long failures = 0;
  bool closed = false;
  for (std::size_t oldest = 0; !closed; oldest = (oldest + 1) % ring.size()) {
    while (!ring[oldest].wait_for(std::chrono::milliseconds(5))) {
      sampler.maybe_sample();
      closed = window.update(chunks);
    }
    if (!ring[oldest].get()) ++failures;
    sampler.maybe_sample();
    closed = window.update(chunks);
    if (!closed) ring[oldest] = start_one();
  }
  for (Answer& answer : ring)
    if (answer.valid() && !answer.get()) ++failures;
  lemma_bench::RunFigures figures;
  figures.mode = "stream";
  window.fill(figures);
  figures.threads = sampler.threads();
  figures.connections = sampler.connections();
  figures.failures = failures;
  return figures;
}

// The idle-stream run prints its own JSON line (other figures than a throughput run).
int run_idle(const std::string& base, int streams) {
  const lemma::Client client = make_client(base + "/v1");
  const lemma::ChatRequest request = lemma_bench::bench_request();
  std::atomic<int> first_chunks{0};
  auto start_one = [&] {
    lemma::StreamCallbacks callbacks;
    callbacks.on_chunk = [&first_chunks, seen = false](const lemma::ChatChunk&) mutable {
      if (!seen) first_chunks.fetch_add(1);
      seen = true;
      return true;
    };
    return client.stream_async(request, std::move(callbacks));
  };
  // One stream first, so that the loop thread, curl and the allocator are set up before the
  // baseline: the growth measured is what each further stream costs.
  {
    Answer warm = start_one();
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (first_chunks.load() < 1 && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    warm.cancel();
    warm.wait();
  }
  first_chunks = 0;
  const long rss_before = lemma_bench::rss_kib();
  const int threads_before = lemma_bench::thread_count();

  const auto t0 = Clock::now();
  std::vector<Answer> calls;
  calls.reserve(static_cast<std::size_t>(streams));
  for (int i = 0; i < streams; ++i) calls.push_back(start_one());
  const auto deadline = t0 + std::chrono::seconds(30);
  long ended_early = 0;
  while (first_chunks.load() < streams && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const double open_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const long rss_open = lemma_bench::rss_kib();
  const int threads_open = lemma_bench::thread_count();
  const int connections_open = lemma_bench::established_to(lemma_bench::port_of(base));
  for (const Answer& call : calls) ended_early += call.ready() ? 1 : 0;

  const auto t_cancel = Clock::now();
  for (Answer& call : calls) call.cancel();
  long ended = 0, cancelled = 0;
  const auto cancel_deadline = t_cancel + std::chrono::seconds(10);
  for (Answer& call : calls) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(cancel_deadline - Clock::now());
    if (!call.wait_for(std::max(left, std::chrono::milliseconds(0)))) continue;
    ++ended;
    const auto result = call.get();
    if (!result && result.error().kind == lemma::ErrorKind::cancelled) ++cancelled;
  }
  const double cancel_seconds = std::chrono::duration<double>(Clock::now() - t_cancel).count();

  std::printf(
      "{\"peer\":\"lemma\",\"mode\":\"idle\",\"streams\":%d,\"first_chunks\":%d,"
      "\"ended_early\":%ld,\"open_seconds\":%.3f,\"rss_before_kib\":%ld,\"rss_open_kib\":%ld,"
      "\"threads_before\":%d,\"threads_open\":%d,\"connections_open\":%d,\"ended\":%ld,"
      "\"cancelled\":%ld,\"cancel_seconds\":%.3f,\"threads_after\":%d}\n",
      streams, first_chunks.load(), ended_early, open_seconds, rss_before, rss_open, threads_before,
      threads_open, connections_open, ended, cancelled, cancel_seconds,
      lemma_bench::thread_count());
  std::fflush(stdout);
  return first_chunks.load() == streams && ended == streams && cancelled == streams ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = lemma_bench::PeerOptions::parse(argc, argv, "lemma_async_bench");
  if (!options) return 2;
  const std::string& base = options->base;
  const std::string& mode = options->mode;
  const int in_flight = options->in_flight;
  const double seconds = options->seconds;
  const double warmup = options->warmup;
  if (mode == "idle") return run_idle(base, options->streams);

  lemma_bench::RunFigures figures = mode == "chat" ? run_chat(base, in_flight, warmup, seconds)
                                                   : run_stream(base, in_flight, warmup, seconds);
  figures.peer = "lemma";
  figures.in_flight = in_flight;
  figures.peak_rss_kib = lemma_bench::peak_rss_kib();
  figures.print();
  return figures.failures == 0 ? 0 : 1;
}
