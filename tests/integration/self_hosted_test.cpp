// Self-hosted flavours: parameter policy, renames, think splitting, health and models, each
// against a loopback server that speaks the flavour's format.

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/curl_transport.hpp"
#include "lemma/providers/from_env.hpp"
#include "lemma/providers/self_hosted.hpp"
#include "support/client_helpers.hpp"
#include "support/matchers.hpp"
#include "support/stream_fixtures.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using nlohmann::json;
using providers::Flavour;
using test::ErrorIs;
using test::IsOk;
using test::Reply;
using test::TestServer;
using ::testing::HasSubstr;
using ::testing::Not;

ChatRequest request_with(void (*set)(SamplingParams&)) {
  ChatRequest request;
  request.model = "m";
  request.messages = {Message::user("x")};
  set(request.sampling);
  return request;
}

TEST(SelfHostedTest, EachFlavourAcceptsOrRefusesItsExtraParameters) {
  const auto top_k = [](SamplingParams& s) { s.top_k = 20; };
  const auto min_p = [](SamplingParams& s) { s.min_p = 0.05; };
  const auto rep = [](SamplingParams& s) { s.repetition_penalty = 1.1; };
  struct Expect {
    Flavour flavour;
    bool top_k, min_p, rep;
  };
  for (const Expect& e :
       {Expect{Flavour::vllm, true, true, true}, Expect{Flavour::sglang, true, true, true},
        Expect{Flavour::tgi, false, false, false}, Expect{Flavour::llama_cpp, true, true, true},
        Expect{Flavour::ollama, false, false, false}, Expect{Flavour::generic, true, true, true}}) {
    auto provider = providers::self_hosted("http://127.0.0.1:8000/v1", e.flavour);
    EXPECT_EQ(provider->name(), providers::to_string(e.flavour));
    EXPECT_EQ(provider->encode_chat(request_with(top_k)).ok(), e.top_k) << provider->name();
    EXPECT_EQ(provider->encode_chat(request_with(min_p)).ok(), e.min_p) << provider->name();
    EXPECT_EQ(provider->encode_chat(request_with(rep)).ok(), e.rep) << provider->name();
  }
  auto refused =
      providers::self_hosted("http://h/v1", Flavour::tgi)->encode_chat(request_with(top_k));
  ASSERT_THAT(refused,
              ErrorIs(ErrorKind::invalid_request, HasSubstr("tgi does not accept 'top_k'")));
  EXPECT_EQ(refused.error().param, "top_k");
  // SamplingParams::extra still reaches the server.
  ChatRequest with_extra = request_with([](SamplingParams& s) { s.extra = {{"top_k", 20}}; });
  auto sent = providers::self_hosted("http://h/v1", Flavour::tgi)->encode_chat(with_extra);
  ASSERT_THAT(sent, IsOk());
  EXPECT_EQ(json::parse(sent->body)["top_k"], 20);
}

TEST(SelfHostedTest, LlamaCppSpellsRepetitionPenaltyItsOwnWay) {
  auto http =
      providers::self_hosted("http://127.0.0.1:8080", Flavour::llama_cpp)
          ->encode_chat(request_with([](SamplingParams& s) { s.repetition_penalty = 1.2; }));
  ASSERT_THAT(http, IsOk());
  const json body = json::parse(http->body);
  EXPECT_EQ(body["repeat_penalty"], 1.2);
  EXPECT_FALSE(body.contains("repetition_penalty"));
  EXPECT_EQ(http->url, "http://127.0.0.1:8080/v1/chat/completions");
}

