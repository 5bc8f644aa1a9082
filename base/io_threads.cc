#include "base/io_threads.h"

namespace assent {

IoThreads::IoThreads(size_t threads) : io_(static_cast<int>(threads)), work_(io_.get_executor()) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
}

IoThreads::~IoThreads() { Join(); }

void IoThreads::Join() {
  work_.reset();
  io_.stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace assent
