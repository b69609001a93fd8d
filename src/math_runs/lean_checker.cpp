// LeanChecker: a proof checked by a Lean REPL process (subprocess.cpp) or a kimina-lean-server
// (a Transport), the answer classified by lean_verdict.cpp.

#include "lemma/math/lean_checker.hpp"

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

#include "lean_verdict_private.hpp"
#include "lemma/curl_transport.hpp"
#include "lemma/error.hpp"
#include "lemma/url.hpp"
#include "subprocess_private.hpp"

namespace lemma::math {

struct LeanChecker::Impl {
  std::optional<LeanCommandOptions> command;
  std::optional<LeanEndpointOptions> endpoint;
  // The URL as it may appear in explanations (no credentials, no query).
  std::string url_shown;
  // Snippet ids, unique per checker (kimina logs and caches by id).
  mutable std::atomic<std::uint64_t> next_id{0};
};

namespace {

using nlohmann::json;
using std::chrono::milliseconds;

bool has_nul(std::string_view text) {
  return text.find('\0') != std::string_view::npos;
}

Error cancelled_error() {
  return make_error(ErrorKind::cancelled, "the Lean check was cancelled");
}

std::string seconds_text(milliseconds duration) {
  const auto ms = duration.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

// JSON text of `value`; invalid UTF-8 in a model's code becomes U+FFFD instead of throwing.
std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The tail of a program's standard error, for an explanation.
std::string stderr_note(const std::string& error_output) {
  if (error_output.empty()) return "";
  const std::size_t keep = 300;
  std::string_view tail = error_output;
  if (tail.size() > keep) tail.remove_prefix(tail.size() - keep);
  const std::string line = detail::one_line(tail);
  return line.empty() ? "" : "; its standard error ends: " + line;
}

Result<LeanVerdict> check_with_command(const LeanCommandOptions& options, std::string_view code,
                                       std::shared_ptr<const CancellationToken> cancellation) {
  using End = detail::SubprocessOutcome::End;
  detail::SubprocessSpec spec;
  spec.argv = options.argv;
  spec.working_directory = options.working_directory;
  // One REPL command; the blank line ends it, and closing standard input ends the session.
  spec.input = dump(json{{"cmd", std::string(code)}}) + "\n\n";
  spec.timeout = options.timeout;
  spec.max_output_bytes = options.max_output_bytes;
  spec.cancellation = std::move(cancellation);
  detail::SubprocessOutcome outcome = detail::run_subprocess(spec);

  const std::string& program = options.argv.front();
  LeanVerdict verdict;
  switch (outcome.end) {
    case End::cancelled: return cancelled_error();
    case End::timed_out:
      verdict.status = LeanStatus::timeout;
      verdict.explanation = "Lean did not finish within " + seconds_text(options.timeout) +
                            ": the checker '" + program + "' was killed";
      break;
    case End::output_overflow:
      verdict =
          detail::checker_error_verdict("the checker '" + program + "' printed more than " +
                                        std::to_string(options.max_output_bytes) +
                                        " bytes (LeanCommandOptions::max_output_bytes): killed");
      break;
    case End::failed: verdict = detail::checker_error_verdict(outcome.failure); break;
    case End::signaled:
      verdict = detail::checker_error_verdict(
          "the checker '" + program + "' was killed by signal " + std::to_string(outcome.signal) +
          stderr_note(outcome.error_output));
      break;
    case End::exited:
      if (outcome.exit_code != 0) {
        // Whatever it printed: a failing checker proves nothing.
        verdict = detail::checker_error_verdict(
            "the checker '" + program + "' exited with status " +
            std::to_string(outcome.exit_code) + stderr_note(outcome.error_output));
        break;
      }
      verdict = classify_repl_response(std::string_view(outcome.output));
      if (verdict.status == LeanStatus::checker_error)
        verdict.explanation += stderr_note(outcome.error_output);
      break;
  }
  verdict.time = outcome.elapsed;
  return verdict;
}

Result<LeanVerdict> check_with_endpoint(const LeanChecker::Impl& impl, std::string_view code,
                                        std::shared_ptr<const CancellationToken> cancellation) {
  const LeanEndpointOptions& options = *impl.endpoint;
  const std::string id = "lemma-" + std::to_string(impl.next_id.fetch_add(1) + 1);
  // The server takes whole seconds.
  const auto seconds = (options.timeout.count() + 999) / 1000;
  json body;
  if (options.api == KiminaApi::check) {
    const json snippet = {{"id", id}, {"code", std::string(code)}};
    body = {{"snippet", snippet}, {"snippets", json::array({snippet})}, {"timeout", seconds}};
  } else {
    body = {{"codes", json::array({{{"custom_id", id}, {"proof", std::string(code)}}})},
            {"timeout", seconds}};
  }
  HttpRequest request;
  request.method = "POST";
  request.url = options.url;
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Accept", "application/json");
  if (!options.api_key.empty())
    request.headers.set("Authorization", "Bearer " + options.api_key.reveal());
  request.body = dump(body);
  request.connect_timeout = options.connect_timeout;
  request.timeout = options.timeout + options.http_grace;
  request.max_response_bytes = options.max_response_bytes;
  request.cancellation = std::move(cancellation);

  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> response = options.transport->send(request);
  const auto elapsed =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  LeanVerdict verdict;
  if (!response) {
    const Error& error = response.error();
    if (error.kind == ErrorKind::cancelled) return cancelled_error();
    if (error.kind == ErrorKind::timeout)
      verdict = detail::checker_error_verdict(
          "the Lean server at " + impl.url_shown + " did not answer within " +
          seconds_text(request.timeout) +
          " (timeout + http_grace): " + detail::one_line(error.message));
    else
      verdict =
          detail::checker_error_verdict("cannot check with the Lean server at " + impl.url_shown +
                                        ": " + detail::one_line(error.message));
  } else if (!response->is_success()) {
    std::string explanation = "the Lean server at " + impl.url_shown + " answered HTTP " +
                              std::to_string(response->status);
    if (response->status == 401 || response->status == 403)
      explanation += " (set LeanEndpointOptions::api_key to the server's key)";
    if (response->status == 404)
      explanation += " (is the URL's path the server's check endpoint, e.g. /api/check?)";
    const std::string excerpt = detail::one_line(std::string_view(response->body).substr(0, 300));
    if (!excerpt.empty()) explanation += ": " + excerpt;
    verdict = detail::checker_error_verdict(std::move(explanation));
  } else {
    verdict = classify_kimina_response(response->body);
  }
  // Server text may echo the request's header: the key never leaves in an explanation.
  options.api_key.redact_in(verdict.explanation);
  verdict.time = elapsed;
  return verdict;
}

}  // namespace

LeanChecker::LeanChecker(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Result<LeanChecker> LeanChecker::command(LeanCommandOptions options) {
  if (options.argv.empty() || options.argv.front().empty())
    return invalid_request_error("argv",
                                 "LeanCommandOptions::argv is empty: give the checker program "
                                 "and its arguments, e.g. {\"lake\", \"exe\", \"repl\"}");
  for (const std::string& arg : options.argv)
    if (has_nul(arg))
      return invalid_request_error("argv", "LeanCommandOptions::argv contains a NUL character");
  if (has_nul(options.working_directory))
    return invalid_request_error("working_directory",
                                 "LeanCommandOptions::working_directory contains a NUL character");
  if (options.timeout.count() <= 0)
    return invalid_request_error("timeout", "LeanCommandOptions::timeout must be positive");
  if (options.max_output_bytes == 0)
    return invalid_request_error("max_output_bytes",
                                 "LeanCommandOptions::max_output_bytes must be positive");
  auto impl = std::make_shared<Impl>();
  impl->command = std::move(options);
  return LeanChecker(std::move(impl));
}

Result<LeanChecker> LeanChecker::endpoint(LeanEndpointOptions options) {
  Result<Url> url = Url::parse(options.url, "LeanEndpointOptions::url");
  if (!url) return url.error();
  if (options.timeout.count() <= 0)
    return invalid_request_error("timeout", "LeanEndpointOptions::timeout must be positive");
  if (options.http_grace.count() < 0)
    return invalid_request_error("http_grace",
                                 "LeanEndpointOptions::http_grace must not be negative");
  if (options.connect_timeout.count() <= 0)
    return invalid_request_error("connect_timeout",
                                 "LeanEndpointOptions::connect_timeout must be positive");
  if (options.max_response_bytes == 0)
    return invalid_request_error("max_response_bytes",
                                 "LeanEndpointOptions::max_response_bytes must be positive");
  const std::string& key = options.api_key.reveal();
  if (key.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
    return invalid_request_error("api_key",
                                 "LeanEndpointOptions::api_key contains a line break or NUL");
  if (!options.transport) options.transport = std::make_shared<CurlTransport>();
  auto impl = std::make_shared<Impl>();
  impl->url_shown = Url::shown(options.url);
  impl->endpoint = std::move(options);
  return LeanChecker(std::move(impl));
}

Result<LeanVerdict> LeanChecker::check(
    std::string_view code, std::shared_ptr<const CancellationToken> cancellation) const {
  if (code.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return invalid_request_error("code", "the Lean code to check is empty");
  if (has_nul(code)) return invalid_request_error("code", "the Lean code contains a NUL character");
  if (cancellation && cancellation->is_cancelled()) return cancelled_error();
  Result<LeanVerdict> verdict =
      impl_->command ? check_with_command(*impl_->command, code, std::move(cancellation))
                     : check_with_endpoint(*impl_, code, std::move(cancellation));
  if (verdict) verdict->code = std::string(code);
  return verdict;
}

Result<LeanVerdict> LeanChecker::check_answer(
    std::string_view answer, const LeanOptions& options,
    std::shared_ptr<const CancellationToken> cancellation) const {
  const std::optional<LeanBlock> block = extract_lean(answer, options);
  if (!block || !block->complete) {
    LeanVerdict verdict;
    verdict.status = LeanStatus::no_proof;
    verdict.explanation = block ? "the answer's Lean block is cut off (no closing ```): not checked"
                                : "the answer has no ```lean block: not checked";
    return verdict;
  }
  return check(block->code, std::move(cancellation));
}

}  // namespace lemma::math
