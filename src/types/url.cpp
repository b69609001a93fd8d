#include "lemma/url.hpp"

#include <algorithm>
#include <cctype>

namespace lemma {

namespace {

// Where the userinfo of `text` ends (the index of its '@'), or npos when it has none. A password
// may itself hold '/', '?', '#' or '@', so the userinfo runs from the authority's start to the
// last '@' before the first '/' that follows the first '@'. An '@' in a path or query is taken
// for userinfo too: it cannot be told apart, and hiding too much is harmless where a leak is not.
std::size_t userinfo_end(std::string_view text, std::size_t authority_start) {
  const auto first_at = text.find('@', authority_start);
  if (first_at == std::string_view::npos) return std::string_view::npos;
  return text.substr(0, text.find('/', first_at)).rfind('@');
}

}  // namespace

std::string Url::shown(std::string_view text) {
  const auto scheme_end = text.find("://");
  const std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  std::string out;
  std::size_t rest_start = authority_start;
  if (const auto at = userinfo_end(text, authority_start); at != std::string_view::npos) {
    out = std::string(text.substr(0, authority_start)) + "[credentials]@";
    rest_start = at + 1;
  } else {
    out = std::string(text.substr(0, authority_start));
  }
  // Only after the userinfo is cut: a '?' or '#' before it belongs to the password.
  const auto query = text.find_first_of("?#", rest_start);
  out += text.substr(rest_start,
                     query == std::string_view::npos ? std::string_view::npos : query - rest_start);
  if (query != std::string_view::npos) out += text[query] == '?' ? "?[query]" : "#[fragment]";
  return out;
}

namespace {

Error malformed(std::string_view what, std::string_view text, std::string_view why) {
  std::string message = std::string(what) + " '" + Url::shown(text) +
                        "' is malformed: " + std::string(why) +
                        ". Expected something like https://api.example.com/v1 or "
                        "http://127.0.0.1:8000/v1.";
  return invalid_request_error(std::string(what), std::move(message));
}

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

}  // namespace

Result<Url> Url::parse(std::string_view text, std::string_view what) {
  if (text.empty()) return malformed(what, text, "it is empty");
  if (std::any_of(text.begin(), text.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) != 0 ||
               std::iscntrl(static_cast<unsigned char>(c)) != 0;
      })) {
    return malformed(what, text, "it contains white space or control characters");
  }
  Url url;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos)
    return malformed(what, text, "it has no http:// or https:// scheme");
  std::string scheme(text.substr(0, scheme_end));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "http" && scheme != "https") {
    return malformed(what, text, "the scheme must be http or https");
  }
  url.scheme = scheme;
  std::string_view rest = text.substr(scheme_end + 3);
  // Credentials first: a '?' or '#' in a password must not make this a "query" complaint.
  if (rest.substr(0, rest.find('/')).find('@') != std::string_view::npos) {
    return malformed(what, text,
                     "credentials in the URL are not allowed; pass the API key separately");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return malformed(what, text, "a base URL cannot have a query or fragment");
  }
  const auto path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path =
      path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      return malformed(what, text, "an IPv6 address lacks its ']'");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return malformed(what, text, "unexpected text after the IPv6 address");
      port = after.substr(1);
    }
    if (host.empty() ||
        host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
      return malformed(what, text, "the IPv6 address is not valid");
    }
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (!std::all_of(host.begin(), host.end(), is_host_char)) {
      return malformed(what, text, "the host name contains invalid characters");
    }
  }
  if (host.empty()) return malformed(what, text, "it has no host");
  url.host = std::string(host);
  url.port = url.scheme == "https" ? 443 : 80;
  if (!port.empty() || (authority.size() > 0 && authority.back() == ':')) {
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return malformed(what, text, "the port must be a number from 1 to 65535");
    }
    const int value = std::stoi(std::string(port));
    if (value < 1 || value > 65535)
      return malformed(what, text, "the port must be a number from 1 to 65535");
    url.port = value;
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  url.path = std::string(path);
  return url;
}

std::string Url::to_string() const {
  std::string out = scheme + "://";
  const bool ipv6 = host.find(':') != std::string::npos;
  out += ipv6 ? "[" + host + "]" : host;
  const int default_port = scheme == "https" ? 443 : 80;
  if (port != default_port) out += ":" + std::to_string(port);
  out += path;
  return out;
}

std::string Url::join(std::string_view suffix) const {
  std::string out = to_string();
  if (!suffix.empty() && suffix.front() != '/') out += '/';
  out += suffix;
  return out;
}

}  // namespace lemma
