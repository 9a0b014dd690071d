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
	cl_journal_intent(ctx, step, jget(params, "manifest"));
	r = cl_apply(ctx, k, jget(params, "manifest"), &res, err);
	if (r != 0) {
		*undo = cl_undo_unknown(ctx, jget(params, "manifest"), r);
		return r;
	}
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

/* StorageMap entries: one per datastore plan p's disks use. */
static json_object *
storage_entries(struct mtv_model *m, const struct model_plan *p, size_t *n)
{
	json_object *map = json_object_new_array(), *e, *src, *dst, *op, *xc;
	struct model_ds dss[64];
	size_t j;

	*n = model_plan_datastores(m, p, dss, ARRAY_SIZE(dss));
	for (j = 0; j < *n; j++) {
		e = json_object_new_object();
		src = json_object_new_object();
		dst = json_object_new_object();
		jputs(src, str_startswith(dss[j].moid, "datastore-") ? "id" : "name",
		      dss[j].moid);
		jput(e, "source", src);
		jputs(dst, "storageClass", m->sc);
		if (p->copyoffload)
			jputs(dst, "volumeMode", "Block");
		jput(e, "destination", dst);
		if (p->copyoffload) {
			op = json_object_new_object();
			xc = json_object_new_object();
			jputs(xc, "secretRef", m->storage_secret);
			jputs(xc, "storageVendorProduct", m->vendor);
			jput(op, "vsphereXcopyConfig", xc);
			jput(e, "offloadPlugin", op);
		}
		json_object_array_add(map, e);
	}
	return map;
}

/* The NetworkMap's one entry: the profile's network to the pod network. */
static json_object *
network_entries(struct mtv_model *m)
{
	json_object *map = json_object_new_array(), *e = json_object_new_object(),
		    *src = json_object_new_object(), *dst = json_object_new_object();
	const char *net = profile_str(m->p, "network_name");

	jputs(src, "name", net ? net : "VM Network");
	jput(e, "source", src);
	jputs(dst, "type", "pod");
	jput(e, "destination", dst);
	json_object_array_add(map, e);
	return map;
}

/* role "storage": plan at->plan's StorageMap; role "network": its
 * NetworkMap. */
static void
plan_map(struct mtv_model *m, const struct step_at *at)
{
	const struct model_plan *p = &m->plans[at->plan];
	bool storage = str_eq(at->role, "storage");
	const char *kind = storage ? "StorageMap" : "NetworkMap";
	json_object *spec = json_object_new_object(), *pa = json_object_new_object();
	char *name = xasprintf("%s-%s", p->name, at->role),
	     *undo = xasprintf("delete %s %s", kind, name);
	struct model_step st = { .plan = at->plan, .object = name, .undo = undo,
				 .params = pa };
	size_t n = 0;

	jput(spec, "provider", model_providers_ref(m));
	jput(spec, "map", storage ? storage_entries(m, p, &n) : network_entries(m));
	jput(pa, "manifest", model_forklift(m, kind, name, spec));
	jputs(pa, "wait", "Ready");
	jputi(pa, "timeout", 120);
	if (storage)
		step_plan_add(m, at->kind, &st, "create StorageMap %s (%zu "
			      "datastore%s%s)", name, n, n == 1 ? "" : "s",
			      p->copyoffload ? ", copy-offload" : "");
	else
		step_plan_add(m, at->kind, &st, "create NetworkMap %s", name);
	free(name);
	free(undo);
}

static const struct step_param map_params[] = {
	{ "manifest", PT_OBJECT, true, "the StorageMap or NetworkMap" },
	{ "wait", PT_STRING, true, "condition to wait for" },
	{ "timeout", PT_INT, true, "seconds to wait" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_map = {
	.name = "map",
	.summary = "create a StorageMap or NetworkMap and wait for Ready",
	.flags = STEP_CLUSTER,
	.params = map_params,
	.plan = plan_map,
	.exec = exec_map,
	.undo = undo_map,
};
