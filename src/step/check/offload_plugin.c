/* offload_plugin: every entry of the plan's StorageMap has an offload
 * plugin (value true, the default for copy-offload plans) or none
 * (false). */
#include "config.h"

#include <stdlib.h>

#include "step/check/check.h"

static void
listed_offload(struct check_build *b, json_object *e, size_t at)
{
	json_object *val = jget(e, "value");
	int plan, vm;
	size_t i;

	if (!check_select(b, e, at, &plan, &vm))
		return;
	if (val && !json_object_is_type(val, json_type_boolean)) {
		check_diag(b, val, "expect.checks[%zu].value: offload_plugin "
			   "takes true or false", at);
		return;
	}
	for (i = 0; i < b->m->nplans; i++) {
		const struct check_plan *p = &b->m->plans[i];
		json_object *c;

		if (plan >= 0 && (size_t)plan != i)
			continue;
		c = check_entry(b, "offload_plugin");
		jputs(c, "map", p->storage_map);
		jputb(c, "expect", val ? jbool(e, "value") : p->copyoffload);
	}
}

static void
run_offload(struct check_run *r, json_object *c)
{
	const char *map = jstr(c, "map");
	json_object *st = state_get(r->ctx, "maps", map ? map : ""),
		    *obj = NULL, *ent;
	bool want = jbool(c, "expect");
	struct mtv_err e = { 0 };
	char *path = kube_path("StorageMap", jstr(st, "namespace") ?
			       jstr(st, "namespace") : r->ctx->ns, map);
	size_t i, n, with = 0;

	if (kube_get(r->k, path, &obj, &e) != 0) {
		check_fail(r, "storagemap '%s': %s", map, e.msg);
		free(path);
		return;
	}
	ent = jget(jget(obj, "spec"), "map");
	n = jlen(ent);
	for (i = 0; i < n; i++)
		if (jget(jget(json_object_array_get_idx(ent, i),
			      "offloadPlugin"), "vsphereXcopyConfig"))
			with++;
	if (want ? (n == 0 || with != n) : with != 0)
		check_fail(r, "storagemap '%s': %zu of %zu entries carry an "
			   "offload plugin, expected %s", map, with, n,
			   want ? "all" : "none");
	else
		check_pass(r, "storagemap '%s': %s entry carries an offload "
			   "plugin", map, want ? "every" : "no");
	json_object_put(obj);
	free(path);
}

const struct check_kind check_offload_plugin = {
	.name = "offload_plugin",
	.summary = "the plan's StorageMap has (value true) or lacks (false) "
		   "an offload plugin",
	.listed = listed_offload,
	.run = run_offload,
};
