#include "tests/api/test_directory.h"

#include <stdexcept>

#include <openssl/crypto.h>

namespace assent::api::testing {

TestDirectory::TestDirectory() {
  // The directory mints tokens on its log's commit thread, which then holds OpenSSL's per-thread
  // random state. Initialising OpenSSL here registers its exit handler before a static
  // TestDirectory's destructor, so at exit the commit thread ends (and frees that state) before
  // OpenSSL cleans up, and LeakSanitizer sees nothing left behind. (With no options OpenSSL
  // returns before registering that handler: loading the config is what a first RAND_bytes does.)
  OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr);
  Result<std::unique_ptr<engine::Directory>> opened = engine::Directory::Open(log_);
  if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
  directory_ = std::move(opened).value();
}

}  // namespace assent::api::testing
