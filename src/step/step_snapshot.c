/* step_snapshot.c: the 'snapshot' step: N snapshots without memory or
 * quiescing, recorded in state.vms[vm_ref].snapshots; undone by removing
 * every snapshot. */
#include "config.h"

#include <stdlib.h>

#include "step/step.h"
#include "step/vs_step.h"

static int
exec_snapshot(struct step_ctx *ctx, json_object *step, json_object **undo,
	      struct mtv_err *err)
{
	json_object *params = jget(step, "params"),
		    *names = jget(params, "names"), *st;
	const char *vmname = jstr(params, "vm");
	struct vs_client *vs = NULL;
	char *vm = NULL;
	long long i, n = jint(params, "count");
	int r;

	r = step_vsphere(ctx, &vs, err);
	if (r == 0)
		r = vstep_vm(ctx, vs, params, &vm, err);
	if (r != 0)
		goto out;
	*undo = json_object_new_object();
	json_object_object_add(*undo, "vm", json_object_new_string(vm));
	for (i = 0; i < n; i++) {
		struct strbuf a = STRBUF_INIT;
		json_object *nm =
			names ? json_object_array_get_idx(names, (size_t)i)
			      : NULL;
		char *def = xasprintf("%s-snap-%lld",
				      ctx->run_id ? ctx->run_id : "mtv", i + 1);

		strbuf_adds(&a, "<name>");
		strbuf_add_xml(&a, nm ? json_object_get_string(nm) : def);
		strbuf_adds(&a, "</name><description>mtv-scenario</description>"
			    "<memory>false</memory><quiesce>false</quiesce>");
		r = vs_invoke(vs, "CreateSnapshot_Task", "VirtualMachine", vm,
			      a.buf, vmname, step_time_left(ctx), NULL, err);
		strbuf_release(&a);
		free(def);
		if (r != 0)
			goto out;
	}
	st = jstr(params, "vm_ref")
		     ? state_get(ctx, "vms", jstr(params, "vm_ref"))
		     : NULL;
	if (st) {
		pthread_mutex_lock(&ctx->lock);
		json_object_object_add(st, "snapshots",
				       json_object_new_int64(n));
		pthread_mutex_unlock(&ctx->lock);
	}
	log_verbose("%lld snapshots of '%s'", n, vmname);
out:
	free(vm);
	return r;
}

static int
undo_snapshot(struct step_ctx *ctx, json_object *step, json_object *undo,
	      struct mtv_err *err)
{
	static const char *const paths[] = { "snapshot", NULL };
	struct vs_client *vs = NULL;
	json_object *p = NULL;
	const char *vm = jstr(undo, "vm");
	int r;

	if (vm == NULL)
		return 0;
	r = step_vsphere(ctx, &vs, err);
	if (r == 0)
		r = vs_props(vs, "VirtualMachine", vm, paths, &p, err);
	if (r == MTV_ENOTFOUND)
		return 0;
	if (r == 0 && jget(p, "snapshot"))
		r = vs_invoke(vs, "RemoveAllSnapshots_Task", "VirtualMachine",
			      vm, "<consolidate>true</consolidate>",
			      jstr(jget(step, "params"), "vm"),
			      step_time_left(ctx), NULL, err);
	json_object_put(p);
	return r == MTV_ENOTFOUND ? 0 : r;
}

/* The snapshots of VM at->vm, named <run id>-snap-<i>. */
static void
plan_snapshot(struct mtv_model *m, const struct step_at *at)
{
	struct model_vm *v = &m->vms[at->vm];
	struct model_step st = { .plan = v->plan, .undo = STEP_UNDO_VM };
	json_object *pa, *names;
	char *obj;
	int k;

	if (v->snapshots <= 0)
		return;
	names = json_object_new_array();
	for (k = 1; k <= v->snapshots; k++) {
		char *sn = xasprintf("%s-snap-%d", m->run_id, k);

		jarr_adds(names, sn);
		free(sn);
	}
	pa = json_object_new_object();
	jputs(pa, "vm_ref", v->ref);
	jputs(pa, "vm", v->name);
	jputi(pa, "count", v->snapshots);
	jput(pa, "names", names);
	obj = xasprintf("vm/%s", v->name);
	st.object = obj;
	st.params = pa;
	step_plan_add(m, at->kind, &st, "take %d snapshot%s of %s",
		      v->snapshots, v->snapshots == 1 ? "" : "s", v->name);
	free(obj);
}

static const struct step_param snapshot_params[] = {
	{ "vm_ref", PT_STRING, true, "logical VM key" },
	{ "vm", PT_STRING, true, "clone name" },
	{ "count", PT_INT, true, "how many snapshots" },
	{ "names", PT_ARRAY, true, "their names" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_snapshot = {
	.name = "snapshot",
	.summary = "take snapshots of a VM (no memory, no quiescing)",
	.flags = STEP_SOURCE | STEP_UNDO_WITH_VM,
	.params = snapshot_params,
	.plan = plan_snapshot,
	.exec = exec_snapshot,
	.undo = undo_snapshot,
};
