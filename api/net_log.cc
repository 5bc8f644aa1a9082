#include "api/net_log.h"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

namespace assent::api {

namespace asio = boost::asio;
namespace beast = boost::beast;

void LogNetworkError(Logger& logger, std::string_view what, const boost::system::error_code& ec) {
  if (ec == asio::error::operation_aborted || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == beast::error::timeout || ec == beast::http::error::end_of_stream ||
      ec == beast::http::error::partial_message || ec == beast::websocket::error::closed) {
    return;
  }
  logger.Warn("network error", {{"operation", what}, {"error", ec.message()}});
}

}  // namespace assent::api
