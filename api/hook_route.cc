#include "api/hook_route.h"

#include "base/ascii.h"

namespace assent::api {

namespace http = boost::beast::http;
namespace json = boost::json;

void StartRunFromHook(Call& call) {
  const std::string_view body = call.request.body();
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return call.reply.Error(
        ApiError::InvalidJson("the body must be a JSON object: it is the run's input"));
  }
  std::optional<json::object> input = call.Body();
  if (!input) return;
  engine::HookStartCommand command{.workflow = call.params[0],
                                   .hook_id = call.params[1],
                                   .body = std::string(body),
                                   .input = std::move(*input),
                                   .headers = {},
                                   .request_id = call.reply.request_id()};
  for (const auto& field : call.request) {
    command.headers.emplace_back(AsciiLower(field.name_string()), std::string(field.value()));
  }
  call.engine.StartRunFromHook(
      std::move(command), [reply = call.reply](Result<engine::StartRunResult> result) {
        if (!result.ok()) {
          // The hook's only refusal of who is asking: its secret or signature was not right.
          if (result.status().code() == StatusCode::kPermissionDenied) {
            return reply.Error({http::status::unauthorized, "unauthorized",
                                result.status().message()});
          }
          return reply.Error(ErrorFromStatus(result.status()));
        }
        reply.Json(result->created ? http::status::created : http::status::ok,
                   json::object{{"run_id", result->run_id}});
      });
}

}  // namespace assent::api
