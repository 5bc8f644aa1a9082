#include "api/gate_routes.h"

#include <string>
#include <utility>

namespace assent::api {

namespace http = boost::beast::http;

void OpenGate(Call& call) {
  std::optional<boost::json::object> body = call.Body();
  if (!body) return;
  std::optional<engine::OpenGateCommand> command = call.Command(ParseOpenGate(
      std::move(*body), std::string(call.request["Idempotency-Key"]), call.Actor()));
  if (!command) return;
  call.engine.OpenGate(std::move(*command),
                       [reply = call.reply](Result<engine::OpenGateResult> opened) {
                         if (!opened.ok()) return reply.Error(ErrorFromStatus(opened.status()));
                         reply.Json(opened->created ? http::status::created : http::status::ok,
                                    GateJson(opened->gate));
                       });
}

void GetGate(Call& call) {
  std::optional<std::chrono::milliseconds> wait = call.Wait();
  if (!wait) return;
  call.engine.AwaitGate(call.caller, call.params[0], *wait,
                        [reply = call.reply](Result<engine::ApprovalView> gate) {
                          if (!gate.ok()) return reply.Error(ErrorFromStatus(gate.status()));
                          reply.Json(http::status::ok, GateJson(*gate));
                        });
}

}  // namespace assent::api
