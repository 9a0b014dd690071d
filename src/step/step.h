/* step.h: the step-kind records and what steps share. */
#ifndef MTV_STEP_H
#define MTV_STEP_H

#include "exec/exec.h"

extern const struct step_kind step_preflight, step_clone, step_disk,
	step_rdm, step_snapshot, step_power, step_guest_ready, step_secret,
	step_provider, step_esxi_key, step_map, step_plan, step_migrate,
	step_verify;

/* Source-side preflight (source_preflight.c) and cluster-side preflight
 * (cluster_preflight.c); params is the step's "params". */
int preflight_source(struct step_ctx *ctx, json_object *params, struct mtv_err *err);
int preflight_cluster(struct step_ctx *ctx, json_object *params, struct mtv_err *err);

/* Small accessors for params (missing keys give NULL / 0 / false). */
const char *jstr(json_object *o, const char *key);
long long jint(json_object *o, const char *key);
bool jbool(json_object *o, const char *key);
json_object *jget(json_object *o, const char *key);

#endif
