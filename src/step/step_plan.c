/* step_plan.c: the 'plan' step: a Plan (VM ids filled in from the clones the
 * source steps made), then a wait for Ready, or for the blocking condition
 * the scenario expects. Its undo archives the Plan, deletes it and removes
 * what Forklift made for it (VMs, PVCs, DataVolumes, populator CRs, pods and
 * the per-disk secrets that carry credentials). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"

/* Fill "id" of spec.vms[] entries named after a clone recorded in state. */
static void
add_vm_ids(struct step_ctx *ctx, json_object *plan)
{
	json_object *vms = jget(jget(plan, "spec"), "vms"), *sv = NULL;
	size_t i;

	pthread_mutex_lock(&ctx->lock);
	json_object_object_get_ex(ctx->state, "vms", &sv);
	for (i = 0; sv && vms && i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i);
		const char *name = jstr(vm, "name");

		if (name == NULL || jget(vm, "id"))
			continue;
		json_object_object_foreach(sv, ref, rec) {
			(void)ref;
			if (str_eq(jstr(rec, "name"), name) &&
			    jstr(rec, "moid"))
				json_object_object_add(
				    vm, "id",
				    json_object_new_string(jstr(rec, "moid")));
		}
	}
	pthread_mutex_unlock(&ctx->lock);
}

/* Plan.spec for release r: where its API server prunes spec.type, a warm
 * plan says spec.warm: true (read by every release; cold is the default);
 * where it prunes rdmAsLun, a false one is left out (a true one is refused
 * before: model.c, preflight_release). */
static void
spec_release(json_object *spec, const struct mtv_release *r)
{
	json_object *t = jget(spec, "type"), *rl = jget(spec, "rdmAsLun");

	if (!r->plan_spec_type && t) {
		bool warm = str_eq(json_object_get_string(t), "warm");

		json_object_object_del(spec, "type");
		if (warm)
			jputb(spec, "warm", true);
	}
	if (!r->plan_rdm_as_lun && rl && !json_object_get_boolean(rl))
		json_object_object_del(spec, "rdmAsLun");
}

static int
exec_plan(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	json_object *params = jget(step, "params"), *res = NULL, *last = NULL,
		    *man = NULL, *wait = jget(params, "wait"), *st;
	struct kube_client *k = NULL;
	const char *want = "Ready", *name, *ns, *tns;
	int r, timeout = (int)jint(params, "timeout");

	if (wait && json_object_is_type(wait, json_type_object) &&
	    jstr(wait, "condition"))
		want = jstr(wait, "condition");
	else if (wait && json_object_is_type(wait, json_type_string))
		want = json_object_get_string(wait);
	r = step_kube(ctx, &k, err);
	if (r != 0)
		return r;
	if (jget(params, "manifest") == NULL ||
	    json_object_deep_copy(jget(params, "manifest"), &man, NULL) != 0)
		return err_set(err, MTV_EINTERNAL, "plan step has no manifest");
	add_vm_ids(ctx, man);
	spec_release(jget(man, "spec"), step_release(ctx));
	cl_journal_intent(ctx, step, man);
	r = cl_apply(ctx, k, man, &res, err);
	json_object_put(man);
	if (r != 0)
		return r;
	name = cl_name(res);
	ns = cl_ns(res);
	tns = jstr(jget(res, "spec"), "targetNamespace");
	*undo = cl_undo_new(NULL, ns, name);
	json_object_object_add(*undo, "uid", cl_uid(res) ?
			       json_object_new_string(cl_uid(res)) : NULL);
	json_object_object_add(*undo, "target_namespace",
			       json_object_new_string(tns ? tns : ns));
	step_journal_add(ctx, step, *undo);
	st = json_object_new_object();
	json_object_object_add(st, "uid",
			       cl_uid(res) ? json_object_new_string(cl_uid(res))
					   : NULL);
	json_object_object_add(st, "namespace", json_object_new_string(ns));
	json_object_object_add(st, "target_namespace",
			       json_object_new_string(tns ? tns : ns));
	json_object_object_add(st, "vms",
			       json_object_get(jget(jget(res, "spec"), "vms")));
	r = cl_wait_cond(ctx, k, "Plan", ns, name, want,
			 timeout > 0 ? timeout : 360, &last, err);
	if (r == 0 && strcmp(want, "Ready") != 0) {
		json_object *c = cl_cond(last, want);

		log_info("plan '%s' is blocked as expected: %s: %s", name, want,
			 jstr(c, "message") ? jstr(c, "message") : "");
		json_object_object_add(st, "blocked",
				       json_object_new_string(want));
		json_object_object_add(st, "result",
				       json_object_new_string("blocked"));
	} else if (r == 0) {
		log_info("plan '%s' is Ready", name);
	} else if (r == MTV_EFAILED || r == MTV_ETIMEOUT) {
		struct strbuf sb = STRBUF_INIT;

		if (last && cl_blockers(last, &sb) > 0) {
			/* record what blocked it, for verify and the report */
			json_object_object_add(
			    st, "result", json_object_new_string("blocked"));
			json_object_object_add(
			    st, "blocked_by",
			    json_object_new_string(strbuf_str(&sb)));
		}
		strbuf_release(&sb);
	}
	state_set(ctx, "plans", name, st);
	json_object_put(last);
	json_object_put(res);
	return r;
}

