/* cmd_run.c: run scenarios: validate everything first, then for each
 * scenario expand, execute, verify and tear down; print the verdicts. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "exec/exec.h"
#include "report/report.h"
#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"

struct item {
	struct mtv_scenario *scn;
	json_object *plan;
	struct run_result res;
	struct scenario_report rep;
};

static void
verdict(const struct item *it, FILE *fp)
{
	bool c = log_color() && fp == stdout && isatty(1);
	const char *word = it->rep.status == REPORT_PASSED ? "PASS" :
			   it->rep.status == REPORT_INTERRUPTED ? "INTERRUPTED" : "FAIL";
	const char *col = it->rep.status == REPORT_PASSED ? "\033[32m" : "\033[31m";
	char *line, *nc = NULL;
	size_t i, n = 0;

	/* checks reported as not performed (not steps left out by --only) */
	for (i = 0; i < it->res.n; i++)
		n += it->res.steps[i].skipped && it->res.steps[i].message;
	if (n)
		nc = xasprintf(", %zu check%s not performed", n,
			       n == 1 ? "" : "s");
	line = xasprintf("%s%s%s %s%s%s%s (%.1f s%s)%s%s\n", c ? col : "", word,
			 c ? "\033[0m" : "", it->rep.name, it->rep.id ? " [" : "",
			 it->rep.id ? it->rep.id : "", it->rep.id ? "]" : "",
			 (double)it->rep.duration_ms / 1000.0, nc ? nc : "",
			 it->rep.message ? ": " : "",
			 it->rep.message ? it->rep.message : "");
	free(nc);
	redact_fputs(line, fp);
	free(line);
	fflush(fp);
}

