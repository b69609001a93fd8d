#include "lemma/sse_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.hpp"
#include "support/stream_fixtures.hpp"

namespace lemma {
namespace {

using test::ErrorIs;
using test::IsOk;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

std::vector<SseEvent> parse(const std::string& bytes) {
  return test::parse_in_pieces({bytes});
}

std::vector<std::string> datas(const std::vector<SseEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.data);
  return out;
}

TEST(SseParserTest, DataWithAndWithoutSpaceAndMultiLine) {
  const auto events =
      parse("data: a\n\ndata:b\n\ndata: line1\ndata: line2\n\ndata:  two spaces\n\n");
  EXPECT_THAT(datas(events), ElementsAre("a", "b", "line1\nline2", " two spaces"));
}

TEST(SseParserTest, AllLineEndingsGiveTheSameEvents) {
  const std::string lf = "event: delta\nid: 7\ndata: x\ndata: y\n\n: ping\n\ndata: z\n\n";
  std::string crlf, cr;
  for (char c : lf) {
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    cr += c == '\n' ? '\r' : c;
  }
  const auto expected = parse(lf);
  ASSERT_EQ(expected.size(), 2u);
  EXPECT_EQ(expected[0].type, "delta");
  EXPECT_EQ(expected[0].id, "7");
  EXPECT_EQ(expected[0].data, "x\ny");
  EXPECT_EQ(datas(parse(crlf)), datas(expected));
  EXPECT_EQ(datas(parse(cr)), datas(expected));
  const auto mixed = parse("data: a\r\ndata: b\rdata: c\n\r\n");
  EXPECT_THAT(datas(mixed), ElementsAre("a\nb\nc"));
}

TEST(SseParserTest, CommentsGoToTheObserverOnly) {
  SseParser parser;
  std::vector<std::string> comments;
  parser.set_comment_observer([&](std::string_view c) { comments.emplace_back(c); });
  std::vector<SseEvent> events;
  ASSERT_THAT(parser.feed(": keep-alive\n\n:\ndata: x\n\n", events), IsOk());
  EXPECT_THAT(comments, ElementsAre(" keep-alive", ""));
  EXPECT_THAT(datas(events), ElementsAre("x"));
}

TEST(SseParserTest, IdPersistsRetryParsedUnknownIgnored) {
  using namespace std::string_literals;
  const auto events = parse(
      "id: 1\ndata: a\n\ndata: b\nretry: 1500\nfoo: bar\n\nid: 2\0x\ndata: c\nretry: 1.5\n\n"
      "id\ndata: d\n\n"s);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].id, "1");
  EXPECT_EQ(events[1].id, "1");  // id persists
  EXPECT_EQ(events[1].retry, std::chrono::milliseconds(1500));
  EXPECT_EQ(events[2].id, "1");               // "id" containing NUL is ignored
  EXPECT_FALSE(events[2].retry.has_value());  // non-digit retry ignored
  EXPECT_EQ(events[3].id, "");                // bare "id" resets it
}

