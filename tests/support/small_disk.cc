#include "tests/support/small_disk.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace assent::testing {

std::unique_ptr<SmallDisk> SmallDisk::Mount(size_t bytes, std::string* why_not) {
  std::unique_ptr<SmallDisk> disk(new SmallDisk());
  std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
  if (::mount("tmpfs", disk->str().c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    *why_not = "cannot mount a tmpfs on " + disk->str() + ": " + std::strerror(errno) +
               " (needs root or CAP_SYS_ADMIN)";
    return nullptr;
  }
  return disk;
}

SmallDisk::~SmallDisk() {
  // Lazily: a server the test killed may still be on its way out. The mount point goes with
  // the TempDir after this.
  ::umount2(str().c_str(), MNT_DETACH);
}

size_t SmallDisk::Fill(size_t leave) {
  size_t free = FreeBytes();
  size_t wanted = free > leave ? free - leave : 0;
  if (leave > 0 && wanted == 0) return 0;
  if (leave == 0) wanted = SIZE_MAX;  // until ENOSPC: statvfs may count a page it cannot give
  std::string name = (path() / ("filler-" + std::to_string(fillers_++))).string();
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return 0;  // not even an inode left: as full as it gets
  std::vector<char> block(64 << 10, 'f');
  size_t written = 0;
  for (size_t chunk = block.size(); chunk > 0 && written < wanted;) {
    ssize_t n = ::write(fd, block.data(), std::min(chunk, wanted - written));
    if (n > 0) {
      written += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      chunk /= 2;  // ENOSPC: take the last partial page too, in ever smaller writes
    }
  }
  ::close(fd);
  return written;
}

void SmallDisk::Free() {
  for (int i = 0; i < fillers_; ++i) {
    std::filesystem::remove(path() / ("filler-" + std::to_string(i)));
  }
  fillers_ = 0;
}

size_t SmallDisk::FreeBytes() const {
  struct statvfs stats {};
  if (::statvfs(str().c_str(), &stats) != 0) return 0;
  return static_cast<size_t>(stats.f_bavail) * stats.f_frsize;
}

}  // namespace assent::testing
