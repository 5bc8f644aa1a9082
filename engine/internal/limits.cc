#include "engine/internal/limits.h"

#include <string>

namespace assent::engine {

Status CheckSize(std::string_view what, size_t size, size_t limit, std::string_view option) {
  if (size <= limit) return Status::Ok();
  // max_input_bytes -> --max-input-bytes: the flag `assent serve` sets it with.
  std::string flag = "--" + std::string(option);
  for (char& c : flag) {
    if (c == '_') c = '-';
  }
  return Status::TooLarge(std::string(what) + " is " + std::to_string(size) +
                          " bytes, over the limit of " + std::to_string(limit) + " bytes (" +
                          std::string(option) + ", " + flag + ")");
}

}  // namespace assent::engine
