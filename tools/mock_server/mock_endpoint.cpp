#include "mock_server/mock_endpoint.hpp"

#include <fcntl.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "mock_server/connection_faults.hpp"
#include "mock_server/mock_answer.hpp"

namespace lemma::tools {

namespace {

using nlohmann::json;

constexpr const char* kModel = "lemma-mock-math";
constexpr int kMaxChoices = 128;

void send_error(httplib::Response& res, int status, const std::string& message,
                const std::string& type, const std::string& param = "") {
  json error = {{"message", message}, {"type", type}, {"code", nullptr}};
  error["param"] = param.empty() ? json(nullptr) : json(param);
  res.status = status;
  res.set_content(json{{"error", error}}.dump(), "application/json");
}

void send_scripted_error(httplib::Response& res, const ScenarioResponse& response) {
  const auto text_or_null = [](const std::string& text) {
    return text.empty() ? json(nullptr) : json(text);
  };
  const json error = {
      {"message", response.error_message},
      {"type", text_or_null(response.error_type)},
      {"code",
       response.error_code_json.empty() ? json(nullptr) : json::parse(response.error_code_json)},
      {"param", text_or_null(response.error_param)}};
  res.status = response.status;
  res.set_content(json{{"error", error}}.dump(), "application/json");
}

std::string last_user_message(const json& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->is_object() && it->value("role", "") == "user" && (*it)["content"].is_string()) {
      return (*it)["content"].get<std::string>();
    }
  }
  return {};
}

std::optional<std::string> system_message(const json& messages) {
  for (const auto& m : messages) {
    if (m.is_object() && m.value("role", "") == "system" && m.contains("content") &&
        m["content"].is_string()) {
      return m["content"].get<std::string>();
    }
  }
  return std::nullopt;
}

// The built-in answerer's reply in the scenario's terms, so one code path sends both.
ScenarioResponse builtin_response(const std::string& question) {
  const MockAnswer answer = mock_answer(question);
  ScenarioResponse response;
  response.content = answer.content;
  response.reasoning = answer.reasoning;
  return response;
}

// Word-sized pieces (each keeps its trailing space), like a tokenizer would give.
std::vector<std::string> word_pieces(const std::string& text) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find(' ', begin);
    end = end == std::string::npos ? text.size() : end + 1;
    out.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return out;
}

// Pieces of `chars` characters each, never splitting a UTF-8 sequence.
std::vector<std::string> char_pieces(const std::string& text, std::size_t chars) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = begin;
    for (std::size_t n = 0; n < chars && end < text.size(); ++n) {
      ++end;
      while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    }
    out.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return out;
}

std::vector<std::string> pieces(const std::string& text, const ScenarioResponse& response) {
  return response.chunk_chars ? char_pieces(text, *response.chunk_chars) : word_pieces(text);
}

// The usage object for all choices: prompt tokens from the first choice's setting, completion
// and reasoning tokens summed over the choices; null when the first choice sends no usage.
json usage_json(const std::vector<ScenarioResponse>& responses, long estimated_prompt_tokens) {
  const auto& first = responses.front().usage;
  if (!first) return nullptr;
  const std::int64_t prompt = first->automatic ? estimated_prompt_tokens : first->prompt_tokens;
  std::int64_t completion = 0, reasoning = 0;
  bool has_reasoning = false;
  for (const auto& response : responses) {
    const std::int64_t reasoning_estimate = mock_token_count(response.reasoning.value_or(""));
    if (!response.usage || response.usage->automatic) {
      completion += reasoning_estimate + mock_token_count(response.content);
      reasoning += reasoning_estimate;
      has_reasoning = true;
    } else {
      completion += response.usage->completion_tokens;
      if (response.usage->reasoning_tokens) {
        reasoning += *response.usage->reasoning_tokens;
        has_reasoning = true;
      }
    }
  }
  json usage = {{"prompt_tokens", prompt},
                {"completion_tokens", completion},
                {"total_tokens", prompt + completion}};
  if (has_reasoning) usage["completion_tokens_details"] = {{"reasoning_tokens", reasoning}};
  return usage;
}

json finish_json(const ScenarioResponse& response) {
  return response.finish_reason ? json(*response.finish_reason) : json(nullptr);
}

}  // namespace