TEST(SseParserTest, EventWithoutDataIsNotDispatched) {
  const auto events = parse("event: ping\n\ndata\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "");  // the "ping" type was forgotten with its empty event
  EXPECT_EQ(events[0].data, "");  // a bare "data" line is data ""
}

TEST(SseParserTest, FinalEventWithoutBlankLineIsDispatchedAtEnd) {
  SseParser parser;
  std::vector<SseEvent> events;
  ASSERT_THAT(parser.feed("data: first\n\ndata: last", events), IsOk());
  EXPECT_EQ(events.size(), 1u);
  ASSERT_THAT(parser.finish(events), IsOk());
  EXPECT_THAT(datas(events), ElementsAre("first", "last"));
}

TEST(SseParserTest, ByteOrderMarkIsSkippedEvenWhenSplit) {
  const std::string bom = "\xEF\xBB\xBF";
  EXPECT_THAT(datas(test::parse_in_pieces({bom + "data: x\n\n"})), ElementsAre("x"));
  EXPECT_THAT(datas(test::parse_in_pieces({"\xEF", "\xBB",
                                           "\xBF"
                                           "data: x\n\n"})),
              ElementsAre("x"));
  // Only at the very start; elsewhere it is data.
  EXPECT_THAT(datas(parse("data: " + bom + "x\n\n")), ElementsAre(bom + "x"));
  // A prefix of a BOM that turns out not to be one is ordinary input, split or not.
  const std::string not_bom = "\xEF:x\ndata: y\n\n";
  EXPECT_THAT(datas(parse(not_bom)), ElementsAre("y"));
  EXPECT_EQ(test::parse_in_pieces({"\xEF", ":x\n", "data: y\n\n"}), parse(not_bom));
  EXPECT_TRUE(test::parse_in_pieces({"\xEF\xBB"}).empty());
}

TEST(SseParserTest, OffsetsPointAtEventStarts) {
  const auto events = parse("data: a\n\n: c\ndata: b\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].offset, 0u);
  EXPECT_EQ(events[1].offset, 9u);
}

TEST(SseParserTest, OversizedLineIsProtocolErrorAndParserStaysFailed) {
  SseParserOptions options;
  options.max_line_bytes = 64;
  SseParser parser(options);
  std::vector<SseEvent> events;
  ASSERT_THAT(parser.feed("data: ok\n\n", events), IsOk());
  // Split across feeds: the unfinished line alone is over the limit.
  ASSERT_THAT(parser.feed("data: " + std::string(40, 'x'), events), IsOk());
  EXPECT_THAT(parser.feed(std::string(40, 'x'), events),
              ErrorIs(ErrorKind::protocol, HasSubstr("max_line_bytes")));
  EXPECT_THAT(parser.feed("\n\n", events),
              ErrorIs(ErrorKind::protocol, HasSubstr("max_line_bytes")));
  EXPECT_EQ(events.size(), 1u);
}

TEST(SseParserTest, OversizedEventIsProtocolError) {
  SseParserOptions options;
  options.max_event_bytes = 100;
  SseParser parser(options);
  std::vector<SseEvent> events;
  std::string many;
  for (int i = 0; i < 20; ++i) many += "data: 0123456789\n";
  EXPECT_THAT(parser.feed(many, events),
              ErrorIs(ErrorKind::protocol, HasSubstr("max_event_bytes")));
}

TEST(SseParserTest, ResetStartsANewStream) {
  SseParser parser;
  std::vector<SseEvent> events;
  ASSERT_THAT(parser.feed("id: 5\ndata: partial", events), IsOk());
  parser.reset();
  ASSERT_THAT(parser.feed("data: fresh\n\n", events), IsOk());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "fresh");
  EXPECT_EQ(events[0].id, "");
}

// The property: however the bytes are split, the events are identical.
class SseSplitPropertyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SseSplitPropertyTest, EverySplitYieldsIdenticalEvents) {
  std::string bytes = test::read_fixture("streams/" + GetParam() + ".sse");
  for (const bool crlf : {false, true}) {
    if (crlf) {
      std::string converted;
      for (char c : bytes) converted += c == '\n' ? std::string("\r\n") : std::string(1, c);
      bytes = converted;
    }
    const auto whole = parse(bytes);
    ASSERT_GT(whole.size(), 2u);
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
      ASSERT_EQ(test::parse_in_pieces({bytes.substr(0, cut), "", bytes.substr(cut)}), whole)
          << "split at " << cut;
    }
    std::vector<std::string> single;
    for (char c : bytes) single.emplace_back(1, c);
    EXPECT_EQ(test::parse_in_pieces(single), whole) << "one byte at a time";
    for (unsigned seed = 0; seed < 20; ++seed) {
      EXPECT_EQ(test::parse_in_pieces(test::random_split(bytes, seed)), whole) << "seed " << seed;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SseSplitPropertyTest,
                         ::testing::ValuesIn(test::stream_fixture_names()),
                         [](const auto& param_info) { return param_info.param; });

TEST(SseParserTest, LlamaCppErrorFieldIsDispatchedWithoutData) {
  const auto events = parse("error: {\"code\": 400}\n\ndata: [DONE]\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].error, "{\"code\": 400}");
  EXPECT_EQ(events[0].data, "");
  EXPECT_EQ(events[1].error, "");
  EXPECT_EQ(events[1].data, "[DONE]");
}

TEST(SseParserTest, IdOverItsLimitIsAProtocolError) {
  SseParserOptions options;
  options.max_id_bytes = 8;
  SseParser parser(options);
  std::vector<SseEvent> events;
  ASSERT_TRUE(parser.feed("id: 12345678\ndata: a\n\n", events).ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, "12345678");
  auto failed = parser.feed("id: 123456789\ndata: b\n\n", events);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind, ErrorKind::protocol);
  EXPECT_NE(failed.error().message.find("max_id_bytes"), std::string::npos);
  EXPECT_EQ(events.size(), 1u);
}

}  // namespace
}  // namespace lemma