static int
run(struct mtv_opts *o)
{
	struct mtv_diags diags = { 0 };
	struct mtv_profile *prof = NULL;
	struct item *items = NULL;
	struct scenario_report *reps = NULL;
	struct run_opts ro;
	struct plan_opts po;
	struct mtv_err err = { 0 };
	char **paths = NULL;
	size_t npaths = 0, n = 0, i, passed = 0, failed = 0, errored = 0;
	int code = MTV_EXIT_INTERNAL;
	bool interrupted = false;
	FILE *logf = NULL;

	if (o->log_file) {
		logf = fopen(o->log_file, "w");
		if (logf == NULL) {
			fprintf(stderr, "mtv-scenario: cannot write '%s'\n", o->log_file);
			return MTV_EXIT_USAGE;
		}
		log_set_file(logf);
	}
	if (scenario_paths(&paths, &npaths, o->args, o->nargs, &diags) != 0)
		goto invalid;
	items = xcalloc(npaths, sizeof(*items));
	for (i = 0; i < npaths; i++) {
		struct mtv_scenario *s = NULL;
		json_object *tags = NULL;
		int m = 1;

		if (scenario_load(&s, paths[i], &diags) != 0) {
			scenario_free(s);
			continue;
		}
		if (o->marker) {
			json_object_object_get_ex(s->root, "tags", &tags);
			m = tags_match(o->marker, tags, &err);
			if (m < 0) {
				fprintf(stderr, "mtv-scenario: -m '%s': %s\n", o->marker, err.msg);
				scenario_free(s);
				code = MTV_EXIT_USAGE;
				goto out;
			}
		}
		if (m == 0) {
			scenario_free(s);
			continue;
		}
		items[n++].scn = s;
	}
	if (diags.n)
		goto invalid;
	if (n == 0) {
		fprintf(stderr, "mtv-scenario: no scenario selected\n");
		code = MTV_EXIT_NOTHING;
		goto out;
	}
	if (cmd_profile(&prof, o, &diags) != 0)
		goto invalid;
	memset(&po, 0, sizeof(po));
	po.run_id = o->run_id;
	po.storage_class = o->storage_class;
	po.only = o->only;
	po.sets = o->sets;
	for (i = 0; i < n; i++) {
		/* a fresh random run id per scenario unless one was given */
		char rid[7];

		if (o->run_id == NULL) {
			static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
			unsigned char rnd[6];
			FILE *ur = fopen("/dev/urandom", "r");
			size_t k;

			if (ur == NULL || fread(rnd, 1, 6, ur) != 6) {
				for (k = 0; k < 6; k++)
					rnd[k] = (unsigned char)(rand() ^ getpid() ^ (int)clock_ms());
			}
			if (ur)
				fclose(ur);
			for (k = 0; k < 6; k++)
				rid[k] = al[rnd[k] % 36];
			rid[6] = '\0';
			po.run_id = rid;
		}
		if (plan_build(&items[i].plan, items[i].scn, prof, &po, &diags) != 0)
			continue;
	}
	if (diags.n)
		goto invalid;

	memset(&ro, 0, sizeof(ro));
	ro.only = o->only;
	ro.keep = o->keep;
	ro.kubeconfig = o->kubeconfig;
	ro.context = o->context;
	ro.timeout = o->timeout;
	for (i = 0; i < n && !interrupted; i++) {
		struct item *it = &items[i];
		json_object *v = NULL;
		long long start = clock_ms();
		int rc;

		it->rep.name = it->scn->name;
		it->rep.id = it->scn->id;
		it->rep.file = it->scn->path;
		if (json_object_object_get_ex(it->plan, "run_id", &v))
			it->rep.run_id = json_object_get_string(v);
		log_info("==> %s%s%s%s: run %s, namespace %s", it->scn->name,
			 it->scn->id ? " [" : "", it->scn->id ? it->scn->id : "",
			 it->scn->id ? "]" : "", it->rep.run_id ? it->rep.run_id : "?",
			 json_object_object_get_ex(it->plan, "namespace", &v) ?
			 json_object_get_string(v) : "?");
		rc = exec_run(&it->res, it->plan, prof, &ro);
		it->rep.duration_ms = clock_ms() - start;
		it->rep.res = &it->res;
		it->rep.message = it->res.message;
		if (it->res.interrupted) {
			it->rep.status = REPORT_INTERRUPTED;
			interrupted = true;
		} else if (rc == 0) {
			it->rep.status = REPORT_PASSED;
		} else {
			it->rep.status = rc == MTV_EINTERNAL ? REPORT_ERROR : REPORT_FAILED;
		}
		if (it->rep.status == REPORT_PASSED)
			passed++;
		else
			failed++;
		errored += it->rep.status == REPORT_ERROR;
		verdict(it, stdout);
	}
	reps = xcalloc(n, sizeof(*reps));
	for (i = 0; i < n; i++)
		reps[i] = items[i].rep;
	if (o->report && report_json_write(o->report, reps, n, &err) != 0)
		log_error("%s", err.msg);
	if (o->junit && report_junit_write(o->junit, reps, n, &err) != 0)
		log_error("%s", err.msg);
	if (n > 1)
		printf("%zu passed, %zu failed\n", passed, failed);
	/* an internal error (a plan its step kinds refuse) is exit 3 */
	code = interrupted ? MTV_EXIT_INTERRUPTED : errored ? MTV_EXIT_INTERNAL :
		failed ? MTV_EXIT_FAIL : MTV_EXIT_PASS;
	goto out;
invalid:
	diags_sort(&diags);
	diags_print(&diags, stderr);
	code = MTV_EXIT_USAGE;
out:
	for (i = 0; items && i < n; i++) {
		run_result_release(&items[i].res);
		json_object_put(items[i].plan);
		scenario_free(items[i].scn);
	}
	free(items);
	free(reps);
	paths_free(paths, npaths);
	profile_free(prof);
	diags_release(&diags);
	if (logf) {
		log_set_file(NULL);
		fclose(logf);
	}
	return code;
}

const struct cmd_spec cmd_run = {
	.name = "run",
	.summary = "run scenarios against vSphere, ESXi and the cluster, verify, and tear down",
	.synopsis = "[options] FILE|DIR...",
	.mask = CMD_RUN,
	.run = run,
};
