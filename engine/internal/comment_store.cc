#include "engine/internal/comment_store.h"

#include <cstdint>

#include "engine/internal/index_keys.h"
#include "schemas/event_generated.h"

namespace assent::engine {
namespace {

// The approval's comments from its index entries, in order, up to `limit`. Empty when its
// first comments predate the index (no entry numbered 0).
Result<std::vector<CommentView>> FromIndex(storage::EventLog& log, const ApprovalView& approval,
                                           size_t limit) {
  std::vector<CommentView> comments;
  if (limit == 0) return comments;
  Status bad;
  Status scanned = log.ScanIndex(
      storage::Index::kApprovalComments, ApprovalCommentsPrefix(approval.id),
      [&](std::string_view key, std::string_view value) {
        auto parts = DecodeApprovalCommentKey(key);
        if (!parts || parts->ordinal != comments.size()) return false;  // a gap: not all here
        auto comment = DecodeCommentRecord(value);
        if (!comment.ok()) {
          bad = Status::Corruption("approval " + approval.id + ", comment " +
                                   std::to_string(parts->ordinal) + ": " +
                                   comment.status().message());
          return false;
        }
        comments.push_back(std::move(comment).value());
        return comments.size() < limit;
      });
  if (!scanned.ok()) return scanned;
  if (!bad.ok()) return bad;
  return comments;
}

// The approval's comments from its run's CommentAdded events, up to `limit`.
Result<std::vector<CommentView>> FromEvents(storage::EventLog& log, const ApprovalView& approval,
                                            size_t limit) {
  std::vector<std::string> records;
  if (Status read = log.ReadRun(approval.run_id, &records); !read.ok()) return read;
  std::vector<CommentView> comments;
  for (const std::string& record : records) {
    const fb::Event* event = fb::GetEvent(record.data());  // the log verified it
    const fb::CommentAdded* added = event->body_as_CommentAdded();
    if (added == nullptr || added->approval_id() == nullptr ||
        added->approval_id()->string_view() != approval.id) {
      continue;
    }
    auto text = [](const flatbuffers::String* s) { return s ? s->str() : std::string(); };
    comments.push_back(CommentView{text(added->author()), text(added->text()), event->at_ms()});
    if (comments.size() == limit) break;
  }
  return comments;
}

}  // namespace

CommentSource StoredComments(storage::EventLog& log) {
  return [&log](const ApprovalView& approval,
                CommentsWanted wanted) -> Result<std::vector<CommentView>> {
    size_t limit = wanted.later_too ? SIZE_MAX : wanted.count;
    auto indexed = FromIndex(log, approval, limit);
    // Fewer than counted: the approval's first comments predate the index. Its run's log
    // holds them all (reading it is slower, and needed only for such old approvals).
    if (!indexed.ok() || indexed->size() >= wanted.count) return indexed;
    return FromEvents(log, approval, limit);
  };
}

}  // namespace assent::engine
