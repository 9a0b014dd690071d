/* rbac.h: the Kubernetes API calls each step kind, each verify check and
 * the teardown make (step_rbac.c), and the least-privilege rules a set of
 * plans needs, for `mtv-scenario job`. */
#ifndef MTV_STEP_RBAC_H
#define MTV_STEP_RBAC_H

#include <json-c/json.h>

#include "util/util.h"

/* Where a call goes. */
enum rbac_scope {
	RBAC_RUN = 1,	/* namespaced, in the run's namespaces (made at run
			 * time, so only a ClusterRole can grant it) */
	RBAC_ALL,	/* namespaced, listed across every namespace */
	RBAC_MTV,	/* namespaced, in the MTV namespace (a Role there) */
	RBAC_CLUSTER,	/* a cluster-scoped resource */
};

/* One API call: verbs (comma-separated) on group/resource[/subresource]. */
struct rbac_call {
	const char *verbs;
	const char *group;		/* "" for the core group */
	const char *resource;		/* "pods/log" */
	enum rbac_scope scope;
	/* only when the step's params carry this key (not null) */
	const char *when;
	/* evidence the step reads when it may: refused, the step goes on
	 * (a refused populate pod log is a warning with the server's
	 * message) */
	bool optional;
};

/* The calls of one step kind (name and side as in step_table), one verify
 * check (side "check") or the runner's own work (side "run"). */
struct rbac_row {
	const char *name;
	const char *side;
	const struct rbac_call *calls;	/* ends with a NULL verbs; may be
					 * NULL: no cluster calls */
};

/* Every row, ending with a NULL name. */
extern const struct rbac_row rbac_table[];

/* The row of name on side (NULL when none). */
const struct rbac_row *rbac_row_find(const char *name, const char *side);

/* Add to rules the calls the steps of plan (a plan as `plan --format json`
 * writes it) make, merged by scope, group and resource:
 * rules["SCOPE GROUP RESOURCE"] = {"scope", "group", "resource",
 * "namespace" (RBAC_MTV), "verbs": [sorted], "optional", "scenarios":
 * [names]}. MTV_EINTERNAL when a step or check has no row. */
int rbac_plan_rules(json_object *rules, json_object *plan,
		    struct mtv_err *err);

/* "run", "all", "mtv" or "cluster". */
const char *rbac_scope_name(enum rbac_scope s);

#endif
