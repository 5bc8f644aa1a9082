// Must not compile: the server does not depend on the CLI client (a sibling target).
#include "api/cli/client.h"
