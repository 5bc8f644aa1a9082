#include "engine/internal/stored_table.h"

#include "base/json_text.h"


namespace assent::engine {

Result<boost::json::value> StoredJson(const flatbuffers::String* text, std::string_view field) {
  std::string_view raw = StoredText(text);
  if (raw.empty()) return boost::json::value(nullptr);
  boost::system::error_code ec;
  boost::json::value value = ParseJsonText(raw, ec, StoredJsonOptions());
  if (ec) return Status::Corruption(std::string(field) + " is not JSON: " + ec.message());
  return value;
}

}  // namespace assent::engine
