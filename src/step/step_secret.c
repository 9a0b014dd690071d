/* step_secret.c: the 'secret' step. */
#include "config.h"

#include "step/step.h"

static int
exec_secret(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'secret' is not implemented yet");
}

static int
undo_secret(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_secret = {
	.name = "secret",
	.summary = "create a Secret (storage or provider credentials)",
	.flags = STEP_CLUSTER,
	.exec = exec_secret,
	.undo = undo_secret,
};
