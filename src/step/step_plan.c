/* step_plan.c: the 'plan' step. */
#include "config.h"

#include "step/step.h"

static int
exec_plan(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'plan' is not implemented yet");
}

static int
undo_plan(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_plan = {
	.name = "plan",
	.summary = "create a Plan and wait for Ready or the expected condition",
	.flags = STEP_CLUSTER,
	.exec = exec_plan,
	.undo = undo_plan,
};
