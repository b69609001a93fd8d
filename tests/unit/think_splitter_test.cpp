#include "lemma/think_splitter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lemma/providers/openai_compatible.hpp"
#include "support/matchers.hpp"

namespace lemma {
namespace {

using test::IsOk;

ThinkTagSplitter::Output feed_pieces(const std::vector<std::string>& pieces, bool starts_open) {
  ThinkTagSplitter splitter(starts_open);
  ThinkTagSplitter::Output all;
  for (const auto& piece : pieces) {
    auto out = splitter.feed(piece);
    all.content += out.content;
    all.reasoning += out.reasoning;
  }
  auto tail = splitter.finish();
  all.content += tail.content;
  all.reasoning += tail.reasoning;
  return all;
}

struct Case {
  std::string text;
  bool starts_open;
  std::string content;
  std::string reasoning;
};

TEST(ThinkTagSplitterTest, SplitsAndIsTheSameUnderEveryByteSplit) {
  const std::vector<Case> cases = {
      {"<think>\n2+2 is 4.\n</think>\n\nThe answer is \\boxed{4}.", false,
       "The answer is \\boxed{4}.", "\n2+2 is 4.\n"},
      {"2+2 is 4.</think>\n\n\\boxed{4}", true, "\\boxed{4}", "2+2 is 4."},
      {"No thinking here, x < y and a <b> tag.", false, "No thinking here, x < y and a <b> tag.",
       ""},
      {"Answer: <thin", false, "Answer: <thin", ""},                   // a partial tag at the end
      {"<think>unfinished thought", false, "", "unfinished thought"},  // closed by end of text
      {"a<think>b</think>c<think>d</think>e", false, "ace", "bd"},
  };
  for (const auto& c : cases) {
    const auto whole = ThinkTagSplitter::split(c.text, c.starts_open);
    EXPECT_EQ(whole.content, c.content) << c.text;
    EXPECT_EQ(whole.reasoning, c.reasoning) << c.text;
    for (std::size_t a = 0; a <= c.text.size(); ++a) {
      for (std::size_t b = a; b <= c.text.size(); ++b) {
        const auto out = feed_pieces(
            {c.text.substr(0, a), c.text.substr(a, b - a), c.text.substr(b)}, c.starts_open);
        ASSERT_EQ(out.content, c.content) << c.text << " split at " << a << "," << b;
        ASSERT_EQ(out.reasoning, c.reasoning) << c.text << " split at " << a << "," << b;
      }
    }
    std::vector<std::string> bytes;
    for (char ch : c.text) bytes.emplace_back(1, ch);
    EXPECT_EQ(feed_pieces(bytes, c.starts_open).content, c.content);
  }
}

TEST(ThinkTagSplitterTest, HoldsBackOnlyWhatCouldBeATag) {
  ThinkTagSplitter splitter;
  EXPECT_EQ(splitter.feed("Let <").content, "Let ");
  EXPECT_EQ(splitter.feed("5 be").content, "<5 be");  // "<5" is no tag: released at once
  EXPECT_EQ(splitter.feed(" x<thi").content, " x");
  const auto inside = splitter.feed("nk>secret</thi");
  EXPECT_EQ(inside.reasoning, "secret");
  EXPECT_EQ(splitter.feed("nk>done").content, "done");
}

// Through the provider: the same split in a whole response and in a stream cut anywhere.
TEST(ThinkTagSplitterTest, ProviderSplitsWholeResponsesAndStreamsAlike) {
  providers::OpenAICompatibleOptions options;
  options.base_url = "http://127.0.0.1:9/v1";
  options.split_think_tags = true;
  const providers::OpenAICompatibleProvider provider(options);
  const std::string content = "<think>n(n-1) is even</think>\n\nSo \\boxed{0} mod 2.";

  HttpResponse whole;
  whole.status = 200;
  whole.body =
      nlohmann::json{{"choices", {{{"message", {{"role", "assistant"}, {"content", content}}}}}}}
          .dump();
  auto response = provider.decode_chat(whole);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->text(), "So \\boxed{0} mod 2.");
  EXPECT_EQ(response->reasoning(), "n(n-1) is even");

  for (std::size_t cut = 0; cut <= content.size(); ++cut) {
    auto decoder = provider.stream_decoder();
    StreamAccumulator accumulator;
    for (const std::string& piece : {content.substr(0, cut), content.substr(cut)}) {
      SseEvent event;
      event.data =
          nlohmann::json{{"choices", {{{"index", 0}, {"delta", {{"content", piece}}}}}}}.dump();
      auto decoded = decoder->decode(event);
      ASSERT_THAT(decoded, IsOk());
      accumulator.add(decoded->chunk);
    }
    if (auto tail = decoder->finish()) accumulator.add(*tail);
    ASSERT_EQ(accumulator.response().text(), response->text()) << "cut at " << cut;
    ASSERT_EQ(accumulator.response().reasoning(), response->reasoning()) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace lemma
