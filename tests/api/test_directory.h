// TestDirectory: a real engine::Directory over its own in-memory log, for api tests that need
// one beside a FakeEngine. Its changes answer on the log's commit thread, as in the server.
#pragma once

#include <memory>

#include "engine/directory.h"
#include "storage/mem_event_log.h"

namespace assent::api::testing {

class TestDirectory {
 public:
  TestDirectory();
  engine::Directory& operator*() { return *directory_; }
  engine::Directory* operator->() { return directory_.get(); }

 private:
  storage::MemEventLog log_;
  std::unique_ptr<engine::Directory> directory_;  // declared after the log: destroyed first
};

}  // namespace assent::api::testing
