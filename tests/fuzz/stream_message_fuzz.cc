// The messages a reviewer sends on /v1/stream (api/stream_message.h), before and after
// authentication. Properties:
// - before authentication only an auth message is taken (one with a malformed "since" or
//   "page_size" is refused as invalid); everything else is unauthorized;
// - a snapshot.more carries a non-empty token and a page size within the limit;
// - the same bytes as an upgrade target give a start within the limits or an error;
// - a command carries a non-empty approval id and the session's reviewer, and a rejection
//   carries a comment, as the REST routes require;
// - every error is one a client can be told: a 4xx with a code, in a frame that is valid JSON.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/parse.hpp>

#include "api/json_writer.h"
#include "api/stream_message.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using assent::api::ApiError;
using assent::api::StreamAuth;
using assent::api::StreamMessage;
using assent::api::StreamSnapshotMore;
namespace engine = assent::engine;

constexpr char kReviewer[] = "admin";

void CheckError(const StreamMessage& message) {
  if (const auto* error = std::get_if<ApiError>(&message.request)) {
    FUZZ_CHECK(static_cast<int>(error->status) >= 400 && static_cast<int>(error->status) < 500);
    FUZZ_CHECK(!error->code.empty());
    // The error frame the session would send, with the "req" it echoes, parses as JSON
    // (Boost.JSON's parser refuses invalid UTF-8).
    boost::json::object frame{{"type", "error"}, {"error", assent::api::ErrorJson(*error)}};
    if (!message.req.is_null()) frame["req"] = message.req;
    boost::system::error_code parse_error;
    boost::json::parse(assent::api::WriteJson(frame), parse_error);
    FUZZ_CHECK(!parse_error);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  StreamMessage before = assent::api::ParseStreamMessage(text, std::nullopt);
  CheckError(before);
  if (const auto* error = std::get_if<ApiError>(&before.request)) {
    FUZZ_CHECK(error->code == "unauthorized" || error->code == "invalid_argument");
  } else {
    FUZZ_CHECK(std::holds_alternative<StreamAuth>(before.request));
    const auto& auth = std::get<StreamAuth>(before.request);
    FUZZ_CHECK(!auth.page_size || (*auth.page_size >= 1 &&
                                   *auth.page_size <= assent::api::kMaxSnapshotPage));
  }

  StreamMessage after =
      assent::api::ParseStreamMessage(text, engine::Principal{std::string(kReviewer)});
  CheckError(after);
  FUZZ_CHECK(!std::holds_alternative<StreamAuth>(after.request));
  if (const auto* decide = std::get_if<engine::DecideCommand>(&after.request)) {
    FUZZ_CHECK(!decide->approval_id.empty());
    FUZZ_CHECK(decide->actor.principal.id == kReviewer);
    FUZZ_CHECK(decide->decision == engine::Decision::kApprove || !decide->comment.empty());
  }
  if (const auto* comment = std::get_if<engine::CommentCommand>(&after.request)) {
    FUZZ_CHECK(!comment->approval_id.empty());
    FUZZ_CHECK(comment->actor.principal.id == kReviewer);
    FUZZ_CHECK(!comment->text.empty());
  }
  if (const auto* more = std::get_if<StreamSnapshotMore>(&after.request)) {
    FUZZ_CHECK(!more->after.empty());
    FUZZ_CHECK(more->limit >= 1 && more->limit <= assent::api::kMaxSnapshotPage);
  }
  auto start = assent::api::ParseStreamTarget(text);
  if (start.ok()) {
    FUZZ_CHECK(start->page_size >= 1 && start->page_size <= assent::api::kMaxSnapshotPage);
  } else {
    FUZZ_CHECK(start.status().code() == assent::StatusCode::kInvalidArgument);
  }
  // The same text gives the same "req" to echo, whether authenticated or not.
  FUZZ_CHECK(before.req == after.req);
  return 0;
}
