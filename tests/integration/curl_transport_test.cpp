// CurlTransport and Client against loopback servers that the tests script byte by byte.

#include "lemma/curl_transport.hpp"

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/version.hpp"
#include "support/client_helpers.hpp"
#include "support/matchers.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using namespace std::chrono_literals;
using test::ErrorIs;
using test::ErrorKindIs;
using test::IsOk;
using test::Reply;
using test::single_attempt;
using test::TestServer;
using ::testing::HasSubstr;

constexpr const char* kKey = "sk-integration-KEY-9876";
const char* const kAnswer = R"({"id": "c1", "object": "chat.completion", "created": 1, "model": "m",
  "choices": [{"index": 0, "finish_reason": "stop",
               "message": {"role": "assistant", "content": "\\boxed{4}", "reasoning_content": "2+2"}}],
  "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}})";

ChatRequest math_request() {
  ChatRequest request;
  request.model = "m";
  request.messages = {Message::user("What is 2+2?")};
  return request;
}

Client make_client(const TestServer& server, ClientOptions options = single_attempt()) {
  return Client(providers::openai_compatible(server.base_url(), kKey), std::move(options));
}

TEST(CurlTransportTest, ChatRoundTripSendsHeadersAndDecodes) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  ClientOptions options = single_attempt();
  options.default_headers.set("X-Custom", "yes");
  auto response = make_client(server, options).chat(math_request());
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->text(), "\\boxed{4}");
  EXPECT_EQ(response->reasoning(), "2+2");
  EXPECT_EQ(response->usage->total_tokens, 7);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/v1/chat/completions");
  EXPECT_EQ(r.headers.get("Authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(r.headers.get("User-Agent"), std::string("lemma/") + LEMMA_VERSION);
  EXPECT_EQ(r.headers.get("X-Custom"), "yes");
  EXPECT_FALSE(r.headers.contains("Expect"));
  EXPECT_EQ(nlohmann::json::parse(r.body)["messages"][0]["content"], "What is 2+2?");
}

TEST(CurlTransportTest, TwentySequentialRequestsReuseOneConnection) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  Client client = make_client(server);
  for (int i = 0; i < 20; ++i) ASSERT_THAT(client.chat(math_request()), IsOk()) << i;
  EXPECT_EQ(server.requests().size(), 20u);
  EXPECT_EQ(server.connection_count(), 1);
}

TEST(CurlTransportTest, ConnectionRefusedIsConnectionError) {
  Client client(providers::openai_compatible(
      "http://127.0.0.1:" + std::to_string(test::unused_port()) + "/v1"));
  EXPECT_THAT(client.chat(math_request()),
              ErrorIs(ErrorKind::connection, HasSubstr("Could not connect")));
}

TEST(CurlTransportTest, StallingServerTimesOutWithinBound) {
  TestServer server([](const test::RecordedRequest&) { return Reply().stall(); });
  ClientOptions options = single_attempt();
  options.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto result = make_client(server, options).chat(math_request());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(result, ErrorIs(ErrorKind::timeout, HasSubstr("300 ms")));
  EXPECT_LT(elapsed, 5s);
}

TEST(CurlTransportTest, PerCallTimeoutOverridesClientTimeout) {
  TestServer server([](const test::RecordedRequest&) { return Reply().sleep(2s).write("x"); });
  CallOptions call;
  call.timeout = 200ms;
  EXPECT_THAT(make_client(server).chat(math_request(), call), ErrorKindIs(ErrorKind::timeout));
}

TEST(CurlTransportTest, NonJsonSuccessBodyIsProtocolError) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::http(200, "<html>hello from a captive portal</html>", {}, "text/html");
  });
  auto result = make_client(server).chat(math_request());
  ASSERT_THAT(result, ErrorIs(ErrorKind::protocol, HasSubstr("not valid JSON")));
  EXPECT_EQ(result.error().http_status, 200);
}

TEST(CurlTransportTest, BodyOverLimitIsProtocolError) {
  const std::string huge(2 * 1024 * 1024, 'x');
  TestServer server([&](const test::RecordedRequest&) { return Reply::json(200, huge); });
  ClientOptions options = single_attempt();
  options.max_response_bytes = 1024 * 1024;
  EXPECT_THAT(make_client(server, options).chat(math_request()),
              ErrorIs(ErrorKind::protocol, HasSubstr("over the limit")));
}

