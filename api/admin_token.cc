#include "api/admin_token.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/rand.h>

namespace assent::api {

namespace {

std::string Trim(std::string text) {
  const char* kSpace = " \t\r\n";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

Status WriteTokenFile(const std::string& path, const std::string& token) {
  // O_EXCL + 0600 at creation: the token is never readable by others, not even briefly.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("create " + path + ": " + std::strerror(errno));
  std::string line = token + "\n";
  ssize_t written = ::write(fd, line.data(), line.size());
  int close_result = ::close(fd);
  if (written != static_cast<ssize_t>(line.size()) || close_result != 0) {
    return Status::IOError("write " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// The token in `path`: its content without surrounding white space.
Result<AdminToken> ReadTokenFile(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return Status::InvalidArgument(path + ": " + std::strerror(errno));
  }
  std::ifstream file(path);
  if (!file) return Status::InvalidArgument(path + ": cannot read it");
  std::stringstream contents;
  contents << file.rdbuf();
  std::string token = Trim(contents.str());
  if (token.empty()) return Status::InvalidArgument(path + " is empty");
  return AdminToken{std::move(token), "file", path, (info.st_mode & (S_IRWXG | S_IRWXO)) != 0};
}

}  // namespace

Result<std::string> GenerateToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return Status::IOError("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : bytes) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xf];
  }
  return hex;
}

Result<AdminToken> ResolveAdminToken(const std::string& flag_value, const std::string& file_flag,
                                     const std::string& data_dir) {
  if (!flag_value.empty()) return AdminToken{flag_value, "flag", ""};
  if (!file_flag.empty()) return ReadTokenFile(file_flag);
  if (const char* env = std::getenv("ASSENT_ADMIN_TOKEN"); env != nullptr && *env != '\0') {
    return AdminToken{env, "environment", ""};
  }
  std::string path = (std::filesystem::path(data_dir) / "admin-token").string();
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return ReadTokenFile(path);
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::IOError("create " + data_dir + ": " + ec.message());
  Result<std::string> token = GenerateToken();
  if (!token.ok()) return token.status();
  if (Status written = WriteTokenFile(path, *token); !written.ok()) return written;
  return AdminToken{std::move(token).value(), "generated", path, false};
}

}  // namespace assent::api