TEST(SelfHostedTest, HealthEndpointsPerFlavour) {
  const std::pair<Flavour, const char*> expected[] = {
      {Flavour::vllm, "http://127.0.0.1:8000/health"},
      {Flavour::sglang, "http://127.0.0.1:8000/health"},
      {Flavour::tgi, "http://127.0.0.1:8000/health"},
      {Flavour::llama_cpp, "http://127.0.0.1:8000/health"},
      {Flavour::ollama, "http://127.0.0.1:8000/api/version"},
      {Flavour::generic, "http://127.0.0.1:8000/v1/models"}};
  for (const auto& [flavour, url] : expected) {
    auto http = providers::self_hosted("http://127.0.0.1:8000/v1", flavour)->encode_health();
    ASSERT_THAT(http, IsOk());
    EXPECT_EQ(http->url, url) << providers::to_string(flavour);
    EXPECT_EQ(http->method, "GET");
  }
}

TEST(SelfHostedTest, HealthThroughTheClientReportsALoadingServer) {
  bool loading = true;
  TestServer server([&](const test::RecordedRequest& r) {
    if (r.target != "/health") return Reply::json(404, "{}");
    if (loading) {
      return Reply::json(
          503,
          R"({"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}})");
    }
    return Reply::json(200, R"({"status": "ok"})");
  });
  ClientOptions options;
  options.retry = RetryPolicy::none();
  Client client(providers::self_hosted(server.base_url(), Flavour::llama_cpp), options);
  EXPECT_THAT(client.health(), ErrorIs(ErrorKind::server_error, HasSubstr("Loading model")));
  loading = false;
  EXPECT_THAT(client.health(), IsOk());
}

struct FlavourFixture {
  Flavour flavour;
  const char* fixture;
};

class SelfHostedFixtureTest : public ::testing::TestWithParam<FlavourFixture> {};

TEST_P(SelfHostedFixtureTest, ChatAndStreamAgreeWithTheServersFormat) {
  const std::string name = GetParam().fixture;
  TestServer server([&](const test::RecordedRequest& r) {
    if (json::parse(r.body).value("stream", false)) {
      return Reply::chunked(200).chunk(test::read_fixture("streams/" + name + ".sse")).end_chunks();
    }
    return Reply::json(200, test::read_fixture("streams/" + name + ".json"));
  });
  Client client(providers::self_hosted(server.base_url(), GetParam().flavour));
  ChatRequest request;
  request.model = "m";
  request.messages = {Message::user("prove it")};
  auto whole = client.chat(request);
  ASSERT_THAT(whole, IsOk());
  EXPECT_EQ(client.provider().name(), providers::to_string(GetParam().flavour));
  ChatStream stream = client.stream(request);
  for (const ChatChunk& chunk : stream) (void)chunk;
  ASSERT_FALSE(stream.error().has_value()) << stream.error()->what();
  test::expect_same_response(stream.response(), *whole);
  EXPECT_FALSE(whole->text().empty());
}

INSTANTIATE_TEST_SUITE_P(Flavours, SelfHostedFixtureTest,
                         ::testing::Values(FlavourFixture{Flavour::vllm, "vllm"},
                                           FlavourFixture{Flavour::sglang, "sglang"},
                                           FlavourFixture{Flavour::tgi, "tgi"},
                                           FlavourFixture{Flavour::llama_cpp, "llama_cpp"},
                                           FlavourFixture{Flavour::ollama, "ollama"},
                                           FlavourFixture{Flavour::generic, "openai"}),
                         [](const auto& param_info) {
                           return std::string(providers::to_string(param_info.param.flavour));
                         });

TEST(SelfHostedTest, InlineThinkTagsAreSplitByDefaultOnTgiAndOllama) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::json(200, R"({"choices": [{"message": {"role": "assistant",
        "content": "<think>7*3=21</think>\n\n\\boxed{21}"}, "finish_reason": "stop"}]})");
  });
  ChatRequest request;
  request.model = "deepseek-r1:7b";
  request.messages = {Message::user("7*3?")};
  auto split = Client(providers::self_hosted(server.base_url(), Flavour::ollama)).chat(request);
  ASSERT_THAT(split, IsOk());
  EXPECT_EQ(split->reasoning(), "7*3=21");
  EXPECT_EQ(split->text(), "\\boxed{21}");
  auto kept = Client(providers::self_hosted(server.base_url(), Flavour::vllm)).chat(request);
  ASSERT_THAT(kept, IsOk());
  EXPECT_THAT(kept->text(), HasSubstr("<think>"));  // vLLM's reasoning parser does this itself
}

