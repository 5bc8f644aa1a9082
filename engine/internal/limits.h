// The size limits of EngineOptions, checked where what they bound enters a run. Every refusal
// names the limit (as its EngineOptions field and `assent serve` flag) and the actual size.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/status.h"

namespace assent::engine {

// kTooLarge "<what> is <size> bytes, over the limit of <limit> bytes (<option>, <flag>)" when
// size > limit.
// `option` is the EngineOptions field; the message gives its serve flag as well.
Status CheckSize(std::string_view what, size_t size, size_t limit, std::string_view option);

}  // namespace assent::engine
