/* step_preflight.c: the 'preflight' steps, one per side: every problem of
 * that side is reported before anything is created. */
#include "config.h"

#include <string.h>

#include "step/step.h"

/* Add datastore d to dss unless its MoID is there. */
static void
ds_add(json_object *dss, const struct model_ds *d)
{
	json_object *e;
	size_t k;

	for (k = 0; k < jlen(dss); k++)
		if (str_eq(jstr(json_object_array_get_idx(dss, k), "moid"),
			   d->moid))
			return;
	e = json_object_new_object();
	jputs(e, "key", d->key);
	jputs(e, "moid", d->moid);
	jput(e, "xcopy", d->xcopy < 0 ? NULL :
	     json_object_new_boolean(d->xcopy));
	json_object_array_add(dss, e);
}

/* A scenario expecting a failure (result failed or blocked): {condition,
 * message} of its expect, for the findings they name; nothing otherwise. */
static void
expected_failure(struct mtv_model *m, json_object *pa)
{
	json_object *ex = jget(m->root, "expect"), *ef;

	if (!str_eq(jstr(ex, "result"), "failed") &&
	    !str_eq(jstr(ex, "result"), "blocked"))
		return;
	ef = json_object_new_object();
	jputs(ef, "condition", jstr(ex, "condition"));
	jputs(ef, "message", jstr(ex, "message"));
	jput(pa, "expected_failure", ef);
}

/* Templates, datastores, hosts, the RDM LUN and thick GiB per datastore. */
static void
plan_source(struct mtv_model *m, const struct step_at *at)
{
	json_object *pa = json_object_new_object(),
		    *tm = json_object_new_array(),
		    *dss = json_object_new_array(),
		    *hosts = json_object_new_array(),
		    *thick = json_object_new_object();
	struct model_step st = { .plan = -1, .object = "vcenter",
				 .params = pa };
	const char *lun = NULL, *h;
	size_t i, j;

	(void)at;
	for (i = 0; i < m->nvms; i++) {
		struct model_vm *v = &m->vms[i];

		if (v->tmpl && !jarr_has(tm, v->tmpl))
			jarr_adds(tm, v->tmpl);
		for (j = 0; j <= v->ndisks; j++) {
			const struct model_disk *d =
				j ? &v->disks[j - 1] : NULL;
			const struct model_ds *ds = d ? &d->ds : &v->ds;

			if (ds->moid == NULL)
				continue;
			ds_add(dss, ds);
			if (d && d->rdm)
				lun = profile_co(m->p, "rdm_lun_uuid");
			if (d && !d->rdm && d->provision &&
			    str_startswith(d->provision, "thick"))
				jputi(thick, ds->moid, jint(thick, ds->moid) +
				      d->size_gb);
		}
		h = jstr(v->node, "target_esxi_host");
		if (h && !jarr_has(hosts, h))
			jarr_adds(hosts, h);
	}
	h = profile_co(m->p, "esxi_host");
	if (h && !jarr_has(hosts, h))
		jarr_adds(hosts, h);
	jput(pa, "templates", tm);
	jput(pa, "datastores", dss);
	jputb(pa, "copyoffload", m->any_co);
	jput(pa, "hosts", hosts);
	jputs(pa, "rdm_lun_uuid", lun);
	jput(pa, "thick_gb", thick);
	expected_failure(m, pa);
	step_plan_add(m, at->kind, &st,
		      "check vCenter: templates, datastores%s",
		      lun ? ", RDM LUN" : "");
}

static void
plan_cluster(struct mtv_model *m, const struct step_at *at)
{
	json_object *pc = json_object_new_object();
	struct model_step st = { .plan = -1, .object = "cluster",
				 .params = pc };

	(void)at;
	jputs(pc, "storage_class", m->sc);
	jputs(pc, "namespace", m->ns);
	jputs(pc, "mtv_namespace", model_mtv_namespace(m));
	jputb(pc, "copyoffload", m->any_co);
	jputb(pc, "warm", m->any_warm);
	expected_failure(m, pc);
	step_plan_add(m, at->kind, &st, "check the cluster: Forklift, "
		      "storage class '%s', namespace '%s'", m->sc, m->ns);
}

static int
exec_source(struct step_ctx *ctx, json_object *step, json_object **undo,
	    struct mtv_err *err)
{
	(void)undo;
	return preflight_source(ctx, jget(step, "params"), err);
}

static int
exec_cluster(struct step_ctx *ctx, json_object *step, json_object **undo,
	     struct mtv_err *err)
{
	(void)undo;
	return preflight_cluster(ctx, jget(step, "params"), err);
}

static const struct step_param source_params[] = {
	{ "templates", PT_ARRAY, true, "templates the clones come from" },
	{ "datastores", PT_ARRAY, true, "{key, moid, xcopy} of every datastore used" },
	{ "copyoffload", PT_BOOL, true, "a plan uses copy-offload" },
	{ "hosts", PT_ARRAY, true, "ESXi hosts named by the scenario or profile" },
	{ "rdm_lun_uuid", PT_STRING | PT_NULL, true, "the LUN RDM disks map" },
	{ "thick_gb", PT_OBJECT, true, "GiB of thick disks per datastore MoID" },
	{ "expected_failure", PT_OBJECT, false, "{condition, message} of a "
	  "scenario expecting a failure: the findings they name are expected" },
	{ NULL, 0, false, NULL },
};

static const struct step_param cluster_params[] = {
	{ "storage_class", PT_STRING, true, "storage class of the target PVCs" },
	{ "namespace", PT_STRING, true, "the run's namespace" },
	{ "mtv_namespace", PT_STRING, true, "where Forklift runs" },
	{ "copyoffload", PT_BOOL, true, "a plan uses copy-offload" },
	{ "warm", PT_BOOL, true, "a plan is warm" },
	{ "expected_failure", PT_OBJECT, false, "{condition, message} of a "
	  "scenario expecting a failure: the findings they name are expected" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_preflight_source = {
	.name = "preflight",
	.summary = "check that vCenter has everything the scenario needs, before creating anything",
	.flags = STEP_SOURCE,
	.params = source_params,
	.plan = plan_source,
	.exec = exec_source,
	.undo = NULL,
};

const struct step_kind step_preflight_cluster = {
	.name = "preflight",
	.summary = "check that the cluster has everything the scenario needs, before creating anything",
	.flags = STEP_CLUSTER,
	.params = cluster_params,
	.plan = plan_cluster,
	.exec = exec_cluster,
	.undo = NULL,
};
