#pragma once

// Scripted answers for the mock endpoint (`lemma-mock-server --scenario FILE.json`): a file of
// rules, each matching requests (model, regexes on the last user and the system message, the
// rule's own request count) and saying what to answer (content, reasoning, usage, latency,
// stream chunking, an HTTP error, a fault). The format is documented in README.md ("Scripted
// answers") and docs/design/lemma-eval.md ("Mock scenarios").
//
// A Scenario is the parsed, validated file: immutable, shared between threads. A
// ScenarioPlayer is one endpoint's run of it: it owns the per-rule match counters.

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "lemma/result.hpp"

namespace lemma::tools {

/// How a scripted response misbehaves instead of answering.
enum class ScenarioFault {
  none,                 ///< answers normally
  reset,                ///< the connection is closed before any byte of a response
  reset_after_headers,  ///< status line and headers, then the connection is closed
  cut,                  ///< half the body (streams: the events up to mid-answer), then closed
  malformed_json,       ///< a 200 whose body (streams: one event) is not valid JSON
  stall,                ///< nothing at all until the client gives up or the server stops
};

/// Token counts of a scripted response.
struct ScenarioUsage {
  /// Estimated from the texts (the built-in answerer's count), ignoring the numbers below.
  bool automatic = true;
  /// Prompt tokens (fixed usage).
  std::int64_t prompt_tokens = 0;
  /// Completion tokens, reasoning included (fixed usage).
  std::int64_t completion_tokens = 0;
  /// Reasoning tokens, sent as completion_tokens_details.reasoning_tokens when set.
  std::optional<std::int64_t> reasoning_tokens;
};

/// One scripted response (RESPONSE in the file format).
struct ScenarioResponse {
  /// The answer text; $1, $2, ... are the user regex's capture groups, $& the whole match.
  std::string content;
  /// The reasoning text (sent as reasoning_content), if any; captures as in `content`.
  std::optional<std::string> reasoning;
  /// finish_reason of the choice; std::nullopt sends null.
  std::optional<std::string> finish_reason = std::string("stop");
  /// Usage; std::nullopt sends none.
  std::optional<ScenarioUsage> usage = ScenarioUsage{};
  /// Wait this long before answering (before the headers, so it is also the time to first
  /// token of a stream).
  std::chrono::milliseconds latency{0};
  /// Streams: characters per delta (never splitting a UTF-8 character); unset = word-sized
  /// pieces, like the built-in answerer.
  std::optional<std::size_t> chunk_chars;
  /// Streams: wait between two events; unset = the endpoint's chunk_delay.
  std::optional<std::chrono::milliseconds> chunk_delay;
  /// HTTP status: 200, or 400..599 for an error answer.
  int status = 200;
  /// The error object's fields (status >= 400); message defaults to one naming the status.
  std::string error_message;
  /// error.type; empty sends null.
  std::string error_type;
  /// error.code as JSON text (a string or a number); empty sends null.
  std::string error_code_json;
  /// error.param; empty sends null.
  std::string error_param;
  /// Extra response headers (e.g. retry-after).
  std::vector<std::pair<std::string, std::string>> headers;
  /// A fault instead of a normal answer.
  ScenarioFault fault = ScenarioFault::none;

  /// True when this response is not a normal 200 answer (an HTTP error or a fault).
  bool fails() const { return status != 200 || fault != ScenarioFault::none; }
};

/// One rule: what it matches and what it answers.
struct ScenarioRule {
  /// Exact model name to match; unset matches any.
  std::optional<std::string> model;
  /// Searched (std::regex_search, ECMAScript) in the last user message; unset matches any.
  std::optional<std::regex> user;
  /// Searched in the system message (the first one); unset matches any. A request without a
  /// system message matches only when this is unset.
  std::optional<std::regex> system;
  /// This rule applies to its matches number `first`..`last` (1-based, counted per rule over
  /// the requests that match model/user/system); others fall through to the next rule.
  std::int64_t first = 1;
  /// See `first`.
  std::int64_t last = std::numeric_limits<std::int64_t>::max();
  /// The responses, used in turn (cycled) by the rule's successive applying matches.
  std::vector<ScenarioResponse> respond;
};

/// A parsed, validated scenario file.
struct Scenario {
  /// The file it came from (for messages).
  std::string source;
  /// Tried in order; the first that matches and is in its request range answers.
  std::vector<ScenarioRule> rules;
  /// The answer when no rule applies; unset = the built-in arithmetic answerer.
  std::optional<ScenarioResponse> fallback;
};

/// Parses scenario JSON text. Errors are `invalid_request` whose message names `source`, the
/// place in the file (e.g. `rules[2].match.user`) and what is wrong; unknown keys are errors.
Result<Scenario> parse_scenario(const std::string& text, const std::string& source);

/// Reads and parses a scenario file (an unreadable file is an error naming it).
Result<Scenario> load_scenario(const std::string& path);

/// What a request shows the rules.
struct ScenarioRequest {
  /// The request's "model".
  std::string model;
  /// Content of the first system message, if there is one.
  std::optional<std::string> system;
  /// Content of the last user message.
  std::string user;
};

/// One endpoint's run of a scenario: counts each rule's matches (thread-safe) and picks the
/// response for each choice of a request.
class ScenarioPlayer {
 public:
  /// Plays `scenario` from the start (every counter at zero).
  explicit ScenarioPlayer(std::shared_ptr<const Scenario> scenario);

  /// The responses for a request with `choices` choices, one per choice, each consuming the
  /// next match (so a rule's list of 4 responses gives 4 different choices); captures are
  /// substituted. std::nullopt for a choice = no rule and no default: the built-in answerer.
  /// The choices of one request are consecutive matches even with concurrent requests.
  std::vector<std::optional<ScenarioResponse>> next(const ScenarioRequest& request, int choices);

 private:
  std::optional<ScenarioResponse> next_locked(const ScenarioRequest& request);

  std::shared_ptr<const Scenario> scenario_;
  std::mutex mutex_;
  std::vector<std::int64_t> matches_;  // per rule, guarded by mutex_
};

/// The name of a fault as written in scenario files ("reset", ...; "none").
const char* to_string(ScenarioFault fault);

}  // namespace lemma::tools
