// The recovery benchmark's input: a bench directory whose data/ is an engine data dir filled
// with W1 runs whose approvals were never decided, and whose fill.json records what it holds,
// so that one fill can be reused by later runs (`--data DIR`).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace assent::bench {

struct FillRecord {
  int runs = 0;     // W1 runs in the log
  int waiting = 0;  // of them, left waiting for an approval by the fill (never rewritten:
                    // decisions since are counted from the log)
  std::string approval_timeout;  // W1's approval "timeout" in the fill; empty: none
};

class BenchDir {
 public:
  // `path` empty: a fresh temp dir, removed at exit unless `keep`. Otherwise `path` (created
  // if missing), always kept.
  BenchDir(const std::string& path, bool keep);
  ~BenchDir();
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string data_dir() const { return (path_ / "data").string(); }
  bool kept() const { return keep_; }

  std::optional<FillRecord> ReadRecord() const;  // nullopt: not filled yet
  void WriteRecord(const FillRecord& record) const;

 private:
  std::filesystem::path path_;
  bool keep_;
};

struct FillReport {
  FillRecord record;
  double seconds = 0;
  size_t rss_bytes = 0;  // this process at the end of the fill, engine still open
  std::vector<std::string> errors;
};

// Opens an Engine on `data_dir`, runs W1 runs [0, runs) with `concurrency` in flight and no
// decisions (printing progress), then shuts it down. Throws std::runtime_error if it cannot
// open.
FillReport FillLog(const std::string& data_dir, int runs, int concurrency,
                   const std::string& approval_timeout);

}  // namespace assent::bench
