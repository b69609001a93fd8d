// One error line per failure, with a hint for the kinds whose fix is on the user's side.

#include "error_report.hpp"

#include <cstdio>
#include <ostream>

#include "exit_codes.hpp"

namespace lemma::cli {

namespace {

// What to do, for the kinds the library's message cannot know the CLI's answer to.
std::string_view hint_for(const Error& error) {
  switch (error.kind) {
    case ErrorKind::connection:
      return " (is the server running? check --base-url or LEMMA_BASE_URL)";
    case ErrorKind::authentication:
      return " (the key comes from LEMMA_API_KEY, AIMLAPI_API_KEY, DATAOORTS_API_KEY or "
             "--api-key-env NAME)";
    case ErrorKind::not_found: return " (check --model and --base-url; lemma models lists models)";
    case ErrorKind::timeout: return " (raise --timeout, or check the server)";
    default: return "";
  }
}

}  // namespace

int exit_code_for(const Error& error) {
  switch (error.kind) {
    case ErrorKind::cancelled: return kExitInterrupted;
    case ErrorKind::invalid_request:
    case ErrorKind::authentication:
    case ErrorKind::permission_denied:
    case ErrorKind::not_found: return kExitUsage;
    default: return kExitNothingDone;
  }
}

void report_error(std::ostream& err, std::string_view command, const Error& error) {
  std::string line;
  if (error.kind == ErrorKind::invalid_request && error.phase == ErrorPhase::before_send) {
    line = one_line(error.message);  // lemma's own check: the message says it all
  } else {
    line = error.what();  // kind, HTTP status, message, request id; already one line
    constexpr std::string_view kPrefix = "lemma ";
    if (line.compare(0, kPrefix.size(), kPrefix) == 0) line.erase(0, kPrefix.size());
  }
  err << "lemma " << command << ": " << line << hint_for(error) << '\n' << std::flush;
}

int report_failure(std::ostream& err, std::string_view command, const Error& error,
                   bool interrupted) {
  if (error.kind == ErrorKind::cancelled && interrupted) {
    err << "lemma " << command << ": interrupted\n" << std::flush;
    return kExitInterrupted;
  }
  report_error(err, command, error);
  return exit_code_for(error);
}

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace lemma::cli
