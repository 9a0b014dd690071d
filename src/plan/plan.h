/* plan.h: expansion of a scenario and a profile into the plan value
 * (doc/plan-format.md), and its printing. */
#ifndef MTV_PLAN_H
#define MTV_PLAN_H

#include <stdio.h>
#include <json-c/json.h>

#include "util/util.h"
#include "config/profile.h"
#include "scenario/scenario.h"
#include "scenario/model.h"

/* ---- expansion (plan.c; struct plan_opts is in scenario/model.h) ---- */

/* Expand scenario + profile into the plan value documented in
 * doc/plan-format.md. Problems (missing symbolic keys, vendor fields...)
 * go to diags, nothing is contacted. *out belongs to the caller. */
int plan_build(json_object **out, const struct mtv_scenario *s,
	       const struct mtv_profile *p, const struct plan_opts *o,
	       struct mtv_diags *diags);
/* Print for people: numbered steps one line each (verbose: parameters),
 * then the teardown order; secrets shown as ***. */
void plan_print(json_object *plan, FILE *fp, bool verbose);

/* ---- inside src/plan ---- */

/* The verify step and the plan's "expect" (plan_verify.c). */
void plan_verify(struct mtv_model *x, json_object *expect);

/* Where a step of the plan came from: the row of plan.c's order (kind,
 * role, needs) and the VM or plan it was called for (-1: none). */
struct plan_origin {
	const char *kind, *role;
	int vm, plan;
	const char *needs;	/* NULL: a VM's chain */
};
/* Fill in every step's "after" (the ids it waits for, ascending) from
 * orig[0..n) (plan_graph.c); steps past the entries of orig (verify) wait
 * for every step nothing waits for yet. */
void plan_graph(struct mtv_model *m, const struct plan_origin *orig,
		size_t n);

#endif
