#include "mock_server/mock_endpoint.hpp"

#include <httplib.h>

#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

#include "mock_server/mock_answer.hpp"

namespace lemma::tools {

namespace {

using nlohmann::json;

constexpr const char* kModel = "lemma-mock-math";

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

  int start() {
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
    if (options_.delay.count() > 0) std::this_thread::sleep_for(options_.delay);

    const std::string question = last_user_message(body["messages"]);
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
                     {"usage",
                      {{"prompt_tokens", prompt_tokens},
                       {"completion_tokens", completion_tokens},
                       {"total_tokens", prompt_tokens + completion_tokens},
                       {"completion_tokens_details", {{"reasoning_tokens", reasoning_tokens}}}}}};
    res.set_header("x-request-id", "lemma-mock-" + std::to_string(id));
    res.set_content(response.dump(), "application/json");
  }

  MockEndpointOptions options_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
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
