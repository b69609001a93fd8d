// Client::stream() against loopback servers that write streams in chosen pieces and fail in
// chosen ways.

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "support/client_helpers.hpp"
#include "support/matchers.hpp"
#include "support/stream_fixtures.hpp"
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

ChatRequest proof_request() {
  ChatRequest request;
  request.model = "m";
  request.messages = {Message::user("Prove that n^2 - n is even.")};
  return request;
}

Client make_client(const TestServer& server, ClientOptions options = single_attempt()) {
  return Client(providers::openai_compatible(server.base_url(), "sk-stream-key"),
                std::move(options));
}

std::string sse_event(const std::string& json) {
  return "data: " + json + "\n\n";
}

std::string content_chunk(const std::string& text) {
  nlohmann::json chunk = {
      {"id", "s1"},
      {"model", "m"},
      {"object", "chat.completion.chunk"},
      {"choices", {{{"index", 0}, {"delta", {{"content", text}}}, {"finish_reason", nullptr}}}}};
  return sse_event(chunk.dump());
}

struct Received {
  std::string content;
  std::size_t chunks = 0;
};

Received drain(ChatStream& stream) {
  Received received;
  for (const ChatChunk& chunk : stream) {
    ++received.chunks;
    for (const auto& choice : chunk.choices) received.content += choice.delta.content.value_or("");
  }
  return received;
}

enum class Split { whole, one_byte, random };

std::string split_name(Split split) {
  switch (split) {
    case Split::whole: return "Whole";
    case Split::one_byte: return "OneByte";
    case Split::random: return "Random";
  }
  return "";
}

class StreamOverLoopbackTest : public ::testing::TestWithParam<std::tuple<std::string, Split>> {};

TEST_P(StreamOverLoopbackTest, AnySplitAccumulatesToTheNonStreamingResponse) {
  const auto& [name, split] = GetParam();
  const std::string sse = test::read_fixture("streams/" + name + ".sse");
  std::vector<std::string> pieces;
  if (split == Split::whole) pieces = {sse};
  if (split == Split::one_byte) {
    for (char c : sse) pieces.emplace_back(1, c);
  }
  if (split == Split::random) pieces = test::random_split(sse, 7);
  TestServer server([&](const test::RecordedRequest&) {
    return Reply::chunked(200).chunks(pieces, split == Split::random ? 1ms : 0ms).end_chunks();
  });
  ChatStream stream = make_client(server).stream(proof_request());
  const Received received = drain(stream);
  ASSERT_FALSE(stream.error().has_value()) << stream.error()->what();
  auto whole = wire::decode_chat_response(
      nlohmann::json::parse(test::read_fixture("streams/" + name + ".json")));
  ASSERT_THAT(whole, IsOk());
  test::expect_same_response(stream.response(), *whole);
  EXPECT_EQ(received.content, whole->text());  // every token delivered once, in order
  const auto body = nlohmann::json::parse(server.requests().at(0).body);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_EQ(server.requests()[0].headers.get("Accept"), "text/event-stream");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, StreamOverLoopbackTest,
                         ::testing::Combine(::testing::ValuesIn(test::stream_fixture_names()),
                                            ::testing::Values(Split::whole, Split::one_byte,
                                                              Split::random)),
                         [](const auto& param_info) {
                           return std::get<0>(param_info.param) + "_" +
                                  split_name(std::get<1>(param_info.param));
                         });

TEST(StreamTest, KeepAliveCommentsDuringALongPauseDoNotTriggerTheIdleTimeout) {
  TestServer server([](const test::RecordedRequest&) {
    Reply reply = Reply::chunked(200).chunk(content_chunk("a"));
    for (int i = 0; i < 8; ++i) reply.sleep(100ms).chunk(": keep-alive\n\n");
    return reply.chunk(content_chunk("b")).chunk("data: [DONE]\n\n").end_chunks();
  });
  ClientOptions options = single_attempt();
  options.stream_idle_timeout = 400ms;  // the pause is 800 ms, but bytes keep arriving
  ChatStream stream = make_client(server, options).stream(proof_request());
  const Received received = drain(stream);
  ASSERT_FALSE(stream.error().has_value()) << stream.error()->what();
  EXPECT_EQ(received.content, "ab");
}

