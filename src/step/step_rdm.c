/* step_rdm.c: the 'rdm' step. */
#include "config.h"

#include "step/step.h"

static int
exec_rdm(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'rdm' is not implemented yet");
}

static int
undo_rdm(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_rdm = {
	.name = "rdm",
	.summary = "add a raw device mapping from the profile's LUN",
	.flags = STEP_SOURCE,
	.exec = exec_rdm,
	.undo = undo_rdm,
};
