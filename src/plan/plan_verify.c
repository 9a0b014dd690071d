/* plan_verify.c: the verify step and the plan's "expect": the scenario
 * model handed to the checks of step/check (check_model), whose planning
 * fills both (doc/plan-format.md, "Verify checks"). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "scenario/names.h"
#include "step/check/check.h"
#include "step/step.h"

/* The checks' view of VM v. */
static void
check_vm_fill(struct check_vm *cv, const struct model_vm *v, char *target)
{
	json_object *ga = jget(v->node, "guest_agent");
	size_t j;

	cv->ref = v->ref;
	cv->name = v->name;
	cv->clone_name = jstr(v->node, "clone_name");
	cv->vm_name = jstr(v->node, "name");
	cv->target = target;
	cv->source_power = jstr(v->node, "source_vm_power");
	cv->snapshots = v->snapshots;
	cv->disks = (int)v->ndisks;
	cv->guest_agent = ga ? json_object_get_boolean(ga) : -1;
	for (j = 0; j < v->ndisks; j++)
		cv->rdm_disks += v->disks[j].rdm != NULL;
}

/* Can VM v arrive off (its guest checks then start it)? Forklift sets
 * the target's runStrategy from targetPowerState, else from the source's
 * power when it migrated (restorePowerState; kubevirt.go). */
static bool
arrives_off(const struct model_vm *v, const char *tps)
{
	if (str_eq(tps, "on") || str_eq(tps, "off"))
		return str_eq(tps, "off");
	return !model_vm_ready(v) ||
	       str_eq(jstr(v->node, "source_vm_power"), "off") ||
	       model_vm_set_mode_count(v) > 0;
}

/* The checks' view of plan p (arrays allocated; check_plan_free). */
static void
check_plan_fill(struct check_plan *cp, struct mtv_model *m,
		const struct model_plan *p)
{
	struct model_ds dss[64];
	struct check_ds *cd = xcalloc(ARRAY_SIZE(dss), sizeof(*cd));
	size_t *vms = xcalloc(p->nvms ? p->nvms : 1, sizeof(*vms));
	size_t j, n = model_plan_datastores(m, p, dss, ARRAY_SIZE(dss));

	for (j = 0; j < n; j++) {
		cd[j].key = dss[j].key;
		cd[j].moid = dss[j].moid;
		cd[j].xcopy = dss[j].xcopy;
		cd[j].snapshots = model_plan_ds_snapshots(m, p, dss[j].moid);
	}
	for (j = 0; j < p->nvms; j++)
		vms[j] = (size_t)p->vms[j];
	cp->key = p->key;
	cp->name = p->name;
	cp->storage_map = xasprintf("%s-storage", p->name);
	cp->copyoffload = p->copyoffload;
	cp->vms = vms;
	cp->nvms = p->nvms;
	cp->ds = cd;
	cp->nds = n;
}

static void
check_plan_free(struct check_plan *cp)
{
	free((char *)cp->storage_map);
	free((size_t *)cp->vms);
	free((struct check_ds *)cp->ds);
}

void
plan_verify(struct mtv_model *x, json_object *expect)
{
	struct check_model m;
	struct check_vm *cv = xcalloc(x->nvms ? x->nvms : 1, sizeof(*cv));
	struct check_plan *cp = xcalloc(x->nplans ? x->nplans : 1, sizeof(*cp));
	char **targets = xcalloc(x->nvms ? x->nvms : 1, sizeof(*targets));
	struct model_step st = { .plan = -1 };
	json_object *pa = NULL, *v;
	size_t i, n;

	memset(&m, 0, sizeof(m));
	m.s = x->s;
	m.expect = jget(x->root, "expect");
	m.ns = x->ns;
	m.target_ns = x->target_ns;
	m.storage_class = x->sc;
	v = model_top(x, "target_power_state");
	m.target_power_state = v ? json_object_get_string(v) : NULL;
	m.rdm_as_lun = model_top_bool(x, "rdm_as_lun");
	m.pvc_name_template = model_top(x, "pvc_name_template") != NULL;
	v = model_top(x, "guest_agent_timeout");
	m.guest_agent_timeout = v ? json_object_get_int(v) : 301;
	m.src_provider = x->src_provider;
	m.src_secret = x->src_secret;
	v = jget(x->p->data, "insecure");
	m.insecure = json_object_is_type(v, json_type_boolean) &&
		     json_object_get_boolean(v);
	for (i = 0; i < x->nvms; i++) {
		const struct model_vm *vm = &x->vms[i];

		targets[i] = jstr(vm->node, "targetName") ?
			xstrdup(jstr(vm->node, "targetName")) :
			name_target_vm(vm->name);
		check_vm_fill(&cv[i], vm, targets[i]);
		cv[i].guest_data = step_guest_data_wanted(x, i);
		cv[i].arrives_off = arrives_off(vm, m.target_power_state);
	}
	for (i = 0; i < x->nplans; i++)
		check_plan_fill(&cp[i], x, &x->plans[i]);
	m.vms = cv;
	m.nvms = x->nvms;
	m.plans = cp;
	m.nplans = x->nplans;
	verify_plan(expect, &pa, &m, x->d);
	n = jlen(jget(pa, "checks"));
	st.object = x->ns;
	st.params = pa;
	step_plan_add(x, step_kind_find("verify", NULL), &st,
		      "verify %zu check%s", n, n == 1 ? "" : "s");
	for (i = 0; i < x->nplans; i++)
		check_plan_free(&cp[i]);
	for (i = 0; i < x->nvms; i++)
		free(targets[i]);
	free(targets);
	free(cp);
	free(cv);
}