TEST(CurlTransportTest, UnannouncedBodyOverLimitIsProtocolError) {
  // No Content-Length: the body ends when the connection closes, so the limit is enforced while
  // reading.
  std::string raw =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
  raw += std::string(300 * 1024, 'y');
  TestServer server([&](const test::RecordedRequest&) { return Reply::raw(raw).close(); });
  ClientOptions options = single_attempt();
  options.max_response_bytes = 100 * 1024;
  EXPECT_THAT(make_client(server, options).chat(math_request()),
              ErrorIs(ErrorKind::protocol, HasSubstr("exceeds the limit")));
}

TEST(CurlTransportTest, TruncatedBodyIsProtocolError) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::raw(
               "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
               "500\r\n\r\n{\"choi")
        .close();
  });
  EXPECT_THAT(make_client(server).chat(math_request()),
              ErrorIs(ErrorKind::protocol, HasSubstr("cut short")));
}

TEST(CurlTransportTest, CloseBeforeHeadersIsConnectionError) {
  TestServer server([](const test::RecordedRequest&) { return Reply().close(); });
  EXPECT_THAT(make_client(server).chat(math_request()), ErrorKindIs(ErrorKind::connection));
}

TEST(CurlTransportTest, OversizedHeadersAreProtocolError) {
  std::string raw = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 100; ++i)
    raw += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'h') + "\r\n";
  raw += "Content-Length: 2\r\n\r\n{}";
  TestServer server([&](const test::RecordedRequest&) { return Reply::raw(raw); });
  ClientOptions options = single_attempt();
  options.curl.max_header_bytes = 16 * 1024;
  EXPECT_THAT(make_client(server, options).chat(math_request()),
              ErrorIs(ErrorKind::protocol, HasSubstr("max_header_bytes")));
}

struct StatusCase {
  int status;
  const char* body;
  ErrorKind kind;
};

class HttpErrorStatusTest : public ::testing::TestWithParam<StatusCase> {};

TEST_P(HttpErrorStatusTest, MapsToTypedErrorWithRequestId) {
  const auto c = GetParam();
  TestServer server([&](const test::RecordedRequest&) {
    return Reply::json(c.status, c.body, {{"x-request-id", "rid-1"}, {"Retry-After", "1"}});
  });
  auto result = make_client(server).chat(math_request());
  ASSERT_THAT(result, ErrorKindIs(c.kind));
  EXPECT_EQ(result.error().http_status, c.status);
  EXPECT_EQ(result.error().request_id, "rid-1");
  EXPECT_EQ(result.error().attempts, 1);
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, HttpErrorStatusTest,
    ::testing::Values(
        StatusCase{400, R"({"error": {"message": "bad"}})", ErrorKind::invalid_request},
        StatusCase{401, R"({"error": "no key"})", ErrorKind::authentication},
        StatusCase{403, R"({"detail": "no"})", ErrorKind::permission_denied},
        StatusCase{404, R"({"message": "no model"})", ErrorKind::not_found},
        StatusCase{408, "", ErrorKind::timeout},
        StatusCase{413, "too big", ErrorKind::invalid_request},
        StatusCase{422, R"({"detail": [{"loc": ["body"], "msg": "bad"}]})",
                   ErrorKind::invalid_request},
        StatusCase{429, R"({"error": {"message": "slow"}})", ErrorKind::rate_limited},
        StatusCase{429, R"({"error": {"code": "insufficient_quota", "message": "pay"}})",
                   ErrorKind::quota_exceeded},
        StatusCase{500, "<html>oops</html>", ErrorKind::server_error},
        StatusCase{503, R"({"error": "overloaded", "error_type": "overloaded"})",
                   ErrorKind::server_error}),
    [](const auto& param_info) {
      return "Http" + std::to_string(param_info.param.status) + "_" +
             std::to_string(param_info.index);
    });

TEST(CurlTransportTest, InvalidParametersSendNothing) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  ChatRequest request = math_request();
  request.sampling.max_tokens = 0;
  EXPECT_THAT(make_client(server).chat(request),
              ErrorIs(ErrorKind::invalid_request, HasSubstr("max_tokens")));
  EXPECT_EQ(server.requests().size(), 0u);
  EXPECT_EQ(server.connection_count(), 0);
}

