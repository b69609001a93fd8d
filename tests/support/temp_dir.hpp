#pragma once

// A fresh directory for one test's files, removed with everything in it afterwards.

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace lemma::test {

/// A new directory under the system's temporary directory (mkdtemp: unique even when tests run
/// in parallel), removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lemma_test_XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The path of `name` inside the directory.
  std::string file(const std::string& name) const {
    return (std::filesystem::path(path_) / name).string();
  }
  /// The directory itself ("" when it could not be created).
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace lemma::test
