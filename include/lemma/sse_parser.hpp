#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lemma/error.hpp"
#include "lemma/export.hpp"
#include "lemma/result.hpp"

namespace lemma {

/// One server-sent event.
struct SseEvent {
  /// The `event:` field; "" means the default type ("message").
  std::string type;
  /// The `data:` lines joined with "\n".
  std::string data;
  /// The last event id seen so far in the stream (`id:` persists across events).
  std::string id;
  /// The `retry:` field of this event, if it had a valid one.
  std::optional<std::chrono::milliseconds> retry;
  /// Byte offset in the stream where this event's first line started (for error messages).
  std::size_t offset = 0;
  /// The non-standard `error:` field (llama.cpp reports a failed stream with an
  /// `error: {...}` line instead of a data line); "" when absent. An event with this field is
  /// dispatched even without data.
  std::string error;

  /// Field-by-field equality.
  friend bool operator==(const SseEvent& a, const SseEvent& b) {
    return a.type == b.type && a.data == b.data && a.id == b.id && a.retry == b.retry &&
           a.offset == b.offset && a.error == b.error;
  }
};

/// Limits of an SseParser; each bounds memory whatever the server sends.
struct SseParserOptions {
  /// Longest accepted line. Default 16 MiB.
  std::size_t max_line_bytes = std::size_t{16} * 1024 * 1024;
  /// Largest accepted event (all its data lines together). Default 16 MiB.
  std::size_t max_event_bytes = std::size_t{16} * 1024 * 1024;
  /// Longest accepted `id:` value. Every later event carries a copy of the last id, so a huge
  /// id would multiply memory by the number of events. Default 1 KiB (servers send short ids).
  std::size_t max_id_bytes = 1024;
};

/// An incremental parser for the WHATWG `text/event-stream` format.
///
/// Feed it bytes as they arrive, split anywhere: the events are the same for every split.
/// Handles `\n`, `\r\n` and `\r` line ends, `field:value` with or without the space, multi-line
/// data, `event:`, `id:` (ignored when it contains NUL), `retry:` (digits only), comment lines
/// (passed to an optional observer), llama.cpp's non-standard `error:` field (SseEvent::error),
/// a UTF-8 BOM at the start, and a last event that lacks its blank line at end of stream
/// (dispatched by finish()). A line, event or id over its limit is a protocol error, after
/// which the parser stays failed.
class LEMMA_EXPORT SseParser {
 public:
  /// A parser with the given limits.
  explicit SseParser(SseParserOptions options = {});

  /// Parses `bytes`, appending every event they complete to `events`. Returns the number of
  /// events appended, or a protocol error (limits).
  Result<std::size_t> feed(std::string_view bytes, std::vector<SseEvent>& events);
  /// Ends the stream: dispatches an event still waiting for its blank line. Returns the number
  /// of events appended.
  Result<std::size_t> finish(std::vector<SseEvent>& events);
  /// Receives the text of every comment line (e.g. " keep-alive"); optional.
  void set_comment_observer(std::function<void(std::string_view)> observer);
  /// Forgets all state, as for a new stream (keeps options and observer).
  void reset();
  /// Total bytes fed so far.
  std::size_t bytes_fed() const noexcept { return offset_; }

 private:
  Result<Done> process_line(std::string_view line, std::size_t line_offset,
                            std::vector<SseEvent>& events, std::size_t& appended);
  void dispatch(std::vector<SseEvent>& events, std::size_t& appended);
  Error fail(std::string message);
  Error line_too_long(std::size_t line_offset);

  SseParserOptions options_;
  std::function<void(std::string_view)> comment_observer_;
  std::string partial_line_;
  std::size_t partial_line_offset_ = 0;
  bool skip_next_lf_ = false;
  bool bom_checked_ = false;
  std::string bom_prefix_;
  std::string data_;
  std::string type_;
  std::string error_;  // the non-standard `error:` field of the current event
  std::string last_id_;
  std::optional<std::chrono::milliseconds> retry_;
  bool has_data_ = false;
  std::size_t event_offset_ = 0;
  bool in_event_ = false;
  std::size_t offset_ = 0;
  std::optional<Error> failed_;
};

}  // namespace lemma
