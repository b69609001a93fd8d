#pragma once

// How a failed lemma::Error ends a `lemma` command: one line on standard error and the
// documented exit code (exit_codes.hpp).

#include <iosfwd>
#include <string>
#include <string_view>

#include "lemma/error.hpp"

namespace lemma::cli {

/// The exit code for a command that failed with `error`: 130 when cancelled (Ctrl-C); 2 for a
/// configuration or usage problem (invalid_request, a key the server refused, an unknown model
/// or URL: fix the command line or the environment); 3 otherwise (nothing could be done: the
/// server was unreachable, failed or answered nonsense).
int exit_code_for(const Error& error);

/// Writes "lemma <command>: <what was wrong> (<what to do>)" as one line to `err`.
void report_error(std::ostream& err, std::string_view command, const Error& error);

/// Reports a command's failure and returns its exit code: "lemma <command>: interrupted" (130)
/// when `error` is the cancellation a Ctrl-C caused (`interrupted`), else report_error().
int report_failure(std::ostream& err, std::string_view command, const Error& error,
                   bool interrupted);

/// `text` on one line: control characters (line breaks, escape sequences) from a server are
/// written as "\n", "\x1b", so they cannot break a line-based output or drive the terminal.
std::string one_line(std::string_view text);

}  // namespace lemma::cli
