/* cluster_preflight.c: the cluster side of the preflight step. */
#include "config.h"

#include "step/step.h"

int
preflight_cluster(struct step_ctx *ctx, json_object *params, struct mtv_err *err)
{
	return err_set(err, MTV_EINTERNAL, "cluster preflight is not implemented yet");
}
