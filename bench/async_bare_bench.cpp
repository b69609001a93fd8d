// The floor for concurrent calls on this stack: a bare libcurl-multi + nlohmann::json loop,
// N easy handles on one multi handle driven by this one thread, each response parsed, a
// finished handle re-added at once so that N stay in flight. bench/run_async_bench runs it next
// to lemma's chat_async()/stream_async() (lemma_async_bench) and the OpenAI Node SDK against the
// same nginx, and prints the ratios.
//
//   lemma_async_bare_bench --base-url http://127.0.0.1:PORT --mode chat|stream
//                          [--in-flight N] [--seconds S] [--warmup S]
//   lemma_async_bare_bench --base-url http://127.0.0.1:HOLD_PORT --mode idle [--streams 1000]
//
// chat: POST BASE/whole/v1/chat/completions, parse the body, count answers with content.
// stream: POST BASE/sse/v1/chat/completions, split SSE lines, parse each data line, count
// chunks with choices. Only calls that end inside the measured window count; one JSON line of
// figures (process_probe.hpp) goes to stdout. idle: the floor for lemma's idle-stream figure
// (see run_idle).

#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "process_probe.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// One easy handle and what its current transfer has received.
struct Slot {
  CURL* easy = nullptr;
  bool stream = false;
  std::string body;     // chat: the whole answer
  std::string pending;  // stream: bytes after the last full line
  std::size_t* chunks = nullptr;
  const bool* counting = nullptr;
  bool had_chunk = false;  // idle: this stream's first chunk arrived
};

size_t on_bytes(char* data, size_t size, size_t count, void* user) {
  auto* slot = static_cast<Slot*>(user);
  const std::size_t bytes = size * count;
  if (!slot->stream) {
    slot->body.append(data, bytes);
    return bytes;
  }
  slot->pending.append(data, bytes);
  std::size_t start = 0;
  for (std::size_t nl; (nl = slot->pending.find('\n', start)) != std::string::npos;
       start = nl + 1) {
    const std::string_view line(slot->pending.data() + start, nl - start);
    if (line.size() > 6 && line.substr(0, 6) == "data: " && line.substr(6) != "[DONE]") {
      const auto json = nlohmann::json::parse(line.substr(6), nullptr, false);
      if (json.is_discarded()) continue;
      slot->had_chunk = true;
      const auto choices = json.find("choices");
      if (choices != json.end() && choices->is_array() && !choices->empty() && *slot->counting)
        ++*slot->chunks;
    }
  }
  slot->pending.erase(0, start);
  return bytes;
}

bool answer_ok(const Slot& slot) {
  const auto json = nlohmann::json::parse(slot.body, nullptr, false);
  if (json.is_discarded()) return false;
  const auto choices = json.find("choices");
  if (choices == json.end() || !choices->is_array() || choices->empty()) return false;
  const auto& content = (*choices)[0]["message"]["content"];
  return content.is_string() && !content.get_ref<const std::string&>().empty();
}

