/* test_junit.c: the JUnit report: one test case per scenario, verdicts,
 * counts, Polarion properties, escaping, redaction (t_junit.sh validates
 * real reports against the schemas). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "report/report.h"

static void
step(struct run_result *res, int id, const char *kind, const char *title,
     int code, const char *msg, long long ms, bool skipped, bool teardown)
{
	struct step_result *st;

	if (res->n == res->cap) {
		res->cap = res->cap ? res->cap * 2 : 4;
		res->steps = xrealloc(res->steps, res->cap * sizeof(*st));
	}
	st = &res->steps[res->n++];
	*st = (struct step_result){ id, xstrdup(kind), xstrdup(title), code,
		msg ? xstrdup(msg) : NULL, 0, ms, skipped, teardown };
}

/* The report of r[0..n) with o, as a string (caller frees). */
static char *
junit(const struct scenario_report *r, size_t n, const struct junit_opts *o)
{
	struct mtv_err err = { 0 };
	char path[] = "/tmp/mtv-junit-XXXXXX";
	int fd = mkstemp(path);
	char *s = NULL;

	close(fd);
	ASSERT_OK(report_junit_write(path, r, n, o, &err), &err);
	ASSERT_OK(file_read(&s, NULL, path, 0, &err), &err);
	unlink(path);
	return s;
}

#define HAS(x, s) CU_ASSERT_PTR_NOT_NULL(strstr((x), (s)))
#define LACKS(x, s) CU_ASSERT_PTR_NULL(strstr((x), (s)))

/* A failed scenario: one test case, its failure the scenario's message,
 * its steps and teardown as lines, escaped, no secret. */
static void
test_failed(void)
{
	struct run_result res = { 0 };
	json_object *tags = json_tokener_parse("[\"copyoffload\", \"thin\"]");
	struct scenario_report r = { "thin", "MTV-559", "scenarios.d/thin.yaml",
		"abc123", REPORT_FAILED,
		"step 2 (plan): VDDKAndOffloadMixedUsage: pw=topsecret-99",
		2100, &res, tags };
	char *x;

	redact_reset();
	redact_add("topsecret-99");
	step(&res, 1, "clone", "clone <vm> & co", 0, NULL, 1500, false, false);
	step(&res, 2, "plan", "create plan", MTV_EFAILED,
	     "VDDKAndOffloadMixedUsage: pw=topsecret-99", 500, false, false);
	step(&res, 1, "clone", "destroy VM", 0, NULL, 100, false, true);
	x = junit(&r, 1, NULL);
	HAS(x, "<testsuites name=\"mtv-scenario\" tests=\"1\" failures=\"1\" "
	    "errors=\"0\" time=\"2.100\">");
	HAS(x, "tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\"");
	HAS(x, "<testcase name=\"thin\" classname=\"copyoffload\" "
	    "time=\"2.100\">\n      <properties>\n        <property "
	    "name=\"polarion-testcase-id\" value=\"MTV-559\"/>\n        "
	    "<property name=\"tag\" value=\"copyoffload\"/>");
	HAS(x, "<property name=\"polarion-project-id\" value=\"MTV\"/>");
	HAS(x, "<failure message=\"step 2 (plan): VDDKAndOffloadMixedUsage: "
	    "pw=");
	HAS(x, "type=\"plan\">");
	HAS(x, "\n[01] clone: clone &lt;vm&gt; &amp; co ... passed 1.5 s\n");
	HAS(x, "\n[02] plan: create plan ... failed 0.5 s: "
	    "VDDKAndOffloadMixedUsage");
	HAS(x, "\nteardown of step 01 (clone): destroy VM ... passed 0.1 s\n");
	LACKS(x, "topsecret-99");
	free(x);
	run_result_release(&res);
	json_object_put(tags);
	redact_reset();
}

/* Errors, interrupts, skipped scenarios and their counts; the class from
 * the file name without tags; no Polarion project when ids disagree. */
