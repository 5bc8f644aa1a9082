#include "tests/e2e/kill_loop/side_effects.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace assent::testing::kill_loop {

namespace json = boost::json;

namespace {

// One answer in five is a 500: enough that retries (and runs that fail after their last
// attempt) happen every round, few enough that most runs finish.
constexpr unsigned kFailOneIn = 5;

std::string StringField(const json::value& body, const char* name) {
  const json::object* object = body.if_object();
  const json::value* field = object ? object->if_contains(name) : nullptr;
  return field && field->is_string() ? std::string(field->get_string()) : std::string();
}

}  // namespace

SideEffectTarget::SideEffectTarget()
    : target_([this](const ReceivedRequest& request, size_t index) {
        return Answer(request, index);
      }) {}

std::string SideEffectTarget::url() const { return target_.url(""); }

void SideEffectTarget::BeginRound(int round, uint64_t seed) {
  std::lock_guard lock(mutex_);
  round_ = round;
  random_.seed(seed);
}

void SideEffectTarget::BeginServerLife() {
  std::lock_guard lock(mutex_);
  ++life_;
}

std::vector<SideEffectRequest> SideEffectTarget::Requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

TargetResponse SideEffectTarget::Answer(const ReceivedRequest& request, size_t index) {
  SideEffectRequest seen;
  seen.index = index;
  seen.path = request.target;
  seen.body = request.body;
  if (auto key = request.headers.find("idempotency-key"); key != request.headers.end()) {
    seen.key = key->second;
  }
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (!ec) {
    seen.effect = StringField(body, "effect");
    seen.tag = StringField(body, "tag");
    seen.reserved = StringField(body, "reserved");
  }
  std::lock_guard lock(mutex_);
  seen.round = round_;
  seen.life = life_;
  const bool warming_up =
      seen.path == "/reserve" && ++reserve_requests_[seen.key] <= kFlakyFailures;
  bool fail = random_() % kFailOneIn == 0;
  seen.answered = warming_up ? 503 : fail ? 500 : 200;
  requests_.push_back(seen);
  if (warming_up) return TargetResponse{503, R"({"error": "warming up"})"};
  if (fail) return TargetResponse{500, R"({"error": "flaky on purpose"})"};
  return TargetResponse{200, json::serialize(json::object{{"ref", RefFor(seen.key)}})};
}

}  // namespace assent::testing::kill_loop
