/* step_migrate.c: the 'migrate' step. */
#include "config.h"

#include "step/step.h"

static int
exec_migrate(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'migrate' is not implemented yet");
}

static int
undo_migrate(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_migrate = {
	.name = "migrate",
	.summary = "start Migrations and follow them to the end",
	.flags = STEP_CLUSTER,
	.exec = exec_migrate,
	.undo = undo_migrate,
};
