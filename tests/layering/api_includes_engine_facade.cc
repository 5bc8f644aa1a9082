// The control: code in api/ includes the engine facade, which it may. Must compile.
#include "engine/engine.h"
