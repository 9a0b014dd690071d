/* report.c: JUnit reports of a run (the JSON one: report_json.c). */
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
report_junit_write(const char *path, const struct scenario_report *r, size_t n,
		   struct mtv_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, k, tests = 0, failures = 0;
	double total = 0;
	int rc;

	for (i = 0; i < n; i++) {
		total += (double)r[i].duration_ms / 1000.0;
		tests += r[i].status == REPORT_SKIPPED;
		for (k = 0; r[i].res && k < r[i].res->n; k++) {
			tests++;
			failures += r[i].res->steps[k].code != 0;
		}
	}
	strbuf_addf(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<testsuites name=\"mtv-scenario\" tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n",
		    tests, failures, total);
	for (i = 0; i < n; i++) {
		size_t t = 0, f = 0, sk = 0;
		char *suite = r[i].id ? xasprintf("%s:%s", r[i].id, r[i].name) : xstrdup(r[i].name);

		for (k = 0; r[i].res && k < r[i].res->n; k++) {
			t++;
			f += r[i].res->steps[k].code != 0;
			sk += r[i].res->steps[k].skipped;
		}
		if (r[i].status == REPORT_SKIPPED) {
			t++;
			sk++;
		}
		strbuf_adds(&sb, "  <testsuite name=\"");
		strbuf_add_xml(&sb, suite);
		strbuf_addf(&sb, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
			    t, f, sk, (double)r[i].duration_ms / 1000.0);
		strbuf_adds(&sb, "    <properties>\n      <property name=\"file\" value=\"");
		strbuf_add_xml(&sb, r[i].file);
		strbuf_adds(&sb, "\"/>\n      <property name=\"run_id\" value=\"");
		strbuf_add_xml(&sb, r[i].run_id ? r[i].run_id : "");
		strbuf_adds(&sb, "\"/>\n    </properties>\n");
		if (r[i].status == REPORT_SKIPPED) {
			strbuf_adds(&sb, "    <testcase classname=\"");
			strbuf_add_xml(&sb, suite);
			strbuf_adds(&sb, "\" name=\"not run\" time=\"0.000\">"
				    "<skipped message=\"");
			strbuf_add_xml(&sb, r[i].message ? r[i].message : "");
			strbuf_adds(&sb, "\"/></testcase>\n");
		}
		for (k = 0; r[i].res && k < r[i].res->n; k++) {
			const struct step_result *st = &r[i].res->steps[k];
			char *name = st->teardown ?
				xasprintf("teardown of step %02d (%s): %s",
					  st->id, st->kind, st->title) :
				xasprintf("%02d %s: %s", st->id, st->kind,
					  st->title);

			strbuf_adds(&sb, "    <testcase classname=\"");
			strbuf_add_xml(&sb, suite);
			strbuf_adds(&sb, "\" name=\"");
			strbuf_add_xml(&sb, name);
			strbuf_addf(&sb, "\" time=\"%.3f\"", (double)(st->end_ms - st->start_ms) / 1000.0);
			if (st->skipped) {
				strbuf_adds(&sb, "><skipped message=\"");
				strbuf_add_xml(&sb, st->message ? st->message :
					       "not selected by --only");
				strbuf_adds(&sb, "\"/></testcase>\n");
			} else if (st->code) {
				strbuf_adds(&sb, "><failure message=\"");
				strbuf_add_xml(&sb, st->message ? st->message : err_name(st->code));
				strbuf_addf(&sb, "\" type=\"%s\"/></testcase>\n", err_name(st->code));
			} else {
				strbuf_adds(&sb, "/>\n");
			}
			free(name);
		}
		strbuf_adds(&sb, "  </testsuite>\n");
		free(suite);
	}
	strbuf_adds(&sb, "</testsuites>\n");
	rc = write_redacted(path, strbuf_str(&sb), err);
	strbuf_release(&sb);
	return rc;
}
