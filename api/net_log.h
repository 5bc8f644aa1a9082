// Reports a failed network operation to the server's logger, staying quiet for the ordinary ways a
// connection ends (peer closed, reset, timed out, server stopping). Thread-safe.
#pragma once

#include <string_view>

#include <boost/system/error_code.hpp>

#include "base/logger.h"

namespace assent::api {

void LogNetworkError(Logger& logger, std::string_view what, const boost::system::error_code& ec);

}  // namespace assent::api
