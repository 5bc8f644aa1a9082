// Must not compile: engine internals are not the api's to see.
#include "engine/internal/run_state.h"
