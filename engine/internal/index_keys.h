// The keys of the engine's index entries (storage::Index), built and parsed here and nowhere
// else. Formats (persisted: never change one, add a new index instead):
//   runs by status       status byte (RunStatus) + run id           value: workflow name
//   approvals by status  status byte (ApprovalStatus) + approval id value: ApprovalRecord
//   start keys           workflow + '\0' + idempotency key           value: run id
//   run snapshots        run id                                      value: RunSnapshot
//   approval comments    approval id + '\0' + ordinal (4 bytes BE)   value: CommentRecord
// The status byte first lets one prefix scan list everything in one status. Workflow names
// never contain '\0', so a start key splits at its first one.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/views.h"

namespace assent::engine {

template <typename StatusEnum>
struct StatusKey {
  StatusEnum status;
  std::string_view id;  // a view into the decoded key
};

std::string RunsByStatusKey(RunStatus status, std::string_view run_id);
// Every runs-by-status key of runs in `status`.
std::string RunsByStatusPrefix(RunStatus status);
// nullopt when `key` has no id or an unknown status byte.
std::optional<StatusKey<RunStatus>> DecodeRunsByStatusKey(std::string_view key);

std::string ApprovalsByStatusKey(ApprovalStatus status, std::string_view approval_id);
std::string ApprovalsByStatusPrefix(ApprovalStatus status);
std::optional<StatusKey<ApprovalStatus>> DecodeApprovalsByStatusKey(std::string_view key);

struct StartKeyParts {
  std::string_view workflow;
  std::string_view idempotency_key;
};
std::string StartKey(std::string_view workflow, std::string_view idempotency_key);
std::optional<StartKeyParts> DecodeStartKey(std::string_view key);

inline std::string RunSnapshotKey(std::string_view run_id) { return std::string(run_id); }

// The comment numbered `ordinal` (0: the first) of an approval. Big-endian, so a scan of the
// approval's prefix yields its comments in order; the '\0' keeps approval "r.1" from sharing a
// prefix with "r.12" (ids never contain '\0').
std::string ApprovalCommentKey(std::string_view approval_id, uint32_t ordinal);
std::string ApprovalCommentsPrefix(std::string_view approval_id);
struct ApprovalCommentKeyParts {
  std::string_view approval_id;
  uint32_t ordinal;
};
std::optional<ApprovalCommentKeyParts> DecodeApprovalCommentKey(std::string_view key);

}  // namespace assent::engine