static int
archived_fn(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	(void)arg; (void)err;
	return strcmp(type, "DELETED") == 0 || cl_cond(obj, "Archived") ? 1 : 0;
}

static int
undo_plan(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	struct kube_client *k = NULL;
	const char *name = jstr(undo, "name"), *ns = jstr(undo, "namespace");
	json_object *patch;
	char *path, *coll, *fs;
	struct mtv_err e2 = { 0 };
	int r;

	(void)step;
	if (undo == NULL)
		return 0;
	r = step_kube(ctx, &k, err);
	if (r != 0)
		return r;
	path = kube_path("Plan", ns, name);
	coll = kube_path("Plan", ns, NULL);
	fs = xasprintf("metadata.name=%s", name);
	patch = json_tokener_parse("{\"spec\":{\"archived\":true}}");
	if (kube_patch_merge(k, path, patch, NULL, &e2) == 0) {
		/* archiving lets Forklift clean up; it need not finish */
		if (cl_wait(ctx, k, coll, fs, NULL, 60, archived_fn, NULL,
			    &e2) != 0)
			log_verbose("plan '%s': not archived: %s", name,
				    e2.msg);
	} else if (e2.code != MTV_ENOTFOUND) {
		log_verbose("plan '%s': archive: %s", name, e2.msg);
	}
	json_object_put(patch);
	r = cl_delete(ctx, k, "Plan", ns, name, 120, err);
	if (r == 0 && jstr(undo, "uid")) {
		char *sel = xasprintf("plan=%s", jstr(undo, "uid"));
		struct strbuf done = STRBUF_INIT;

		r = cl_delete_selected(ctx, k, jstr(undo, "target_namespace"),
				       sel, &done, err);
		if (done.len)
			log_verbose("plan '%s': deleted what Forklift made: %s",
				    name, strbuf_str(&done));
		strbuf_release(&done);
		free(sel);
	}
	free(fs);
	free(coll);
	free(path);
	return r;
}

/* Scenario keys passed to the Plan's spec as they are. */
static void
spec_pass(struct mtv_model *m, json_object *spec)
{
	static const struct { const char *key, *field; } pass[] = {
		{ "target_power_state", "targetPowerState" },
		{ "preserve_static_ips", "preserveStaticIPs" },
		{ "pvc_name_template_use_generate_name", "pvcNameTemplateUseGenerateName" },
		{ "target_labels", "targetLabels" },
		{ "target_affinity", "targetAffinity" },
		{ "target_node_selector", "targetNodeSelector" },
		{ "migrate_shared_disks", "migrateSharedDisks" },
		{ "run_preflight_inspection", "runPreflightInspection" },
		{ "xfs_compatibility", "xfsCompatibility" },
		{ "rdm_as_lun", "rdmAsLun" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pass); i++) {
		json_object *v = model_top(m, pass[i].key), *c = NULL;

		if (v && json_object_deep_copy(v, &c, NULL) == 0)
			jput(spec, pass[i].field, c);
	}
}

