/* test_report.c: the JSON report (test_junit.c: the JUnit one). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "report/report.h"

static void
fill(struct run_result *res)
{
	memset(res, 0, sizeof(*res));
	res->cap = 4;
	res->steps = xcalloc(4, sizeof(*res->steps));
	res->steps[0] = (struct step_result){ 1, xstrdup("clone"), xstrdup("clone <vm> & co"), 0, NULL, 0, 1500, false, false };
	res->steps[1] = (struct step_result){ 2, xstrdup("plan"), xstrdup("create plan"), MTV_EFAILED,
		xstrdup("plan 'p': VDDKAndOffloadMixedUsage: pw=topsecret-99"), 1500, 2000, false, false };
	res->steps[2] = (struct step_result){ 1, xstrdup("clone"), xstrdup("destroy VM"), 0, NULL, 2000, 2100, false, true };
	res->n = 3;
}

static char *
slurp(const char *path)
{
	struct mtv_err err = { 0 };
	char *s = NULL;

	ASSERT_OK(file_read(&s, NULL, path, 0, &err), &err);
	return s;
}

static void
test_json(void)
{
	struct mtv_err err = { 0 };
	struct run_result res;
	struct scenario_report r = { "thin", NULL, "scenarios.d/thin.yaml", "abc123",
				     REPORT_FAILED, "step 2", 2100, NULL };
	char path[] = "/tmp/mtv-json-XXXXXX";
	int fd = mkstemp(path);
	json_object *root, *sc, *steps;
	char *x;

	close(fd);
	redact_reset();
	redact_add("topsecret-99");
	fill(&res);
	r.res = &res;
	ASSERT_OK(report_json_write(path, &r, 1, &err), &err);
	x = slurp(path);
	CU_ASSERT_PTR_NULL(strstr(x, "topsecret-99"));
	root = json_tokener_parse(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	sc = json_object_array_get_idx(json_object_object_get(root, "scenarios"), 0);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(sc, "status")), "failed");
	steps = json_object_object_get(sc, "steps");
	CU_ASSERT_EQUAL(json_object_array_length(steps), 3);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(steps, 2), "phase")), "teardown");
	/* as the plan's teardown entries: the step undone and what undoes it */
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(
		json_object_array_get_idx(steps, 2), "undoes")), 1);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(steps, 2), "title")), "destroy VM");
	CU_ASSERT_PTR_NULL(json_object_object_get(
		json_object_array_get_idx(steps, 0), "undoes"));
	json_object_put(root);
	free(x);
	unlink(path);
	run_result_release(&res);
	redact_reset();
}

/* A check a step did not perform is skipped with its reason, a step left
 * out by --only with the default reason; neither is a pass or a failure. */
static void
test_skipped(void)
{
	struct mtv_err err = { 0 };
	struct run_result res;
	struct scenario_report r = { "thin-snapshots", NULL, "s.yaml", "abc123",
				     REPORT_PASSED, NULL, 100, NULL };
	char path[] = "/tmp/mtv-skip-XXXXXX";
	int fd = mkstemp(path);
	json_object *root, *st;
	char *x;

	close(fd);
	memset(&res, 0, sizeof(res));
	res.cap = 2;
	res.steps = xcalloc(2, sizeof(*res.steps));
	res.steps[0] = (struct step_result){ 9, xstrdup("verify"),
		xstrdup("data_integrity of vm1"), 0,
		xstrdup("not checked: needs guest access (not implemented)"),
		0, 10, true, false };
	res.steps[1] = (struct step_result){ 3, xstrdup("clone"),
		xstrdup("clone vm1"), 0, NULL, 0, 0, true, false };
	res.n = 2;
	r.res = &res;
	ASSERT_OK(report_json_write(path, &r, 1, &err), &err);
	x = slurp(path);
	root = json_tokener_parse(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	st = json_object_array_get_idx(json_object_object_get(
	    json_object_array_get_idx(json_object_object_get(root, "scenarios"), 0),
	    "steps"), 0);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(st, "status")),
			       "skipped");
	CU_ASSERT_PTR_NOT_NULL(strstr(json_object_get_string(
	    json_object_object_get(st, "message")), "needs guest access"));
	json_object_put(root);
	free(x);
	unlink(path);
	run_result_release(&res);
}

static CU_TestInfo tests_report[] = {
	{ "skipped checks and steps carry their reason", test_skipped },
	{ "json: steps, phases, what teardown steps undo, no secrets", test_json },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_report[] = {
	{ "report", NULL, NULL, NULL, NULL, tests_report },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_report)
