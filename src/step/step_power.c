/* step_power.c: the 'power' step. */
#include "config.h"

#include "step/step.h"

static int
exec_power(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'power' is not implemented yet");
}

static int
undo_power(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_power = {
	.name = "power",
	.summary = "power a source VM on or off",
	.flags = STEP_SOURCE,
	.exec = exec_power,
	.undo = undo_power,
};
