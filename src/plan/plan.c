/* plan.c: expansion of a scenario and a provider profile into the plan
 * value of doc/plan-format.md: the model (scenario/model.h) resolves the
 * scenario, the step kinds write their steps (their plan callbacks), and
 * this file orders the calls and adds the teardown list, the plans and
 * the expectations. Deterministic: the same inputs give the same plan;
 * nothing is contacted (a CA file named by the profile is read). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "step/step.h"

#define PLAN_FORMAT	"mtv-scenario.plan/v1"

enum scope { ONCE, PER_VM, PER_PLAN };

/* The step order (doc/plan-format.md, "Step order"): rows of one group
 * run together for each VM or each plan before the next VM or plan. The
 * order is the plan's text; what a step waits for is in needs
 * (plan_graph.c): a step of a VM waits for that VM's step before it (the
 * first for the preflights); the others for the steps of the rows named
 * "kind" or "kind:role" (of the same plan), "preflight" (both), "vms" (the
 * last step of each VM of the plan) or "*" (every step nothing waits for
 * yet). */
static const struct call {
	const char *kind, *side, *role;
	enum scope scope;
	int group;
	const char *needs;
} order[] = {
	{ "preflight", "source", NULL, ONCE, 0, "" },
	{ "preflight", "cluster", NULL, ONCE, 0, "" },
	{ "clone", NULL, NULL, PER_VM, 1, NULL },
	{ "disk", NULL, "add", PER_VM, 2, NULL },
	{ "rdm", NULL, NULL, PER_VM, 2, NULL },
	{ "power", NULL, "on", PER_VM, 2, NULL },
	{ "guest-ready", NULL, NULL, PER_VM, 2, NULL },
	{ "snapshot", NULL, NULL, PER_VM, 2, NULL },
	{ "guest-data", NULL, NULL, PER_VM, 2, NULL },
	{ "power", NULL, "off", PER_VM, 2, NULL },
	{ "disk", NULL, "set_mode", PER_VM, 2, NULL },
	/* the first Secret makes the namespace (step_secret.c): the
	 * objects in it wait for it, and its undo, the sweep, comes last */
	{ "secret", NULL, "provider", ONCE, 0, "preflight" },
	{ "provider", NULL, "source", ONCE, 0, "secret:provider" },
	{ "provider", NULL, "destination", ONCE, 0, "secret:provider" },
	{ "esxi-key", NULL, NULL, ONCE, 0, "provider:source" },
	{ "secret", NULL, "storage", ONCE, 0, "secret:provider" },
	/* a StorageMap is Ready once the providers see its datastores */
	{ "map", NULL, "storage", PER_PLAN, 3,
	  "provider:source provider:destination secret:storage" },
	{ "map", NULL, "network", PER_PLAN, 3,
	  "provider:source provider:destination" },
	{ "plan", NULL, NULL, PER_PLAN, 3, "map vms" },
	{ "migrate", NULL, NULL, ONCE, 0, "*" },
};

/* Call c's plan callback and note where the steps it added came from. */
static void
order_call(struct mtv_model *m, const struct call *c, int vm, int plan,
	   struct plan_origin **orig)
{
	const struct step_kind *k = step_kind_find(c->kind, c->side);
	struct step_at at = { k, vm, plan, c->role };
	size_t i, before = json_object_array_length(m->steps);

	if (k == NULL || k->plan == NULL)
		BUG("a step kind of the order has no plan callback");
	k->plan(m, &at);
	for (i = before; i < json_object_array_length(m->steps); i++) {
		struct plan_origin *o;

		*orig = xrealloc(*orig, (i + 1) * sizeof(**orig));
		o = &(*orig)[i];
		o->kind = c->kind;
		o->role = c->role;
		o->vm = vm;
		o->plan = plan;
		o->needs = c->needs;
	}
}

/* Every kind's steps but verify's, in the order of order[]; *orig gets
 * one entry per step (the caller's to free). */
static void
steps_build(struct mtv_model *m, struct plan_origin **orig)
{
	size_t i = 0, j, e;
	int n, k;

	while (i < ARRAY_SIZE(order)) {
		if (order[i].scope == ONCE) {
			order_call(m, &order[i++], -1, -1, orig);
			continue;
		}
		for (e = i; e < ARRAY_SIZE(order) &&
		     order[e].group == order[i].group; e++)
			;
		n = order[i].scope == PER_VM ? (int)m->nvms : (int)m->nplans;
		for (k = 0; k < n; k++)
			for (j = i; j < e; j++)
				order_call(m, &order[j],
					   order[i].scope == PER_VM ? k : -1,
					   order[i].scope == PER_PLAN ? k : -1,
					   orig);
		i = e;
	}
}

