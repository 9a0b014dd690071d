/* step_provider.c: the 'provider' step. */
#include "config.h"

#include "step/step.h"

static int
exec_provider(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'provider' is not implemented yet");
}

static int
undo_provider(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_provider = {
	.name = "provider",
	.summary = "create a Provider and wait for Ready",
	.flags = STEP_CLUSTER,
	.exec = exec_provider,
	.undo = undo_provider,
};
