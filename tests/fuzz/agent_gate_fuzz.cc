// Gate requests (POST /v1/gates): the input is the request body, parsed as the route parses it
// (api ParseJsonObject) and checked by engine/internal/agent_gate.h. Properties:
// - a request is accepted or refused with kInvalidArgument, nothing else, and so is the check
//   of its approvers' names made when it is opened;
// - an accepted request has a title of 1-200 bytes and a message, and its timeout is in range;
// - the gate's run keeps ToInput of the request and its approval step reads the request back
//   from that input (on every replay): reading it back gives the same request, and its input
//   again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/commands.h"
#include "engine/internal/agent_gate.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string why;
  std::optional<boost::json::object> body = assent::api::ParseJsonObject(text, &why);
  if (!body) return 0;
  auto request = assent::engine::ParseAgentGateRequest(boost::json::value(*body));
  if (!request.ok()) {
    FUZZ_CHECK(request.status().code() == assent::StatusCode::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(!request->title.empty() && request->title.size() <= 200);
  FUZZ_CHECK(!request->message.empty());
  assent::Status named = assent::engine::CheckApproversNameDirectoryEntries(*request);
  FUZZ_CHECK(named.ok() || named.code() == assent::StatusCode::kInvalidArgument);
  FUZZ_CHECK(request->timeout.empty() == (request->timeout_ms == 0));
  FUZZ_CHECK(request->timeout_ms == 0 ||
             (request->timeout_ms >= 1'000 && request->timeout_ms <= assent::engine::kMaxTimerMs));
  boost::json::object input = assent::engine::ToInput(*request);
  auto replayed = assent::engine::ParseAgentGateRequest(boost::json::value(input));
  FUZZ_CHECK_OK(replayed);
  FUZZ_CHECK(*replayed == *request);
  FUZZ_CHECK(assent::engine::ToInput(*replayed) == input);
  return 0;
}
