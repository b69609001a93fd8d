// A provider for a server lemma does not know: here a made-up "MathBox" API with its own
// envelope. Request: POST <base>/solve {"problem": text, "options": {"temperature": t}};
// answer: {"solution": text, "steps": text, "tokens": {"in": n, "out": m}} or {"fault": text}.
// Everything else (retries, timeouts, typed errors, metrics, streaming as one chunk) comes from
// lemma. The program runs offline against lemma's MockTransport and exits 0 when it works.

#include <iostream>

#include <lemma/lemma.hpp>
#include <lemma/testing/mock_transport.hpp>

class MathBoxProvider : public lemma::Provider {
 public:
  MathBoxProvider(std::string base_url, lemma::ApiKey key) : url_(base_url + "/solve"), key_(key) {}

  std::string name() const override { return "mathbox"; }
  lemma::ProviderCapabilities capabilities() const override { return {false, false}; }

  lemma::Result<lemma::HttpRequest> encode_chat(const lemma::ChatRequest& r) const override {
    if (auto error = lemma::validate_chat_request(r)) return *error;  // the shared rules
    nlohmann::json body = {{"problem", r.messages.back().text()},
                           {"options", nlohmann::json::object()}};
    if (r.sampling.temperature) body["options"]["temperature"] = *r.sampling.temperature;
    lemma::HttpRequest http;
    http.url = url_;
    http.headers.set("Authorization", "Bearer " + key_.reveal());
    http.headers.set("Content-Type", "application/json");
    http.body = body.dump();
    return http;
  }

  lemma::Result<lemma::ChatResponse> decode_chat(const lemma::HttpResponse& r) const override {
    auto body = lemma::wire::parse_json(r.body, "MathBox answer");  // protocol error if not JSON
    if (!body) return body.error();
    if (body->contains("fault"))
      return lemma::make_error(lemma::ErrorKind::provider, (*body)["fault"].dump());
    lemma::ChatResponse out;
    lemma::Choice choice;
    choice.message = lemma::Message::assistant(body->value("solution", ""));
    choice.message.reasoning_content = body->value("steps", "");
    out.choices.push_back(choice);
    lemma::Usage usage;
    usage.prompt_tokens = (*body)["tokens"].value("in", 0);
    usage.completion_tokens = (*body)["tokens"].value("out", 0);
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    out.usage = usage;
    out.raw = *body;
    return out;
  }

  lemma::Error decode_error(const lemma::HttpResponse& r) const override {
    return lemma::wire::decode_error_response(r);  // status -> kind, common body shapes
  }
  lemma::Result<lemma::HttpRequest> encode_models() const override {
    return lemma::invalid_request_error("models", "MathBox has no model list.");
  }
  lemma::Result<std::vector<lemma::ModelInfo>> decode_models(
      const lemma::HttpResponse&) const override {
    return lemma::invalid_request_error("models", "MathBox has no model list.");
  }
  void redact(std::string& text) const override { key_.redact_in(text); }
  using Provider::redact;

 private:
  std::string url_;
  lemma::ApiKey key_;
};

int main() {
  auto mock = std::make_shared<lemma::testing::MockTransport>();
  mock->enqueue_json(
      200, R"({"solution": "\\boxed{12}", "steps": "3 * 4 = 12", "tokens": {"in": 9, "out": 7}})");
  mock->enqueue_json(
      200, R"({"solution": "\\boxed{12}", "steps": "3 * 4 = 12", "tokens": {"in": 9, "out": 7}})");
  lemma::ClientOptions options;
  options.transport = mock;  // drop this line to talk to a real MathBox server
  lemma::Client client(std::make_shared<MathBoxProvider>("https://mathbox.example/api", "mb-key"),
                       options);

  lemma::ChatRequest request;
  request.model = "mathbox-1";
  request.messages = {lemma::Message::user("What is 3 * 4?")};
  auto answer = client.chat(request);
  if (!answer) {
    std::cerr << answer.error().what() << "\n";
    return 1;
  }
  std::cout << "steps: " << answer->reasoning() << "\nanswer: " << answer->text()
            << "\ntokens: " << answer->usage->total_tokens << "\n";
  // No streaming at MathBox: lemma delivers the whole answer as one chunk.
  auto streamed = client.stream(request, [](const lemma::ChatChunk&) { return true; });
  if (!streamed || streamed->text() != answer->text()) return 1;
  std::cout << "sent to: " << mock->requests().at(0).url << "\n";
  return 0;
}
