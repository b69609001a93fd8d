// Sequential calls over loopback HTTP: lemma's blocking chat() and stream() against the floor
// any SDK on this stack pays, a bare libcurl easy handle (reused, so its connection is kept
// alive) plus nlohmann::json, measured in the same run against the same server.
//
//   bench/run_http_bench            (starts nginx with fixed answers and runs this program)
//   lemma_http_seq_bench --base-url http://127.0.0.1:PORT [--requests N] [--rounds R]
//
// The server serves a fixed completion at BASE/whole/v1/chat/completions and a fixed stream at
// BASE/sse/v1/chat/completions (whatever the request says), so only the client differs.
// Peers alternate round by round (bare, lemma, bare, lemma, ...) and the median round counts,
// so a slow spell of the machine hits both. CPU is this process's user+system time
// (getrusage), i.e. the client's alone: the server is another process.

#include <curl/curl.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "bench_request.hpp"
#include "lemma/lemma.hpp"

namespace {

struct Sample {
  double seconds = 0;
  double cpu_seconds = 0;
  std::size_t units = 0;  // requests or chunks
};

double cpu_now() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

Sample measure(const std::function<std::size_t()>& run) {
  const double cpu0 = cpu_now();
  const auto t0 = std::chrono::steady_clock::now();
  Sample sample;
  sample.units = run();
  sample.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sample.cpu_seconds = cpu_now() - cpu0;
  return sample;
}

const char* kRequestBody =
    R"({"model":"bench","messages":[{"role":"user","content":"What is 1+1?"}],"max_tokens":256})";
const char* kStreamBody =
    R"({"model":"bench","messages":[{"role":"user","content":"What is 1+1?"}],"max_tokens":256,"stream":true,"stream_options":{"include_usage":true}})";

size_t append_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// The bare floor: one reused easy handle, parse the whole body, read the answer.
class BareCurl {
 public:
  explicit BareCurl(std::string url) : url_(std::move(url)), easy_(curl_easy_init()) {
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, "Authorization: Bearer bench");
  }
  ~BareCurl() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(easy_);
  }
  BareCurl(const BareCurl&) = delete;
  BareCurl& operator=(const BareCurl&) = delete;

  std::size_t chat(std::size_t requests) {
    std::size_t ok = 0;
    std::string body;
    for (std::size_t i = 0; i < requests; ++i) {
      body.clear();
      setup(kRequestBody, &append_body, &body);
      if (curl_easy_perform(easy_) != CURLE_OK) continue;
      const auto json = nlohmann::json::parse(body, nullptr, false);
      if (json.is_discarded()) continue;
      const auto& content = json["choices"][0]["message"]["content"];
      if (content.is_string() && !content.get_ref<const std::string&>().empty()) ++ok;
    }
    return ok;
  }

  // Streams `requests` times; returns the number of chunks decoded (one JSON parse per data line).
  std::size_t stream(std::size_t requests) {
    std::size_t chunks = 0;
    for (std::size_t i = 0; i < requests; ++i) {
      LineState state{&chunks, {}};
      setup(kStreamBody, &on_stream_bytes, &state);
      curl_easy_perform(easy_);
    }
    return chunks;
  }

 private:
  struct LineState {
    std::size_t* chunks;
    std::string pending;
  };

  static size_t on_stream_bytes(char* data, size_t size, size_t count, void* user) {
    auto* state = static_cast<LineState*>(user);
    state->pending.append(data, size * count);
    std::size_t start = 0;
    for (std::size_t nl; (nl = state->pending.find('\n', start)) != std::string::npos;
         start = nl + 1) {
      const std::string_view line(state->pending.data() + start, nl - start);
      if (line.size() > 6 && line.substr(0, 6) == "data: " && line.substr(6) != "[DONE]") {
        const auto json = nlohmann::json::parse(line.substr(6), nullptr, false);
        if (!json.is_discarded() && json.contains("choices")) ++*state->chunks;
      }
    }
    state->pending.erase(0, start);
    return size * count;
  }

  void setup(const char* body, curl_write_callback write, void* user) {
    curl_easy_setopt(easy_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, write);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, user);
  }

  std::string url_;
  CURL* easy_;
  curl_slist* headers_ = nullptr;
};

struct Row {
  std::string name;
  std::vector<Sample> samples;
  Sample median() const {
    auto sorted = samples;
    std::sort(sorted.begin(), sorted.end(), [](const Sample& a, const Sample& b) {
      return a.units / a.seconds < b.units / b.seconds;
    });
    return sorted[sorted.size() / 2];
  }
};

