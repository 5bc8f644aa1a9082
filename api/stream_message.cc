#include "api/stream_message.h"

#include "api/commands.h"
#include "api/request_id.h"

namespace assent::api {

namespace json = boost::json;

namespace {

// The command, or the error that refused it.
template <typename Command>
void SetCommand(Result<Command> command, StreamMessage& parsed) {
  if (command.ok()) {
    parsed.request = std::move(command).value();
  } else {
    parsed.request = ErrorFromStatus(command.status());
  }
}

}  // namespace

StreamMessage ParseStreamMessage(std::string_view text,
                                 const std::optional<engine::Principal>& caller) {
  // Unauthorized: the answer, before authentication, to anything but an auth message.
  StreamMessage parsed{nullptr, ApiError::Unauthorized()};
  std::string why;
  std::optional<json::object> message = ParseJsonObject(text, &why);
  std::string_view type;
  if (message) {
    if (const json::value* value = message->if_contains("req")) parsed.req = *value;
    if (const json::value* value = message->if_contains("type"); value && value->is_string()) {
      type = value->get_string();
    }
  }
  if (!caller) {
    if (type == "auth") {
      StreamAuth auth;
      if (const json::value* token = message->if_contains("token"); token && token->is_string()) {
        auth.token = token->get_string();
      }
      parsed.request = std::move(auth);
    }
    return parsed;
  }
  if (!message) {
    parsed.request = ApiError::InvalidJson(why);
    return parsed;
  }
  if (type != "decide" && type != "comment") {
    parsed.request = ApiError::InvalidArgument("\"type\" must be \"decide\" or \"comment\"");
    return parsed;
  }
  const json::value* id = message->if_contains("id");
  if (id == nullptr || !id->is_string() || id->get_string().empty()) {
    parsed.request = ApiError::InvalidArgument("\"id\" must be a non-empty string");
    return parsed;
  }
  // The command's own fields, as a REST body would carry them: the rest is the envelope.
  json::object body = *message;
  for (std::string_view envelope : {"type", "id", "req"}) body.erase(envelope);
  engine::Actor actor{.principal = *caller,
                      .channel = engine::Channel::kStream,
                      .request_id = NewRequestId()};
  if (type == "decide") {
    SetCommand(ParseDecide(id->get_string(), body, std::move(actor)), parsed);
  } else {
    SetCommand(ParseComment(id->get_string(), body, std::move(actor)), parsed);
  }
  return parsed;
}

}  // namespace assent::api
