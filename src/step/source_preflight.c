/* source_preflight.c: the source side of the preflight step. */
#include "config.h"

#include "step/step.h"

int
preflight_source(struct step_ctx *ctx, json_object *params, struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "source preflight is not implemented yet");
}