void print_pair(const char* unit, const Row& bare, const Row& lemma_row) {
  const Sample b = bare.median();
  const Sample l = lemma_row.median();
  const double b_rate = b.units / b.seconds;
  const double l_rate = l.units / l.seconds;
  const double b_cpu = b.cpu_seconds / b.units * 1e6;
  const double l_cpu = l.cpu_seconds / l.units * 1e6;
  std::printf("| %-22s | %10.0f %-9s | %8.1f us |\n", bare.name.c_str(), b_rate, unit, b_cpu);
  std::printf("| %-22s | %10.0f %-9s | %8.1f us |\n", lemma_row.name.c_str(), l_rate, unit, l_cpu);
  std::printf("| %-22s | %10.2f x %-7s | %8.2f x  |\n", "ratio lemma / bare", l_rate / b_rate, "",
              l_cpu / b_cpu);
}

}  // namespace

int main(int argc, char** argv) {
  std::string base;
  std::size_t requests = 2000;
  int rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--base-url") base = argv[i + 1];
    if (flag == "--requests") requests = std::strtoul(argv[i + 1], nullptr, 10);
    if (flag == "--rounds") rounds = std::atoi(argv[i + 1]);
  }
  if (base.empty() || requests == 0 || rounds <= 0) {
    std::fprintf(stderr,
                 "usage: lemma_http_seq_bench --base-url http://127.0.0.1:PORT [--requests N] "
                 "[--rounds R]\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::string whole = base + "/whole/v1";
  const std::string sse = base + "/sse/v1";

  lemma::Client whole_client(lemma::providers::openai_compatible(whole, lemma::ApiKey("bench")));
  lemma::Client sse_client(lemma::providers::openai_compatible(sse, lemma::ApiKey("bench")));
  BareCurl bare_whole(whole + "/chat/completions");
  BareCurl bare_sse(sse + "/chat/completions");
  const lemma::ChatRequest request = lemma_bench::bench_request();
  const std::size_t stream_requests = std::max<std::size_t>(requests / 10, 1);

  // Warm up both peers (connections, allocator).
  bare_whole.chat(50);
  for (int i = 0; i < 50; ++i) (void)whole_client.chat(request);

  Row bare_chat{"bare curl easy + json", {}}, lemma_chat{"lemma Client::chat()", {}};
  Row bare_stream{"bare curl easy + json", {}}, lemma_stream{"lemma Client::stream()", {}};
  std::size_t failures = 0;
  for (int round = 0; round < rounds; ++round) {
    bare_chat.samples.push_back(measure([&] { return bare_whole.chat(requests); }));
    lemma_chat.samples.push_back(measure([&] {
      std::size_t ok = 0;
      for (std::size_t i = 0; i < requests; ++i) {
        auto response = whole_client.chat(request);
        if (response && !response->text().empty()) ++ok;
      }
      return ok;
    }));
    bare_stream.samples.push_back(measure([&] { return bare_sse.stream(stream_requests); }));
    lemma_stream.samples.push_back(measure([&] {
      std::size_t chunks = 0;
      for (std::size_t i = 0; i < stream_requests; ++i) {
        lemma::ChatStream stream = sse_client.stream(request);
        for (const lemma::ChatChunk& chunk : stream) chunks += chunk.choices.empty() ? 0 : 1;
        if (stream.error()) ++failures;
      }
      return chunks;
    }));
  }
  if (failures > 0 || lemma_chat.median().units != requests ||
      bare_chat.median().units != requests) {
    std::fprintf(stderr, "bench: some calls failed (%zu stream errors); figures are not valid\n",
                 failures);
    return 1;
  }

  std::printf("sequential, %zu requests x %d rounds (median round), %zu streams per round\n\n",
              requests, rounds, stream_requests);
  std::printf("| %-22s | %-20s | %-11s |\n", "whole answers", "requests/s", "CPU/request");
  std::printf("|%s|%s|%s|\n", std::string(24, '-').c_str(), std::string(22, '-').c_str(),
              std::string(13, '-').c_str());
  print_pair("req/s", bare_chat, lemma_chat);
  std::printf("\n| %-22s | %-20s | %-11s |\n", "streams", "chunks/s", "CPU/chunk");
  std::printf("|%s|%s|%s|\n", std::string(24, '-').c_str(), std::string(22, '-').c_str(),
              std::string(13, '-').c_str());
  print_pair("chunks/s", bare_stream, lemma_stream);
  curl_global_cleanup();
  return 0;
}