TEST(CurlTransportTest, CancellationTokenStopsAStalledCall) {
  TestServer server([](const test::RecordedRequest&) { return Reply().stall(); });
  Client client = make_client(server);
  auto token = std::make_shared<CancellationToken>();
  CallOptions call;
  call.cancellation = token;
  std::thread canceller([token] {
    std::this_thread::sleep_for(150ms);
    token->cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  auto result = client.chat(math_request(), call);
  canceller.join();
  EXPECT_THAT(result, ErrorKindIs(ErrorKind::cancelled));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(CurlTransportTest, HeaderInjectionIsRefused) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  CallOptions call;
  call.headers.set("X-Evil", "a\r\nInjected: yes");
  EXPECT_THAT(make_client(server).chat(math_request(), call),
              ErrorKindIs(ErrorKind::invalid_request));
  EXPECT_EQ(server.requests().size(), 0u);
}

TEST(CurlTransportTest, OpenStreamsBodyInPieces) {
  const std::string body(200 * 1024, 'z');
  TestServer server([&](const test::RecordedRequest&) {
    return Reply::raw("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\n\r\n")
        .drip(body, 64 * 1024, 20ms);
  });
  CurlTransport transport;
  HttpRequest request;
  request.method = "GET";
  request.url = server.base_url() + "/stream";
  auto stream = transport.open(request);
  ASSERT_THAT(stream, IsOk());
  EXPECT_EQ((*stream)->status(), 200);
  std::string received;
  char buffer[4096];
  int reads = 0;
  while (true) {
    auto n = (*stream)->read(buffer, sizeof buffer);
    ASSERT_THAT(n, IsOk());
    if (*n == 0) break;
    ++reads;
    received.append(buffer, *n);
  }
  EXPECT_EQ(received, body);
  EXPECT_GT(reads, 3);
}

TEST(CurlTransportTest, SlowReaderPausesTheTransferInsteadOfBuffering) {
  // 64 MiB, written in 1 MiB pieces: a reader that stops must stop the server too (bounded
  // buffering), and every byte still arrives, in order, once it reads again.
  constexpr std::size_t kPiece = 1 << 20;
  constexpr std::size_t kTotal = 64 * kPiece;
  std::string piece(kPiece, '\0');
  for (std::size_t i = 0; i < kPiece; ++i) piece[i] = static_cast<char>('a' + i % 26);
  TestServer server([&](const test::RecordedRequest&) {
    Reply reply =
        Reply::raw("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kTotal) + "\r\n\r\n");
    for (std::size_t i = 0; i < kTotal / kPiece; ++i) reply.write(piece);
    return reply;
  });
  CurlTransport transport;
  HttpRequest request;
  request.method = "GET";
  request.url = server.base_url() + "/big";
  auto stream = transport.open(request);
  ASSERT_THAT(stream, IsOk());
  char byte = 0;
  ASSERT_THAT((*stream)->read(&byte, 1), IsOk());
  std::this_thread::sleep_for(500ms);
  // lemma buffers at most 1 MiB; curl and the kernel's socket buffers hold some more.
  EXPECT_LT(server.bytes_written(), kTotal / 4) << "the transfer was not paused";
  std::size_t received = 1;
  bool in_order = byte == 'a';
  std::vector<char> buffer(256 * 1024);
  while (true) {
    auto n = (*stream)->read(buffer.data(), buffer.size());
    ASSERT_THAT(n, IsOk());
    if (*n == 0) break;
    for (std::size_t i = 0; i < *n; i += 4099) {
      in_order = in_order && buffer[i] == static_cast<char>('a' + (received + i) % kPiece % 26);
    }
    received += *n;
  }
  EXPECT_EQ(received, kTotal);
  EXPECT_TRUE(in_order);
}

TEST(CurlTransportTest, ModelsAgainstServer) {
  TestServer server([](const test::RecordedRequest& r) {
    if (r.target == "/v1/models") {
      return Reply::json(200,
                         R"({"object": "list", "data": [{"id": "m", "max_model_len": 4096}]})");
    }
    return Reply::json(404, R"({"detail": "Not Found"})");
  });
  auto models = make_client(server).models();
  ASSERT_THAT(models, IsOk());
  ASSERT_EQ(models->size(), 1u);
  EXPECT_EQ((*models)[0].context_length, 4096);
  EXPECT_EQ(server.requests()[0].method, "GET");
}

TEST(CurlTransportTest, FramingHeadersAreRefusedBeforeAnyIo) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, kAnswer); });
  CurlTransport transport;
  for (const char* name : {"Content-Length", "Transfer-Encoding", "Connection", "Host"}) {
    HttpRequest request;
    request.url = server.base_url() + "/chat/completions";
    request.body = "{}";
    request.headers.set(name, "5");
    EXPECT_THAT(transport.send(request), ErrorIs(ErrorKind::invalid_request, HasSubstr(name)));
  }
  CurlTransportOptions injected;
  injected.user_agent = "lemma\r\nX-Injected: 1";
  HttpRequest request;
  request.url = server.base_url() + "/chat/completions";
  EXPECT_THAT(CurlTransport(injected).send(request), ErrorKindIs(ErrorKind::invalid_request));
  EXPECT_EQ(server.requests().size(), 0u);
}

}  // namespace
}  // namespace lemma
