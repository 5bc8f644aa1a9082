// Checks of a definition's steps as a whole, beyond what each step says on its own: how the run
// can move between them (along `next`, the following step, `then`/`else`, `on_reject` and
// `on_error`) and what its templates may refer to.
//
// - every step can run: some path from the first step leads to it;
// - every loop can be left: from every step some path leads to "end" (a run that fails, as on
//   a rejection without `on_reject`, does not count), so a feedback loop such as
//   draft -> review -(on_reject)-> draft is fine while a -> b -> a is not;
// - a template's `steps.<id>` (approval `message`/`show`, http `url`/`body`/`headers`) names a
//   step that can have completed before the step renders it: one from which some path leads
//   back to it. A step that only some paths run is allowed: when it did not run, the
//   placeholder fails the step as any unknown path does. Lua is not read.
//
// Part of CheckNewDefinition: definitions stored before these checks existed still load.
// Pure functions; thread-safe.
#pragma once

#include "base/status.h"
#include "engine/internal/definition.h"

namespace assent::engine {

// The first problem found, as kInvalidArgument naming the step and the field:
// "step 'x' can never run: ...", "step 'b': 'next' goes back to 'a', ...",
// "step 'r': 'message' refers to steps.pay, which ...".
Status CheckStepFlow(const WorkflowDefinition& definition);

}  // namespace assent::engine
