#include "tests/e2e/kill_loop/side_effect_check.h"

#include <algorithm>
#include <cctype>

#include "tests/e2e/kill_loop/check_failed.h"
#include "tests/e2e/kill_loop/workflow.h"

namespace assent::testing::kill_loop {

namespace {

std::string Describe(const SideEffectRequest& request) {
  return "request #" + std::to_string(request.index) + " (round " +
         std::to_string(request.round) + ", POST " + request.path + ", key \"" + request.key +
         "\", body " + request.body.substr(0, 200) + ")";
}

// Splits "<run id>/<step>/<n>"; false when `key` is not of that form.
bool SplitKey(const std::string& key, std::string* run_id, std::string* step) {
  size_t first = key.find('/');
  size_t second = first == std::string::npos ? first : key.find('/', first + 1);
  if (first == 0 || second == std::string::npos || second + 1 >= key.size()) return false;
  std::string visit = key.substr(second + 1);
  if (!std::all_of(visit.begin(), visit.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return false;
  }
  *run_id = key.substr(0, first);
  *step = key.substr(first + 1, second - first - 1);
  return true;
}

}  // namespace

std::string RunIdOfKey(const std::string& key) {
  std::string run_id, step;
  return SplitKey(key, &run_id, &step) ? run_id : std::string();
}

SideEffectIndex::SideEffectIndex(const std::vector<SideEffectRequest>& requests) {
  // (tag, effect) -> the key it first arrived under, and that request.
  std::map<std::pair<std::string, std::string>, std::pair<std::string, size_t>> key_of_effect;
  for (const SideEffectRequest& request : requests) {
    ++requests_;
    if (request.answered >= 500) ++failed_;
    std::string run_id, step;
    if (!SplitKey(request.key, &run_id, &step)) {
      throw CheckFailed("the target got a request without a \"<run>/<step>/<n>\" "
                        "Idempotency-Key: " + Describe(request));
    }
    if ((request.effect != kReserveStep && request.effect != kPayStep) || request.tag.empty() ||
        request.path != "/" + request.effect || step != request.effect) {
      throw CheckFailed("the target got a request whose path, key and body do not name one "
                        "side effect: " + Describe(request));
    }
    auto [key, first_time] = by_key_.try_emplace(
        request.key, Key{request.tag, request.effect, false, 0, request.index});
    if (key->second.tag != request.tag || key->second.effect != request.effect) {
      throw CheckFailed("Idempotency-Key " + request.key + " carried two side effects: " +
                        key->second.effect + " of " + key->second.tag + " (request #" +
                        std::to_string(key->second.first_request) + ") and " +
                        Describe(request));
    }
    // Once answered 2xx, an effect is done: only a kill between that answer and its record
    // (a new server process) may send it again.
    if (key->second.answered_ok && key->second.ok_life == request.life) {
      throw CheckFailed("Idempotency-Key " + request.key + " was sent again after its 2xx "
                        "answer, by the same server process: " + Describe(request));
    }
    if (request.answered >= 200 && request.answered < 300) {
      key->second.answered_ok = true;
      key->second.ok_life = request.life;
    }

    auto [effect, new_effect] =
        key_of_effect.try_emplace({request.tag, request.effect}, request.key, request.index);
    if (effect->second.first != request.key) {
      throw CheckFailed("side effect " + request.effect + " of " + request.tag +
                        " arrived under two Idempotency-Keys: " + effect->second.first +
                        " (request #" + std::to_string(effect->second.second) + ") and " +
                        Describe(request));
    }
  }
  // pay carries steps.reserve.ref: the answer to its own run's reserve, which is ref-<key>.
  for (const SideEffectRequest& request : requests) {
    if (request.effect != kPayStep) continue;
    auto reserve = key_of_effect.find({request.tag, kReserveStep});
    if (reserve == key_of_effect.end()) {
      throw CheckFailed("pay of " + request.tag + " arrived, but no reserve of it ever did: " +
                        Describe(request));
    }
    if (request.reserved != RefFor(reserve->second.first)) {
      throw CheckFailed("pay of " + request.tag + " carried reserved=\"" + request.reserved +
                        "\", but its reserve's key is " + reserve->second.first +
                        " (answered \"" + RefFor(reserve->second.first) + "\"): " +
                        Describe(request));
    }
  }
}

std::set<std::string> SideEffectIndex::KeysOfRun(const std::string& run_id) const {
  std::set<std::string> keys;
  for (auto it = by_key_.lower_bound(run_id + "/");
       it != by_key_.end() && it->first.starts_with(run_id + "/"); ++it) {
    keys.insert(it->first);
  }
  return keys;
}

bool SideEffectIndex::AnsweredOk(const std::string& key) const {
  auto it = by_key_.find(key);
  return it != by_key_.end() && it->second.answered_ok;
}

std::string SideEffectIndex::TagOf(const std::string& key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? std::string() : it->second.tag;
}

}  // namespace assent::testing::kill_loop
