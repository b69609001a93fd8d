#include "lemma/sse_parser.hpp"

#include <cstring>

namespace lemma {

namespace {
constexpr std::string_view kBom = "\xEF\xBB\xBF";
}

SseParser::SseParser(SseParserOptions options) : options_(options) {}

void SseParser::set_comment_observer(std::function<void(std::string_view)> observer) {
  comment_observer_ = std::move(observer);
}

void SseParser::reset() {
  partial_line_.clear();
  partial_line_offset_ = 0;
  skip_next_lf_ = false;
  bom_checked_ = false;
  bom_prefix_.clear();
  data_.clear();
  type_.clear();
  error_.clear();
  last_id_.clear();
  retry_.reset();
  has_data_ = false;
  event_offset_ = 0;
  in_event_ = false;
  offset_ = 0;
  failed_.reset();
}

Error SseParser::line_too_long(std::size_t line_offset) {
  return fail("A server-sent event line exceeds the limit of " +
              std::to_string(options_.max_line_bytes) + " bytes (line starting at byte " +
              std::to_string(line_offset) +
              "); raise SseParserOptions::max_line_bytes if the server is trusted.");
}

Error SseParser::fail(std::string message) {
  failed_ = protocol_error(std::move(message));
  return *failed_;
}

void SseParser::dispatch(std::vector<SseEvent>& events, std::size_t& appended) {
  // WHATWG: an event without any data line is not dispatched; its type is forgotten. An
  // `error:` line (llama.cpp) is dispatched on its own, so that the failure it reports is seen.
  if (has_data_ || !error_.empty()) {
    SseEvent event;
    event.type = std::move(type_);
    event.data = std::move(data_);
    event.error = std::move(error_);
    event.id = last_id_;
    event.retry = retry_;
    event.offset = event_offset_;
    events.push_back(std::move(event));
    ++appended;
  }
  data_.clear();
  type_.clear();
  error_.clear();
  retry_.reset();
  has_data_ = false;
  in_event_ = false;
}

Result<Done> SseParser::process_line(std::string_view line, std::size_t line_offset,
                                     std::vector<SseEvent>& events, std::size_t& appended) {
  if (line.empty()) {
    dispatch(events, appended);
    return Done{};
  }
  if (!in_event_) {
    in_event_ = true;
    event_offset_ = line_offset;
  }
  if (line.front() == ':') {
    if (comment_observer_) comment_observer_(line.substr(1));
    return Done{};
  }
  std::string_view field = line;
  std::string_view value;
  if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    const std::size_t grown = data_.size() + (has_data_ ? 1 : 0) + value.size();
    if (grown > options_.max_event_bytes) {
      return fail("A server-sent event exceeds the limit of " +
                  std::to_string(options_.max_event_bytes) + " bytes (event starting at byte " +
                  std::to_string(event_offset_) +
                  "); raise SseParserOptions::max_event_bytes if the server is trusted.");
    }
    if (has_data_) data_ += '\n';
    data_.append(value.data(), value.size());
    has_data_ = true;
  } else if (field == "event") {
    type_.assign(value.data(), value.size());
  } else if (field == "id") {
    if (value.size() > options_.max_id_bytes) {
      return fail("A server-sent event id of " + std::to_string(value.size()) +
                  " bytes exceeds the limit of " + std::to_string(options_.max_id_bytes) +
                  " bytes (line starting at byte " + std::to_string(line_offset) +
                  "); raise SseParserOptions::max_id_bytes if the server is trusted.");
    }
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value.data(), value.size());
  } else if (field == "error") {
    error_.assign(value.data(), value.size());  // bounded by max_line_bytes
  } else if (field == "retry") {
    if (!value.empty() && value.size() <= 18 &&
        value.find_first_not_of("0123456789") == std::string_view::npos) {
      retry_ = std::chrono::milliseconds(std::stoll(std::string(value)));
    }
  }
  // Unknown fields are ignored, as the standard says.
  return Done{};
}

