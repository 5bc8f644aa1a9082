#include "engine/internal/identity_names.h"

#include <string>

namespace assent::engine {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

Status CheckName(std::string_view what, std::string_view name) {
  bool valid = !name.empty() && name.size() <= kMaxNameBytes && IsLowerAlnum(name[0]);
  for (size_t i = 1; valid && i < name.size(); ++i) {
    char c = name[i];
    valid = IsLowerAlnum(c) || c == '.' || c == '_' || c == '-';
  }
  if (valid) return Status::Ok();
  return Status::InvalidArgument(
      std::string(what) + " must be 1 to " + std::to_string(kMaxNameBytes) +
      " characters of a-z, 0-9, '.', '_' and '-', starting with a letter or a digit");
}

}  // namespace assent::engine
