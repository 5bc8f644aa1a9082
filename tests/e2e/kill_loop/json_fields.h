// Lenient reads of the server's JSON answers: a missing or mistyped field reads as empty, so a
// malformed answer shows up as a failed comparison naming the run, not as a parse exception.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace assent::testing::kill_loop {

inline const boost::json::value* FieldAt(const boost::json::value& object, std::string_view key) {
  const boost::json::object* fields = object.if_object();
  return fields ? fields->if_contains(key) : nullptr;
}

inline std::string StringAt(const boost::json::value& object, std::string_view key) {
  const boost::json::value* field = FieldAt(object, key);
  return field && field->is_string() ? std::string(field->get_string()) : std::string();
}

// The array at `key`, or an empty one.
inline const boost::json::array& ArrayAt(const boost::json::value& object, std::string_view key) {
  static const boost::json::array kEmpty;
  const boost::json::value* field = FieldAt(object, key);
  return field && field->is_array() ? field->get_array() : kEmpty;
}

inline bool IsFinished(std::string_view run_status) {
  return run_status == "completed" || run_status == "failed" || run_status == "cancelled";
}

}  // namespace assent::testing::kill_loop
