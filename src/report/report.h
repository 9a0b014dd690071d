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
	json_object *tags;	/* the scenario's tags (borrowed) or NULL */
	/* the verify step's checks, [{name, status, message}] (borrowed),
	 * or NULL: JUnit lists them under the verify step */
	json_object *checks;
};

/* What the JUnit report carries besides the scenarios. */
struct junit_opts {
	json_object *props;	/* {key: value}: --junit-property, in order */
	bool strict;		/* --junit-flavor strict: no Polarion */
};

/* The JSON report's "format" (man 5, "Reports"). */
#define REPORT_FORMAT "mtv-scenario.report/v1"

/* Write the JSON report (report_json.c, man 5): the environment, every
 * scenario's steps with timings and errors, its verify checks with their
 * evidence and its per-disk copy evidence. */
int report_json_write(const char *path, const struct scenario_report *r, size_t n,
		      struct mtv_err *err);
/* JUnit XML (man 5, JUNIT REPORT): one testsuite for the run, one
 * testcase per scenario with its steps, checks and teardown as system-out
 * lines (those of the teardown named by what they undo: "teardown of step
 * 06 (clone): destroy VM ..."), a failure or error with the failing
 * step's message, skipped when not run; Polarion properties unless
 * o->strict. Every value passes redact(). */
int report_junit_write(const char *path, const struct scenario_report *r,
		       size_t n, const struct junit_opts *o,
		       struct mtv_err *err);
const char *report_status_name(enum report_status s);

#endif
