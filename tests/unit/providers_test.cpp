// Provider adapters without sockets: encoding golden tests, decoding, validation, from_env.

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/catalog.hpp"
#include "lemma/client.hpp"
#include "lemma/providers/aimlapi.hpp"
#include "lemma/providers/dataoorts.hpp"
#include "lemma/providers/from_env.hpp"
#include "lemma/providers/self_hosted.hpp"
#include "lemma/testing/mock_transport.hpp"
#include "lemma/wire.hpp"
#include "support/client_helpers.hpp"
#include "support/matchers.hpp"

namespace lemma {
namespace {

using nlohmann::json;
using test::ErrorIs;
using test::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

ChatRequest seed_dataoorts_request() {
  ChatRequest request;
  request.model = "deepseek-ai/deepseek-math-7b-instruct";
  request.messages = {Message::system("You are an expert deep learning engineer"),
                      Message::user("What is Deep Learning")};
  request.sampling.temperature = 0.1;
  request.sampling.top_p = 0.9;
  request.sampling.top_k = 40;
  request.sampling.max_tokens = 512;
  return request;
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

TEST(DataoortsTest, EncodesTheSeedRequestExactly) {
  auto provider = providers::dataoorts("dk-123");
  auto http = provider->encode_chat(seed_dataoorts_request());
  ASSERT_THAT(http, IsOk());
  EXPECT_EQ(http->method, "POST");
  EXPECT_EQ(http->url, "https://cloud.dataoorts.com/api/v1");
  EXPECT_EQ(http->headers.get("Authorization"), "Bearer dk-123");
  EXPECT_EQ(http->headers.get("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(http->body), json::parse(test::read_fixture("dataoorts_request.json")));
}

TEST(DataoortsTest, DecodesTheSeedResponseWithUsageAndCost) {
  auto provider = providers::dataoorts("dk");
  const std::string body = test::read_fixture("dataoorts_chat.json");
  auto response = provider->decode_chat(json_response(200, body));
  ASSERT_THAT(response, IsOk());
  ASSERT_EQ(response->choices.size(), 1u);
  EXPECT_EQ(response->text(), json::parse(body)["result"]["response"].get<std::string>());
  EXPECT_EQ(response->choices[0].message.role, "assistant");
  EXPECT_EQ(response->choices[0].finish_reason, "");  // Dataoorts does not report it
  ASSERT_TRUE(response->usage.has_value());
  EXPECT_EQ(response->usage->prompt_tokens, 12);
  EXPECT_EQ(response->usage->completion_tokens, 321);
  EXPECT_EQ(response->usage->total_tokens, 333);
  EXPECT_EQ(response->raw, json::parse(body));
  const ModelSpec* spec = provider->model_spec("deepseek-ai/deepseek-math-7b-instruct");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->context_window, 4096);
  EXPECT_DOUBLE_EQ(*spec->cost(*response->usage), (12 * 0.10 + 321 * 0.11) / 1e6);
}

TEST(DataoortsTest, EnvelopeFailuresAreTypedErrorsWhateverTheStatus) {
  auto provider = providers::dataoorts("dk");
  auto failed = provider->decode_chat(json_response(
      200, R"({"errors": [{"code": 7003, "message": "Could not route to model"}], "messages": [],
              "result": null, "success": false})"));
  ASSERT_THAT(failed, ErrorIs(ErrorKind::provider, HasSubstr("Could not route to model")));
  EXPECT_EQ(failed.error().code, "7003");
  auto errors_only = provider->decode_chat(json_response(
      200,
      R"({"errors": ["quota exceeded", {"message": "second"}], "result": {"response": "x"}, "success": true})"));
  ASSERT_THAT(errors_only, ErrorIs(ErrorKind::provider, HasSubstr("quota exceeded; second")));
  const Error unauthorized = provider->decode_error(json_response(
      401,
      R"({"errors": [{"code": 10000, "message": "Authentication error"}], "success": false})"));
  EXPECT_EQ(unauthorized.kind, ErrorKind::authentication);
  EXPECT_EQ(unauthorized.code, "10000");
  const Error plain = provider->decode_error(json_response(500, "<html>oops</html>"));
  EXPECT_EQ(plain.kind, ErrorKind::server_error);
  EXPECT_THAT(provider->decode_chat(json_response(200, R"({"success": true})")),
              ErrorIs(ErrorKind::protocol, HasSubstr("result")));
}

struct RangeCase {
  const char* param;
  void (*set)(SamplingParams&);
  const char* range;
};

class DataoortsRangeTest : public ::testing::TestWithParam<RangeCase> {};

TEST_P(DataoortsRangeTest, OutOfRangeIsRefusedNamingParameterValueAndRange) {
  ChatRequest request = seed_dataoorts_request();
  request.sampling = {};
  GetParam().set(request.sampling);
  auto http = providers::dataoorts("dk")->encode_chat(request);
  ASSERT_THAT(http, ErrorIs(ErrorKind::invalid_request, HasSubstr(GetParam().range)));
  EXPECT_EQ(http.error().param, GetParam().param);
  EXPECT_THAT(http.error().message, HasSubstr(GetParam().param));
}

INSTANTIATE_TEST_SUITE_P(
    SeedRanges, DataoortsRangeTest,
    ::testing::Values(
        RangeCase{"temperature", [](SamplingParams& s) { s.temperature = 5.5; }, "[0, 5]"},
        RangeCase{"top_p", [](SamplingParams& s) { s.top_p = 2.1; }, "[0, 2]"},
        RangeCase{"top_k", [](SamplingParams& s) { s.top_k = 51; }, "[1, 50]"},
        RangeCase{"seed", [](SamplingParams& s) { s.seed = 0; }, "[1, 1e+10]"},
        RangeCase{"seed", [](SamplingParams& s) { s.seed = 10000000000; }, "[1, 1e+10]"},
        RangeCase{"repetition_penalty", [](SamplingParams& s) { s.repetition_penalty = 2.5; },
                  "[0, 2]"},
        RangeCase{"frequency_penalty", [](SamplingParams& s) { s.frequency_penalty = -0.5; },
                  "[0, 2]"},
        RangeCase{"presence_penalty", [](SamplingParams& s) { s.presence_penalty = 3; }, "[0, 2]"}),
    [](const auto& param_info) {
      return std::string(param_info.param.param) + std::to_string(param_info.index);
    });

TEST(DataoortsTest, AcceptsItsOwnRangesWhereOpenAiDiffers) {
  ChatRequest request = seed_dataoorts_request();
  request.sampling.top_p = 1.8;        // OpenAI would refuse; Dataoorts documents 0-2
  request.sampling.temperature = 4.0;  // OpenAI: 0-2; Dataoorts: 0-5
  request.sampling.seed = 9999999999;
  request.sampling.repetition_penalty = 0.0;
  EXPECT_THAT(providers::dataoorts("dk")->encode_chat(request), IsOk());
}

TEST(DataoortsTest, UndocumentedParametersAreRefusedNotDropped) {
  ChatRequest request = seed_dataoorts_request();
  request.sampling.stop = std::vector<std::string>{"QED"};
  EXPECT_THAT(providers::dataoorts("dk")->encode_chat(request),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("'stop'")));
  request.sampling.stop.reset();
  request.sampling.extra = {{"stop", {"QED"}}};  // the documented escape hatch
  auto http = providers::dataoorts("dk")->encode_chat(request);
  ASSERT_THAT(http, IsOk());
  EXPECT_EQ(json::parse(http->body)["data"]["stop"][0], "QED");
}

TEST(DataoortsTest, ContextWindowEstimateRefusesClearOverflows) {
  ChatRequest request = seed_dataoorts_request();
  request.messages = {Message::user(std::string(14000, 'x'))};  // ~3500 tokens
  request.sampling.max_tokens = 1024;
  auto http = providers::dataoorts("dk")->encode_chat(request);
  ASSERT_THAT(http, ErrorIs(ErrorKind::invalid_request, HasSubstr("context window of 4096")));
  EXPECT_THAT(http.error().message, HasSubstr("about 3507 tokens"));
  request.sampling.max_tokens = 512;
  EXPECT_THAT(providers::dataoorts("dk")->encode_chat(request), IsOk());
  EXPECT_EQ(providers::estimate_prompt_tokens({Message::user("abcd"), Message::system("")}),
            3 + 5 + 4);
}

TEST(DataoortsTest, CapabilitiesSayNoStreamingAndNoModelList) {
  auto provider = providers::dataoorts("dk");
  EXPECT_FALSE(provider->capabilities().streaming);
  EXPECT_FALSE(provider->capabilities().list_models);
  EXPECT_THAT(
      provider->encode_models(),
      ErrorIs(ErrorKind::invalid_request, HasSubstr("deepseek-ai/deepseek-math-7b-instruct")));
}

// A stream event 7 levels deep (logprobs): fine at the default limit, too deep at 5.
SseEvent deep_event() {
  SseEvent event;
  event.data =
      R"({"choices": [{"index": 0, "delta": {"content": "4"}, "logprobs": {"a": {"b": {"c": [1]}}}}]})";
  return event;
}

// The Client never streams from Dataoorts (capabilities().streaming is false), but its stream
// decoding is public Provider API and must obey the knob like every other decoder.
TEST(DataoortsTest, StreamEventsObeyTheMaxJsonDepthKnob) {
  for (const std::size_t depth : {std::size_t{5}, wire::kDefaultMaxJsonDepth}) {
    providers::DataoortsOptions options;
    options.api_key = "dk-123";
    options.max_json_depth = depth;
    const providers::DataoortsProvider provider(options);
    const Result<StreamEvent> direct = provider.decode_stream_event(deep_event());
    const Result<StreamEvent> decoded = provider.stream_decoder()->decode(deep_event());
    for (const Result<StreamEvent>* result : {&direct, &decoded}) {
      if (depth == 5) {
        EXPECT_THAT(*result, ErrorIs(ErrorKind::protocol, HasSubstr("max_json_depth")));
      } else {
        EXPECT_THAT(*result, IsOk());
      }
    }
  }
}

// /models answers whose first entry says owned_by "vllm" but nests 8 levels deep (over a knob
// of 5, which a chat completion's 4 levels pass).
void enqueue_deep_models_then_nothing(testing::MockTransport& mock) {
  mock.enqueue_json(200, R"({"data": [{"id": "m", "owned_by": "vllm", "x": [[[[1]]]]}]})");
  for (int i = 0; i < 3; ++i) mock.enqueue_json(404, R"({"error": {"message": "no"}})");
}

TEST(SelfHostedDetectionTest, ProbesObeyTheMaxJsonDepthKnob) {
  testing::MockTransport mock;
  enqueue_deep_models_then_nothing(mock);
  auto lowered = providers::detect_flavour("http://127.0.0.1:8000/v1", mock, {}, 5);
  ASSERT_THAT(lowered, IsOk());
  EXPECT_EQ(lowered->flavour, providers::Flavour::generic) << lowered->evidence;

  testing::MockTransport fresh;
  enqueue_deep_models_then_nothing(fresh);
  auto by_default = providers::detect_flavour("http://127.0.0.1:8000/v1", fresh);
  ASSERT_THAT(by_default, IsOk());
  EXPECT_EQ(by_default->flavour, providers::Flavour::vllm) << by_default->evidence;
}

TEST(SelfHostedDetectionTest, AutoDetectionThroughAClientObeysTheKnob) {
  auto mock = std::make_shared<testing::MockTransport>();
  enqueue_deep_models_then_nothing(*mock);
  mock->enqueue_response(testing::answer("4"));
  providers::SelfHostedOptions options;
  options.base_url = "http://127.0.0.1:8000/v1";
  options.max_json_depth = 5;
  auto provider = std::make_shared<providers::AutoDetectedProvider>(options);
  ClientOptions client_options;
  client_options.transport = mock;
  client_options.retry = RetryPolicy::none();
  Client client(provider, client_options);
  ChatRequest request;
  request.model = "m";
  request.messages = {Message::user("2+2?")};
  ASSERT_THAT(client.chat(request), IsOk());
  ASSERT_TRUE(provider->detected());
  EXPECT_EQ(provider->detected()->flavour, providers::Flavour::generic)
      << provider->detected()->evidence;
}

TEST(AimlApiTest, EncodesTheSeedRequestToItsEndpoint) {
  auto provider = providers::aimlapi("ak-1");
  EXPECT_EQ(provider->name(), "aimlapi");
  ChatRequest request;
  request.model = "deepseek/deepseek-prover-v2";
  request.messages = {Message::user("Hello! What can you do?")};
  auto http = provider->encode_chat(request);
  ASSERT_THAT(http, IsOk());
  EXPECT_EQ(http->url, "https://api.aimlapi.com/v1/chat/completions");
  EXPECT_EQ(http->headers.get("Authorization"), "Bearer ak-1");
  EXPECT_EQ(json::parse(http->body), json::parse(test::read_fixture("aimlapi_request.json")));
}

TEST(AimlApiTest, ReachesEverySeedParameter) {
  ChatRequest request;
  request.model = "deepseek/deepseek-prover-v2";
  request.messages = {Message::user("x")};
  request.stream = true;
  request.sampling.logprobs = true;
  request.sampling.top_logprobs = 3;
  request.sampling.response_format = json{{"type", "text"}};
  request.sampling.seed = 7;
  request.sampling.stop = std::vector<std::string>{"\n\n"};
  request.sampling.n = 2;
  request.sampling.presence_penalty = 0.1;
  request.sampling.frequency_penalty = 0.2;
  auto http = providers::aimlapi("k")->encode_chat(request);
  ASSERT_THAT(http, IsOk());
  const json body = json::parse(http->body);
  for (const char* key : {"stream_options", "logprobs", "top_logprobs", "response_format", "seed",
                          "stop", "n", "presence_penalty", "frequency_penalty"}) {
    EXPECT_TRUE(body.contains(key)) << key;
  }
}

TEST(AimlApiTest, DecodesTheSeedResponseAndItsErrorShapes) {
  auto provider = providers::aimlapi("k");
  auto response =
      provider->decode_chat(json_response(200, test::read_fixture("aimlapi_chat.json")));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->usage->completion_tokens, 1021);
  const Error nest = provider->decode_error(json_response(
      400,
      R"({"statusCode": 400, "message": ["max_tokens must not be greater than 8192"], "error": "Bad Request"})"));
  EXPECT_EQ(nest.kind, ErrorKind::invalid_request);
  EXPECT_EQ(nest.provider_message, "max_tokens must not be greater than 8192");
  EXPECT_EQ(nest.type, "Bad Request");
  const Error credits = provider->decode_error(json_response(
      403,
      R"({"statusCode": 403, "message": "You've run out of credits. Please top up your balance.", "error": "Forbidden"})"));
  EXPECT_EQ(credits.kind, ErrorKind::quota_exceeded);
}

using test::env;

TEST(FromEnvTest, PicksTheProviderFromWhatIsSet) {
  auto aiml = providers::from_env(env({{"AIMLAPI_API_KEY", "a"}}));
  ASSERT_THAT(aiml, IsOk());
  EXPECT_EQ(aiml->provider->name(), "aimlapi");
  EXPECT_EQ(aiml->model, "deepseek/deepseek-prover-v2");
  EXPECT_EQ(aiml->description, "aimlapi, model deepseek/deepseek-prover-v2");

  auto dataoorts = providers::from_env(env({{"DATAOORTS_API_KEY", "d"}, {"LEMMA_MODEL", "other"}}));
  ASSERT_THAT(dataoorts, IsOk());
  EXPECT_EQ(dataoorts->provider->name(), "dataoorts");
  EXPECT_EQ(dataoorts->model, "other");

  auto local = providers::from_env(env({{"LEMMA_BASE_URL", "http://127.0.0.1:8000/v1"},
                                        {"LEMMA_MODEL", "deepseek-ai/DeepSeek-Math-V2"},
                                        {"AIMLAPI_API_KEY", "ignored"}}));
  ASSERT_THAT(local, IsOk());
  EXPECT_EQ(local->provider->name(), "openai_compatible");
  auto http = local->provider->encode_models();
  ASSERT_THAT(http, IsOk());
  EXPECT_EQ(http->url, "http://127.0.0.1:8000/v1/models");
  EXPECT_FALSE(http->headers.contains("Authorization"));

  auto explicit_key =
      providers::from_env(env({{"LEMMA_PROVIDER", "aimlapi"}, {"LEMMA_API_KEY", "lk"}}));
  ASSERT_THAT(explicit_key, IsOk());
  EXPECT_EQ(explicit_key->provider->encode_models()->headers.get("Authorization"), "Bearer lk");
}

TEST(FromEnvTest, AServerWithoutLemmaModelLeavesTheModelToResolve) {
  auto local = providers::from_env(env({{"LEMMA_BASE_URL", "http://127.0.0.1:8000/v1"}}));
  ASSERT_THAT(local, IsOk());
  EXPECT_EQ(local->model, "");
  EXPECT_EQ(local->description, "openai_compatible, model not set (ask the server)");
}

TEST(FromEnvTest, ErrorsListWhatIsMissing) {
  EXPECT_THAT(providers::from_env(env({})),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("AIMLAPI_API_KEY")));
  auto local = providers::from_env(env({{"LEMMA_PROVIDER", "openai_compatible"}}));
  ASSERT_THAT(local, ErrorIs(ErrorKind::invalid_request, HasSubstr("LEMMA_BASE_URL is not set")));
  // LEMMA_MODEL is not required: resolve_model() asks the server when it is unset.
  EXPECT_THAT(local.error().message, Not(HasSubstr("LEMMA_MODEL")));
  EXPECT_THAT(providers::from_env(env({{"LEMMA_PROVIDER", "dataoorts"}})),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("DATAOORTS_API_KEY")));
  EXPECT_THAT(providers::from_env(env({{"LEMMA_PROVIDER", "bard"}})),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("'bard'")));
}

TEST(ModelCatalogTest, UserEntriesAndUnknownPrices) {
  ModelCatalog catalog;
  ModelSpec spec;
  spec.provider = "openai_compatible";
  spec.model = "deepseek-ai/DeepSeek-Math-V2";
  spec.input_usd_per_million = 1.0;
  spec.output_usd_per_million = 2.0;
  catalog.add(spec);
  ASSERT_NE(catalog.find("openai_compatible", "deepseek-ai/DeepSeek-Math-V2"), nullptr);
  EXPECT_EQ(catalog.find("openai_compatible", "x"), nullptr);
  Usage usage;
  usage.prompt_tokens = 1000;
  usage.completion_tokens = 500;
  EXPECT_DOUBLE_EQ(*catalog.find("openai_compatible", "deepseek-ai/DeepSeek-Math-V2")->cost(usage),
                   0.002);
  EXPECT_FALSE(ModelCatalog::builtin()
                   .find("aimlapi", "deepseek/deepseek-prover-v2")
                   ->cost(usage)
                   .has_value());
}

// Whether one request may ask for n choices decides how lemma::math::Evaluation samples.
TEST(ProviderCapabilitiesTest, MultipleChoicesOnlyWhereTheServerReturnsNChoices) {
  EXPECT_FALSE(providers::dataoorts("dk")->capabilities().multiple_choices);
  EXPECT_FALSE(providers::aimlapi(ApiKey("k"))->capabilities().multiple_choices);
  using providers::Flavour;
  for (Flavour flavour : {Flavour::vllm, Flavour::sglang, Flavour::generic}) {
    EXPECT_TRUE(
        providers::self_hosted("http://127.0.0.1:1/v1", flavour)->capabilities().multiple_choices)
        << providers::to_string(flavour);
  }
  for (Flavour flavour : {Flavour::tgi, Flavour::llama_cpp, Flavour::ollama}) {
    EXPECT_FALSE(
        providers::self_hosted("http://127.0.0.1:1/v1", flavour)->capabilities().multiple_choices)
        << providers::to_string(flavour);
  }
}

}  // namespace
}  // namespace lemma
