// Reports a failed network operation on stderr, staying quiet for the ordinary ways a
// connection ends (peer closed, reset, timed out, server stopping). Thread-safe.
#pragma once

#include <string_view>

#include <boost/system/error_code.hpp>

namespace assent::api {

void LogNetworkError(std::string_view what, const boost::system::error_code& ec);

}  // namespace assent::api