static void
test_verdicts(void)
{
	struct run_result net = { 0 }, only = { 0 }, chk = { 0 }, td = { 0 },
			  half = { 0 };
	struct scenario_report r[] = {
		{ "neg", NULL, "dir/neg.yaml", "a", REPORT_FAILED,
		  "step 1 (clone): no route", 10, &net, NULL },
		{ "i", "MTV-1", "i.yaml", "b", REPORT_INTERRUPTED,
		  "interrupted", 10, NULL, NULL },
		{ "o", "CNV-2", "o.yaml", "c", REPORT_PASSED, NULL, 10, &only,
		  NULL },
		{ "s", NULL, "s.yaml", NULL, REPORT_SKIPPED,
		  "not run: a login was refused (see above)", 0, NULL, NULL },
		{ "c", NULL, "c.yml", "d", REPORT_PASSED, NULL, 10, &chk, NULL },
		{ "t", NULL, "t.yaml", "e", REPORT_FAILED, NULL, 10, &td, NULL },
		{ "h", NULL, "h.yaml", "g", REPORT_PASSED, NULL, 10, &half,
		  NULL },
	};
	char *x;

	step(&net, 1, "clone", "clone", MTV_ENET, "no route", 10, false, false);
	step(&only, 1, "clone", "clone", 0, NULL, 0, true, false);
	step(&chk, 9, "verify", "data_integrity of vm1", 0,
	     "not checked: needs guest access", 0, true, false);
	step(&chk, 8, "migrate", "migrate", 0, NULL, 0, false, false);
	step(&td, 1, "clone", "clone", 0, NULL, 0, false, false);
	step(&td, 1, "clone", "destroy VM", MTV_ENET, "gone", 0, false, true);
	step(&half, 1, "clone", "clone", 0, NULL, 0, false, false);
	step(&half, 2, "plan", "plan", 0, NULL, 0, true, false);
	step(&half, 1, "clone", "destroy VM", 0, NULL, 0, false, true);
	x = junit(r, ARRAY_SIZE(r), NULL);
	HAS(x, "tests=\"7\" failures=\"0\" errors=\"3\" time=");
	HAS(x, "tests=\"7\" failures=\"0\" errors=\"3\" skipped=\"3\"");
	/* a pass --only cut short is no pass */
	HAS(x, "<skipped message=\"not verified: --only left out 1 of 2 "
	    "steps\"/>");
	HAS(x, "<testcase name=\"neg\" classname=\"neg\" time=\"0.010\">\n"
	    "      <error message=\"step 1 (clone): no route\" type=\"clone\">");
	HAS(x, "<error message=\"interrupted\" type=\"interrupted\">");
	HAS(x, "<skipped message=\"not run: every step was left out by "
	    "--only\"/>");
	HAS(x, "[01] clone: clone ... skipped: not selected by --only\n");
	HAS(x, "<skipped message=\"not run: a login was refused (see "
	    "above)\"/>");
	HAS(x, "<testcase name=\"c\" classname=\"c\" time=\"0.010\">\n"
	    "      <system-out>");
	HAS(x, "[09] verify: data_integrity of vm1 ... skipped: not checked: "
	    "needs guest access\n");
	HAS(x, "<error message=\"gone\" type=\"teardown\">");
	/* no id, no tag: no properties in the case */
	HAS(x, "classname=\"neg\" time=\"0.010\">\n      <error");
	LACKS(x, "polarion-project-id");
	free(x);
	run_result_release(&net);
	run_result_release(&only);
	run_result_release(&chk);
	run_result_release(&td);
	run_result_release(&half);
}

/* The strict flavour has no Polarion extras; --junit-property overrides a
 * default in place; what XML 1.0 forbids is made visible. */
