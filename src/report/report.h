/* out.h: run reports (JSON and JUnit XML), written through the redactor. */
#ifndef MTV_OUT_H
#define MTV_OUT_H

#include "exec/exec.h"

enum report_status {
	REPORT_PASSED, REPORT_FAILED, REPORT_ERROR, REPORT_INTERRUPTED,
	REPORT_SKIPPED,	/* not run: an earlier login was refused */
};

struct scenario_report {
	const char *name;
	const char *id;		/* test-case id or NULL */
	const char *file;
	const char *run_id;
	enum report_status status;
	const char *message;	/* failure message or NULL */
	long long duration_ms;
	const struct run_result *res;
};

/* The JSON report's "format" (man 5, "Reports"). */
#define REPORT_FORMAT "mtv-scenario.report/v1"

/* Write the JSON report (report_json.c, man 5): the environment, every
 * scenario's steps with timings and errors, its verify checks with their
 * evidence and its per-disk copy evidence. */
int report_json_write(const char *path, const struct scenario_report *r, size_t n,
		      struct mtv_err *err);
/* JUnit XML: one testsuite per scenario, one testcase per step (those of
 * the teardown named by what they undo: "teardown of step 06 (clone):
 * destroy VM ..."), failures with the step's message. */
int report_junit_write(const char *path, const struct scenario_report *r, size_t n,
		       struct mtv_err *err);
const char *report_status_name(enum report_status s);

#endif
