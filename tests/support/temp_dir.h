// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with everything in it when the
// object goes out of scope (unless Keep() was called).
#pragma once

#include <filesystem>
#include <string>

namespace assent::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Leaves the directory in place when this object goes, e.g. to inspect a failed test's data.
  void Keep() { keep_ = true; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace assent::testing