TEST(SelfHostedTest, ModelListsOfEachFlavourAndContextLength) {
  const std::pair<const char*, std::optional<std::int64_t>> bodies[] = {
      {R"({"object": "list", "data": [{"id": "m", "object": "model", "owned_by": "vllm", "max_model_len": 163840}]})",
       163840},
      {R"({"object": "list", "data": [{"id": "m.gguf", "object": "model", "owned_by": "llamacpp", "meta": {"n_ctx_train": 4096, "n_params": 7000000000}}]})",
       4096},
      {R"({"object": "list", "data": [{"id": "deepseek-r1:7b", "object": "model", "created": 1737000000, "owned_by": "library"}]})",
       std::nullopt},
      {R"({"object": "list", "data": [{"id": "deepseek-ai/deepseek-math-7b-instruct", "object": "model", "created": 0, "owned_by": "deepseek-ai/deepseek-math-7b-instruct"}]})",
       std::nullopt}};
  for (const auto& [body, context] : bodies) {
    TestServer server([&](const test::RecordedRequest&) { return Reply::json(200, body); });
    auto models = Client(providers::self_hosted(server.base_url(), Flavour::generic)).models();
    ASSERT_THAT(models, IsOk());
    ASSERT_EQ(models->size(), 1u);
    EXPECT_EQ(models->at(0).context_length, context) << body;
    EXPECT_FALSE(models->at(0).owned_by.empty());
  }
}

TEST(SelfHostedTest, FromEnvConfiguresAFlavour) {
  auto config = providers::from_env(test::env({{"LEMMA_PROVIDER", "llama_cpp"},
                                               {"LEMMA_BASE_URL", "http://127.0.0.1:8080/v1"},
                                               {"LEMMA_MODEL", "local"}}));
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->provider->name(), "llama_cpp");
}

TEST(DetectFlavourTest, IdentifiesEachServerByWhatItAnswers) {
  using Routes = std::map<std::string, std::string>;
  const std::string models_prefix =
      R"({"object": "list", "data": [{"id": "m", "object": "model", )";
  const std::vector<std::pair<Flavour, Routes>> servers = {
      {Flavour::vllm,
       {{"/v1/models", models_prefix + R"("owned_by": "vllm", "max_model_len": 4096}]})"}}},
      {Flavour::sglang, {{"/v1/models", models_prefix + R"("owned_by": "sglang"}]})"}}},
      {Flavour::llama_cpp,
       {{"/v1/models", models_prefix + R"("owned_by": "llamacpp", "meta": {}}]})"}}},
      {Flavour::ollama,
       {{"/v1/models", models_prefix + R"("owned_by": "library"}]})"},
        {"/api/version", R"({"version": "0.6.2"})"}}},
      {Flavour::tgi,
       {{"/v1/models", models_prefix + R"("owned_by": "m"}]})"},
        {"/info", R"({"model_id": "m", "router": "text-generation-router", "sha": "abc"})"}}},
      {Flavour::llama_cpp,
       {{"/v1/models", models_prefix + R"("owned_by": "someone"}]})"},
        {"/props", R"({"default_generation_settings": {}, "total_slots": 1})"}}},
      {Flavour::generic, {{"/v1/models", models_prefix + R"("owned_by": "fastapi"}]})"}}},
  };
  for (const auto& [expected, routes] : servers) {
    TestServer server([&routes = routes](const test::RecordedRequest& r) {
      auto it = routes.find(r.target);
      return it == routes.end() ? Reply::json(404, R"({"detail": "Not Found"})")
                                : Reply::json(200, it->second);
    });
    CurlTransport transport;
    auto detected = providers::detect_flavour(server.base_url(), transport);
    ASSERT_THAT(detected, IsOk());
    EXPECT_EQ(detected->flavour, expected) << detected->evidence;
    EXPECT_FALSE(detected->evidence.empty());
  }
}

