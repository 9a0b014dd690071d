/* step_guest_ready.c: the 'guest-ready' step. */
#include "config.h"

#include "step/step.h"

static int
exec_guest_ready(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "step 'guest-ready' is not implemented yet");
}

static int
undo_guest_ready(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	return 0;
}

const struct step_kind step_guest_ready = {
	.name = "guest-ready",
	.summary = "wait for VMware tools and an IP address",
	.flags = STEP_SOURCE,
	.exec = exec_guest_ready,
	.undo = undo_guest_ready,
};