Result<std::size_t> SseParser::feed(std::string_view bytes, std::vector<SseEvent>& events) {
  if (failed_) return *failed_;
  std::size_t appended = 0;
  if (!bom_checked_) {
    // The BOM may itself arrive split across feeds: hold back a possible prefix.
    const std::size_t take = std::min(kBom.size() - bom_prefix_.size(), bytes.size());
    bom_prefix_.append(bytes.data(), take);
    if (bom_prefix_.size() < kBom.size() && kBom.substr(0, bom_prefix_.size()) == bom_prefix_) {
      offset_ += take;
      return appended;  // all bytes so far are a BOM prefix
    }
    bom_checked_ = true;
    const std::string held = std::move(bom_prefix_);
    bom_prefix_.clear();
    bytes.remove_prefix(take);
    offset_ += take;
    if (held != kBom) {
      // Not a BOM: parse the held bytes as ordinary input first.
      offset_ -= held.size();
      auto first = feed(held, events);
      if (!first) return first.error();
      appended += *first;
    }
  }

  const char* const begin = bytes.data();
  const char* const end = begin + bytes.size();
  const char* p = begin;
  const std::size_t base = offset_;
  if (skip_next_lf_ && p < end) {
    if (*p == '\n') ++p;
    skip_next_lf_ = false;
  }
  while (p < end) {
    // Find the next line end: the first '\n' or '\r'.
    const auto remaining = static_cast<std::size_t>(end - p);
    const char* lf = static_cast<const char*>(std::memchr(p, '\n', remaining));
    const char* search_end = lf ? lf : end;
    const char* cr =
        static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(search_end - p)));
    const char* eol = cr ? cr : lf;
    if (!eol) {
      // No line end: keep the unfinished line (only it is buffered, never the whole input).
      if (partial_line_.empty()) partial_line_offset_ = base + static_cast<std::size_t>(p - begin);
      if (partial_line_.size() + remaining > options_.max_line_bytes) {
        offset_ = base + bytes.size();
        return line_too_long(partial_line_offset_);
      }
      partial_line_.append(p, remaining);
      break;
    }
    const auto length = static_cast<std::size_t>(eol - p);
    Result<Done> processed = Done{};
    if (partial_line_.empty()) {
      if (length > options_.max_line_bytes) {
        offset_ = base + bytes.size();
        return line_too_long(base + static_cast<std::size_t>(p - begin));
      }
      processed = process_line(std::string_view(p, length),
                               base + static_cast<std::size_t>(p - begin), events, appended);
    } else {
      if (partial_line_.size() + length > options_.max_line_bytes) {
        offset_ = base + bytes.size();
        return line_too_long(partial_line_offset_);
      }
      partial_line_.append(p, length);
      processed = process_line(partial_line_, partial_line_offset_, events, appended);
      partial_line_.clear();
    }
    if (!processed) {
      offset_ = base + bytes.size();
      return processed.error();
    }
    p = eol + 1;
    if (*eol == '\r') {
      if (p < end) {
        if (*p == '\n') ++p;
      } else {
        skip_next_lf_ = true;  // a "\r\n" split across feeds
      }
    }
  }
  offset_ = base + bytes.size();
  return appended;
}

Result<std::size_t> SseParser::finish(std::vector<SseEvent>& events) {
  if (failed_) return *failed_;
  std::size_t appended = 0;
  if (!bom_checked_ && !bom_prefix_.empty()) {
    // Stream ended inside a would-be BOM: those bytes were ordinary data.
    bom_checked_ = true;
    const std::string held = std::move(bom_prefix_);
    bom_prefix_.clear();
    offset_ -= held.size();
    auto fed = feed(held, events);
    if (!fed) return fed.error();
    appended += *fed;
  }
  if (!partial_line_.empty()) {
    auto processed = process_line(partial_line_, partial_line_offset_, events, appended);
    partial_line_.clear();
    if (!processed) return processed.error();
  }
  // A final event without its trailing blank line is still delivered.
  dispatch(events, appended);
  return appended;
}

}  // namespace lemma