TEST(DetectFlavourTest, UnreachableServerIsAConnectionErrorNotAGuess) {
  CurlTransport transport;
  auto detected = providers::detect_flavour(
      "http://127.0.0.1:" + std::to_string(test::unused_port()) + "/v1", transport);
  EXPECT_THAT(detected, test::ErrorKindIs(ErrorKind::connection));
  EXPECT_THAT(providers::detect_self_hosted("not a url"),
              test::ErrorKindIs(ErrorKind::invalid_request));
}

TEST(DetectFlavourTest, DetectSelfHostedBuildsTheProvider) {
  TestServer server([](const test::RecordedRequest& r) {
    if (r.target == "/v1/models") {
      return Reply::json(200, R"({"data": [{"id": "m", "owned_by": "vllm"}]})");
    }
    return Reply::json(404, "{}");
  });
  auto provider = providers::detect_self_hosted(server.base_url());
  ASSERT_THAT(provider, IsOk());
  EXPECT_EQ((*provider)->name(), "vllm");
}

// An Ollama server that thinks inline: identified by /api/version, then split by default.
Reply ollama_like(const test::RecordedRequest& r) {
  if (r.target == "/v1/models") {
    return Reply::json(200, R"({"data": [{"id": "deepseek-r1:7b", "owned_by": "library"}]})");
  }
  if (r.target == "/api/version") return Reply::json(200, R"({"version": "0.6.2"})");
  if (r.target != "/v1/chat/completions") return Reply::json(404, R"({"detail": "Not Found"})");
  if (json::parse(r.body).value("stream", false)) {
    return Reply::chunked(200)
        .chunk("data: {\"choices\": [{\"index\": 0, \"delta\": {\"content\": \"<thi\"}}]}\n\n")
        .chunk(
            "data: {\"choices\": [{\"index\": 0, \"delta\": {\"content\": \"nk>6*7</th\"}}]}\n\n")
        .chunk(
            "data: {\"choices\": [{\"index\": 0, \"delta\": {\"content\": \"ink>42\"}, "
            "\"finish_reason\": \"stop\"}]}\n\ndata: [DONE]\n\n")
        .end_chunks();
  }
  return Reply::json(200, R"({"choices": [{"message": {"role": "assistant",
      "content": "<think>6*7</think>42"}, "finish_reason": "stop"}]})");
}

std::size_t count_target(const TestServer& server, const std::string& target) {
  std::size_t n = 0;
  for (const auto& r : server.requests()) n += r.target == target ? 1 : 0;
  return n;
}

ChatRequest six_times_seven() {
  return test::user_request("deepseek-r1:7b", "6*7?");
}

class ProviderNames : public Observer {
 public:
  void on_call_start(const CallInfo& call) override {
    std::lock_guard<std::mutex> lock(mutex_);
    names_.push_back(call.provider);
  }
  std::vector<std::string> names() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return names_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> names_;
};

