/* step_snapshot.c: the 'snapshot' step. */
#include "config.h"

#include "step/step.h"

static int
exec_snapshot(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'snapshot' is not implemented yet");
}

static int
undo_snapshot(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_snapshot = {
	.name = "snapshot",
	.summary = "take snapshots of a source VM",
	.flags = STEP_SOURCE,
	.exec = exec_snapshot,
	.undo = undo_snapshot,
};
