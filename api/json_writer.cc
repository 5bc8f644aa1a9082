#include "api/json_writer.h"

#include <boost/json/serialize.hpp>

#include "base/utf8.h"

namespace assent::api {

namespace {

template <typename Json>
std::string Write(const Json& json) {
  std::string text = boost::json::serialize(json);
  if (IsValidUtf8(text)) return text;
  return ToValidUtf8(text);
}

}  // namespace

std::string WriteJson(const boost::json::value& value) { return Write(value); }
std::string WriteJson(const boost::json::object& object) { return Write(object); }

}  // namespace assent::api
