#pragma once

// The files of a run directory (`lemma eval --output DIR`): paths, whole-file reads, line
// iteration, crash-safe appends and atomic replacement. Shared by the evaluation engine and the
// report writer so both read the directory the same way.

#include <cstddef>
#include <optional>
#include <string>

#include "lemma/error.hpp"
#include "lemma/result.hpp"

namespace lemma::math::detail {

/// DIR/NAME (no doubled slash).
std::string join_path(const std::string& dir, const std::string& name);

/// The whole file; nullopt when it does not exist or cannot be read.
std::optional<std::string> read_whole_file(const std::string& path);

/// Calls `on_line(number, text)` for each non-blank line of `content` (1-based numbers, the CR
/// of a CRLF removed). `last_complete` tells whether the line ended with '\n' (false for a torn
/// last line a crash left behind).
template <typename OnLine>
void for_each_line(const std::string& content, OnLine&& on_line) {
  std::size_t start = 0;
  std::size_t number = 0;
  while (start < content.size()) {
    std::size_t end = content.find('\n', start);
    const bool complete = end != std::string::npos;
    if (!complete) end = content.size();
    ++number;
    std::string line = content.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) on_line(number, line, complete);
    start = end + 1;
  }
}

/// An invalid_request Error for a file operation that failed with errno `err`.
Error file_error(const std::string& path, const char* doing, int err);

/// A file opened for appending whole records: each append() is one write(2) on an O_APPEND
/// descriptor, so a crash leaves at most a torn last line, never interleaved ones.
class AppendFile {
 public:
  /// Opens (creating) `path`; check ok().
  explicit AppendFile(const std::string& path);
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;
  /// True when the file is open.
  bool ok() const noexcept { return fd_ >= 0; }
  /// Appends `records` (complete lines) in one write; an Error names the file.
  Result<Done> append(const std::string& records);
  /// fsync(2).
  Result<Done> sync();

 private:
  std::string path_;
  int fd_ = -1;
};

/// Replaces `path` with `content` through a temporary file and rename(2), so a reader (or a
/// crash) sees the old or the new file, never a part.
Result<Done> replace_file(const std::string& path, const std::string& content);

/// An exclusive lock on a run directory (flock on DIR/.lock), held while the object lives, so
/// two processes never run in one directory at once. The lock file itself stays (harmless).
class DirectoryLock {
 public:
  /// Takes the lock without waiting; an invalid_request Error when another process holds it.
  static Result<DirectoryLock> acquire(const std::string& dir);
  DirectoryLock(DirectoryLock&& other) noexcept;
  DirectoryLock& operator=(DirectoryLock&& other) noexcept;
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  ~DirectoryLock();

 private:
  explicit DirectoryLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// Creates `dir` (and its parents) when missing.
Result<Done> make_directories(const std::string& dir);

}  // namespace lemma::math::detail
