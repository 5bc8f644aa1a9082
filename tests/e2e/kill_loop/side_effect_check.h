// The side-effect checks, over every request the target got in every round and every server
// process: one logical side effect (a tag and an effect) arrived under exactly one
// Idempotency-Key, across all attempts, crashes and rounds; every key carried exactly one side
// effect, and was not sent again after a 2xx but by a server process started after it; and pay
// carried its own reserve's answer. Also indexes the requests by key for the
// per-run checks.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/kill_loop/side_effects.h"

namespace assent::testing::kill_loop {

class SideEffectIndex {
 public:
  // Throws CheckFailed naming the requests that break a rule.
  explicit SideEffectIndex(const std::vector<SideEffectRequest>& requests);

  // Every key a request of run `run_id` carried (keys are "<run id>/<step>/<n>").
  std::set<std::string> KeysOfRun(const std::string& run_id) const;
  // True when the target answered 2xx to some request with `key`.
  bool AnsweredOk(const std::string& key) const;
  // The tag the requests with `key` carried; empty for an unknown key.
  std::string TagOf(const std::string& key) const;

  size_t requests() const { return requests_; }
  size_t failed_on_purpose() const { return failed_; }
  size_t side_effects() const { return by_key_.size(); }

 private:
  struct Key {
    std::string tag;
    std::string effect;
    bool answered_ok = false;
    int ok_life = 0;  // the server process whose request was answered 2xx
    size_t first_request = 0;
  };
  std::map<std::string, Key> by_key_;
  size_t requests_ = 0;
  size_t failed_ = 0;
};

// The run id in an Idempotency-Key "<run id>/<step>/<n>"; empty when it is not one.
std::string RunIdOfKey(const std::string& key);

}  // namespace assent::testing::kill_loop
