/* test_rbac.c: every step kind and every verify check declares its API
 * calls (step_rbac.c), and a plan's rules merge them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "step/rbac.h"
#include "step/step.h"
#include "step/check/check.h"

static void
test_every_kind_has_a_row(void)
{
	const struct rbac_row *row;
	size_t i;

	for (i = 0; step_table[i]; i++) {
		row = rbac_row_find(step_table[i]->name,
				    step_side(step_table[i]));
		if (row == NULL)
			fprintf(stderr, "# no rbac row for step kind %s (%s)\n",
				step_table[i]->name, step_side(step_table[i]));
		CU_ASSERT_PTR_NOT_NULL(row);
		/* only cluster steps talk to the API server */
		if (row && (step_table[i]->flags & STEP_SOURCE))
			CU_ASSERT_PTR_NULL(row->calls);
	}
	for (i = 0; check_table[i]; i++) {
		row = rbac_row_find(check_table[i]->name, "check");
		if (row == NULL)
			fprintf(stderr, "# no rbac row for check %s\n",
				check_table[i]->name);
		CU_ASSERT_PTR_NOT_NULL(row);
	}
}

static void
test_every_row_has_a_kind(void)
{
	const struct rbac_row *row;
	const struct rbac_call *c;

	for (row = rbac_table; row->name; row++) {
		bool known = str_eq(row->side, "check")
				 ? check_kind_find(row->name) != NULL
				 : step_kind_find(row->name, row->side) != NULL;

		if (!known)
			fprintf(stderr, "# rbac row %s (%s) names no kind\n",
				row->name, row->side);
		CU_ASSERT(known);
		for (c = row->calls; c && c->verbs; c++) {
			CU_ASSERT_PTR_NOT_NULL(c->group);
			CU_ASSERT_PTR_NOT_NULL(c->resource);
			CU_ASSERT(c->scope >= RBAC_RUN &&
				  c->scope <= RBAC_CLUSTER);
		}
	}
}

/* A plan of two steps: rules merged, verbs sorted, "when" honoured. */
static void
test_plan_rules(void)
{
	const char *txt =
	    "{\"scenario\":{\"name\":\"s1\"},\"steps\":["
	    "{\"kind\":\"preflight\",\"side\":\"cluster\",\"params\":"
	    "{\"mtv_namespace\":\"mtv\"}},"
	    "{\"kind\":\"migrate\",\"side\":\"cluster\",\"params\":{}},"
	    "{\"kind\":\"verify\",\"side\":\"cluster\",\"params\":"
	    "{\"checks\":[{\"check\":\"vm\"}]}}]}";
	json_object *plan = json_tokener_parse(txt),
		    *rules = json_object_new_object(), *r;
	struct mtv_err err = { 0 };

	ASSERT_OK_FATAL(rbac_plan_rules(rules, plan, &err), &err);
	r = jget(rules, "run forklift.konveyor.io migrations");
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string(jget(r, "verbs")),
			       "[ \"create\", \"delete\", \"get\", \"list\", "
			       "\"patch\", \"watch\" ]");
	CU_ASSERT_STRING_EQUAL(jstr(jget(rules,
		"mtv forklift.konveyor.io forkliftcontrollers"), "namespace"),
		"mtv");
	/* no forklift_settings: no patch of the ForkliftController */
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string(jget(jget(rules,
		"mtv forklift.konveyor.io forkliftcontrollers"), "verbs")),
		"[ \"list\" ]");
	CU_ASSERT_PTR_NULL(jget(rules, "mtv apps deployments"));
	CU_ASSERT(jbool(jget(rules, "run  pods/log"), "optional"));
	CU_ASSERT_PTR_NOT_NULL(jget(rules, "run kubevirt.io virtualmachines"));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(
		jget(jget(rules, "run kubevirt.io virtualmachines"),
		     "scenarios"), 0)), "s1");
	json_object_put(rules);
	json_object_put(plan);
	/* a step kind without a row is an internal error */
	plan = json_tokener_parse("{\"steps\":[{\"kind\":\"nope\","
				  "\"side\":\"cluster\"}]}");
	rules = json_object_new_object();
	CU_ASSERT_EQUAL(rbac_plan_rules(rules, plan, &err), MTV_EINTERNAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'nope'"));
	json_object_put(rules);
	json_object_put(plan);
}

static CU_TestInfo tests_rbac[] = {
	{ "every step kind and check has a row", test_every_kind_has_a_row },
	{ "every row names a step kind or a check", test_every_row_has_a_kind },
	{ "a plan's rules are merged by resource", test_plan_rules },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_rbac[] = {
	{ "rbac", NULL, NULL, NULL, NULL, tests_rbac },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_rbac);
