// The comments an approval record counts but does not hold (approval_record.h), read back from
// the log: from the approval-comments index, one entry per comment, or, for an approval that
// got comments before that index existed (its first ones have no entry), from the run's
// CommentAdded events, which are the truth either way.
//
// Thread safety: as the log's.
#pragma once

#include "engine/internal/approval_record.h"
#include "storage/event_log.h"

namespace assent::engine {

// A CommentSource over `log`, which must outlive it.
CommentSource StoredComments(storage::EventLog& log);

}  // namespace assent::engine
