// Parsing JSON text so that what is accepted can always be written back and read again.
// - Numbers come back exactly. Boost.JSON 1.81's parser does not round floating-point numbers
//   correctly (about one ordinary double in seven, e.g. 90747.31690196229, comes back one unit
//   in the last place off), while its serializer writes the shortest text that names a double
//   exactly; every payload, snapshot and definition the engine stores goes through
//   serialize-then-parse, so a run rebuilt from the log could differ from the live one. Here each
//   floating-point number is converted from its text with std::from_chars, which rounds
//   correctly. (Boost 1.83 offers this as parse_options::numbers.)
// - A number no double can hold (1e400, or -0e2000008, which Boost 1.81 makes NaN) is refused:
//   Boost would keep it as Infinity or NaN and serialize it as text no JSON parser reads back,
//   so one accepted value could make stored data unreadable.
// - ParseUntrustedJson also refuses an object that names a key twice: Boost keeps the last one,
//   so {"decision":"reject","decision":"approve"} would be read as an approval that a proxy or
//   a log reader may well have read as a rejection.
// Otherwise both parse as boost::json::parse does (same limits and errors). Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include "base/status.h"

namespace assent {

// Why ParseJsonText refused a document that boost::json::parse accepts.
enum class JsonTextError {
  kNumberOutOfRange = 1,  // a number no finite double can hold
  kDuplicateKey,          // an object names the same key twice (ParseUntrustedJson only)
};
boost::system::error_code make_error_code(JsonTextError error);

// The value `text` holds, or null with `ec` set when it is not one JSON document. For text the
// engine wrote itself.
boost::json::value ParseJsonText(std::string_view text, boost::system::error_code& ec,
                                 const boost::json::parse_options& options = {});

// The same for text from outside (request bodies, stream messages), with duplicate keys refused
// too, and a message fit for the client when refused.
struct UntrustedJson {
  boost::json::value value;
  boost::system::error_code ec;  // why it was refused, or nothing
  // When refused, a predicate to follow the text's name, quoting what is wrong (the key or the
  // number, cut to 64 bytes, valid UTF-8): "body " + why reads
  // 'body has the key "decision" twice in one object (each key may appear once)'.
  std::string why;
};
UntrustedJson ParseUntrustedJson(std::string_view text,
                                 const boost::json::parse_options& options = {});

// Whether `value`, serialized, is text ParseJsonText reads back as the same value: every number
// finite, every string and key valid UTF-8, nesting at most `max_depth` deep. A value built in
// code (not parsed) can break each of these. InvalidArgument says where, as "what.a.b[2]".
Status CheckJsonWritable(const boost::json::value& value, std::string_view what,
                         std::size_t max_depth = boost::json::parse_options().max_depth);
Status CheckJsonWritable(const boost::json::object& object, std::string_view what,
                         std::size_t max_depth = boost::json::parse_options().max_depth);

}  // namespace assent

namespace boost::system {
template <>
struct is_error_code_enum<assent::JsonTextError> : std::true_type {};
}  // namespace boost::system
