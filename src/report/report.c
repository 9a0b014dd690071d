/* report.c: the JSON report of a run; junit.c writes the JUnit one. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "report/report.h"

const char *
report_status_name(enum report_status s)
{
	switch (s) {
	case REPORT_PASSED: return "passed";
	case REPORT_FAILED: return "failed";
	case REPORT_ERROR: return "error";
	case REPORT_INTERRUPTED: return "interrupted";
	case REPORT_SKIPPED: return "skipped";
	}
	return "error";
}

static int
write_redacted(const char *path, const char *text, struct mtv_err *err)
{
	char *red = redact(text);
	int r = file_write(path, red, strlen(red), err);

	free(red);
	return r;
}

int
report_json_write(const char *path, const struct scenario_report *r, size_t n,
		  struct mtv_err *err)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	size_t i, k;
	int rc;

	json_object_object_add(root, "format", json_object_new_string("mtv-scenario.report/v1"));
	for (i = 0; i < n; i++) {
		json_object *s = json_object_new_object(), *steps = json_object_new_array();

		json_object_object_add(s, "name", json_object_new_string(r[i].name));
		json_object_object_add(s, "id", r[i].id ? json_object_new_string(r[i].id) : NULL);
		json_object_object_add(s, "file", json_object_new_string(r[i].file));
		json_object_object_add(s, "run_id", r[i].run_id ? json_object_new_string(r[i].run_id) : NULL);
		json_object_object_add(s, "status", json_object_new_string(report_status_name(r[i].status)));
		json_object_object_add(s, "message", r[i].message ? json_object_new_string(r[i].message) : NULL);
		json_object_object_add(s, "duration_seconds", json_object_new_double((double)r[i].duration_ms / 1000.0));
		json_object_object_add(s, "leaks", json_object_new_int(r[i].res ? r[i].res->leaks : 0));
		for (k = 0; r[i].res && k < r[i].res->n; k++) {
			const struct step_result *st = &r[i].res->steps[k];
			json_object *o = json_object_new_object();

			json_object_object_add(o, "id", json_object_new_int(st->id));
			json_object_object_add(o, "kind", json_object_new_string(st->kind));
			json_object_object_add(o, "title", json_object_new_string(st->title));
			json_object_object_add(o, "phase", json_object_new_string(st->teardown ? "teardown" : "run"));
			/* as the plan's teardown entries: the step undone */
			if (st->teardown)
				json_object_object_add(o, "undoes",
					json_object_new_int(st->id));
			json_object_object_add(o, "status", json_object_new_string(
				st->skipped ? "skipped" : st->code ? "failed" : "passed"));
			json_object_object_add(o, "seconds", json_object_new_double(
				(double)(st->end_ms - st->start_ms) / 1000.0));
			json_object_object_add(o, "message", st->message ? json_object_new_string(st->message) : NULL);
			json_object_array_add(steps, o);
		}
		json_object_object_add(s, "steps", steps);
		json_object_array_add(arr, s);
	}
	json_object_object_add(root, "scenarios", arr);
	rc = write_redacted(path, json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE), err);
	json_object_put(root);
	return rc;
}
