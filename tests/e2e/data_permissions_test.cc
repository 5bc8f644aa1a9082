// What the server writes into its data directory is for its owner (and group, read-only) alone:
// after a real run, every file is 0600 or 0640 at most, every directory 0750 at most, and the
// generated admin token 0600, whatever umask the server was started with.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace fs = std::filesystem;

// The permission bits of `path` as stat(2) reports them.
mode_t Mode(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// Sets the umask for its lifetime: the test's children inherit it.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }

 private:
  mode_t old_;
};

TEST(DataPermissionsTest, EveryFileInTheDataDirIsTheOwnersAndItsGroupsToReadAtMost) {
  TempDir parent;
  fs::path data = parent.path() / "data";  // the server creates it
  {
    ScopedUmask permissive(0);  // what a careless service manager might hand the server
    ServerProcess server({"serve", "--data", data.string(), "--listen", "127.0.0.1:0"});
    std::string token;
    {
      std::ifstream file(data / "admin-token");
      std::getline(file, token);
    }
    ASSERT_FALSE(token.empty()) << server.output();
    ApiClient api(server.port(), token);
    HttpReply applied = api.Put("/v1/workflows/review", boost::json::parse(R"({"steps": [
      {"id": "r", "type": "approval", "message": "ok?"}]})"));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
    HttpReply started = api.Post("/v1/workflows/review/runs", boost::json::parse(R"({"input": {}})"));
    ASSERT_EQ(started.status, 201u) << started.raw;
    EXPECT_EQ(server.Terminate(), 0) << server.output();
  }

  EXPECT_EQ(Mode(data / "admin-token"), 0600u);
  EXPECT_EQ(Mode(data) & 027, 0u) << "data dir mode " << std::oct << Mode(data);
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(data)) {
    mode_t mode = Mode(entry.path());
    // Never writable by the group, never anything for others (nor executable, for files).
    mode_t forbidden = entry.is_directory() ? 027 : 0137;
    EXPECT_EQ(mode & forbidden, 0u) << entry.path() << " has mode " << std::oct << mode;
    ++files;
  }
  EXPECT_GT(files, 5) << "RocksDB's files were not there to check";
}

}  // namespace
}  // namespace assent::testing
