#pragma once

// Checking Lean 4 proofs with a real Lean: the Lean REPL as a program (leanprover-community/repl,
// `lake exe repl`) or kimina-lean-server over HTTP. The verdict tells a complete proof from one
// that uses `sorry` (which Lean accepts with a warning, so the exit status alone cannot tell).

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lemma/api_key.hpp"
#include "lemma/http.hpp"
#include "lemma/math/lean.hpp"
#include "lemma/math_runs_export.hpp"
#include "lemma/result.hpp"

namespace lemma::math {

/// How a Lean check ended; only `valid` means the proof is complete and correct.
enum class LeanStatus {
  /// Lean accepted the code: no error, no `sorry`, no warning that reports a failure.
  valid,
  /// No error, but the code uses `sorry` (a `sorries` entry or the "declaration uses 'sorry'"
  /// warning, which is all Lean reports for a term-mode `sorry`).
  uses_sorry,
  /// Lean reported an error (or a warning that says something failed, counted as an error as
  /// DeepSeek-Prover's verifier does).
  lean_error,
  /// Lean did not finish in time: the command was killed at its timeout, or the server said
  /// the check timed out.
  timeout,
  /// The checker could not be run or gave an answer that is not a Lean response (program not
  /// found, non-zero exit, garbage output, HTTP error, server error text). Never a proof verdict.
  checker_error,
  /// check_answer() found no complete Lean block in the answer: nothing was checked.
  no_proof,
};

/// The status's name as in JSON: "valid", "uses_sorry", "lean_error", "timeout",
/// "checker_error", "no_proof".
LEMMA_MATH_RUNS_EXPORT std::string_view to_string(LeanStatus status) noexcept;

/// A position in the checked code as Lean counts it: line from 1, column from 0 (code points).
struct LeanPosition {
  /// Line number, from 1.
  int line = 0;
  /// Column, from 0.
  int column = 0;
};

/// One message Lean reported, verbatim.
struct LeanMessage {
  /// "error", "warning", "info" or "trace".
  std::string severity;
  /// Where it starts.
  LeanPosition pos;
  /// Where it ends, when Lean says.
  std::optional<LeanPosition> end_pos;
  /// The message text (often several lines: goals, expected types).
  std::string text;
};

/// One `sorry` Lean reported (tactic mode only; term-mode sorries show only as a warning).
struct LeanSorry {
  /// Where it starts.
  LeanPosition pos;
  /// Where it ends, when Lean says.
  std::optional<LeanPosition> end_pos;
  /// The goal left open there.
  std::string goal;
};

/// The outcome of one Lean check.
struct LEMMA_MATH_RUNS_EXPORT LeanVerdict {
  /// What the check found.
  LeanStatus status = LeanStatus::checker_error;
  /// One line saying why: the first error, the sorry warning, the checker's failure (with its
  /// standard error or HTTP status), or "Lean accepted the proof".
  std::string explanation;
  /// Every message Lean reported, in order (empty when Lean was not reached).
  std::vector<LeanMessage> messages;
  /// The sorries Lean reported.
  std::vector<LeanSorry> sorries;
  /// Wall time of the check as lemma measured it (process start to exit, or the HTTP exchange).
  std::chrono::milliseconds time{0};
  /// The code that was checked (for check_answer(): the extracted block, header and statement
  /// applied); empty when nothing was checked.
  std::string code;

