// What the identity code reads from outside: token text (every request's bearer token),
// token lifetimes ("90d"), the JSON bodies of the identity routes, the names the directory
// checks, and the directory's stored events. The first byte picks which; the rest is the input.
// Properties:
//   0 token text   a text that parses formats back to itself, with hex id and secret
//   1 lifetime     accepted exactly when "<digits><s|m|h|d>", above 0 and at most 3650 days,
//                  and the value is what the text says
//   2 user body    ParseAddUser, ParseSetGroups and ParseNewToken refuse with InvalidArgument
//                  or keep exactly the body's values
//   3 name         CheckName accepts exactly [a-z0-9][a-z0-9._-]{0,63}
//   4 event        a buffer that verifies folds into the directory's state the same way twice
#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>
#include <string_view>

#include "api/commands.h"
#include "api/identity_requests.h"
#include "api/protocol/token_lifetime.h"
#include "engine/internal/directory_state.h"
#include "engine/internal/identity_names.h"
#include "engine/internal/token_text.h"
#include "schemas/event_generated.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace json = boost::json;

void TokenText(std::string_view text) {
  std::optional<assent::engine::TokenText> parts = assent::engine::ParseTokenText(text);
  if (!parts) return;
  FUZZ_CHECK(assent::engine::FormatTokenText(parts->token_id, parts->secret) == text);
  FUZZ_CHECK(parts->token_id.size() == 16 && parts->secret.size() == 64);
}

void Lifetime(std::string_view text) {
  static const std::regex kForm("([0-9]+)([smhd])");
  auto lifetime = assent::api::ParseTokenLifetime(text);
  std::cmatch match;
  std::string copy(text);
  // Leading zeros are fine ("007d"); an accepted amount is in range, so stoull below holds it.
  bool form = std::regex_match(copy.c_str(), match, kForm);
  if (!lifetime.ok()) return;
  FUZZ_CHECK(form);
  FUZZ_CHECK(lifetime->count() > 0 && *lifetime <= assent::api::kMaxTokenLifetime);
  uint64_t amount = std::stoull(match[1].str());
  char unit = match[2].str()[0];
  uint64_t seconds = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 86400;
  FUZZ_CHECK(static_cast<uint64_t>(lifetime->count()) == amount * seconds);
}

void UserBodies(std::string_view text) {
  std::string why;
  std::optional<json::object> body = assent::api::ParseJsonObject(text, &why);
  if (!body) return;
  auto user = assent::api::ParseAddUser(*body);
  if (user.ok()) {
    FUZZ_CHECK(body->at("id").as_string() == user->user.id);
    FUZZ_CHECK(user->first_token.name == assent::api::kFirstTokenName);
  } else {
    FUZZ_CHECK(user.status().code() == assent::StatusCode::kInvalidArgument);
  }
  auto groups = assent::api::ParseSetGroups(*body);
  if (groups.ok()) {
    FUZZ_CHECK(body->at("groups").as_array().size() == groups->size());
  } else {
    FUZZ_CHECK(groups.status().code() == assent::StatusCode::kInvalidArgument);
  }
  auto token = assent::api::ParseNewToken(*body);
  if (token.ok()) {
    FUZZ_CHECK(body->at("name").as_string() == token->name && !token->name.empty());
  } else {
    FUZZ_CHECK(token.status().code() == assent::StatusCode::kInvalidArgument);
  }
}

void Name(std::string_view name) {
  static const std::regex kRule("[a-z0-9][a-z0-9._-]{0,63}");
  bool accepted = assent::engine::CheckName("name", name).ok();
  FUZZ_CHECK(accepted == std::regex_match(std::string(name), kRule));
}

void Event(std::string_view input) {
  std::string bytes(input);  // aligned, as the log's records are; the input is one byte off
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!assent::fb::VerifyEventBuffer(verifier)) return;
  const assent::fb::Event& event = *assent::fb::GetEvent(bytes.data());
  // The log's reader refuses a body type without a body (storage VerifyRecord), which the
  // FlatBuffers verifier accepts: the fold never sees one.
  if (event.body_type() != assent::fb::Body::NONE && event.body() == nullptr) return;
  assent::engine::DirectoryState once;
  assent::engine::DirectoryState again;
  assent::engine::Apply(once, event);
  assent::engine::Apply(again, event);
  FUZZ_CHECK(once == again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: TokenText(input); break;
    case 1: Lifetime(input); break;
    case 2: UserBodies(input); break;
    case 3: Name(input); break;
    case 4: Event(input); break;
  }
  return 0;
}