/* The steps with an undo, newest first; those whose kind's work goes with
 * the VM are left out. */
static json_object *
teardown_build(struct mtv_model *m)
{
	json_object *td = json_object_new_array();
	size_t i;

	for (i = json_object_array_length(m->steps); i-- > 0;) {
		json_object *st = json_object_array_get_idx(m->steps, i), *e;
		const struct step_kind *k = step_kind_find(jstr(st, "kind"),
							   jstr(st, "side"));

		if (jstr(st, "undo") == NULL || (k->flags & STEP_UNDO_WITH_VM))
			continue;
		e = json_object_new_object();
		jput(e, "undoes", json_object_get(jget(st, "id")));
		jputs(e, "kind", jstr(st, "kind"));
		jputs(e, "title", jstr(st, "undo"));
		json_object_array_add(td, e);
	}
	return td;
}

static json_object *
plans_json(struct mtv_model *m)
{
	static const char *const objs[][2] = {
		{ "storage_map", "storage" }, { "network_map", "network" },
		{ "migration", "migration" },
	};
	json_object *a = json_object_new_array();
	size_t i, j;

	for (i = 0; i < m->nplans; i++) {
		struct model_plan *p = &m->plans[i];
		json_object *e = json_object_new_object(),
			    *vms = json_object_new_array();

		jputs(e, "key", p->key);
		jputs(e, "name", p->name);
		jputb(e, "copyoffload", p->copyoffload);
		jputb(e, "warm", p->warm);
		for (j = 0; j < p->nvms; j++)
			jarr_adds(vms, m->vms[p->vms[j]].ref);
		jput(e, "vms", vms);
		for (j = 0; j < ARRAY_SIZE(objs); j++) {
			char *s = xasprintf("%s-%s", p->name, objs[j][1]);

			jputs(e, objs[j][0], s);
			free(s);
		}
		json_object_array_add(a, e);
	}
	return a;
}

static json_object *
scenario_json(struct mtv_model *m)
{
	json_object *o = json_object_new_object(), *tags = NULL;

	jputs(o, "name", m->s->name);
	jputs(o, "id", m->s->id);
	jputs(o, "file", m->s->path);
	jputs(o, "description", jstr(m->root, "description"));
	if (jget(m->root, "tags") == NULL ||
	    json_object_deep_copy(jget(m->root, "tags"), &tags, NULL) != 0)
		tags = json_object_new_array();
	jput(o, "tags", tags);
	return o;
}

/* The plan value around m's steps. */
static json_object *
plan_json(struct mtv_model *m, json_object *expect)
{
	json_object *plan = json_object_new_object(), *t = model_top(m, "timeout");

	jputs(plan, "format", PLAN_FORMAT);
	jput(plan, "scenario", scenario_json(m));
	jputs(plan, "run_id", m->run_id);
	jputs(plan, "profile", m->p->name);
	/* made for a named release (--mtv); else for the newest, and a run
	 * adapts it to the release its cluster preflight finds */
	if (m->o && m->o->release)
		jputs(plan, "mtv", m->o->release->name);
	jputs(plan, "namespace", m->ns);
	jputs(plan, "target_namespace", m->target_ns);
	jputs(plan, "storage_class", m->sc);
	jputi(plan, "timeout", t ? json_object_get_int(t) : 3600);
	jput(plan, "labels", json_object_get(m->labels));
	jput(plan, "plans", plans_json(m));
	jput(plan, "steps", json_object_get(m->steps));
	jput(plan, "teardown", teardown_build(m));
	jput(plan, "expect", expect);
	return plan;
}

int
plan_build(json_object **out, const struct mtv_scenario *s,
	   const struct mtv_profile *p, const struct plan_opts *o,
	   struct mtv_diags *diags)
{
	struct mtv_model m;
	struct plan_origin *orig = NULL;
	json_object *expect = NULL;
	size_t before = diags->n, norig;

	*out = NULL;
	if (model_init(&m, s, p, o, diags) != 0)
		goto out;
	steps_build(&m, &orig);
	norig = json_object_array_length(m.steps);
	expect = json_object_new_object();
	plan_verify(&m, expect);
	plan_graph(&m, orig, norig);
	if (diags->n > before) {
		json_object_put(expect);
		goto out;
	}
	*out = plan_json(&m, expect);
out:
	free(orig);
	model_release(&m);
	return diags->n > before ? MTV_EINVAL : 0;
}
