// Client::chat_async / stream_async against loopback servers: results, many calls in flight
// on the one loop thread, retries on the injected clock, cancellation, the Client's queue,
// and a Client destroyed with calls in flight.

#include <dirent.h>
#include <sys/resource.h>
#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/client.hpp"
#include "lemma/curl_transport.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/testing/fake_clock.hpp"
#include "lemma/testing/mock_transport.hpp"
#include "support/client_helpers.hpp"
#include "support/hold_server.hpp"
#include "support/matchers.hpp"
#include "support/test_server.hpp"

namespace lemma {
namespace {

using namespace std::chrono_literals;
using test::ErrorKindIs;
using test::IsOk;
using test::Reply;
using test::single_attempt;
using test::TestServer;
using ::testing::HasSubstr;

std::string answer_json(const std::string& text, int prompt = 3, int completion = 5) {
  nlohmann::json body = {{"id", "c1"},
                         {"object", "chat.completion"},
                         {"model", "m"},
                         {"choices",
                          {{{"index", 0},
                            {"message", {{"role", "assistant"}, {"content", text}}},
                            {"finish_reason", "stop"}}}},
                         {"usage",
                          {{"prompt_tokens", prompt},
                           {"completion_tokens", completion},
                           {"total_tokens", prompt + completion}}}};
  return body.dump();
}

std::string content_event(const std::string& text) {
  nlohmann::json chunk = {
      {"id", "s1"},
      {"model", "m"},
      {"object", "chat.completion.chunk"},
      {"choices", {{{"index", 0}, {"delta", {{"content", text}}}, {"finish_reason", nullptr}}}}};
  return "data: " + chunk.dump() + "\n\n";
}

Client make_client(const TestServer& server, ClientOptions options = single_attempt()) {
  return Client(providers::openai_compatible(server.base_url(), "sk-async-key"),
                std::move(options));
}

// The question's number comes back as the answer, so every result can be matched to its call.
Reply echo_number(const test::RecordedRequest& request) {
  const auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("messages")) {
    return Reply::json(400, R"({"error":{"message":"no messages in )" + request.method + " " +
                                request.target + R"("}})");
  }
  const std::string question = body["messages"][0].value("content", "");
  return Reply::json(200, answer_json("answer to " + question));
}

std::size_t thread_count() {
  std::size_t count = 0;
  if (DIR* dir = opendir("/proc/self/task")) {
    while (dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') ++count;
    }
    closedir(dir);
  }
  return count;
}

TEST(AsyncTest, ChatAsyncReturnsTheAnswerInAFuture) {
  TestServer server(echo_number);
  Client client = make_client(server);
  Future<Result<ChatResponse>> future = client.chat_async(test::user_request("m", "7"));
  ASSERT_TRUE(future.valid());
  Result<ChatResponse> result = future.get();
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->text(), "answer to 7");
  ASSERT_TRUE(result->usage.has_value());
  EXPECT_EQ(result->usage->total_tokens, 8);
  EXPECT_FALSE(future.valid());
  EXPECT_THROW(future.wait(), std::logic_error);
  const auto body = nlohmann::json::parse(server.requests().at(0).body);
  EXPECT_FALSE(body.value("stream", false));
}

TEST(AsyncTest, CallbackFormRunsOnTheLoopThreadAndMayStartMoreCalls) {
  TestServer server(echo_number);
  Client client = make_client(server);
  std::promise<std::string> second;
  std::thread::id first_thread;
  const auto caller = std::this_thread::get_id();
  client.chat_async(test::user_request("m", "1"), [&](Result<ChatResponse> first) {
    first_thread = std::this_thread::get_id();
    ASSERT_THAT(first, IsOk());
    client.chat_async(test::user_request("m", "2"), [&](Result<ChatResponse> next) {
      second.set_value(next ? next->text() : next.error().what());
    });
  });
  EXPECT_EQ(second.get_future().get(), "answer to 2");
  EXPECT_NE(first_thread, caller);
}

