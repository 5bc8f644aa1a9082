// Parsing JSON text so that numbers come back exactly. Boost.JSON 1.81's parser does not round
// floating-point numbers correctly (about one ordinary double in seven, e.g. 90747.31690196229,
// comes back one unit in the last place off), while its serializer writes the shortest text that
// names a double exactly. Every payload, snapshot and definition the engine stores goes through
// serialize-then-parse, so with boost::json::parse a run rebuilt from the log could differ from
// the live one. ParseJsonText parses as boost::json::parse does (same limits and errors) but
// converts each floating-point number from its text with std::from_chars, which rounds
// correctly. (Boost 1.83 offers this as parse_options::numbers.) Pure; thread-safe.
#pragma once

#include <string_view>

#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

namespace assent::engine {

// The value `text` holds, or null with `ec` set when it is not one JSON document.
boost::json::value ParseJsonText(std::string_view text, boost::system::error_code& ec,
                                 const boost::json::parse_options& options = {});

}  // namespace assent::engine