/* spec.vms of plan p. */
static json_object *
spec_vms(struct mtv_model *m, const struct model_plan *p)
{
	json_object *vms = json_object_new_array(), *e;
	size_t j;

	for (j = 0; j < p->nvms; j++) {
		struct model_vm *v = &m->vms[p->vms[j]];

		e = json_object_new_object();
		jputs(e, "name", v->name);
		if (jstr(v->node, "targetName"))
			jputs(e, "targetName", jstr(v->node, "targetName"));
		if (jget(v->node, "migrate_shared_disks"))
			jputb(e, "migrateSharedDisks",
			      jbool(v->node, "migrate_shared_disks"));
		json_object_array_add(vms, e);
	}
	return vms;
}

/* The Plan at->plan, waited for until Ready or, when the scenario expects
 * it blocked, its condition. */
static void
plan_plan(struct mtv_model *m, const struct step_at *at)
{
	const struct model_plan *p = &m->plans[at->plan];
	json_object *ex = jget(m->root, "expect"), *spec = json_object_new_object(),
		    *maps = json_object_new_object(), *pa = json_object_new_object(),
		    *wait, *pvc = model_top(m, "pvc_name_template");
	struct model_step st = { .plan = at->plan, .object = p->name, .params = pa };
	char *sm = xasprintf("%s-storage", p->name),
	     *nm = xasprintf("%s-network", p->name),
	     *undo = xasprintf("archive and delete Plan %s", p->name);

	jput(spec, "provider", model_providers_ref(m));
	jput(maps, "network", model_ref(nm, m->ns));
	jput(maps, "storage", model_ref(sm, m->ns));
	jput(spec, "map", maps);
	jputs(spec, "targetNamespace", m->target_ns);
	jputs(spec, "type", p->warm ? "warm" : "cold");
	if (pvc)
		jputs(spec, "pvcNameTemplate", json_object_get_string(pvc));
	else if (p->copyoffload)
		jputs(spec, "pvcNameTemplate", "pvc");
	spec_pass(m, spec);
	jput(spec, "vms", spec_vms(m, p));
	spec_release(spec, m->rel);
	jput(pa, "manifest", model_forklift(m, "Plan", p->name, spec));
	if (str_eq(jstr(ex, "result"), "blocked")) {
		wait = json_object_new_object();
		jputs(wait, "condition", jstr(ex, "condition"));
		jput(pa, "wait", wait);
	} else {
		jputs(pa, "wait", "Ready");
	}
	jputi(pa, "timeout", 360);
	st.undo = undo;
	step_plan_add(m, at->kind, &st, "create Plan %s (%s, %s, %zu VM%s)",
		      p->name, p->warm ? "warm" : "cold",
		      p->copyoffload ? "copy-offload" : "VDDK", p->nvms,
		      p->nvms == 1 ? "" : "s");
	free(undo);
	free(sm);
	free(nm);
}

static const struct step_param plan_params[] = {
	{ "manifest", PT_OBJECT, true, "the Plan" },
	{ "wait", PT_ANY, true, "\"Ready\" or {\"condition\": NAME}" },
	{ "timeout", PT_INT, true, "seconds to wait" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_plan = {
	.name = "plan",
	.summary = "create a Plan and wait for Ready or the expected condition",
	.flags = STEP_CLUSTER,
	.params = plan_params,
	.plan = plan_plan,
	.exec = exec_plan,
	.undo = undo_plan,
};
