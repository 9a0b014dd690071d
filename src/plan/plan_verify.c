/* plan_verify.c: the verify step's checks and the plan's "expect" (see
 * doc/plan-format.md, "Verify checks"). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "step/step.h"
#include "scenario/names.h"

static void
xcopy_add(json_object *xl, json_object *checks, const struct model_plan *p, const struct model_ds *d,
	  int value)
{
	json_object *e = json_object_new_object(), *c = json_object_new_object();

	jputs(e, "plan", p->name);
	jputs(e, "datastore", d ? d->moid : NULL);
	jputs(e, "key", d ? d->key : NULL);
	jputi(e, "value", value);
	json_object_array_add(xl, e);
	jputs(c, "check", "xcopy_used");
	jputs(c, "plan", p->name);
	jputs(c, "datastore", d ? d->moid : NULL);
	jputi(c, "expect", value);
	json_object_array_add(checks, c);
}

/* expect.xcopy_used: per plan, or per datastore where they differ. */
static void
expect_xcopy(struct mtv_model *x, json_object *xl, json_object *checks)
{
	json_object *xu = jget(jget(x->root, "expect"), "xcopy_used");
	struct model_ds dss[64];
	size_t i, j, n;

	if (xu && json_object_is_type(xu, json_type_object)) {
		json_object_object_foreach(xu, k, v) {
			int pi = model_plan_index(x, k), val = json_object_get_int(v);
			bool hit = false;

			if (pi >= 0) {
				xcopy_add(xl, checks, &x->plans[pi], NULL, val);
				continue;
			}
			for (i = 0; i < x->nplans; i++) {
				if (!x->plans[i].copyoffload)
					continue;
				n = model_plan_datastores(x, &x->plans[i], dss, ARRAY_SIZE(dss));
				for (j = 0; j < n; j++)
					if (str_eq(dss[j].key, k)) {
						xcopy_add(xl, checks, &x->plans[i], &dss[j], val);
						hit = true;
					}
			}
			if (!hit) {
				int line = 0, col = 0;

				doc_key_loc(x->s->doc, xu, k, &line, &col);
				diags_add(x->d, x->s->path, line, col,
					  "expect.xcopy_used: '%s' is neither a plan of the scenario nor "
					  "a datastore key a copy-offload plan uses", k);
			}
		}
		return;
	}
	for (i = 0; i < x->nplans; i++) {
		struct model_plan *p = &x->plans[i];
		int first = -1;
		bool same = true;
		int vals[64];

		if (!p->copyoffload)
			continue;
		if (xu) {
			xcopy_add(xl, checks, p, NULL, json_object_get_int(xu));
			continue;
		}
		n = model_plan_datastores(x, p, dss, ARRAY_SIZE(dss));
		for (j = 0; j < n; j++) {
			vals[j] = dss[j].xcopy != 0 && !model_plan_ds_snapshots(x, p, dss[j].moid);
			if (first < 0)
				first = vals[j];
			else if (vals[j] != first)
				same = false;
		}
		if (same) {
			xcopy_add(xl, checks, p, NULL, first < 0 ? 1 : first);
			continue;
		}
		for (j = 0; j < n; j++)
			xcopy_add(xl, checks, p, &dss[j], vals[j]);
	}
}

/* rdm_lun_bus: per VM with RDM disks (of the check's plan, or all). */
static void
check_rdm_lun_bus(struct mtv_model *x, json_object *e, size_t at, json_object *checks)
{
	const char *pk = jstr(e, "plan");
	bool lun = model_top(x, "rdm_as_lun") &&
		   json_object_get_boolean(model_top(x, "rdm_as_lun"));
	size_t i, j, d, n = 0;
	json_object *c;

	if (pk && model_plan_index(x, pk) < 0) {
		model_diag(x, jget(e, "plan"), "expect.checks[%zu].plan: no plan '%s' "
			"in the scenario", at, pk);
		return;
	}
	for (i = 0; i < x->nplans; i++) {
		struct model_plan *p = &x->plans[i];

		if (pk && (int)i != model_plan_index(x, pk))
			continue;
		for (j = 0; j < p->nvms; j++) {
			struct model_vm *v = &x->vms[p->vms[j]];
			int nrdm = 0;
			char *t;

			for (d = 0; d < v->ndisks; d++)
				nrdm += v->disks[d].rdm != NULL;
			if (nrdm == 0)
				continue;
			t = jstr(v->node, "targetName") ?
				xstrdup(jstr(v->node, "targetName")) :
				name_target_vm(v->name);
			c = json_object_new_object();
			jputs(c, "check", "rdm_lun_bus");
			jputs(c, "plan", p->name);
			jputs(c, "vm_ref", v->ref);
			jputs(c, "source", v->name);
			jputs(c, "target", t);
			jputs(c, "namespace", x->target_ns);
			jputi(c, "rdm_disks", nrdm);
			jputb(c, "as_lun", lun);
			json_object_array_add(checks, c);
			free(t);
			n++;
		}
	}
	if (n == 0)
		model_diag(x, jget(e, "check"), "expect.checks[%zu]: rdm_lun_bus, "
			"but no VM%s has an RDM disk (add_disks[].rdm_type)", at,
			pk ? " of the plan" : "");
}