TEST(AsyncTest, ManyCallsInFlightOnOneAddedThread) {
  // Each reply is held back until 16 requests have arrived: only calls that are in flight at
  // the same time can get through.
  constexpr int kCalls = 16;
  std::mutex mutex;
  std::condition_variable all_arrived;
  int arrived = 0;
  TestServer server([&](const test::RecordedRequest& request) {
    std::unique_lock<std::mutex> lock(mutex);
    ++arrived;
    all_arrived.notify_all();
    all_arrived.wait_for(lock, 20s, [&] { return arrived >= kCalls; });
    return echo_number(request);
  });
  Client client = make_client(server);
  const std::size_t threads_before = thread_count();
  std::vector<Future<Result<ChatResponse>>> futures;
  for (int i = 0; i < kCalls; ++i) {
    futures.push_back(client.chat_async(test::user_request("m", std::to_string(i))));
  }
  // The server's threads grow with its connections; lemma adds exactly one (its loop).
  for (int i = 0; i < kCalls; ++i) {
    Result<ChatResponse> result = futures[static_cast<std::size_t>(i)].get();
    ASSERT_THAT(result, IsOk());
    EXPECT_EQ(result->text(), "answer to " + std::to_string(i));
  }
  EXPECT_EQ(arrived, kCalls);
  EXPECT_EQ(server.connection_count(), kCalls);
  EXPECT_LE(thread_count(), threads_before + 1 + static_cast<std::size_t>(kCalls));
}

TEST(AsyncTest, CallerMistakeIsAReadyInvalidRequestBeforeAnyIo) {
  TestServer server(echo_number);
  Client client = make_client(server);
  ChatRequest bad = test::user_request("", "1");  // no model
  Future<Result<ChatResponse>> future = client.chat_async(bad);
  ASSERT_TRUE(future.ready());
  EXPECT_THAT(future.get(), ErrorKindIs(ErrorKind::invalid_request));
  CallOptions call;
  call.headers.set("Content-Length", "5");
  Future<Result<ChatResponse>> framed = client.chat_async(test::user_request("m", "1"), call);
  ASSERT_TRUE(framed.ready());
  EXPECT_THAT(framed.get(), ErrorKindIs(ErrorKind::invalid_request));
  EXPECT_TRUE(server.requests().empty());
}

TEST(AsyncTest, RetriesWaitOnTheInjectedClockNotForReal) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest& request) {
    if (seen++ < 2) return Reply::json(503, R"({"error":{"message":"busy"}})");
    return echo_number(request);
  });
  auto clock = std::make_shared<testing::FakeClock>();
  ClientOptions options;
  options.clock = clock;
  options.retry.initial_backoff = 30s;  // would time the test out if really waited
  options.retry.max_backoff = 60s;
  options.retry.jitter = false;
  Client client = make_client(server, options);
  Result<ChatResponse> result = client.chat_async(test::user_request("m", "5")).get();
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->text(), "answer to 5");
  EXPECT_EQ(seen.load(), 3);
  EXPECT_EQ(clock->sleeps(), (std::vector<std::chrono::milliseconds>{30s, 60s}));
  // The idempotency key is the same on every attempt.
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].headers.get("Idempotency-Key"), requests[2].headers.get("Idempotency-Key"));
}

TEST(AsyncTest, GivesUpWithTheErrorAfterTheLastAttempt) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::json(503, R"({"error":{"message":"overloaded"}})");
  });
  auto clock = std::make_shared<testing::FakeClock>();
  ClientOptions options;
  options.clock = clock;
  options.retry.max_retries = 2;
  Client client = make_client(server, options);
  Result<ChatResponse> result = client.chat_async(test::user_request("m", "5")).get();
  ASSERT_THAT(result, ErrorKindIs(ErrorKind::server_error));
  EXPECT_EQ(result.error().attempts, 3);
  EXPECT_EQ(result.error().history.size(), 3u);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(AsyncTest, FutureCancelEndsTheCallAtOnceAndClosesItsConnection) {
  TestServer server([](const test::RecordedRequest&) { return Reply().stall(); });
  Client client = make_client(server);
  Future<Result<ChatResponse>> future = client.chat_async(test::user_request("m", "1"));
  ASSERT_TRUE(server.wait_for_requests(1));  // the request is out
  EXPECT_FALSE(future.wait_for(50ms));
  future.cancel();
  ASSERT_TRUE(future.wait_for(10s));
  EXPECT_THAT(future.get(), ErrorKindIs(ErrorKind::cancelled));
}

