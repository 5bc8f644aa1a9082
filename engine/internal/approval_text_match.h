// The `text` filter of approval lists (ApprovalQuery::text): whether an approval mentions what a
// reviewer typed into the search box.
//
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "engine/views.h"

namespace assent::engine {

// True when `needle` occurs in the approval's message, its workflow's name, a gate's title, or
// one of its `show` values at any depth (strings as they are, numbers in their shortest decimal form such
// as 7200 or 7200.5, booleans as true or false; keys are not searched). ASCII letters match
// without regard to case; every other byte must match exactly (so "É" does not match "é"). An
// empty needle matches every approval.
bool ApprovalMentions(const ApprovalView& approval, std::string_view needle);

}  // namespace assent::engine