/* data_integrity: the VMs with snapshots (else every VM); verify reports
 * it as not checked (it needs guest access). */
static void
check_data_integrity(struct mtv_model *x, json_object *checks)
{
	json_object *c = json_object_new_object(), *vms = json_object_new_array();
	size_t i, snap = 0;

	for (i = 0; i < x->nvms; i++)
		snap += x->vms[i].snapshots > 0;
	for (i = 0; i < x->nvms; i++)
		if (snap == 0 || x->vms[i].snapshots > 0)
			jarr_adds(vms, x->vms[i].name);
	jputs(c, "check", "data_integrity");
	jput(c, "vms", vms);
	jputb(c, "implemented", false);
	json_object_array_add(checks, c);
}

/* populator_throttling: the limits the migrate step set, and the evidence
 * verify must find. min_throttled_pvcs defaults to the populate pods over
 * the limit: per VM when VMs are throttled too (they run one after the
 * other), else over all disks. */
static void
check_throttling(struct mtv_model *x, json_object *pt, json_object *checks)
{
	json_object *c = json_object_new_object(), *pl = json_object_new_array(),
		    *refs = json_object_new_array();
	int lim = jint(pt, "max_populator_inflight"), total = 0, over = 0;
	size_t i;

	for (i = 0; i < x->nplans; i++)
		jarr_adds(pl, x->plans[i].name);
	for (i = 0; i < x->nvms; i++) {
		int n = 1 + (int)x->vms[i].ndisks; /* the template's disk */

		jarr_adds(refs, x->vms[i].ref);
		total += n;
		if (lim > 0 && n > lim)
			over += n - lim;
	}
	jputs(c, "check", "populator_throttling");
	jput(c, "plans", pl);
	jput(c, "vm_refs", refs);
	jputs(c, "namespace", x->target_ns);
	jputi(c, "disks", total);
	jput(c, "max_populator_inflight", lim > 0 ? json_object_new_int(lim) : NULL);
	jput(c, "max_vm_inflight", jget(pt, "max_vm_inflight") ?
	    json_object_new_int(jint(pt, "max_vm_inflight")) : NULL);
	if (jget(pt, "min_throttled_pvcs"))
		jputi(c, "min_throttled_pvcs", jint(pt, "min_throttled_pvcs"));
	else if (jget(pt, "max_vm_inflight"))
		jputi(c, "min_throttled_pvcs", over);
	else
		jputi(c, "min_throttled_pvcs", lim > 0 && total > lim ? total - lim : 0);
	jputb(c, "same_host", jget(pt, "same_host") ? jbool(pt, "same_host") : true);
	json_object_array_add(checks, c);
}

