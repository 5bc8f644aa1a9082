// Finds the admin token `assent serve` accepts: the --admin-token flag, else the file named by
// --admin-token-file, else ASSENT_ADMIN_TOKEN, else DATA_DIR/admin-token, else a fresh random
// token saved there (mode 0600). The file and the environment keep the token out of `ps`; the
// generated token is never printed or logged, only its file's path.
// Called once at startup; not thread-safe (reads the environment, writes a file).
#pragma once

#include <string>

#include "base/status.h"

namespace assent::api {

struct AdminToken {
  std::string token;
  // Where it came from, for the log: "flag", "file", "environment" or "generated".
  std::string source;
  std::string path;  // the file it was read from or saved in; empty for flag and environment
  // The file is open to its group or others (a mounted secret may be): worth a warning.
  bool readable_by_others = false;
};

// Flags left empty were not given. Creates `data_dir` if a token must be saved there. A token
// file that is empty or unreadable is an error.
Result<AdminToken> ResolveAdminToken(const std::string& flag_value, const std::string& file_flag,
                                     const std::string& data_dir);

// 32 random bytes (OpenSSL RAND_bytes) as 64 hex characters.
Result<std::string> GenerateToken();

}  // namespace assent::api
