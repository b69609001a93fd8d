#pragma once

// One of a Batch's result files (output or errors): append-only JSONL that survives a crash.
// Each record is written with one write(2) call (looping only on a short write) on an O_APPEND
// descriptor, so once append() returns the record is in the kernel: a crash or SIGKILL of the
// process cannot lose it, and records from one process never interleave. A crash *during* a
// write can leave a torn last line, which open() detects (no final newline) and cuts off.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "lemma/result.hpp"

namespace lemma::detail {

class ResultFile {
 public:
  /// Opens (creating) `path` for appending; `lines` receives its complete lines. A torn last
  /// line is cut off and described in `torn` (empty when there was none).
  static Result<ResultFile> open(const std::string& path, std::vector<std::string>& lines,
                                 std::string& torn);

  ResultFile(ResultFile&& other) noexcept;
  ResultFile& operator=(ResultFile&& other) noexcept;
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;
  ~ResultFile();

  /// Appends one newline-terminated record.
  Result<Done> append(std::string_view record);
  /// fsync(2): the records on disk, not only in the kernel.
  Result<Done> sync();
  /// Replaces the whole file by `lines` (each newline-terminated) atomically: written to a
  /// temporary file beside it, synced, then renamed over it.
  Result<Done> replace(const std::vector<std::string>& lines);
  /// True when records were appended since the last sync().
  bool dirty() const noexcept { return dirty_; }
  /// The file's path.
  const std::string& path() const noexcept { return path_; }

 private:
  ResultFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  void close() noexcept;

  std::string path_;
  int fd_ = -1;
  bool dirty_ = false;
};

}  // namespace lemma::detail
