/* step_map.c: the 'map' step. */
#include "config.h"

#include "step/step.h"

static int
exec_map(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'map' is not implemented yet");
}

static int
undo_map(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_map = {
	.name = "map",
	.summary = "create a StorageMap or NetworkMap and wait for Ready",
	.flags = STEP_CLUSTER,
	.exec = exec_map,
	.undo = undo_map,
};
