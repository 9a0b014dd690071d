/* step_verify.c: the 'verify' step. */
#include "config.h"

#include "step/step.h"

static int
exec_verify(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'verify' is not implemented yet");
}

static int
undo_verify(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_verify = {
	.name = "verify",
	.summary = "check the results against the scenario's expectations",
	.flags = STEP_CLUSTER,
	.exec = exec_verify,
	.undo = undo_verify,
};
