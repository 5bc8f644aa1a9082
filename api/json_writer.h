// WriteJson: the one way the server turns JSON into text (REST bodies, WebSocket messages, log
// lines), so that all of it is valid UTF-8. Boost.JSON serializes whatever bytes a string holds,
// and many carry text a client sent (a percent-decoded path in an error message, a header, a
// log line's target): a byte that does not form UTF-8 would make the whole document one that
// JSON parsers reject. Such bytes become U+FFFD. The serializer escapes every ASCII control
// character and quote, so bytes outside UTF-8 can only sit inside strings, and replacing them
// keeps the document well formed. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

namespace assent::api {

std::string WriteJson(const boost::json::value& value);
// The same for an object: called with WriteJson(const value&), an object held by name would be
// copied whole into a temporary value first.
std::string WriteJson(const boost::json::object& object);

}  // namespace assent::api
