// Outside agents' gates (POST /v1/gates): an approval that belongs to no workflow, opened by an
// agent in any language before a tool call it is about to make, and long-polled for the
// decision. Each is held by a run of the built-in workflow kAgentGateWorkflow ("~gate"), whose
// one approval step takes what it shows, who decides and its timeout from the run's input. So a
// gate is stored, replayed, timed out, streamed, listed and audited as any approval is, and a
// crash loses nothing acknowledged.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "base/status.h"
#include "engine/internal/definition.h"

namespace assent::engine {

// The built-in workflow's only version: one approval step, "decision", whose reviewers may edit
// any field of the context. A gate whose timeout runs out fails its run; the gate reads
// timed_out. Its access lists are empty: a gate's own approvers decide (access_rules.h).
std::shared_ptr<const WorkflowDefinition> AgentGateDefinition();

// A gate as its opener asked for it.
struct AgentGateRequest {
  std::string title;                   // 1-200 bytes of text
  std::string message;                 // what the reviewers read; default: the title
  boost::json::object context;         // what they see (and may edit); default: {}
  std::vector<std::string> approvers;  // at most 100 access-list entries; default: admins only
  std::string timeout;                 // duration text ("30m"); empty: waits for ever
  int64_t timeout_ms = 0;

  bool operator==(const AgentGateRequest&) const = default;
};

// The body of POST /v1/gates, checked: an object with "title" and optionally "message",
// "context", "approvers" and "timeout" (as an approval step's). kInvalidArgument naming the
// field at fault. The gate's run keeps ToInput of the request as its input, and its approval
// step reads it back with this parser.
Result<AgentGateRequest> ParseAgentGateRequest(const boost::json::value& body);
// kInvalidArgument, naming the entry, when an approver is a user id or group name no user of
// the directory can have (identity_names.h: an uppercase "Lead" would leave the gate to admins
// alone). Checked when a gate is opened; a definition's lists keep their wider rule.
Status CheckApproversNameDirectoryEntries(const AgentGateRequest& request);
boost::json::object ToInput(const AgentGateRequest& request);

}  // namespace assent::engine
