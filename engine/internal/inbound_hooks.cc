#include "engine/internal/inbound_hooks.h"

#include <algorithm>
#include <set>

#include <openssl/crypto.h>

#include "base/ascii.h"
#include "engine/internal/definition.h"
#include "engine/internal/http_fields.h"
#include "engine/internal/webhook_signature.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

constexpr std::string_view kRedacted = "***";
// Longest signature prefix ("sha256=", "v1=") and delivery id accepted.
constexpr size_t kMaxPrefixBytes = 64;
constexpr size_t kMaxDeliveryIdBytes = 200;

// A header name a hook reads: a token, stored in lower case as requests hand them over.
Result<std::string> HeaderName(const json::value& value) {
  if (!value.is_string() || !IsHttpToken(value.as_string()) ||
      value.as_string().size() > kMaxFieldNameBytes) {
    return Status::InvalidArgument("must be a header name (letters, digits and -, at most " +
                                   std::to_string(kMaxFieldNameBytes) + " bytes)");
  }
  return AsciiLower(value.as_string());
}

Result<HookSignature> ParseSignature(const json::value& value) {
  if (!value.is_object()) {
    return Status::InvalidArgument(
        "must be an object: {\"header\": \"X-Hub-Signature-256\", \"prefix\": \"sha256=\"}");
  }
  HookSignature signature;
  for (const auto& entry : value.as_object()) {
    if (entry.key() != "header" && entry.key() != "prefix") {
      return Status::InvalidArgument("unknown field '" + std::string(entry.key()) +
                                     "' (expected header, prefix)");
    }
  }
  const json::value* header = value.as_object().if_contains("header");
  if (header == nullptr) return Status::InvalidArgument("missing required field 'header'");
  Result<std::string> name = HeaderName(*header);
  if (!name.ok()) return Status::InvalidArgument("'header' " + name.status().message());
  signature.header = std::move(name).value();
  if (const json::value* prefix = value.as_object().if_contains("prefix")) {
    const json::string* text = prefix->if_string();
    if (text == nullptr || text->size() > kMaxPrefixBytes ||
        !std::all_of(text->begin(), text->end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
      return Status::InvalidArgument("'prefix' must be at most " +
                                     std::to_string(kMaxPrefixBytes) +
                                     " printable ASCII characters without spaces");
    }
    signature.prefix = std::string(*text);
  }
  return signature;
}

// `number` counts from 1, as people do; the label names the hook by id once it is known.
Result<InboundHook> ParseHook(const json::value& value, size_t number) {
  std::string label = "hook #" + std::to_string(number);
  if (!value.is_object()) return Status::InvalidArgument(label + ": must be an object");
  const json::object& object = value.as_object();
  auto fail = [&](const std::string& problem) {
    return Status::InvalidArgument(label + ": " + problem);
  };
  const json::value* id = object.if_contains("id");
  if (id == nullptr) return fail("missing required field 'id'");
  if (!id->is_string() || !IsValidName(id->as_string())) {
    return fail("'id' must be 1-128 characters of A-Z a-z 0-9 _ -");
  }
  InboundHook hook;
  hook.id = std::string(id->as_string());
  label = "hook '" + hook.id + "'";
  for (const auto& entry : object) {
    std::string_view key = entry.key();
    if (key != "id" && key != "secret" && key != "signature" && key != "delivery_id_header") {
      return fail("unknown field '" + std::string(key) +
                  "' (expected id, secret, signature, delivery_id_header)");
    }
  }
  const json::value* secret = object.if_contains("secret");
  if (secret == nullptr) return fail("missing required field 'secret'");
  if (!secret->is_string()) return fail("'secret' must be a string");
  hook.secret = std::string(secret->as_string());
  if (hook.secret == kRedacted) {
    // What GET /v1/workflows shows: applied back as it is, anyone could start runs with "***".
    return fail("'secret' is the redacted placeholder \"***\"; give the real secret");
  }
  if (hook.secret.size() < kMinHookSecretBytes || hook.secret.size() > kMaxHookSecretBytes) {
    return fail("'secret' must be " + std::to_string(kMinHookSecretBytes) + " to " +
                std::to_string(kMaxHookSecretBytes) + " bytes");
  }
  if (const json::value* signature = object.if_contains("signature")) {
    Result<HookSignature> parsed = ParseSignature(*signature);
    if (!parsed.ok()) return fail("'signature' " + parsed.status().message());
    hook.signature = std::move(parsed).value();
  }
  if (const json::value* header = object.if_contains("delivery_id_header")) {
    Result<std::string> name = HeaderName(*header);
    if (!name.ok()) return fail("'delivery_id_header' " + name.status().message());
    hook.delivery_id_header = std::move(name).value();
  }
  return hook;
}

// The value of header `name` (lower case); nullptr when the request has none.
const std::string* Header(const HookHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

// Whether `sent` is `expected`, in time that does not depend on where they differ. (The length
// is not secret: a SHA-256 digest's, or the secret's, which a guess of the wrong length cannot
// learn more of than that it is wrong.)
bool SameSecretBytes(std::string_view sent, std::string_view expected) {
  return sent.size() == expected.size() &&
         CRYPTO_memcmp(sent.data(), expected.data(), sent.size()) == 0;
}

}  // namespace

Result<std::vector<InboundHook>> ParseInboundHooks(const json::value& hooks) {
  if (!hooks.is_array()) return Status::InvalidArgument("'hooks' must be an array of hooks");
  const json::array& entries = hooks.as_array();
  if (entries.size() > kMaxHooks) {
    return Status::InvalidArgument("'hooks' lists " + std::to_string(entries.size()) +
                                   " hooks; at most " + std::to_string(kMaxHooks));
  }
  std::vector<InboundHook> parsed;
  std::set<std::string> ids;
  for (const json::value& entry : entries) {
    Result<InboundHook> hook = ParseHook(entry, parsed.size() + 1);
    if (!hook.ok()) return hook.status();
    if (!ids.insert(hook->id).second) {
      return Status::InvalidArgument("hook '" + hook->id + "': duplicate id");
    }
    parsed.push_back(std::move(hook).value());
  }
  return parsed;
}

Status AuthenticateHook(const InboundHook& hook, const HookHeaders& headers,
                        std::string_view body) {
  if (hook.signature) {
    const std::string* sent = Header(headers, hook.signature->header);
    if (sent == nullptr) {
      return Status::PermissionDenied("the request has no " + hook.signature->header +
                                      " header: hook '" + hook.id + "' needs its signature");
    }
    const std::string_view prefix = hook.signature->prefix;
    if (!std::string_view(*sent).starts_with(prefix) ||
        !SameSecretBytes(AsciiLower(std::string_view(*sent).substr(prefix.size())),
                         HmacSha256Hex(hook.secret, body))) {
      return Status::PermissionDenied("the " + hook.signature->header +
                                      " header is not the body's HMAC-SHA256 with hook '" +
                                      hook.id + "''s secret" +
                                      (prefix.empty() ? "" : " after \"" + std::string(prefix) +
                                                                 "\""));
    }
    return Status::Ok();
  }
  std::string_view sent;
  if (const std::string* authorization = Header(headers, "authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization->size() > kBearer.size() &&
        AsciiLower(authorization->substr(0, kBearer.size())) == AsciiLower(kBearer)) {
      sent = std::string_view(*authorization).substr(kBearer.size());
    }
  } else if (const std::string* header = Header(headers, kHookSecretHeader)) {
    sent = *header;
  }
  if (sent.empty()) {
    return Status::PermissionDenied("hook '" + hook.id + "' needs its secret: send " +
                                    "'Authorization: Bearer <secret>' or '" +
                                    std::string(kHookSecretHeader) + ": <secret>'");
  }
  if (!SameSecretBytes(sent, hook.secret)) {
    return Status::PermissionDenied("that is not hook '" + hook.id + "''s secret");
  }
  return Status::Ok();
}

Result<std::string> HookDeliveryId(const InboundHook& hook, const HookHeaders& headers) {
  const std::string* id = Header(headers, hook.delivery_id_header);
  if (id == nullptr || id->empty()) return std::string();
  if (id->size() > kMaxDeliveryIdBytes ||
      !std::all_of(id->begin(), id->end(), [](char c) { return c >= 0x20 && c <= 0x7e; })) {
    return Status::InvalidArgument("the " + hook.delivery_id_header + " header must be at most " +
                                   std::to_string(kMaxDeliveryIdBytes) +
                                   " printable ASCII characters");
  }
  return *id;
}

std::string HookActorId(std::string_view workflow, std::string_view hook_id) {
  return "hook:" + std::string(workflow) + "/" + std::string(hook_id);
}

std::string HookStartKey(std::string_view hook_id, std::string_view delivery_id) {
  return "hook:" + std::string(hook_id) + ":" + std::string(delivery_id);
}

json::value RedactHookSecrets(json::value definition) {
  json::object* object = definition.if_object();
  json::value* hooks = object == nullptr ? nullptr : object->if_contains("hooks");
  if (hooks == nullptr || !hooks->is_array()) return definition;
  for (json::value& hook : hooks->as_array()) {
    json::object* fields = hook.if_object();
    if (fields != nullptr && fields->contains("secret")) (*fields)["secret"] = kRedacted;
  }
  return definition;
}

}  // namespace assent::engine
