// Must not compile: the CLI client speaks HTTP; it links nothing of the engine.
#include "engine/engine.h"