TEST(StreamTest, StallLongerThanIdleTimeoutFailsSayingIdleAndKeepsTokens) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::chunked(200).chunk(content_chunk("x")).chunk(content_chunk("y")).stall();
  });
  ClientOptions options = single_attempt();
  options.stream_idle_timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  ChatStream stream = make_client(server, options).stream(proof_request());
  const Received received = drain(stream);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->kind, ErrorKind::timeout);
  EXPECT_EQ(stream.error()->code, "idle_timeout");
  EXPECT_THAT(stream.error()->message, HasSubstr("Idle timeout"));
  EXPECT_THAT(stream.error()->message, HasSubstr("2 chunks had arrived"));
  EXPECT_EQ(received.content, "xy");
  EXPECT_EQ(stream.response().text(), "xy");
}

TEST(StreamTest, TotalDeadlineFiresAndSaysSo) {
  TestServer server([](const test::RecordedRequest&) {
    Reply reply = Reply::chunked(200);
    for (int i = 0; i < 50; ++i) reply.chunk(content_chunk("t")).sleep(50ms);
    return reply;
  });
  CallOptions call;
  call.timeout = 300ms;
  ChatStream stream = make_client(server).stream(proof_request(), call);
  drain(stream);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->code, "total_timeout");
  EXPECT_THAT(stream.error()->message, HasSubstr("Total timeout"));
}

TEST(StreamTest, ServerClosingMidStreamIsATypedErrorAndTokensStayDeliveredOnce) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::chunked(200).chunk(content_chunk("one ")).chunk(content_chunk("two ")).close();
  });
  ChatStream stream = make_client(server).stream(proof_request());
  const Received received = drain(stream);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_TRUE(stream.error()->kind == ErrorKind::connection ||
              stream.error()->kind == ErrorKind::protocol)
      << stream.error()->what();
  EXPECT_EQ(received.content, "one two ");
  EXPECT_EQ(received.chunks, 2u);
  EXPECT_EQ(stream.response().text(), "one two ");
  EXPECT_EQ(stream.next(), nullptr);  // stays finished
}

TEST(StreamTest, MissingDoneIsReportedAsTruncated) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::chunked(200).chunk(content_chunk("partial")).end_chunks();
  });
  ChatStream stream = make_client(server).stream(proof_request());
  drain(stream);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->kind, ErrorKind::protocol);
  EXPECT_EQ(stream.error()->code, "truncated");
  EXPECT_EQ(stream.response().text(), "partial");
}

TEST(StreamTest, CancelFromAnotherThreadEndsAnEndlessStreamAndTheClientStillWorks) {
  TestServer server([](const test::RecordedRequest& r) {
    if (r.body.find("endless") != std::string::npos) {
      Reply reply = Reply::chunked(200).chunk(content_chunk("tick"));
      return reply.stall();
    }
    return Reply::chunked(200).chunk(content_chunk("ok")).chunk("data: [DONE]\n\n").end_chunks();
  });
  Client client = make_client(server);
  ChatRequest endless = proof_request();
  endless.messages[0] = Message::user("endless");
  ChatStream stream = client.stream(endless);
  ASSERT_NE(stream.next(), nullptr);
  std::thread canceller([&stream] {
    std::this_thread::sleep_for(150ms);
    stream.cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(stream.next(), nullptr);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->kind, ErrorKind::cancelled);
  EXPECT_EQ(stream.response().text(), "tick");

  ChatStream again = client.stream(proof_request());
  EXPECT_EQ(drain(again).content, "ok");
  EXPECT_FALSE(again.error().has_value());
}

TEST(StreamTest, OversizedLineIsProtocolError) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::chunked(200).chunk("data: " + std::string(200 * 1024, 'x') + "\n\n").end_chunks();
  });
  ClientOptions options = single_attempt();
  options.sse.max_line_bytes = 64 * 1024;
  ChatStream stream = make_client(server, options).stream(proof_request());
  drain(stream);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->kind, ErrorKind::protocol);
  EXPECT_THAT(stream.error()->message, HasSubstr("max_line_bytes"));
}

TEST(StreamTest, InvalidJsonInADataLineIsProtocolErrorNamingTheOffset) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::chunked(200)
        .chunk(content_chunk("a"))
        .chunk("data: {\"choices\": [\n\n")
        .end_chunks();
  });
  ChatStream stream = make_client(server).stream(proof_request());
  drain(stream);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->kind, ErrorKind::protocol);
  EXPECT_THAT(stream.error()->message,
              HasSubstr("at byte " + std::to_string(content_chunk("a").size())));
}

TEST(StreamTest, MidStreamErrorEventEndsTheStreamWithATypedError) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::chunked(200)
        .chunk(content_chunk("start"))
        .chunk(
            R"(data: {"error": "Request failed during generation: out of memory", "error_type": "generation"})"
            "\n\n")
        .end_chunks();
  });
  ChatStream stream = make_client(server).stream(proof_request());
  drain(stream);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->kind, ErrorKind::server_error);
  EXPECT_THAT(stream.error()->message, HasSubstr("out of memory"));
  EXPECT_THAT(stream.error()->message, HasSubstr("1 chunks had arrived"));
  EXPECT_EQ(stream.response().text(), "start");
}