class MockEndpoint::Impl {
 public:
  explicit Impl(MockEndpointOptions options) : options_(std::move(options)) {
    if (options_.scenario) player_ = std::make_unique<ScenarioPlayer>(options_.scenario);
    // httplib takes ownership of the queue it is given.
    const auto threads = static_cast<std::size_t>(std::max(1, options_.threads));
    server_.new_task_queue = [threads] {
      return std::make_unique<httplib::ThreadPool>(threads).release();
    };
    // httplib writes a response's headers and body in separate sends; without TCP_NODELAY the
    // body waits for the client's delayed ACK (about 40 ms) on every kept-alive request.
    server_.set_tcp_nodelay(true);
    server_.Post("/v1/chat/completions",
                 [this](const httplib::Request& req, httplib::Response& res) { chat(req, res); });
    server_.Get("/v1/models", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      json model = {{"id", kModel},
                    {"object", "model"},
                    {"created", 0},
                    {"owned_by", "lemma-mock"},
                    {"max_model_len", 4096}};
      res.set_content(json{{"object", "list"}, {"data", json::array({model})}}.dump(),
                      "application/json");
    });
    server_.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{}", "application/json");
    });
    server_.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Lemma-Mock", "1");
    });
  }

  ~Impl() {
    if (log_fd_ >= 0) ::close(log_fd_);
  }

  int start() {
    if (!options_.request_log.empty() && log_fd_ < 0) {
      log_fd_ =
          ::open(options_.request_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (log_fd_ < 0) return -1;
    }
    {
      const std::lock_guard<std::mutex> lock(stop_mutex_);
      stopping_ = false;
    }
    port_ = options_.port == 0
                ? server_.bind_to_any_port(options_.host)
                : (server_.bind_to_port(options_.host, options_.port) ? options_.port : -1);
    if (port_ <= 0) return -1;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket already listens after bind, so early connections queue; still wait (bounded)
    // for the accept loop so that callers see a server that is really serving.
    for (int i = 0; i < 200 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return port_;
  }

  void stop() {
    {
      const std::lock_guard<std::mutex> lock(stop_mutex_);
      stopping_ = true;
    }
    stop_cv_.notify_all();  // latencies, chunk delays and stalls end now
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string base_url() const {
    return "http://" + options_.host + ":" + std::to_string(port_) + "/v1";
  }

  long chat_requests() const { return chat_requests_.load(); }

  bool wait_for_chat_requests(long count, std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(arrived_mutex_);
    return arrived_.wait_for(lock, timeout, [&] { return chat_requests_.load() >= count; });
  }

 private:
  bool authorized(const httplib::Request& req, httplib::Response& res) const {
    if (options_.api_key.empty()) return true;
    if (req.get_header_value("Authorization") == "Bearer " + options_.api_key) return true;
    send_error(res, 401, "Missing or wrong API key for the lemma mock endpoint.",
               "authentication_error");
    return false;
  }

  // Waits `duration` unless the endpoint stops first; false when it stopped.
  bool wait(std::chrono::milliseconds duration) {
    std::unique_lock<std::mutex> lock(stop_mutex_);
    if (duration.count() <= 0) return !stopping_;
    return !stop_cv_.wait_for(lock, duration, [this] { return stopping_; });
  }

  bool stopping() {
    const std::lock_guard<std::mutex> lock(stop_mutex_);
    return stopping_;
  }

  void chat(const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> lock(arrived_mutex_);
      ++chat_requests_;
    }
    arrived_.notify_all();
    if (!authorized(req, res)) return;
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return send_error(res, 400, "The request body is not a JSON object.",
                        "invalid_request_error");
    }
    if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty()) {
      return send_error(res, 400, "'messages' must be a non-empty array.", "invalid_request_error",
                        "messages");
    }
    int choices = 1;
    if (body.contains("n") && !body["n"].is_null()) {
      const json& n = body["n"];
      if (!n.is_number_integer() || n.get<long long>() < 1 || n.get<long long>() > kMaxChoices) {
        return send_error(res, 400,
                          "'n' must be an integer from 1 to " + std::to_string(kMaxChoices) + ".",
                          "invalid_request_error", "n");
      }
      choices = n.get<int>();
    }
    const std::string model = body.contains("model") && body["model"].is_string()
                                  ? body["model"].get<std::string>()
                                  : std::string(kModel);
    const std::string question = last_user_message(body["messages"]);
    log_request(question);
    if (!wait(options_.delay)) return abandon(req, res);

    std::vector<std::optional<ScenarioResponse>> scripted(static_cast<std::size_t>(choices));
    if (player_) {
      scripted = player_->next({model, system_message(body["messages"]), question}, choices);
    }
    std::vector<ScenarioResponse> responses;
    for (auto& one : scripted) {
      responses.push_back(one ? std::move(*one) : builtin_response(question));
    }
    // The request as a whole behaves like its first failing choice, if any, else its first.
    const auto failing = std::find_if(responses.begin(), responses.end(),
                                      [](const ScenarioResponse& r) { return r.fails(); });
    const ScenarioResponse lead = failing != responses.end() ? *failing : responses.front();

    if (!wait(lead.latency)) return abandon(req, res);
    const long id = ++counter_;
    res.set_header("x-request-id", "lemma-mock-" + std::to_string(id));
    for (const auto& [name, value] : lead.headers) res.set_header(name.c_str(), value);
    if (lead.status != 200) return send_scripted_error(res, lead);
    if (lead.fault == ScenarioFault::reset) return reset(req, res);
    if (lead.fault == ScenarioFault::stall) return stall(req, res);

    long prompt_tokens = 0;
    for (const auto& m : body["messages"]) {
      if (m.is_object() && m.contains("content") && m["content"].is_string()) {
        prompt_tokens += mock_token_count(m["content"].get<std::string>());
      }
    }
    const json usage = usage_json(responses, prompt_tokens);
    if (body.value("stream", false)) {
      const bool include_usage = body.contains("stream_options") &&
                                 body["stream_options"].is_object() &&
                                 body["stream_options"].value("include_usage", false);
      return stream(res, model, id, responses, lead, include_usage ? usage : json(nullptr));
    }
    json response_choices = json::array();
    for (std::size_t i = 0; i < responses.size(); ++i) {
      json message = {{"role", "assistant"}, {"content", responses[i].content}};
      if (responses[i].reasoning) message["reasoning_content"] = *responses[i].reasoning;
      message["refusal"] = nullptr;
      response_choices.push_back({{"index", i},
                                  {"message", message},
                                  {"finish_reason", finish_json(responses[i])},
                                  {"logprobs", nullptr}});
    }
    json response = {{"id", "chatcmpl-lemma-mock-" + std::to_string(id)},
                     {"object", "chat.completion"},
                     {"created", 1700000000},
                     {"model", model},
                     {"system_fingerprint", "lemma-mock"},
                     {"choices", std::move(response_choices)}};
    if (!usage.is_null()) response["usage"] = usage;
    send_whole(res, response.dump(), lead.fault);
  }

  static void send_whole(httplib::Response& res, std::string body, ScenarioFault fault) {
    if (fault == ScenarioFault::malformed_json) {
      // Complete HTTP framing around a body that stops mid-JSON.
      return res.set_content(body.substr(0, body.size() / 2), "application/json");
    }
    if (fault == ScenarioFault::reset_after_headers || fault == ScenarioFault::cut) {
      // Content-Length announces the whole body; the provider sends none or half of it and
      // fails, so httplib closes the connection.
      const std::size_t sent = fault == ScenarioFault::cut ? body.size() / 2 : 0;
      const std::size_t length = body.size();
      return res.set_content_provider(
          length, "application/json",
          [body = std::move(body), sent](std::size_t offset, std::size_t, httplib::DataSink& sink) {
            if (offset < sent) sink.write(body.data() + offset, sent - offset);
            return false;
          });
    }
    res.set_content(body, "application/json");
  }

  void reset(const httplib::Request& req, httplib::Response& res) {
    const int fd = detail::find_connection(req.local_port, req.remote_port);
    if (fd < 0) {
      return send_error(res, 500,
                        "lemma mock scenario: the \"reset\" fault could not find its connection "
                        "(it needs Linux's /proc/self/fd).",
                        "server_error");
    }
    detail::reset_connection(fd);
  }

  // The endpoint stops while this request waits: its connection is reset, so no worker lingers
  // on a kept-alive connection and stop() returns at once.
  void abandon(const httplib::Request& req, httplib::Response& res) {
    const int fd = detail::find_connection(req.local_port, req.remote_port);
    if (fd >= 0) return detail::reset_connection(fd);
    res.set_header("Connection", "close");
    send_error(res, 503, "The lemma mock endpoint is stopping.", "server_error");
  }

  // No answer until the client gives up (its timeout closes the connection) or the endpoint
  // stops; then the connection is reset, so nothing is written to a closed socket.
  void stall(const httplib::Request& req, httplib::Response& res) {
    const int fd = detail::find_connection(req.local_port, req.remote_port);
    while (!stopping()) {
      if (fd >= 0) {
        if (detail::peer_closed(fd, std::chrono::milliseconds(20))) break;
      } else if (!wait(std::chrono::milliseconds(20))) {
        break;
      }
    }
    if (fd >= 0) return detail::reset_connection(fd);
    abandon(req, res);
  }

  // One write(2) per line on an O_APPEND descriptor: lines from concurrent requests never
  // interleave, and each is in the file even if this process is killed right after.
  void log_request(const std::string& question) {
    if (log_fd_ < 0) return;
    std::string line = question;
    for (char& c : line) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    line += '\n';
    std::size_t written = 0;
    while (written < line.size()) {
      const ssize_t n = ::write(log_fd_, line.data() + written, line.size() - written);
      if (n <= 0) return;  // a full disk loses log lines, not answers
      written += static_cast<std::size_t>(n);
    }
  }

  void stream(httplib::Response& res, const std::string& model, long id,
              const std::vector<ScenarioResponse>& responses, const ScenarioResponse& lead,
              const json& usage) {
    const json base = {{"id", "chatcmpl-lemma-mock-" + std::to_string(id)},
                       {"object", "chat.completion.chunk"},
                       {"created", 1700000000},
                       {"model", model},
                       {"system_fingerprint", "lemma-mock"}};
    auto event = [&base](json choice, const json& final_usage) {
      json chunk = base;
      chunk["choices"] = choice.is_null() ? json::array() : json::array({std::move(choice)});
      if (!final_usage.is_null()) chunk["usage"] = final_usage;
      return "data: " + chunk.dump() + "\n\n";
    };
    auto delta = [](std::size_t index, json d, json finish) {
      return json{{"index", index},
                  {"delta", std::move(d)},
                  {"finish_reason", std::move(finish)},
                  {"logprobs", nullptr}};
    };
    std::vector<std::string> events;
    std::size_t cut_at = 0;  // events sent before a "cut": up to the middle of the answer
    for (std::size_t i = 0; i < responses.size(); ++i) {
      const ScenarioResponse& response = responses[i];
      events.push_back(event(delta(i, {{"role", "assistant"}, {"content", ""}}, nullptr), nullptr));
      if (response.reasoning) {
        for (const auto& piece : pieces(*response.reasoning, response)) {
          events.push_back(event(delta(i, {{"reasoning_content", piece}}, nullptr), nullptr));
        }
      }
      const auto content = pieces(response.content, response);
      for (std::size_t p = 0; p < content.size(); ++p) {
        if (i == 0 && p == content.size() / 2) cut_at = events.size();
        events.push_back(event(delta(i, {{"content", content[p]}}, nullptr), nullptr));
      }
      if (i == 0 && content.empty()) cut_at = events.size();
      events.push_back(event(delta(i, json::object(), finish_json(response)), nullptr));
    }
    if (!usage.is_null()) events.push_back(event(nullptr, usage));
    events.push_back("data: [DONE]\n\n");

    std::size_t stop_after = events.size();
    if (lead.fault == ScenarioFault::reset_after_headers) stop_after = 0;
    if (lead.fault == ScenarioFault::cut) stop_after = std::max<std::size_t>(cut_at, 1);
    if (lead.fault == ScenarioFault::malformed_json) {
      // The role event, then one event that is not JSON, then the end of the stream.
      const std::string broken = event(delta(0, {{"content", "cut"}}, nullptr), nullptr);
      events = {events.front(), broken.substr(0, broken.size() / 2) + "\n\n", "data: [DONE]\n\n"};
      stop_after = events.size();
    }

    const auto chunk_delay = lead.chunk_delay.value_or(options_.chunk_delay);
    const int keep_alive_every = options_.keep_alive_every;
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider("text/event-stream",
                                     [this, events = std::move(events), stop_after, chunk_delay,
                                      keep_alive_every](std::size_t, httplib::DataSink& sink) {
                                       for (std::size_t i = 0; i < events.size(); ++i) {
                                         // Returning false makes httplib close the connection
                                         // without the final chunk.
                                         if (i == stop_after) return false;
                                         if (chunk_delay.count() > 0 && !wait(chunk_delay))
                                           return false;
                                         if (keep_alive_every > 0 && i > 0 &&
                                             i % static_cast<std::size_t>(keep_alive_every) == 0) {
                                           const std::string ping = ": keep-alive\n\n";
                                           if (!sink.write(ping.data(), ping.size())) return false;
                                         }
                                         if (!sink.write(events[i].data(), events[i].size()))
                                           return false;
                                       }
                                       sink.done();
                                       return true;
                                     });
  }

  MockEndpointOptions options_;
  std::unique_ptr<ScenarioPlayer> player_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  int log_fd_ = -1;
  std::atomic<long> counter_{0};
  std::atomic<long> chat_requests_{0};
  mutable std::mutex arrived_mutex_;  // with arrived_: wait_for_chat_requests()
  mutable std::condition_variable arrived_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mutex_
};

MockEndpoint::MockEndpoint(MockEndpointOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

MockEndpoint::~MockEndpoint() {
  stop();
}

int MockEndpoint::start() {
  return impl_->start();
}

void MockEndpoint::stop() {
  impl_->stop();
}

std::string MockEndpoint::base_url() const {
  return impl_->base_url();
}

long MockEndpoint::chat_requests() const {
  return impl_->chat_requests();
}

bool MockEndpoint::wait_for_chat_requests(long count, std::chrono::milliseconds timeout) const {
  return impl_->wait_for_chat_requests(count, timeout);
}

}  // namespace lemma::tools
