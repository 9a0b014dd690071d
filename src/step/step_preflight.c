/* step_preflight.c: the 'preflight' step: every problem of one side is
 * reported before anything is created. */
#include "config.h"

#include <string.h>

#include "step/step.h"
#include "step/step.h"

static int
exec_preflight(struct step_ctx *ctx, json_object *step, json_object **undo,
	       struct mtv_err *err)
{
	json_object *side = NULL, *params = NULL;

	json_object_object_get_ex(step, "side", &side);
	json_object_object_get_ex(step, "params", &params);
	if (side && strcmp(json_object_get_string(side), "cluster") == 0)
		return preflight_cluster(ctx, params, err);
	return preflight_source(ctx, params, err);
}

const struct step_kind step_preflight = {
	.name = "preflight",
	.summary = "check that everything the scenario needs exists, before creating anything",
	.flags = STEP_SOURCE | STEP_CLUSTER,
	.exec = exec_preflight,
	.undo = NULL,
};