TEST(StreamTest, JsonErrorBodyWith200IsATypedError) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::json(
        200, R"({"error": {"message": "model is loading", "type": "server_error", "code": 503}})");
  });
  ChatStream stream = make_client(server).stream(proof_request());
  EXPECT_EQ(stream.next(), nullptr);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->provider_message, "model is loading");
}

TEST(StreamTest, PlainJsonCompletionToAStreamRequestArrivesAsOneChunk) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::json(200, test::read_fixture("aimlapi_chat.json"));
  });
  ChatStream stream = make_client(server).stream(proof_request());
  const Received received = drain(stream);
  ASSERT_FALSE(stream.error().has_value()) << stream.error()->what();
  EXPECT_EQ(received.chunks, 1u);
  EXPECT_EQ(stream.response().usage->total_tokens, 1036);
  EXPECT_EQ(received.content, stream.response().text());
}

TEST(StreamTest, HttpErrorsAreTheSameTypedErrorsAsChat) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::json(429, R"({"error": {"message": "slow down"}})",
                       {{"Retry-After", "2"}, {"x-request-id", "r9"}});
  });
  ChatStream stream = make_client(server).stream(proof_request());
  EXPECT_EQ(stream.next(), nullptr);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->kind, ErrorKind::rate_limited);
  EXPECT_EQ(stream.error()->retry_after, 2000ms);
  EXPECT_EQ(stream.error()->request_id, "r9");
}

TEST(StreamTest, WrongContentTypeIsProtocolError) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::http(200, "<html>login page</html>", {}, "text/html");
  });
  ChatStream stream = make_client(server).stream(proof_request());
  EXPECT_EQ(stream.next(), nullptr);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->kind, ErrorKind::protocol);
  EXPECT_THAT(stream.error()->message, HasSubstr("text/html"));
}

TEST(StreamTest, InvalidRequestFailsBeforeAnyIo) {
  TestServer server([](const test::RecordedRequest&) { return Reply::json(200, "{}"); });
  ChatRequest request = proof_request();
  request.sampling.top_p = 0.0;
  ChatStream stream = make_client(server).stream(request);
  EXPECT_TRUE(stream.finished());
  EXPECT_EQ(stream.next(), nullptr);
  ASSERT_TRUE(stream.error().has_value());
  EXPECT_EQ(stream.error()->kind, ErrorKind::invalid_request);
  EXPECT_EQ(server.connection_count(), 0);
}

TEST(StreamTest, FiftySequentialStreamsShareOneConnection) {
  const std::string sse = test::read_fixture("streams/openai.sse");
  TestServer server(
      [&](const test::RecordedRequest&) { return Reply::chunked(200).chunk(sse).end_chunks(); });
  Client client = make_client(server);
  for (int i = 0; i < 50; ++i) {
    ChatStream stream = client.stream(proof_request());
    drain(stream);
    ASSERT_FALSE(stream.error().has_value()) << i << ": " << stream.error()->what();
  }
  EXPECT_EQ(server.requests().size(), 50u);
  EXPECT_EQ(server.connection_count(), 1);
}

TEST(StreamTest, CallbacksReceiveReasoningAndContentSeparately) {
  const std::string sse = test::read_fixture("streams/vllm.sse");
  TestServer server(
      [&](const test::RecordedRequest&) { return Reply::chunked(200).chunk(sse).end_chunks(); });
  std::string reasoning, content;
  StreamCallbacks callbacks;
  callbacks.on_reasoning = [&](std::string_view piece) { reasoning += piece; };
  callbacks.on_content = [&](std::string_view piece) { content += piece; };
  auto response = make_client(server).stream(proof_request(), callbacks);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(reasoning, response->reasoning());
  EXPECT_EQ(content, response->text());
  EXPECT_FALSE(reasoning.empty());
  EXPECT_EQ(response->usage->total_tokens, 71);
}

TEST(StreamTest, OnChunkReturningFalseCancels) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::chunked(200).chunk(content_chunk("a")).chunk(content_chunk("b")).stall();
  });
  int seen = 0;
  auto result =
      make_client(server).stream(proof_request(), [&](const ChatChunk&) { return ++seen < 2; });
  EXPECT_THAT(result, ErrorKindIs(ErrorKind::cancelled));
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace lemma