TEST(AsyncTest, CancellationTokenEndsAQueuedCallAndABackoff) {
  TestServer server([](const test::RecordedRequest&) { return Reply().stall(); });
  ClientOptions options = single_attempt();
  options.max_concurrent_calls = 1;
  Client client = make_client(server, options);
  Future<Result<ChatResponse>> holder = client.chat_async(test::user_request("m", "1"));
  auto token = std::make_shared<CancellationToken>();
  CallOptions call;
  call.cancellation = token;
  Future<Result<ChatResponse>> queued = client.chat_async(test::user_request("m", "2"), call);
  EXPECT_FALSE(queued.wait_for(50ms));
  token->cancel();
  ASSERT_TRUE(queued.wait_for(10s));
  EXPECT_THAT(queued.get(), ErrorKindIs(ErrorKind::cancelled));
  holder.cancel();
  EXPECT_THAT(holder.get(), ErrorKindIs(ErrorKind::cancelled));
  EXPECT_EQ(server.requests().size(), 1u);  // the queued call never sent anything
}

TEST(AsyncTest, MaxConcurrentCallsBoundsAsyncCallsAndReportsQueueTime) {
  std::atomic<int> in_flight{0};
  std::atomic<int> most{0};
  TestServer server([&](const test::RecordedRequest& request) {
    const int now = ++in_flight;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(20ms);
    --in_flight;
    return echo_number(request);
  });
  ClientOptions options = single_attempt();
  options.max_concurrent_calls = 2;
  Client client = make_client(server, options);
  std::vector<Future<Result<ChatResponse>>> futures;
  for (int i = 0; i < 8; ++i) {
    futures.push_back(client.chat_async(test::user_request("m", std::to_string(i))));
  }
  for (auto& future : futures) EXPECT_THAT(future.get(), IsOk());
  EXPECT_LE(most.load(), 2);
  EXPECT_EQ(server.requests().size(), 8u);
}

TEST(AsyncTest, TimeInTheQueueDoesNotCountAgainstTheCallsTimeout) {
  std::atomic<int> seen{0};
  TestServer slow([&](const test::RecordedRequest& request) {
    // The first call holds the only place for 600 ms; the second is quick once it is sent.
    Reply reply = echo_number(request);
    if (seen++ == 0) return Reply().sleep(600ms).write(reply.steps().front().bytes);
    return reply;
  });
  ClientOptions options = single_attempt();
  options.max_concurrent_calls = 1;
  options.timeout = 400ms;  // shorter than the wait in line, longer than the call
  Client client = make_client(slow, options);
  CallOptions patient;
  patient.timeout = 2s;
  Future<Result<ChatResponse>> first = client.chat_async(test::user_request("m", "1"), patient);
  Future<Result<ChatResponse>> second = client.chat_async(test::user_request("m", "2"));
  EXPECT_THAT(first.get(), IsOk());
  Result<ChatResponse> result = second.get();
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->text(), "answer to 2");
}

TEST(AsyncTest, DestroyingTheClientCancelsCallsInFlight) {
  TestServer server([](const test::RecordedRequest&) { return Reply().stall(); });
  std::vector<Future<Result<ChatResponse>>> futures;
  std::promise<Result<ChatResponse>> callback_result;
  {
    Client client = make_client(server);
    for (int i = 0; i < 3; ++i) futures.push_back(client.chat_async(test::user_request("m", "1")));
    client.chat_async(test::user_request("m", "2"), [&](Result<ChatResponse> result) {
      callback_result.set_value(std::move(result));
    });
    ASSERT_TRUE(server.wait_for_requests(4));
  }  // the last copy of the Client goes
  for (auto& future : futures) {
    ASSERT_TRUE(future.ready());  // already ended when the destructor returned
    Result<ChatResponse> result = future.get();
    ASSERT_THAT(result, ErrorKindIs(ErrorKind::cancelled));
    EXPECT_THAT(result.error().message, HasSubstr("Client was destroyed"));
  }
  EXPECT_THAT(callback_result.get_future().get(), ErrorKindIs(ErrorKind::cancelled));
}