// A new easy handle for `slot`: POST the request to `url`, bytes into on_bytes.
void set_up(Slot& slot, const std::string& url, curl_slist* headers) {
  slot.easy = curl_easy_init();
  curl_easy_setopt(slot.easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(slot.easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(slot.easy, CURLOPT_POSTFIELDS, lemma_bench::request_body(slot.stream));
  curl_easy_setopt(slot.easy, CURLOPT_WRITEFUNCTION, &on_bytes);
  curl_easy_setopt(slot.easy, CURLOPT_WRITEDATA, &slot);
  curl_easy_setopt(slot.easy, CURLOPT_PRIVATE, &slot);
  curl_easy_setopt(slot.easy, CURLOPT_NOSIGNAL, 1L);
}

// The floor for lemma_async_bench --mode idle: `streams` streams on one multi handle against
// bench/hold_server.py, RSS growth until each has its first chunk, then all removed.
int run_idle(const std::string& base, int streams, curl_slist* headers) {
  const std::string url = base + "/v1/chat/completions";
  CURLM* multi = curl_multi_init();
  std::size_t chunks = 0;
  const bool counting = true;
  // streams + 1 slots: the first one opens alone, so that curl and the allocator are set up
  // before the baseline, as in the lemma peer.
  std::vector<Slot> slots(static_cast<std::size_t>(streams) + 1);
  for (Slot& slot : slots) {
    slot.stream = true;
    slot.chunks = &chunks;
    slot.counting = &counting;
  }
  auto drive_until = [&](std::size_t first, std::size_t last, Clock::time_point deadline) {
    int running = 0;
    for (;;) {
      curl_multi_perform(multi, &running);
      bool all = true;
      for (std::size_t i = first; i < last; ++i) all = all && slots[i].had_chunk;
      if (all || running == 0 || Clock::now() > deadline) return all;
      curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
  };
  set_up(slots[0], url, headers);
  curl_multi_add_handle(multi, slots[0].easy);
  drive_until(0, 1, Clock::now() + std::chrono::seconds(10));
  curl_multi_remove_handle(multi, slots[0].easy);
  curl_easy_cleanup(slots[0].easy);

  const long rss_before = lemma_bench::rss_kib();
  const auto t0 = Clock::now();
  for (std::size_t i = 1; i < slots.size(); ++i) {
    set_up(slots[i], url, headers);
    curl_multi_add_handle(multi, slots[i].easy);
  }
  drive_until(1, slots.size(), t0 + std::chrono::seconds(30));
  const double open_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const long rss_open = lemma_bench::rss_kib();
  int first_chunks = 0;
  for (std::size_t i = 1; i < slots.size(); ++i) first_chunks += slots[i].had_chunk ? 1 : 0;
  const int threads_open = lemma_bench::thread_count();
  const int connections_open = lemma_bench::established_to(lemma_bench::port_of(base));
  for (std::size_t i = 1; i < slots.size(); ++i) {
    curl_multi_remove_handle(multi, slots[i].easy);
    curl_easy_cleanup(slots[i].easy);
  }
  curl_multi_cleanup(multi);
  std::printf(
      "{\"peer\":\"bare\",\"mode\":\"idle\",\"streams\":%d,\"first_chunks\":%d,"
      "\"open_seconds\":%.3f,\"rss_before_kib\":%ld,\"rss_open_kib\":%ld,"
      "\"threads_open\":%d,\"connections_open\":%d}\n",
      streams, first_chunks, open_seconds, rss_before, rss_open, threads_open, connections_open);
  std::fflush(stdout);
  return first_chunks == streams ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = lemma_bench::PeerOptions::parse(argc, argv, "lemma_async_bare_bench");
  if (!options) return 2;
  const std::string& base = options->base;
  const std::string& mode = options->mode;
  const int in_flight = options->in_flight;
  const double seconds = options->seconds;
  const double warmup = options->warmup;
  const bool stream = mode == "stream";
  const std::string url =
      base + (stream ? "/sse/v1/chat/completions" : "/whole/v1/chat/completions");

  curl_global_init(CURL_GLOBAL_DEFAULT);
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Authorization: Bearer bench");
  if (mode == "idle") {
    const int status = run_idle(base, options->streams, headers);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    return status;
  }
  CURLM* multi = curl_multi_init();
  lemma_bench::PeakSampler sampler(lemma_bench::port_of(base));

  std::size_t chunks = 0;
  bool counting = false;
  std::vector<Slot> slots(static_cast<std::size_t>(in_flight));
  for (Slot& slot : slots) {
    slot.stream = stream;
    slot.chunks = &chunks;
    slot.counting = &counting;
    set_up(slot, url, headers);
    curl_multi_add_handle(multi, slot.easy);
  }

  const auto start = Clock::now();
  const auto measure_from =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
  const auto measure_to = measure_from + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(seconds));
  enum class Phase { warming, measuring, draining } phase = Phase::warming;
  std::size_t answers = 0;
  long failures = 0;
  double cpu0 = 0, cpu1 = 0;
  Clock::time_point t0, t1;
  int running = 0;
  do {
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      Slot* slot = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &slot);
      long status = 0;
      curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &status);
      const bool ok = message->data.result == CURLE_OK && status == 200 &&
                      (stream ? slot->pending.empty() : answer_ok(*slot));
      if (!ok) ++failures;
      if (ok && !stream && phase == Phase::measuring) ++answers;
      curl_multi_remove_handle(multi, slot->easy);
      slot->body.clear();
      slot->pending.clear();
      if (phase != Phase::draining) curl_multi_add_handle(multi, slot->easy);
    }
    sampler.maybe_sample();
    const auto now = Clock::now();
    if (phase == Phase::warming && now >= measure_from) {
      phase = Phase::measuring;
      counting = true;
      t0 = now;
      cpu0 = lemma_bench::cpu_seconds();
    } else if (phase == Phase::measuring && now >= measure_to) {
      phase = Phase::draining;
      counting = false;
      t1 = now;
      cpu1 = lemma_bench::cpu_seconds();
    }
    if (phase != Phase::draining || running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  } while (phase != Phase::draining || running > 0);

  lemma_bench::RunFigures figures;
  figures.peer = "bare";
  figures.mode = mode;
  figures.in_flight = in_flight;
  figures.units = static_cast<double>(stream ? chunks : answers);
  figures.seconds = std::chrono::duration<double>(t1 - t0).count();
  figures.cpu = cpu1 - cpu0;
  figures.peak_rss_kib = lemma_bench::peak_rss_kib();
  figures.threads = sampler.threads();
  figures.connections = sampler.connections();
  figures.failures = failures;
  figures.print();

  for (Slot& slot : slots) {
    curl_multi_remove_handle(multi, slot.easy);
    curl_easy_cleanup(slot.easy);
  }
  curl_multi_cleanup(multi);
  curl_slist_free_all(headers);
  curl_global_cleanup();
  return failures == 0 ? 0 : 1;
}
