// A CommentSource for decoding approval records and snapshots without a log (codec tests, fuzz
// targets): it serves the comments of the approvals it was shown, as the approval-comments
// index would, and makes up the comments of one it was not ("comment <i>" by "fuzz"), so a
// record from arbitrary bytes that counts comments still decodes.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/internal/approval_record.h"
#include "engine/internal/run_state.h"

namespace assent::engine {

class KeptComments {
 public:
  void Keep(const ApprovalView& approval) { kept_[approval.id] = approval.comments; }
  // Whether `state` names one approval id twice: the engine never writes such a run (ids are
  // run id + seq), fuzzed bytes can, and comments kept by id could not then be told apart.
  static bool RepeatsAnApprovalId(const RunState& state) {
    std::set<std::string_view> ids;
    for (const ApprovalView& approval : state.approvals) {
      if (!ids.insert(approval.id).second) return true;
    }
    return false;
  }
  void Keep(const RunState& state) {
    for (const ApprovalView& approval : state.approvals) Keep(approval);
  }

  // Valid while this object lives.
  CommentSource Source() {
    return [this](const ApprovalView& approval,
                  CommentsWanted wanted) -> Result<std::vector<CommentView>> {
      auto kept = kept_.find(approval.id);
      if (kept == kept_.end()) {
        // A real store finds only the comments it holds; a fuzzed count can be billions.
        constexpr size_t kMostMadeUp = 10'000;
        if (wanted.count > kMostMadeUp) {
          return Status::Corruption("more comments counted than any store holds");
        }
        std::vector<CommentView> made_up;
        for (size_t i = 0; i < wanted.count; ++i) {
          made_up.push_back({"fuzz", "comment " + std::to_string(i), static_cast<int64_t>(i)});
        }
        return made_up;
      }
      std::vector<CommentView> comments = kept->second;
      if (!wanted.later_too && comments.size() > wanted.count) comments.resize(wanted.count);
      return comments;
    };
  }

 private:
  std::map<std::string, std::vector<CommentView>> kept_;
};

}  // namespace assent::engine