TEST(AutoDetectTest, FirstCallIdentifiesTheServerOnceThenActsAsIt) {
  TestServer server(ollama_like);
  auto provider = providers::self_hosted(server.base_url(), Flavour::auto_detect);
  const auto& automatic = dynamic_cast<const providers::AutoDetectedProvider&>(*provider);
  EXPECT_EQ(provider->name(), "auto");
  EXPECT_FALSE(automatic.detected().has_value());
  // Encoding before identification is refused, not guessed.
  EXPECT_THAT(provider->encode_chat(six_times_seven()),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("not been identified")));

  auto names = std::make_shared<ProviderNames>();
  std::vector<std::string> log;
  ClientOptions options;
  options.observer = names;
  options.log_level = LogLevel::info;
  options.log_sink = [&log](LogLevel, std::string_view line) { log.emplace_back(line); };
  Client client(provider, options);
  auto first = client.chat(six_times_seven());
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->reasoning(), "6*7");  // Ollama's default: <think> split out
  EXPECT_EQ(first->text(), "42");
  EXPECT_EQ(provider->name(), "ollama");
  ASSERT_TRUE(automatic.detected().has_value());
  EXPECT_EQ(automatic.detected()->flavour, Flavour::ollama);
  EXPECT_THAT(automatic.detected()->evidence, HasSubstr("/api/version"));
  EXPECT_THAT(log, ::testing::Contains(HasSubstr("'auto' is 'ollama'")));

  // Later calls (whole, streamed, refused) use the identified flavour without asking again.
  ChatStream stream = client.stream(six_times_seven());
  for (const ChatChunk& chunk : stream) (void)chunk;
  ASSERT_FALSE(stream.error().has_value()) << stream.error()->what();
  EXPECT_EQ(stream.response().reasoning(), "6*7");
  EXPECT_EQ(stream.response().text(), "42");
  ChatRequest with_top_k = six_times_seven();
  with_top_k.sampling.top_k = 5;
  EXPECT_THAT(client.chat(with_top_k), ErrorIs(ErrorKind::invalid_request, HasSubstr("ollama")));
  EXPECT_THAT(client.health(), IsOk());
  EXPECT_EQ(count_target(server, "/api/version"), 2u);  // the probe, then health()
  EXPECT_EQ(count_target(server, "/v1/models"), 1u);
  EXPECT_EQ(count_target(server, "/v1/chat/completions"), 2u);
  EXPECT_EQ(names->names(), (std::vector<std::string>{"ollama", "ollama", "ollama", "ollama"}));
}

TEST(AutoDetectTest, UnreachableServerFailsTheCallAndIsAskedAgainNextTime) {
  const std::string url = "http://127.0.0.1:" + std::to_string(test::unused_port()) + "/v1";
  ClientOptions options;
  options.retry = RetryPolicy::none();
  Client client(providers::self_hosted(url, Flavour::auto_detect, "sk-auto-SECRET"), options);
  for (int call = 0; call < 2; ++call) {
    auto result = client.chat(six_times_seven());
    ASSERT_THAT(result, ErrorIs(ErrorKind::connection, HasSubstr("flavour auto")));
    EXPECT_THAT(result.error().what(), Not(HasSubstr("sk-auto-SECRET")));
    EXPECT_EQ(client.provider().name(), "auto");
  }
  ChatStream stream = client.stream(six_times_seven());
  for (const ChatChunk& chunk : stream) (void)chunk;
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->kind, ErrorKind::connection);
}

TEST(AutoDetectTest, ThreadsMakingTheFirstCallTogetherShareOneDetection) {
  TestServer server([](const test::RecordedRequest& r) {
    if (r.target == "/v1/models") {
      return Reply::json(200, R"({"data": [{"id": "m", "owned_by": "vllm"}]})");
    }
    return Reply::json(200, R"({"choices": [{"message": {"role": "assistant",
        "content": "42"}, "finish_reason": "stop"}]})");
  });
  Client client(providers::self_hosted(server.base_url(), Flavour::auto_detect));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] { ok += client.chat(six_times_seven()).ok() ? 1 : 0; });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(count_target(server, "/v1/models"), 1u);
  EXPECT_EQ(client.provider().name(), "vllm");
}

TEST(AutoDetectTest, FromEnvAcceptsAuto) {
  auto config = providers::from_env(test::env({{"LEMMA_PROVIDER", "auto"},
                                               {"LEMMA_BASE_URL", "http://127.0.0.1:8000/v1"},
                                               {"LEMMA_MODEL", "m"}}));
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->provider->name(), "auto");
  EXPECT_NE(dynamic_cast<const providers::AutoDetectedProvider*>(config->provider.get()), nullptr);
  EXPECT_THAT(providers::parse_flavour("auto"), IsOk());
}

}  // namespace
}  // namespace lemma
