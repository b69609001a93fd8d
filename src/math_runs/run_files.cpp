#include "run_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace lemma::math::detail {

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return content;
}

Error file_error(const std::string& path, const char* doing, int err) {
  return make_error(ErrorKind::invalid_request,
                    std::string("Cannot ") + doing + " \"" + path + "\": " + std::strerror(err) +
                        "; check the directory's path, permissions and free disk space.");
}

AppendFile::AppendFile(const std::string& path)
    : path_(path), fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) {}

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<Done> AppendFile::append(const std::string& records) {
  if (fd_ < 0) return file_error(path_, "open", EBADF);
  std::size_t written = 0;
  // One write(2) in the normal case; a short write (a full disk, a signal) continues, and the
  // torn line it may leave is repaired by the next resume.
  while (written < records.size()) {
    const ssize_t n = ::write(fd_, records.data() + written, records.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return file_error(path_, "write to", errno);
    }
    written += static_cast<std::size_t>(n);
  }
  return Done{};
}

Result<Done> AppendFile::sync() {
  if (fd_ >= 0 && ::fsync(fd_) != 0) return file_error(path_, "sync", errno);
  return Done{};
}

Result<Done> replace_file(const std::string& path, const std::string& content) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return file_error(temp, "create", errno);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      const int err = errno;
      std::remove(temp.c_str());
      return file_error(temp, "write", err);
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(temp.c_str());
    return file_error(path, "replace", err);
  }
  return Done{};
}

Result<DirectoryLock> DirectoryLock::acquire(const std::string& dir) {
  const std::string path = join_path(dir, ".lock");
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return file_error(path, "create", errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return invalid_request_error(
          "output_dir", "Another run is using \"" + dir + "\" (it holds " + path +
                            "); wait for it to finish, or use another output directory.");
    }
    return file_error(path, "lock", err);
  }
  return DirectoryLock(fd);
}

DirectoryLock::DirectoryLock(DirectoryLock&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

DirectoryLock& DirectoryLock::operator=(DirectoryLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

Result<Done> make_directories(const std::string& dir) {
  if (dir.empty()) return Done{};
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return file_error(dir, "create the directory", error.value());
  if (!std::filesystem::is_directory(dir, error)) {
    return file_error(dir, "use as a directory", ENOTDIR);
  }
  return Done{};
}

}  // namespace lemma::math::detail
