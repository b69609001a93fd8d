// The push stream decoder on its own: bytes in any split give the same chunks, the limits, the
// end-of-stream checks (truncated, empty_stream), [DONE] and sticky failures.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/chunk_pipeline_private.hpp"
#include "lemma/providers/openai_compatible.hpp"
#include "lemma/providers/self_hosted.hpp"
#include "support/matchers.hpp"
#include "support/stream_fixtures.hpp"

namespace lemma {
namespace {

using detail::ChunkPipeline;
using test::ErrorIs;
using test::IsOk;
using ::testing::HasSubstr;

constexpr std::size_t kNoLimit = std::size_t{1} << 30;

std::shared_ptr<const Provider> openai() {
  return providers::openai_compatible("http://127.0.0.1:1/v1", "sk-test-SECRET-pipeline-7f3a");
}

std::string content_event(const std::string& text) {
  return "data: {\"choices\": [{\"index\": 0, \"delta\": {\"content\": \"" + text + "\"}}]}\n\n";
}

struct Outcome {
  std::vector<ChatChunk> chunks;
  std::optional<Error> error;
  bool done = false;
};

// Feeds `pieces` one after another, then finishes (unless a feed failed).
Outcome run(const std::vector<std::string>& pieces,
            std::shared_ptr<const Provider> provider = openai(), std::size_t limit = kNoLimit,
            SseParserOptions sse = {}) {
  ChunkPipeline pipeline(std::move(provider), sse, limit);
  Outcome out;
  for (const std::string& piece : pieces) {
    Result<Done> fed = pipeline.feed(piece, out.chunks);
    if (!fed) {
      out.error = fed.error();
      return out;
    }
  }
  out.done = pipeline.done();
  Result<Done> finished = pipeline.finish(out.chunks);
  if (!finished) out.error = finished.error();
  EXPECT_EQ(pipeline.chunk_count(), out.chunks.size());
  return out;
}

class ChunkPipelineFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ChunkPipelineFixtureTest, AnySplitGivesTheSameChunksAsTheWholeBody) {
  const std::string body = test::read_fixture("streams/" + GetParam() + ".sse");
  const Outcome whole = run({body});
  ASSERT_FALSE(whole.error) << whole.error->what();
  EXPECT_TRUE(whole.done);
  ASSERT_FALSE(whole.chunks.empty());
  // The chunks are those of the events, decoded one by one.
  std::vector<ChatChunk> expected;
  for (const SseEvent& event : test::parse_in_pieces({body})) {
    auto decoded = wire::decode_stream_event(event);
    ASSERT_THAT(decoded, IsOk());
    if (decoded->kind == StreamEvent::Kind::done) break;
    if (decoded->kind == StreamEvent::Kind::chunk) expected.push_back(decoded->chunk);
  }
  EXPECT_EQ(whole.chunks, expected);
  for (unsigned seed = 0; seed < 20; ++seed) {
    const Outcome split = run(test::random_split(body, seed));
    ASSERT_FALSE(split.error) << seed << ": " << split.error->what();
    EXPECT_EQ(split.chunks, whole.chunks) << "seed " << seed;
  }
  std::vector<std::string> bytes;
  for (char c : body) bytes.emplace_back(1, c);
  EXPECT_EQ(run(bytes).chunks, whole.chunks) << "byte by byte";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ChunkPipelineFixtureTest,
                         ::testing::ValuesIn(test::stream_fixture_names()));

TEST(ChunkPipelineTest, ManyEventsInOneFeedAreAllDecoded) {
  std::string body;
  for (int i = 0; i < 2000; ++i) body += content_event("x");  // ~130 KiB: many slices
  body += "data: [DONE]\n\n";
  const Outcome out = run({body});
  ASSERT_FALSE(out.error);
  EXPECT_EQ(out.chunks.size(), 2000u);
}

TEST(ChunkPipelineTest, WhatFollowsDoneIsIgnored) {
  ChunkPipeline pipeline(openai(), {}, kNoLimit);
  std::vector<ChatChunk> out;
  ASSERT_THAT(pipeline.feed(content_event("4") + "data: [DONE]\n\n" + content_event("late"), out),
              IsOk());
  EXPECT_TRUE(pipeline.done());
  ASSERT_THAT(pipeline.feed("data: {not json}\n\n", out), IsOk());
  ASSERT_THAT(pipeline.finish(out), IsOk());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].choices[0].delta.content, "4");
}

TEST(ChunkPipelineTest, BodyLimitIsCheckedOnEveryFeed) {
  const std::string event = content_event("abc");
  ChunkPipeline pipeline(openai(), {}, 2 * event.size());
  std::vector<ChatChunk> out;
  ASSERT_THAT(pipeline.feed(event, out), IsOk());
  ASSERT_THAT(pipeline.feed(event, out), IsOk());
  auto over = pipeline.feed("d", out);
  ASSERT_THAT(over, ErrorIs(ErrorKind::protocol, HasSubstr("max_stream_bytes")));
  EXPECT_EQ(out.size(), 2u) << "bytes beyond the limit are not decoded";
}

