#include "api/stream_message.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include <boost/url/parse.hpp>

#include "api/auth.h"
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

// A cursor or a count: a JSON integer from 0 up, or the same in decimal in a URL.
std::optional<uint64_t> AsCount(const json::value& value) {
  if (value.is_uint64()) return value.get_uint64();
  if (value.is_int64() && value.get_int64() >= 0) return value.get_int64();
  return std::nullopt;
}
std::optional<uint64_t> AsCount(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A page size as asked: 0 or absent means the most, beyond it the most.
size_t PageSize(uint64_t asked) {
  return asked == 0 ? kMaxSnapshotPage : std::min<uint64_t>(asked, kMaxSnapshotPage);
}

// The `field` of `message` as a count; nullopt when absent; an error when not a count.
Result<std::optional<uint64_t>> CountField(const json::object& message, std::string_view field) {
  const json::value* value = message.if_contains(field);
  if (value == nullptr || value->is_null()) return std::optional<uint64_t>();
  std::optional<uint64_t> count = AsCount(*value);
  if (!count) {
    return Status::InvalidArgument("\"" + std::string(field) +
                                   "\" must be an integer, 0 or more");
  }
  return count;
}

void ParseAuth(const json::object& message, StreamMessage& parsed) {
  StreamAuth auth;
  if (const json::value* token = message.if_contains("token"); token && token->is_string()) {
    auth.token = token->get_string();
  }
  auto since = CountField(message, "since");
  auto page_size = CountField(message, "page_size");
  for (const auto* field : {&since, &page_size}) {
    if (!field->ok()) {
      parsed.request = ErrorFromStatus(field->status());
      return;
    }
  }
  auth.since = *since;
  if (*page_size) auth.page_size = PageSize(**page_size);
  parsed.request = std::move(auth);
}

void ParseSnapshotMore(const json::object& message, StreamMessage& parsed) {
  const json::value* after = message.if_contains("after");
  if (after == nullptr || !after->is_string() || after->get_string().empty()) {
    parsed.request = ApiError::InvalidArgument(
        "\"after\" must be the \"next\" of the snapshot page before");
    return;
  }
  auto limit = CountField(message, "limit");
  if (!limit.ok()) {
    parsed.request = ErrorFromStatus(limit.status());
    return;
  }
  parsed.request = StreamSnapshotMore{std::string(after->get_string()), PageSize(limit->value_or(0))};
}

}  // namespace

Result<StreamStart> ParseStreamTarget(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return Status::InvalidArgument("malformed request target");
  StreamStart start;
  for (const auto& param : url->params()) {
    if (param.key == "since") {
      std::optional<uint64_t> since = AsCount(param.value);
      if (!since) return Status::InvalidArgument("since must be an integer, 0 or more");
      start.since = since;
    } else if (param.key == "page_size") {
      std::optional<uint64_t> size = AsCount(param.value);
      if (!size) return Status::InvalidArgument("page_size must be an integer, 0 or more");
      start.page_size = PageSize(*size);
    }
  }
  return start;
}

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
    if (type == "auth") ParseAuth(*message, parsed);
    return parsed;
  }
  if (!message) {
    parsed.request = ApiError::InvalidJson(why);
    return parsed;
  }
  if (type == "snapshot.more") {
    ParseSnapshotMore(*message, parsed);
    return parsed;
  }
  if (type != "decide" && type != "comment") {
    parsed.request = ApiError::InvalidArgument(
        "\"type\" must be \"decide\", \"comment\" or \"snapshot.more\"");
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
