// Turns a log record into the EventView the api shows: {"seq", "at", "type", ...fields}.
#pragma once

#include "engine/views.h"

namespace assent::fb {
struct Event;
}

namespace assent::engine {

EventView ToEventView(const fb::Event& event);

}  // namespace assent::engine