TEST(ChunkPipelineTest, ParserLimitIsAProtocolError) {
  SseParserOptions sse;
  sse.max_line_bytes = 64;
  const Outcome out = run({"data: " + std::string(200, 'x') + "\n\n"}, openai(), kNoLimit, sse);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
}

TEST(ChunkPipelineTest, MissingDoneIsTruncated) {
  const Outcome partial = run({content_event("partial")});
  ASSERT_TRUE(partial.error);
  EXPECT_EQ(partial.error->kind, ErrorKind::protocol);
  EXPECT_EQ(partial.error->code, "truncated");
  EXPECT_THAT(partial.error->message, HasSubstr("truncated"));
  EXPECT_EQ(partial.chunks.size(), 1u) << "the chunks before the cut are kept";

  const Outcome nothing = run({": keep-alive\n\n"});
  ASSERT_TRUE(nothing.error);
  EXPECT_EQ(nothing.error->code, "truncated");
  EXPECT_THAT(nothing.error->message, HasSubstr("before any event"));
}

TEST(ChunkPipelineTest, DoneAloneIsAnEmptyStream) {
  const Outcome out = run({"data: [DONE]\n\n"});
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::protocol);
  EXPECT_EQ(out.error->code, "empty_stream");
  EXPECT_TRUE(out.chunks.empty());
}

// A server whose streams simply end (no "[DONE]").
class NoDoneProvider : public providers::OpenAICompatibleProvider {
 public:
  NoDoneProvider() : OpenAICompatibleProvider(options()) {}
  bool stream_requires_done() const override { return false; }

 private:
  static providers::OpenAICompatibleOptions options() {
    providers::OpenAICompatibleOptions o;
    o.base_url = "http://127.0.0.1:1/v1";
    return o;
  }
};

TEST(ChunkPipelineTest, ProvidersThatNeedNoDoneEndWellWithoutIt) {
  auto provider = std::make_shared<NoDoneProvider>();
  const Outcome out = run({content_event("4")}, provider);
  EXPECT_FALSE(out.error) << out.error->what();
  EXPECT_EQ(out.chunks.size(), 1u);
  const Outcome empty = run({""}, provider);
  ASSERT_TRUE(empty.error);
  EXPECT_EQ(empty.error->code, "empty_stream");
  EXPECT_THAT(empty.error->message, HasSubstr("without any event"));
}

TEST(ChunkPipelineTest, DecodeErrorsAreStickyAndKeepTheChunksBeforeThem) {
  ChunkPipeline pipeline(openai(), {}, kNoLimit);
  std::vector<ChatChunk> out;
  auto failed =
      pipeline.feed(content_event("a") + "data: {\"choices\": [\n\n" + content_event("b"), out);
  ASSERT_THAT(failed, ErrorIs(ErrorKind::protocol, HasSubstr("")));
  EXPECT_EQ(out.size(), 1u) << "the chunk before the bad event, not the one after it";
  const Error first = failed.error();
  auto again = pipeline.feed(content_event("c"), out);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), first);
  auto finished = pipeline.finish(out);
  ASSERT_FALSE(finished.ok());
  EXPECT_EQ(finished.error(), first);
  EXPECT_EQ(out.size(), 1u);
}

TEST(ChunkPipelineTest, ServerErrorEventsAreTypedAndScrubbedOfTheKey) {
  const Outcome out =
      run({content_event("a"),
           "data: {\"error\": {\"message\": \"bad key sk-test-SECRET-pipeline-7f3a\", "
           "\"type\": \"server_error\"}}\n\n"});
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::server_error);
  EXPECT_THAT(out.error->provider_message, ::testing::Not(HasSubstr("SECRET")));
  EXPECT_THAT(out.error->body_excerpt, ::testing::Not(HasSubstr("SECRET")));
  EXPECT_EQ(out.chunks.size(), 1u);
}

TEST(ChunkPipelineTest, HeldBackTailComesOutAtTheEnd) {
  providers::SelfHostedOptions options;
  options.base_url = "http://127.0.0.1:1/v1";
  options.split_think_tags = true;
  auto provider = std::make_shared<providers::SelfHostedProvider>(options);
  // "<thi" may be the start of a tag: held back until the stream shows what follows.
  const Outcome out = run({content_event("4 <thi"), "data: [DONE]\n\n"}, provider);
  ASSERT_FALSE(out.error) << out.error->what();
  std::string text;
  for (const ChatChunk& chunk : out.chunks) {
    for (const ChunkChoice& choice : chunk.choices) text += choice.delta.content.value_or("");
  }
  EXPECT_EQ(text, "4 <thi");
  EXPECT_GE(out.chunks.size(), 2u) << "the tail is a chunk of its own";
}

TEST(ChunkPipelineTest, FinishTwiceGivesTheSameOutcome) {
  ChunkPipeline pipeline(openai(), {}, kNoLimit);
  std::vector<ChatChunk> out;
  ASSERT_THAT(pipeline.feed(content_event("4") + "data: [DONE]\n\n", out), IsOk());
  ASSERT_THAT(pipeline.finish(out), IsOk());
  ASSERT_THAT(pipeline.finish(out), IsOk());
  EXPECT_EQ(out.size(), 1u);
}

}  // namespace
}  // namespace lemma
