#pragma once

// What reaches error texts, log lines and observer events from a server: its secrets scrubbed
// and its control characters made visible. A server may echo the API key, and may send "\n",
// "\r", ESC, NUL or invalid UTF-8 in a message, a request id or a body, which would forge log
// lines or drive the terminal that shows them.

#include <string>
#include <string_view>

#include "lemma/error.hpp"

namespace lemma {
class Provider;
}

namespace lemma::detail {

/// `text` with every control character (C0, DEL, and C1 as UTF-8), and every byte that is not
/// part of valid UTF-8, replaced by a visible escape ("\n", "\r", "\t", "\x1b", "\u009b").
/// Valid UTF-8 (e.g. Chinese text) and backslashes are kept as they are, so escaping twice
/// changes nothing.
std::string printable(std::string_view text);
/// Where the first byte of `text` that is not part of valid UTF-8 is, or npos when it is all
/// valid (the same rules printable() applies: no overlong forms, surrogates or code points
/// above U+10FFFF).
std::size_t first_invalid_utf8(std::string_view text) noexcept;
/// printable() in place; cheap when there is nothing to escape.
void make_printable(std::string& text);

/// Every text field of `error` (and its attempt history) with the provider's secrets scrubbed
/// (Provider::redact), then made printable. Every Error leaves the Client through here.
void sanitize(Error& error, const Provider* provider);

}  // namespace lemma::detail
