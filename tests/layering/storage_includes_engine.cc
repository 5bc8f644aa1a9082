// Must not compile: storage sits below the engine.
#include "engine/engine.h"
