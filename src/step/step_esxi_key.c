/* step_esxi_key.c: the 'esxi-key' step. */
#include "config.h"

#include "step/step.h"

static int
exec_esxi_key(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'esxi-key' is not implemented yet");
}

static int
undo_esxi_key(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_esxi_key = {
	.name = "esxi-key",
	.summary = "install Forklift's restricted SSH key on the ESXi host",
	.flags = STEP_CLUSTER,
	.exec = exec_esxi_key,
	.undo = undo_esxi_key,
};