static void
test_strict_escape(void)
{
	json_object *props = json_tokener_parse(
		"{\"polarion-testrun-title\": \"night\", \"build\": \"42\"}");
	struct junit_opts o = { props, true };
	struct scenario_report r = { "e", "MTV-7", "e.yaml", "f", REPORT_ERROR,
		"bad \033[31mred\033[0m \xff caf\xc3\xa9\nnext", 10, NULL, NULL };
	char *x;

	x = junit(&r, 1, &o);
	HAS(x, "time=\"0.010\">\n  <testsuite name=\"mtv-scenario\"");
	LACKS(x, "polarion-testcase-id");
	HAS(x, "<property name=\"polarion-project-id\" value=\"MTV\"/>\n"
	    "      <property name=\"polarion-testrun-title\" value=\"night\"/>");
	HAS(x, "<property name=\"build\" value=\"42\"/>");
	HAS(x, "message=\"bad \\x1b[31mred\\x1b[0m \\xff caf\xc3\xa9&#10;next\"");
	free(x);
	o.strict = false;
	x = junit(&r, 1, &o);
	/* Polarion reads the run's polarion-* properties under testsuites */
	HAS(x, "time=\"0.010\">\n  <properties>\n    <property "
	    "name=\"polarion-project-id\" value=\"MTV\"/>\n    <property "
	    "name=\"polarion-testrun-title\" value=\"night\"/>\n  "
	    "</properties>\n");
	HAS(x, "<property name=\"polarion-testcase-id\" value=\"MTV-7\"/>");
	free(x);
	json_object_put(props);
}

/* With the verify step's checks: a property each, a line each after the
 * step's, none for the skipped results they repeat; the failure lists the
 * failed ones. */
static void
test_checks(void)
{
	struct run_result res = { 0 };
	json_object *checks = json_tokener_parse("["
		"{\"name\": \"result\", \"status\": \"passed\", "
		"\"message\": \"plan 'p': succeeded\"},"
		"{\"name\": \"xcopy_used\", \"status\": \"failed\", "
		"\"message\": \"plan 'p': xcopyUsed 0, expected 1\"},"
		"{\"name\": \"data_integrity\", \"status\": \"skipped\", "
		"\"message\": \"not checked: no guest\"}]");
	struct scenario_report r = { "x", "MTV-9", "x.yaml", "r", REPORT_FAILED,
		"step 9 (verify): 1 of 3 checks failed: plan 'p': xcopyUsed 0, "
		"expected 1", 10, &res, NULL, checks };
	char *x;

	step(&res, 9, "verify", "check", MTV_EFAILED, "1 of 3 checks failed: "
	     "plan 'p': xcopyUsed 0, expected 1", 10, false, false);
	step(&res, 9, "verify", "data_integrity of vm1", 0,
	     "not checked: no guest", 0, true, false);
	x = junit(&r, 1, NULL);
	HAS(x, "\n[09] verify: check ... failed 0.0 s: 1 of 3 checks failed: "
	    "plan 'p': xcopyUsed 0, expected 1\n"
	    "[09] verify: check result ... passed: plan 'p': "
	    "succeeded\n"
	    "[09] verify: check xcopy_used ... failed: plan 'p': "
	    "xcopyUsed 0, expected 1\n"
	    "[09] verify: check data_integrity ... skipped: not checked: "
	    "no guest\n</system-out>");
	LACKS(x, "data_integrity of vm1");
	/* and each a property of the test case (Polarion flavour) */
	HAS(x, "<property name=\"polarion-testcase-id\" value=\"MTV-9\"/>\n"
	    "        <property name=\"mtv-scenario.check.result\" "
	    "value=\"passed: plan 'p': succeeded\"/>\n"
	    "        <property name=\"mtv-scenario.check.xcopy_used\" "
	    "value=\"failed: plan 'p': xcopyUsed 0, expected 1\"/>\n"
	    "        <property name=\"mtv-scenario.check.data_integrity\" "
	    "value=\"skipped: not checked: no guest\"/>\n"
	    "      </properties>");
	HAS(x, "<failure message=\"step 9 (verify): 1 of 3 checks failed: "
	    "plan 'p': xcopyUsed 0, expected 1\" type=\"verify\">"
	    "xcopy_used: plan 'p': xcopyUsed 0, expected 1"
	    "</failure>");
	free(x);
	run_result_release(&res);
	json_object_put(checks);
}

static CU_TestInfo tests_junit[] = {
	{ "the verify step's checks as lines, the failed ones in the failure",
	  test_checks },
	{ "a failed scenario: one case, failure, lines, escaping, no secrets",
	  test_failed },
	{ "errors, interrupts, skipped scenarios and the counts", test_verdicts },
	{ "strict flavour, properties, characters XML forbids",
	  test_strict_escape },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_junit[] = {
	{ "junit", NULL, NULL, NULL, NULL, tests_junit },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_junit)
