#include "batch/result_file_private.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>

#include "lemma/error.hpp"

namespace lemma::detail {

namespace {

Error file_error(const std::string& path, const char* doing, int err) {
  return make_error(ErrorKind::invalid_request,
                    std::string("Cannot ") + doing + " the result file \"" + path +
                        "\": " + std::strerror(err) + "; check the path and free disk space.");
}

Result<Done> write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return file_error(path, "write", errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Done{};
}

}  // namespace

Result<ResultFile> ResultFile::open(const std::string& path, std::vector<std::string>& lines,
                                    std::string& torn) {
  torn.clear();
  std::string content;
  {
    std::ifstream in(path, std::ios::binary);
    if (in) content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return file_error(path, "open", errno);
  ResultFile file(path, fd);
  const std::size_t end = content.rfind('\n');
  const std::size_t complete = end == std::string::npos ? 0 : end + 1;
  if (complete < content.size()) {
    // A crash mid-write: the last line has no newline. Its request was not finished as far as
    // this file can tell, so it is cut off and run again.
    torn = "dropped a torn last line (" + std::to_string(content.size() - complete) +
           " bytes without a newline) from \"" + path + "\"";
    if (::ftruncate(fd, static_cast<off_t>(complete)) != 0) {
      return file_error(path, "repair", errno);
    }
    content.resize(complete);
  }
  std::size_t start = 0;
  while (start < content.size()) {
    const std::size_t newline = content.find('\n', start);
    std::string line = content.substr(start, newline - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(std::move(line));
    start = newline + 1;
  }
  return file;
}

ResultFile::ResultFile(ResultFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), dirty_(other.dirty_) {}

ResultFile& ResultFile::operator=(ResultFile&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    dirty_ = other.dirty_;
  }
  return *this;
}

ResultFile::~ResultFile() {
  close();
}

void ResultFile::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<Done> ResultFile::append(std::string_view record) {
  auto written = write_all(fd_, record, path_);
  if (written) dirty_ = true;
  return written;
}

Result<Done> ResultFile::sync() {
  if (!dirty_) return Done{};
  if (::fsync(fd_) != 0) return file_error(path_, "sync", errno);
  dirty_ = false;
  return Done{};
}

Result<Done> ResultFile::replace(const std::vector<std::string>& lines) {
  const std::string temporary = path_ + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return file_error(temporary, "create", errno);
  Result<Done> written = Done{};
  for (const std::string& line : lines) {
    written = write_all(fd, line, temporary);
    if (!written) break;
  }
  if (written && ::fsync(fd) != 0) written = file_error(temporary, "sync", errno);
  ::close(fd);
  if (!written) {
    ::unlink(temporary.c_str());
    return written;
  }
  if (::rename(temporary.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    ::unlink(temporary.c_str());
    return file_error(path_, "replace", err);
  }
  // The old descriptor points at the replaced file: append to the new one from now on.
  const int reopened = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (reopened < 0) return file_error(path_, "reopen", errno);
  close();
  fd_ = reopened;
  dirty_ = false;
  return Done{};
}

}  // namespace lemma::detail