TEST(AsyncTest, ACallbackHoldingTheLastClientCopyEndsCleanly) {
  TestServer server(echo_number);
  std::promise<bool> done;
  {
    auto client = std::make_shared<Client>(make_client(server));
    Client copy = *client;
    copy.chat_async(test::user_request("m", "1"), [client, &done](Result<ChatResponse> result) {
      done.set_value(static_cast<bool>(result));
    });
  }  // only the callback holds the Client now; it goes when the callback does, on the loop
  EXPECT_TRUE(done.get_future().get());
}

TEST(AsyncTest, StreamAsyncDeliversEveryChunkOnceAndAccumulates) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::chunked(200)
        .chunks({content_event("Let "), content_event("n be"), content_event(" even."),
                 "data: [DONE]\n\n"},
                2ms)
        .end_chunks();
  });
  Client client = make_client(server);
  std::string content;
  int chunks = 0;
  StreamCallbacks callbacks;
  callbacks.on_content = [&](std::string_view text) { content += text; };
  callbacks.on_chunk = [&](const ChatChunk&) {
    ++chunks;
    return true;
  };
  Result<ChatResponse> result = client.stream_async(test::user_request("m", "1"), callbacks).get();
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->text(), "Let n be even.");
  EXPECT_EQ(content, "Let n be even.");
  EXPECT_EQ(chunks, 3);
  EXPECT_EQ(server.requests().at(0).headers.get("Accept"), "text/event-stream");
}

TEST(AsyncTest, OnChunkReturningFalseEndsTheStreamAsCancelled) {
  TestServer server([](const test::RecordedRequest&) {
    return Reply::chunked(200).chunks({content_event("a"), content_event("b")}).stall();
  });
  Client client = make_client(server);
  StreamCallbacks callbacks;
  int chunks = 0;
  callbacks.on_chunk = [&](const ChatChunk&) { return ++chunks < 1; };
  Result<ChatResponse> result = client.stream_async(test::user_request("m", "1"), callbacks).get();
  EXPECT_THAT(result, ErrorKindIs(ErrorKind::cancelled));
  EXPECT_EQ(chunks, 1);
}

// One stream_async call with the default retry policy on a fake clock: its result and the
// content the callbacks received, in order.
struct StreamedWithRetries {
  Result<ChatResponse> result;
  std::string content;
};

StreamedWithRetries stream_with_retries(const TestServer& server) {
  ClientOptions options;
  options.clock = std::make_shared<testing::FakeClock>();
  Client client = make_client(server, options);
  std::string content;
  StreamCallbacks callbacks;
  callbacks.on_content = [&](std::string_view text) { content += text; };
  Result<ChatResponse> result = client.stream_async(test::user_request("m", "1"), callbacks).get();
  return {std::move(result), std::move(content)};
}

TEST(AsyncTest, StreamCutBeforeItsFirstChunkIsRetriedAndNoTokenComesTwice) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    if (seen++ == 0) return Reply::chunked(200).close();  // headers, then the proxy gives up
    return Reply::chunked(200)
        .chunks({content_event("x"), content_event("y"), "data: [DONE]\n\n"})
        .end_chunks();
  });
  const StreamedWithRetries streamed = stream_with_retries(server);
  const Result<ChatResponse>& result = streamed.result;
  const std::string& content = streamed.content;
  ASSERT_THAT(result, IsOk()) << result.error().what();
  EXPECT_EQ(content, "xy");
  EXPECT_EQ(seen.load(), 2);
}

