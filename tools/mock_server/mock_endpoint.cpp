#include "mock_server/mock_endpoint.hpp"

#include <fcntl.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

#include "mock_server/mock_answer.hpp"

namespace lemma::tools {

namespace {

using nlohmann::json;

constexpr const char* kModel = "lemma-mock-math";

struct Usage {
  long prompt_tokens;
  long completion_tokens;
  long reasoning_tokens;

  json to_json() const {
    return {{"prompt_tokens", prompt_tokens},
            {"completion_tokens", completion_tokens},
            {"total_tokens", prompt_tokens + completion_tokens},
            {"completion_tokens_details", {{"reasoning_tokens", reasoning_tokens}}}};
  }
};

void send_error(httplib::Response& res, int status, const std::string& message,
                const std::string& type, const std::string& param = "") {
  json error = {{"message", message}, {"type", type}, {"code", nullptr}};
  error["param"] = param.empty() ? json(nullptr) : json(param);
  res.status = status;
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

}  // namespace

class MockEndpoint::Impl {
 public:
  explicit Impl(MockEndpointOptions options) : options_(std::move(options)) {
    // httplib takes ownership of the queue it is given.
    const auto threads = static_cast<std::size_t>(std::max(1, options_.threads));
    server_.new_task_queue = [threads] {
      return std::make_unique<httplib::ThreadPool>(threads).release();
    };
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
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string base_url() const {
    return "http://" + options_.host + ":" + std::to_string(port_) + "/v1";
  }

 private:
  bool authorized(const httplib::Request& req, httplib::Response& res) const {
    if (options_.api_key.empty()) return true;
    if (req.get_header_value("Authorization") == "Bearer " + options_.api_key) return true;
    send_error(res, 401, "Missing or wrong API key for the lemma mock endpoint.",
               "authentication_error");
    return false;
  }

  void chat(const httplib::Request& req, httplib::Response& res) {
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
    const std::string question = last_user_message(body["messages"]);
    log_request(question);
    if (options_.delay.count() > 0) std::this_thread::sleep_for(options_.delay);

    const MockAnswer answer = mock_answer(question);
    long prompt_tokens = 0;
    for (const auto& m : body["messages"]) {
      if (m.is_object() && m.contains("content") && m["content"].is_string()) {
        prompt_tokens += mock_token_count(m["content"].get<std::string>());
      }
    }
    const long reasoning_tokens = mock_token_count(answer.reasoning);
    const long completion_tokens = reasoning_tokens + mock_token_count(answer.content);
    const long id = ++counter_;
    res.set_header("x-request-id", "lemma-mock-" + std::to_string(id));
    const Usage usage{prompt_tokens, completion_tokens, reasoning_tokens};
    if (body.value("stream", false)) {
      const bool include_usage = body.contains("stream_options") &&
                                 body["stream_options"].is_object() &&
                                 body["stream_options"].value("include_usage", false);
      return stream(res, body.value("model", kModel), id, answer, include_usage ? &usage : nullptr);
    }
    json message = {{"role", "assistant"},
                    {"content", answer.content},
                    {"reasoning_content", answer.reasoning},
                    {"refusal", nullptr}};
    json response = {{"id", "chatcmpl-lemma-mock-" + std::to_string(id)},
                     {"object", "chat.completion"},
                     {"created", 1700000000},
                     {"model", body.value("model", kModel)},
                     {"system_fingerprint", "lemma-mock"},
                     {"choices", json::array({{{"index", 0},
                                               {"message", message},
                                               {"finish_reason", "stop"},
                                               {"logprobs", nullptr}}})},
                     {"usage", usage.to_json()}};
    res.set_content(response.dump(), "application/json");
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

  // Splits text into word-sized pieces (each keeps its trailing space), like a tokenizer would.
  static std::vector<std::string> pieces(const std::string& text) {
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

  void stream(httplib::Response& res, const std::string& model, long id, const MockAnswer& answer,
              const Usage* usage) {
    const json base = {{"id", "chatcmpl-lemma-mock-" + std::to_string(id)},
                       {"object", "chat.completion.chunk"},
                       {"created", 1700000000},
                       {"model", model},
                       {"system_fingerprint", "lemma-mock"}};
    auto event = [&base](json choice, const Usage* final_usage) {
      json chunk = base;
      chunk["choices"] = choice.is_null() ? json::array() : json::array({std::move(choice)});
      if (final_usage) chunk["usage"] = final_usage->to_json();
      return "data: " + chunk.dump() + "\n\n";
    };
    auto delta = [](json d, json finish) {
      return json{{"index", 0},
                  {"delta", std::move(d)},
                  {"finish_reason", std::move(finish)},
                  {"logprobs", nullptr}};
    };
    std::vector<std::string> events;
    events.push_back(event(delta({{"role", "assistant"}, {"content", ""}}, nullptr), nullptr));
    for (const auto& piece : pieces(answer.reasoning)) {
      events.push_back(event(delta({{"reasoning_content", piece}}, nullptr), nullptr));
    }
    for (const auto& piece : pieces(answer.content)) {
      events.push_back(event(delta({{"content", piece}}, nullptr), nullptr));
    }
    events.push_back(event(delta(json::object(), "stop"), nullptr));
    if (usage) events.push_back(event(nullptr, usage));
    events.push_back("data: [DONE]\n\n");

    const auto chunk_delay = options_.chunk_delay;
    const int keep_alive_every = options_.keep_alive_every;
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider("text/event-stream",
                                     [events = std::move(events), chunk_delay, keep_alive_every](
                                         std::size_t, httplib::DataSink& sink) {
                                       for (std::size_t i = 0; i < events.size(); ++i) {
                                         if (chunk_delay.count() > 0)
                                           std::this_thread::sleep_for(chunk_delay);
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
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  int log_fd_ = -1;
  std::atomic<long> counter_{0};
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

}  // namespace lemma::tools
