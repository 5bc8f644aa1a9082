// Must not compile: the engine sees storage through EventLog only.
#include "storage/internal/keys.h"
