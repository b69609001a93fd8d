#pragma once

#include <string>
#include <string_view>

#include "lemma/export.hpp"
#include "lemma/result.hpp"

namespace lemma {

/// A validated http(s) base URL, split into its parts.
struct LEMMA_EXPORT Url {
  /// "http" or "https".
  std::string scheme;
  /// Host name or address (IPv6 without brackets).
  std::string host;
  /// Port number (the scheme's default when the URL gives none).
  int port = 0;
  /// Path without trailing slashes ("" for none), e.g. "/v1".
  std::string path;

  /// Parses `text`: scheme http or https, a non-empty host, an optional port 1-65535, an
  /// optional path; no query, fragment, credentials or white space. Trailing slashes are dropped.
  /// A malformed URL is an invalid_request Error that names `what` (e.g. "base_url").
  static Result<Url> parse(std::string_view text, std::string_view what = "url");

  /// `text` (a URL, valid or not) as it may appear in messages and logs: credentials
  /// (user:password@) become "[credentials]@" and a query string or fragment "?[query]" /
  /// "#[fragment]", since they often carry secrets.
  static std::string shown(std::string_view text);

  /// The URL as text, without trailing slash: "https://host[:port]/path".
  std::string to_string() const;
  /// This URL with `suffix` appended to its path, e.g. join("/chat/completions").
  std::string join(std::string_view suffix) const;
};

}  // namespace lemma