void
plan_verify(struct mtv_model *x, json_object *expect)
{
	json_object *ex = jget(x->root, "expect"), *xc = jget(ex, "checks");
	const char *result = jstr(ex, "result") ? jstr(ex, "result") : "succeeded";
	const char *cond = jstr(ex, "condition");
	const char *tps = model_top(x, "target_power_state") ?
		json_object_get_string(model_top(x, "target_power_state")) : NULL;
	json_object *checks = json_object_new_array(), *xl = json_object_new_array(),
		    *pending = json_object_new_array(), *pa, *c;
	const char *power_value = NULL;
	struct model_step st = { .plan = -1 };
	size_t i, j;

	for (i = 0; xc && i < json_object_array_length(xc); i++) {
		json_object *e = json_object_array_get_idx(xc, i);

		if (str_eq(jstr(e, "check"), "power_state"))
			power_value = jstr(e, "value");
	}
	for (i = 0; i < x->nplans; i++) {
		c = json_object_new_object();
		jputs(c, "check", "result");
		jputs(c, "plan", x->plans[i].name);
		jputs(c, "expect", result);
		jputs(c, "condition", cond);
		json_object_array_add(checks, c);
	}
	if (str_eq(result, "succeeded")) {
		for (i = 0; i < x->nplans; i++) {
			struct model_plan *p = &x->plans[i];

			for (j = 0; j < p->nvms; j++) {
				struct model_vm *v = &x->vms[p->vms[j]];
				const char *pw = power_value ? power_value :
					(tps && !str_eq(tps, "auto")) ? tps :
					jstr(v->node, "source_vm_power");
				char *t = jstr(v->node, "targetName") ?
					xstrdup(jstr(v->node, "targetName")) :
					name_target_vm(v->name);

				c = json_object_new_object();
				jputs(c, "check", "vm");
				jputs(c, "plan", p->name);
				jputs(c, "vm_ref", v->ref);
				jputs(c, "source", v->name);
				jputs(c, "target", t);
				jputs(c, "namespace", x->target_ns);
				jputs(c, "power", pw);
				jputs(c, "disks", "source");
				json_object_array_add(checks, c);
				free(t);
				c = json_object_new_object();
				jputs(c, "check", "pvc");
				jputs(c, "plan", p->name);
				jputs(c, "vm_ref", v->ref);
				jputs(c, "name_prefix", p->copyoffload && !model_top(x, "pvc_name_template") ?
				      "pvc-" : NULL);
				jputs(c, "volume_mode", p->copyoffload ? "Block" : NULL);
				jputs(c, "storage_class", x->sc);
				json_object_array_add(checks, c);
			}
		}
		expect_xcopy(x, xl, checks);
	}
	for (i = 0; xc && i < json_object_array_length(xc); i++) {
		json_object *e = json_object_array_get_idx(xc, i);
		const char *k = jstr(e, "check");

		if (str_eq(k, "snapshots")) {
			for (j = 0; j < x->nvms; j++) {
				if (x->vms[j].snapshots == 0)
					continue;
				c = json_object_new_object();
				jputs(c, "check", "snapshots");
				jputs(c, "vm_ref", x->vms[j].ref);
				jputs(c, "vm", x->vms[j].name);
				jputi(c, "count", x->vms[j].snapshots);
				json_object_array_add(checks, c);
			}
		} else if (str_eq(k, "concurrent")) {
			json_object *pl = json_object_new_array();

			for (j = 0; j < x->nplans; j++)
				jarr_adds(pl, x->plans[j].name);
			c = json_object_new_object();
			jputs(c, "check", "concurrent");
			jput(c, "plans", pl);
			json_object_array_add(checks, c);
		} else if (str_eq(k, "offload_plugin")) {
			int pi = jstr(e, "plan") ? model_plan_index(x, jstr(e, "plan")) : 0;
			char *sm;

			if (pi < 0) {
				model_diag(x, jget(e, "plan"), "expect.checks[%zu].plan: no plan '%s' "
					"in the scenario", i, jstr(e, "plan"));
				continue;
			}
			sm = xasprintf("%s-storage", x->plans[pi].name);
			c = json_object_new_object();
			jputs(c, "check", "offload_plugin");
			jputs(c, "map", sm);
			jputb(c, "expect", jget(e, "value") ? jbool(e, "value") :
			     x->plans[pi].copyoffload);
			json_object_array_add(checks, c);
			free(sm);
		} else if (str_eq(k, "rdm_lun_bus")) {
			check_rdm_lun_bus(x, e, i, checks);
		} else if (str_eq(k, "data_integrity")) {
			/* needs guest access: verify reports it as not
			 * checked, and it stays pending */
			check_data_integrity(x, checks);
			if (!jarr_has(pending, k))
				jarr_adds(pending, k);
		} else if (!str_eq(k, "vm_name") && !str_eq(k, "disk_count") &&
			   !str_eq(k, "power_state") && !str_eq(k, "pvc") &&
			   !jarr_has(pending, k)) {
			/* checked by no step yet (guest access) */
			jarr_adds(pending, k);
		}
	}
	if (jget(ex, "populator_throttling") && str_eq(result, "succeeded"))
		check_throttling(x, jget(ex, "populator_throttling"), checks);
	jputs(expect, "result", result);
	jputs(expect, "condition", cond);
	jput(expect, "xcopy_used", xl);
	if (jget(ex, "populator_throttling")) {
		json_object *cp = NULL;

		json_object_deep_copy(jget(ex, "populator_throttling"), &cp, NULL);
		jput(expect, "populator_throttling", cp);
	}
	jput(expect, "checks", json_object_get(checks));
	jput(expect, "pending", pending);
	pa = json_object_new_object();
	jput(pa, "checks", checks);
	st.object = x->ns;
	st.params = pa;
	step_plan_add(x, step_kind_find("verify", NULL), &st, "verify %zu check%s",
		      json_object_array_length(checks),
		      json_object_array_length(checks) == 1 ? "" : "s");
}
