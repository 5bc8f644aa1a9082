// AccessList: who one of a definition's access fields names. A workflow names `viewers`,
// `editors` and `starters` at the top level; an approval step may name `approvers`. Each is a
// non-empty JSON array of entries:
//   "alice"          the principal with that id
//   "group:finance"  every principal in group `finance`
//   "*"              anyone signed in
// Ids and group names are 1-128 of A-Z a-z 0-9 _ - . @. Parsed once when a definition is
// loaded or applied, then read from any thread (immutable).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "base/status.h"
#include "engine/actor.h"

namespace assent::engine {

// What starts an entry that names a group.
inline constexpr std::string_view kGroupPrefix = "group:";

class AccessList {
 public:
  // kInvalidArgument naming the entry at fault ("entry 2 ...").
  static Result<AccessList> Parse(const boost::json::value& json);

  // True when `principal` is one of the ids, in one of the groups, or the list has "*".
  bool Admits(const Principal& principal) const;
  // Everyone `other` admits is admitted here too (a union: "*" and entries alike).
  void Add(const AccessList& other);
  bool empty() const { return !anyone_ && users_.empty() && groups_.empty(); }
  // How many distinct users it admits, when it names only users (a group's members or "*" can
  // be any number): what a quorum is checked against.
  std::optional<size_t> KnownUsers() const;
  // The entries as the definition wrote them, in its order ("alice", "group:finance", "*").
  const std::vector<std::string>& entries() const { return entries_; }

  bool operator==(const AccessList&) const = default;

 private:
  bool anyone_ = false;
  std::vector<std::string> users_;
  std::vector<std::string> groups_;
  std::vector<std::string> entries_;
};

// A workflow's top-level access fields, and every principal any of its approval steps names in
// `approvers` (those see the workflow too). All empty: admins only.
struct WorkflowAccess {
  AccessList viewers;
  AccessList editors;
  AccessList starters;
  AccessList approvers;  // the union of the steps' lists

  bool operator==(const WorkflowAccess&) const = default;
};

inline constexpr std::array<std::string_view, 3> kWorkflowAccessFields{"viewers", "editors",
                                                                       "starters"};

// Reads the kWorkflowAccessFields of a definition document into `access` (approvers aside).
// kInvalidArgument naming the field.
Status ReadWorkflowAccess(const boost::json::object& definition, WorkflowAccess* access);

}  // namespace assent::engine
