// SmallDisk: a real file system that fills up: a tmpfs of a few MiB mounted on a fresh
// directory (mount(2) needs root or CAP_SYS_ADMIN), unmounted when the object goes. Tests that
// need a disk that is really full use it, and skip with the reason when it cannot be mounted
// (tests/storage/full_disk_file_system.h then covers the same ground through RocksDB's file
// system seam).
//
// Fill() takes every free byte with a filler file and Free() deletes it, so what is written
// between the two meets ENOSPC, and afterwards has room again. RocksDB preallocates its WAL
// (fallocate, about 70 MiB with the default memtable size) when there is room: a test that
// wants its appends to meet a full disk leaves less than that free when the log opens.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "tests/support/temp_dir.h"

namespace assent::testing {

class SmallDisk {
 public:
  // Mounts a tmpfs of `bytes` on a new temporary directory; nullptr and `*why_not` set when it
  // cannot (not root, no tmpfs, mounting forbidden in this container).
  static std::unique_ptr<SmallDisk> Mount(size_t bytes, std::string* why_not);
  ~SmallDisk();
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  const std::filesystem::path& path() const { return dir_.path(); }
  std::string str() const { return dir_.str(); }

  // Writes a filler file until only `leave` bytes are free (0: until the file system answers
  // ENOSPC); the bytes written. Fill again to take what was freed since.
  size_t Fill(size_t leave = 0);
  // Deletes the filler files: the space they held is free again.
  void Free();
  // Free bytes as statvfs reports them to an unprivileged writer.
  size_t FreeBytes() const;

 private:
  SmallDisk() = default;

  TempDir dir_;
  int fillers_ = 0;
};

}  // namespace assent::testing