TEST(AsyncTest, StreamCutAfterAChunkIsNotRetried) {
  std::atomic<int> seen{0};
  TestServer server([&](const test::RecordedRequest&) {
    ++seen;
    return Reply::chunked(200).chunk(content_event("x")).close();
  });
  const StreamedWithRetries streamed = stream_with_retries(server);
  const Result<ChatResponse>& result = streamed.result;
  const std::string& content = streamed.content;
  EXPECT_FALSE(static_cast<bool>(result));
  EXPECT_EQ(content, "x");
  EXPECT_EQ(seen.load(), 1);
}

TEST(AsyncTest, AsyncCallsWorkOverAnyTransport) {
  auto mock = std::make_shared<testing::MockTransport>();
  mock->enqueue_response(testing::answer("42"));
  ClientOptions options = single_attempt();
  options.transport = mock;
  Client client(providers::openai_compatible("http://127.0.0.1:9/v1", "sk-mock"), options);
  Result<ChatResponse> result = client.chat_async(test::user_request("m", "1")).get();
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->text(), "42");
}

TEST(AsyncTest, LastClientDroppedInsideAStreamCallbackEndsEveryCall) {
  TestServer server([](const test::RecordedRequest& request) {
    if (request.body.find("stall") != std::string::npos) return Reply().stall();
    return Reply::chunked(200).chunks({content_event("a"), content_event("b")}).stall();
  });
  auto client = std::make_unique<Client>(make_client(server));
  Future<Result<ChatResponse>> other = client->chat_async(test::user_request("m", "stall"));
  ASSERT_TRUE(server.wait_for_requests(1));
  int chunks = 0;
  StreamCallbacks callbacks;
  callbacks.on_chunk = [&client, &chunks](const ChatChunk&) {
    ++chunks;
    client.reset();  // the only copy, dropped on the loop thread inside the transfer's events
    return true;
  };
  Future<Result<ChatResponse>> stream =
      client->stream_async(test::user_request("m", "go"), callbacks);
  ASSERT_TRUE(stream.wait_for(10s)) << "the stream's Future never became ready";
  EXPECT_THAT(stream.get(), ErrorKindIs(ErrorKind::cancelled));
  EXPECT_EQ(chunks, 1);  // nothing after the call ended
  ASSERT_TRUE(other.wait_for(10s)) << "the other call's Future never became ready";
  EXPECT_THAT(other.get(), ErrorKindIs(ErrorKind::cancelled));
}

TEST(AsyncTest, LastClientDroppedInOnContentEndsEveryCall) {
  TestServer server([](const test::RecordedRequest& request) {
    if (request.body.find("stall") != std::string::npos) return Reply().stall();
    return Reply::chunked(200).chunks({content_event("a")}).stall();
  });
  auto client = std::make_unique<Client>(make_client(server));
  Future<Result<ChatResponse>> other = client->chat_async(test::user_request("m", "stall"));
  ASSERT_TRUE(server.wait_for_requests(1));
  StreamCallbacks callbacks;
  callbacks.on_content = [&client](std::string_view) { client.reset(); };
  Future<Result<ChatResponse>> stream =
      client->stream_async(test::user_request("m", "go"), callbacks);
  ASSERT_TRUE(stream.wait_for(10s)) << "the stream's Future never became ready";
  EXPECT_THAT(stream.get(), ErrorKindIs(ErrorKind::cancelled));
  ASSERT_TRUE(other.wait_for(10s)) << "the other call's Future never became ready";
  EXPECT_THAT(other.get(), ErrorKindIs(ErrorKind::cancelled));
}

TEST(AsyncTest, AnAlreadyCancelledTokenEndsTheCallCancelled) {
  TestServer server(echo_number);
  Client client = make_client(server);
  auto token = std::make_shared<CancellationToken>();
  token->cancel();
  CallOptions call;
  call.cancellation = token;
  for (int i = 0; i < 100; ++i) {  // the loop ends each while the caller returns (TSan: no race)
    EXPECT_THAT(client.chat_async(test::user_request("m", "1"), call).get(),
                ErrorKindIs(ErrorKind::cancelled));
  }
  EXPECT_TRUE(server.requests().empty());
}

