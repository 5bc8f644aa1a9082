#include "tests/api/test_directory.h"

#include <stdexcept>

namespace assent::api::testing {

TestDirectory::TestDirectory() {
  Result<std::unique_ptr<engine::Directory>> opened = engine::Directory::Open(log_);
  if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
  directory_ = std::move(opened).value();
}

}  // namespace assent::api::testing
