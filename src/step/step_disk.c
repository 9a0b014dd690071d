/* step_disk.c: the 'disk' step. */
#include "config.h"

#include "step/step.h"

static int
exec_disk(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'disk' is not implemented yet");
}

static int
undo_disk(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_disk = {
	.name = "disk",
	.summary = "add disks (one reconfigure per VM) or switch disk modes",
	.flags = STEP_SOURCE,
	.exec = exec_disk,
	.undo = undo_disk,
};