// A Transport of the user's own, without a driver: lemma runs its blocking open() on the loop.
class ForwardingTransport final : public Transport {
 public:
  explicit ForwardingTransport(std::shared_ptr<Transport> inner) : inner_(std::move(inner)) {}
  Result<HttpResponse> send(const HttpRequest& request) override { return inner_->send(request); }
  Result<std::unique_ptr<ResponseStream>> open(const HttpRequest& request) override {
    return inner_->open(request);
  }

 private:
  std::shared_ptr<Transport> inner_;
};

TEST(AsyncTest, CancelReachesATransferOfATransportWithoutADriver) {
  TestServer server([](const test::RecordedRequest&) { return Reply().stall(); });
  ClientOptions options = single_attempt();
  options.transport = std::make_shared<ForwardingTransport>(std::make_shared<CurlTransport>());
  Client client = make_client(server, options);  // default timeout: 600 s
  Future<Result<ChatResponse>> future = client.chat_async(test::user_request("m", "1"));
  ASSERT_TRUE(server.wait_for_requests(1));
  future.cancel();
  ASSERT_TRUE(future.wait_for(10s)) << "Future::cancel did not end the call";
  EXPECT_THAT(future.get(), ErrorKindIs(ErrorKind::cancelled));
  // And a Client destroyed while such a transfer runs ends it too.
  auto doomed = std::make_unique<Client>(make_client(server, options));
  Future<Result<ChatResponse>> orphan = doomed->chat_async(test::user_request("m", "2"));
  ASSERT_TRUE(server.wait_for_requests(2));
  doomed.reset();
  ASSERT_TRUE(orphan.ready());
  EXPECT_THAT(orphan.get(), ErrorKindIs(ErrorKind::cancelled));
}

TEST(AsyncScaleTest, AThousandConcurrentStreamsOnOneLoopThread) {
  constexpr int kStreams = 1000;
  // Two descriptors per stream (the client's socket and the server's) and some slack.
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  const rlim_t needed = 2 * kStreams + 256;
  if (files.rlim_cur < needed) {
    if (files.rlim_max < needed) GTEST_SKIP() << "needs " << needed << " file descriptors";
    files.rlim_cur = needed;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &files), 0);
  }
  test::HoldServer server(content_event("x"), content_event("y") + "data: [DONE]\n\n");
  ClientOptions options = single_attempt();
  Client client(providers::openai_compatible(server.base_url(), "sk-async-key"), options);
  const std::size_t threads_before = thread_count();
  std::mutex mutex;
  std::condition_variable counted;
  int first_chunks = 0;  // guarded by mutex
  std::vector<Future<Result<ChatResponse>>> futures;
  futures.reserve(kStreams);
  for (int i = 0; i < kStreams; ++i) {
    StreamCallbacks callbacks;
    auto seen = std::make_shared<int>(0);  // loop thread only
    callbacks.on_chunk = [seen, &mutex, &counted, &first_chunks](const ChatChunk&) {
      if ((*seen)++ == 0) {
        std::lock_guard<std::mutex> lock(mutex);
        ++first_chunks;
        counted.notify_all();
      }
      return true;
    };
    futures.push_back(client.stream_async(test::user_request("m", std::to_string(i)), callbacks));
  }
  // Every stream is open at once, each past its first chunk, on one added thread.
  {
    std::unique_lock<std::mutex> lock(mutex);
    counted.wait_for(lock, 120s, [&] { return first_chunks == kStreams; });
    ASSERT_EQ(first_chunks, kStreams);
  }
  EXPECT_EQ(server.held(), kStreams);
  EXPECT_EQ(server.connections(), kStreams);
  EXPECT_EQ(thread_count(), threads_before + 1);
  server.release();
  for (auto& future : futures) {
    Result<ChatResponse> result = future.get();
    ASSERT_THAT(result, IsOk());
    EXPECT_EQ(result->text(), "xy");
  }
}

}  // namespace
}  // namespace lemma