  /// True only for LeanStatus::valid.
  bool valid() const noexcept { return status == LeanStatus::valid; }
  /// The messages with severity "error".
  std::vector<LeanMessage> errors() const;
};

/// The verdict as JSON: {"status", "explanation", "time_ms", "messages": [{"severity", "line",
/// "column", "end_line", "end_column", "text"}], "sorries": [{"line", "column", "goal"}]}
/// (the code is left out: the caller has it).
LEMMA_MATH_RUNS_EXPORT nlohmann::json to_json(const LeanVerdict& verdict);

/// Classifies one Lean REPL response (`{"env", "messages", "sorries"}`, empty arrays may be
/// missing): an error message -> lean_error; else a sorry or the "declaration uses 'sorry'"
/// warning -> uses_sorry; else a warning containing "failed" -> lean_error; else valid.
/// Anything else -> checker_error, never valid: not JSON, not an object, the REPL's own
/// `{"message": ...}` failure, no env / messages / sorries member, a malformed message or an
/// unknown severity. Pure: no I/O; `time` and `code` are left empty.
LEMMA_MATH_RUNS_EXPORT LeanVerdict classify_repl_response(std::string_view text);
/// The same for a response already parsed.
LEMMA_MATH_RUNS_EXPORT LeanVerdict classify_repl_response(const nlohmann::json& response);

/// Classifies a kimina-lean-server answer body: one result `{"id", "time", "error",
/// "response"}` (POST /api/check), a list of them (/api/checks), `{"results": [...]}` (older
/// /api/check and the legacy /verify with `custom_id`). Exactly one result is expected. Its
/// `response` is classified as a REPL response; an `error` saying "timed out" -> timeout; any
/// other error text, a missing response or a malformed body -> checker_error. Pure.
LEMMA_MATH_RUNS_EXPORT LeanVerdict classify_kimina_response(std::string_view body);

/// Settings of a checker that runs a program speaking the Lean REPL's JSON on stdin/stdout.
///
/// One process per check: lemma starts `argv` (no shell; argv[0] is searched in PATH when it
/// has no '/'), writes `{"cmd": CODE}` and a blank line, closes standard input (the REPL then
/// answers and exits), reads the response from standard output and standard error (kept for
/// the explanation), and waits for the exit. A non-zero exit or death by a signal is a
/// checker_error whatever was printed. At the timeout, or when the output passes its limit,
/// the whole process group is killed (`lake exe repl` runs the REPL as a child of lake) and
/// reaped. A process per check costs the REPL's start-up and the `import Mathlib` each time
/// (seconds); for throughput run kimina-lean-server, which keeps REPLs warm.
struct LeanCommandOptions {
  /// The program and its arguments, e.g. {"lake", "exe", "repl"}. Required.
  std::vector<std::string> argv;
  /// Directory to run it in, e.g. the Lean project with Mathlib; "" = the current one.
  std::string working_directory;
  /// Time allowed for one check, start-up and imports included. Default 300 s; must be > 0.
  std::chrono::milliseconds timeout{std::chrono::seconds(300)};
  /// Largest standard output accepted; more kills the process (checker_error). Default 16 MiB.
  std::size_t max_output_bytes = std::size_t{16} * 1024 * 1024;
};

/// Which request body a kimina-lean-server endpoint takes.
enum class KiminaApi {
  /// POST /api/check: `{"snippet": {"id", "code"}, "snippets": [{"id", "code"}], "timeout"}`;
  /// both forms are sent, so servers that take either (newer: `snippet`, older: `snippets`)
  /// accept it (the other member is ignored).
  check,
  /// The legacy POST /verify: `{"codes": [{"custom_id", "proof"}], "timeout"}`.
  verify,
};

/// Settings of a checker that asks a kimina-lean-server over HTTP.
struct LeanEndpointOptions {
  /// The full URL, e.g. "http://localhost:12332/api/check". Required; http or https.
  std::string url;
  /// Request body form. Default KiminaApi::check.
  KiminaApi api = KiminaApi::check;
  /// Sent as "Authorization: Bearer KEY" when set (the server's LEANSERVER_API_KEY). Default none.
  ApiKey api_key;
  /// Lean's time limit, sent to the server in whole seconds (rounded up). Default 60 s; > 0.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  /// Extra time to wait for the HTTP answer beyond `timeout` (queueing, start-up); a server
  /// that does not answer by then is a checker_error. Default 30 s; >= 0.
  std::chrono::milliseconds http_grace{std::chrono::seconds(30)};
  /// Time allowed to connect. Default 10 s; > 0.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  /// Largest answer body accepted. Default 16 MiB.
  std::size_t max_response_bytes = std::size_t{16} * 1024 * 1024;
  /// The transport to send with; null = a CurlTransport of its own.
  std::shared_ptr<Transport> transport;
};

/// An optional Lean 4 proof checker: a REPL command or a kimina-lean-server endpoint.
///
/// Thread-safe: check() may be called from many threads at once (each command check is its own
/// process). Copies share the configuration. No retries: a failed check is a checker_error
/// verdict, for the caller to count as "not checked".
class LEMMA_MATH_RUNS_EXPORT LeanChecker {
 public:
  /// A checker running a REPL program; invalid_request when argv is empty or has an empty
  /// program, a string contains a NUL, or a limit is not positive.
  static Result<LeanChecker> command(LeanCommandOptions options);
  /// A checker asking a kimina-lean-server; invalid_request for a malformed URL or limit.
  static Result<LeanChecker> endpoint(LeanEndpointOptions options);

  /// Checks `code` (a whole Lean file: imports, then theorems). Errors: invalid_request for
  /// empty code or code with a NUL (before any I/O), `cancelled` when `cancellation` fires
  /// (the process is killed, the HTTP exchange stopped). Everything the checker does is in the
  /// verdict, including its own failures (checker_error).
  Result<LeanVerdict> check(std::string_view code,
                            std::shared_ptr<const CancellationToken> cancellation = {}) const;

  /// Extracts the Lean block from a model's answer with extract_lean(answer, options) (header
  /// prepended, statement restated) and checks it. No block, or only one cut off by the end of
  /// the answer: status no_proof, without a check.
  Result<LeanVerdict> check_answer(
      std::string_view answer, const LeanOptions& options = {},
      std::shared_ptr<const CancellationToken> cancellation = {}) const;

  /// The shared configuration; defined in src/math_runs/lean_checker.cpp.
  struct Impl;

 private:
  explicit LeanChecker(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace lemma::math
