// Must not compile: the server reaches storage only through the engine facade.
#include "storage/event_log.h"
