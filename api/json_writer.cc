#include "api/json_writer.h"

#include <boost/json/serialize.hpp>

#include "base/utf8.h"

namespace assent::api {

std::string WriteJson(const boost::json::value& value) {
  std::string text = boost::json::serialize(value);
  if (IsValidUtf8(text)) return text;
  return ToValidUtf8(text);
}

}  // namespace assent::api
