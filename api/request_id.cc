#include "api/request_id.h"

#include <cstdint>
#include <random>

namespace assent::api {

std::string NewRequestId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = generator();
  std::string id(16, '0');
  for (char& digit : id) {
    digit = kHex[bits & 0xF];
    bits >>= 4;
  }
  return id;
}

}  // namespace assent::api
