#include "api/admin_token.h"

#include <fcntl.h>
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

Result<AdminToken> ResolveAdminToken(const std::string& flag_value, const std::string& data_dir) {
  AdminToken result;
  result.path = (std::filesystem::path(data_dir) / "admin-token").string();
  if (!flag_value.empty()) {
    result.token = flag_value;
    return result;
  }
  if (const char* env = std::getenv("ASSENT_ADMIN_TOKEN"); env != nullptr && *env != '\0') {
    result.token = env;
    return result;
  }
  if (std::ifstream file(result.path); file) {
    std::stringstream contents;
    contents << file.rdbuf();
    result.token = Trim(contents.str());
    if (result.token.empty()) return Status::InvalidArgument(result.path + " is empty");
    return result;
  }
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::IOError("create " + data_dir + ": " + ec.message());
  Result<std::string> token = GenerateToken();
  if (!token.ok()) return token.status();
  if (Status written = WriteTokenFile(result.path, *token); !written.ok()) return written;
  result.token = std::move(token).value();
  result.generated = true;
  return result;
}

}  // namespace assent::api
