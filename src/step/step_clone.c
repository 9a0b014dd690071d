/* step_clone.c: the 'clone' step. */
#include "config.h"

#include "step/step.h"

static int
exec_clone(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'clone' is not implemented yet");
}

static int
undo_clone(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_clone = {
	.name = "clone",
	.summary = "clone the template into a run-owned VM",
	.flags = STEP_SOURCE,
	.exec = exec_clone,
	.undo = undo_clone,
};
