// A fresh scratch directory for one test, under the test target's AS3NET_TEST_TMPDIR, removed
// with everything in it when the test ends.
#ifndef AS3NET_TEST_SUPPORT_TEMPDIR_H_
#define AS3NET_TEST_SUPPORT_TEMPDIR_H_

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace test {

class TempDir {
 public:
  /// Creates `<AS3NET_TEST_TMPDIR>/<prefix>-<pid>-<n>`, empty.
  explicit TempDir(const std::string& prefix = "tmp") {
    static int counter = 0;
    path_ = std::filesystem::path(AS3NET_TEST_TMPDIR) /
            (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// write puts `text` in a file of this directory and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    std::string file = path(name);
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }
  std::string path() const { return path_.string(); }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace test

#endif  // AS3NET_TEST_SUPPORT_TEMPDIR_H_
