// Finds the admin token `assent serve` accepts: the --admin-token flag, else ASSENT_ADMIN_TOKEN,
// else DATA_DIR/admin-token, else a fresh random token saved there (mode 0600).
// Called once at startup; not thread-safe (reads the environment, writes a file).
#pragma once

#include <string>

#include "base/status.h"

namespace assent::api {

struct AdminToken {
  std::string token;
  bool generated = false;  // true: new, saved in `path`; print it once
  std::string path;        // DATA_DIR/admin-token
};

// `flag_value` empty: not given. Creates `data_dir` if a token must be saved there.
Result<AdminToken> ResolveAdminToken(const std::string& flag_value, const std::string& data_dir);

// 32 random bytes (OpenSSL RAND_bytes) as 64 hex characters.
Result<std::string> GenerateToken();

}  // namespace assent::api
