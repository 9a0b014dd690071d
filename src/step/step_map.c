/* step_map.c: the 'map' step: a StorageMap (copy-offload entries carry
 * offloadPlugin.vsphereXcopyConfig, the non-XCOPY datastore too, so that
 * Forklift exercises its fallback) or a NetworkMap, then a wait for Ready. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"

/* Does every entry (true) or no entry (false) of a StorageMap carry an
 * offload plugin? -1 when mixed or empty. */
MTV_STATIC int
map_offload(json_object *map)
{
	json_object *entries = jget(jget(map, "spec"), "map");
	size_t i, with = 0, n;

	n = entries && json_object_is_type(entries, json_type_array) ?
		json_object_array_length(entries) : 0;
	for (i = 0; i < n; i++)
		if (jget(jget(json_object_array_get_idx(entries, i),
			      "offloadPlugin"),
			 "vsphereXcopyConfig"))
			with++;
	if (n == 0 || (with != 0 && with != n))
		return -1;
	return with == n;
}

static int
exec_map(struct step_ctx *ctx, json_object *step, json_object **undo,
	 struct mtv_err *err)
{
	json_object *params = jget(step, "params"), *res = NULL, *last = NULL,
		    *st;
	struct kube_client *k = NULL;
	const char *kind, *name, *ns;
	int r;

	r = step_kube(ctx, &k, err);
	if (r != 0)
		return r;
	r = cl_apply(ctx, k, jget(params, "manifest"), &res, err);
	if (r != 0)
		return r;
	kind = cl_kind(res) ? cl_kind(res)
			    : jstr(jget(params, "manifest"), "kind");
	name = cl_name(res);
	ns = cl_ns(res);
	*undo = cl_undo_new(kind, ns, name);
	r = cl_wait_step(ctx, k, params, kind, ns, name, 120, &last, err);
	if (r != 0)
		goto out;
	st = json_object_new_object();
	json_object_object_add(st, "kind", json_object_new_string(kind));
	json_object_object_add(st, "namespace", json_object_new_string(ns));
	if (str_eq(kind, "StorageMap")) {
		int off = map_offload(res);

		json_object_object_add(st, "offload", off < 0 ? NULL :
				       json_object_new_boolean(off));
	}
	state_set(ctx, "maps", name, st);
	log_info("%s '%s' is Ready", kind, name);
out:
	json_object_put(last);
	json_object_put(res);
	return r;
}

static int
undo_map(struct step_ctx *ctx, json_object *step, json_object *undo,
	 struct mtv_err *err)
{
	(void)step;
	return cl_undo_delete(ctx, undo, NULL, 60, err);
}

const struct step_kind step_map = {
	.name = "map",
	.summary = "create a StorageMap or NetworkMap and wait for Ready",
	.flags = STEP_CLUSTER,
	.exec = exec_map,
	.undo = undo_map,
};
