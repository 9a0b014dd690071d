/* cmd_run.c: run scenarios: validate everything first, then for each
 * scenario expand, execute, verify and tear down; print the verdicts. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/run.h"
#include "config/profile.h"
#include "plan/plan.h"
#include "util/progress.h"

/* ", N check(s) not performed: NAME: WHY; ..." for the checks a run
 * reported as not performed (not steps left out by --only), or NULL. */
static char *
not_performed(const struct run_result *res)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, n = 0;

	for (i = 0; i < res->n; i++) {
		const struct step_result *st = &res->steps[i];
		const char *why = st->message;

		if (!st->skipped || why == NULL)
			continue;
		if (str_startswith(why, "not checked: "))
			why += strlen("not checked: ");
		/* the title is "CHECK of WHAT" */
		strbuf_addf(&sb, "%s%.*s: %s", n++ ? "; " : "",
			    (int)strcspn(st->title, " "), st->title, why);
	}
	if (n == 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return xasprintf(", %zu check%s not performed: %s", n,
			 n == 1 ? "" : "s", strbuf_str(&sb));
}

void
run_item_verdict(const struct item *it, FILE *fp)
{
	bool c = log_color() && fp == stdout && isatty(1);
	enum report_status st = it->rep.status;
	const char *word = st == REPORT_PASSED ? "PASS" :
			   st == REPORT_INTERRUPTED ? "INTERRUPTED" :
			   st == REPORT_SKIPPED ? "SKIP" : "FAIL";
	const char *col = it->rep.status == REPORT_PASSED ? "\033[32m" : "\033[31m";
	char *line, *nc, *red;

	if (log_console_gone())
		return;	/* the reader went away: stop printing, go on */

	nc = not_performed(&it->res);
	/* the redactor escapes control characters: the colour goes
	 * around what it returns */
	line = xasprintf(" %s%s%s%s (%.1f s%s)%s%s\n", it->rep.name,
			 it->rep.id ? " [" : "", it->rep.id ? it->rep.id : "",
			 it->rep.id ? "]" : "",
			 (double)it->rep.duration_ms / 1000.0, nc ? nc : "",
			 it->rep.message ? ": " : "",
			 it->rep.message ? it->rep.message : "");
	free(nc);
	red = redact(line);
	free(line);
	line = xasprintf("%s%s%s%s", c ? col : "", word, c ? "\033[0m" : "",
			 red);
	progress_print(fp, line);
	free(red);
	free(line);
	log_console_check(fp);
}

/* Add word to sb, single-quoted for a POSIX shell unless it is plain. */
static void
add_shell_word(struct strbuf *sb, const char *word)
{
	const char *p;

	if (*word && strspn(word, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "_-+=.,/:@%") == strlen(word)) {
		strbuf_adds(sb, word);
		return;
	}
	strbuf_addc(sb, '\'');
	for (p = word; *p; p++) {
		if (*p == '\'')
			strbuf_adds(sb, "'\\''");
		else
			strbuf_addc(sb, *p);
	}
	strbuf_addc(sb, '\'');
}

char *
cmd_cleanup_command(const struct mtv_opts *o, const char *run_id)
{
	static const char *const flags[] = { "-p", "--provider",
					     "--kubeconfig", "--context" };
	const char *vals[] = { o->providers, o->provider, o->kubeconfig,
			       o->context };
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_adds(&sb, "mtv-scenario cleanup --run-id ");
	add_shell_word(&sb, run_id);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		if (vals[i] == NULL)
			continue;
		strbuf_addf(&sb, " %s ", flags[i]);
		add_shell_word(&sb, vals[i]);
	}
	return strbuf_detach(&sb);
}

void
run_item_keep_hint(const struct item *it, const struct mtv_opts *o)
{
	char *cmd;

	if (it->res.kept == 0 || it->rep.run_id == NULL)
		return;
	cmd = cmd_cleanup_command(o, it->rep.run_id);
	fprintf(stderr, "to remove everything: %s\n", cmd);
	free(cmd);
}

/* Load every scenario; keep those -m selects. *n counts them. */
static void
select_items(struct item *items, size_t *n, char **paths, size_t npaths,
	     const struct mtv_opts *o, json_object *seen_tags,
	     struct mtv_diags *diags)
{
	size_t i;
	bool selected;

	*n = 0;
	for (i = 0; i < npaths; i++) {
		struct mtv_scenario *s = cmd_scenario_load(
		    paths[i], o->marker, &selected, seen_tags, diags);

		if (s && selected)
			items[(*n)++].scn = s;
		else
			scenario_free(s);
	}
}

/* A random run id of 6 characters of [a-z0-9]. */
static void
random_run_id(char rid[7])
{
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
}

/* Expand every selected scenario; problems go to diags. */
static void
build_plans(struct item *items, size_t n, const struct mtv_opts *o,
	    struct mtv_profile *prof, struct mtv_diags *diags)
{
	struct plan_opts po;
	size_t i;

	memset(&po, 0, sizeof(po));
	po.run_id = o->run_id;
	po.storage_class = o->storage_class;
	po.only = o->only;
	po.sets = o->sets;
	po.release = o->mtv ? release_find(o->mtv) : NULL;
	for (i = 0; i < n; i++) {
		/* a fresh random run id per scenario unless one was given */
		char rid[7];

		if (o->run_id == NULL) {
			random_run_id(rid);
			po.run_id = rid;
		}
		plan_build(&items[i].plan, items[i].scn, prof, &po, diags);
	}
}

void
run_item_names(struct item *it)
{
	json_object *v = NULL;

	it->rep.name = it->scn->name;
	it->rep.id = it->scn->id;
	it->rep.file = it->scn->path;
	it->rep.tags = jget(it->scn->root, "tags");
	if (it->plan && json_object_object_get_ex(it->plan, "run_id", &v))
		it->rep.run_id = json_object_get_string(v);
}

void
run_item_status(struct item *it, int rc)
{
	/* the verify step's checks, for JUnit (the JSON report reads them
	 * with their evidence from res.evidence) */
	it->rep.checks = it->res.evidence ?
		jget(it->res.evidence, "checks") : NULL;
	it->rep.res = &it->res;
	it->rep.message = it->res.message;
	if (it->res.interrupted)
		it->rep.status = REPORT_INTERRUPTED;
	else if (rc == 0)
		it->rep.status = REPORT_PASSED;
	else
		it->rep.status = rc == MTV_EINTERNAL ? REPORT_ERROR : REPORT_FAILED;
}

void
run_item(struct item *it, struct mtv_profile *prof, const struct run_opts *ro)
{
	json_object *v = NULL;
	long long start = clock_ms();
	int rc;

	run_item_names(it);
	log_info("==> %s%s%s%s: run %s, namespace %s", it->scn->name,
		 it->scn->id ? " [" : "", it->scn->id ? it->scn->id : "",
		 it->scn->id ? "]" : "", it->rep.run_id ? it->rep.run_id : "?",
		 json_object_object_get_ex(it->plan, "namespace", &v) ?
		 json_object_get_string(v) : "?");
	rc = exec_run(&it->res, it->plan, prof, ro);
	it->rep.duration_ms = clock_ms() - start;
	run_item_status(it, rc);
}

void
run_item_skip(struct item *it, const char *why)
{
	run_item_names(it);
	it->rep.run_id = NULL;
	it->rep.status = REPORT_SKIPPED;
	it->rep.message = why;
}

void
run_tally_add(struct tally *t, const struct item *it)
{
	if (it->rep.status == REPORT_SKIPPED) {
		t->skipped++;
		return;
	}
	t->interrupted |= it->rep.status == REPORT_INTERRUPTED;
	if (it->res.code == MTV_ELOGIN && !t->refused)
		log_error("%s: no other scenario of this run is tried "
			  "with these credentials; fix them in the "
			  "providers file (or the environment)",
			  err_name(MTV_ELOGIN));
	t->refused |= it->res.code == MTV_ELOGIN;
	if (it->rep.status == REPORT_PASSED)
		t->passed++;
	else
		t->failed++;
	t->errored += it->rep.status == REPORT_ERROR;
	t->unsupported |= it->res.code == MTV_EUNSUPPORTED;
	t->left |= it->res.nleft > 0;
}

/* --artifacts DIR, else $ARTIFACT_DIR/mtv-scenario (OpenShift CI sets
 * ARTIFACT_DIR), else NULL: none; caller frees. */
static char *
artifacts_dir(const struct mtv_opts *o)
{
	const char *ci = getenv("ARTIFACT_DIR");

	if (o->artifacts)
		return xstrdup(o->artifacts);
	return ci && *ci ? xasprintf("%s/mtv-scenario", ci) : NULL;
}

/* Run the scenarios one after the other until one is interrupted or an
 * endpoint refuses a login (nobody tries those credentials again: vCenter
 * SSO locks an account after a few failures). */
static void
run_sequential(struct item *items, size_t n, const struct mtv_opts *o,
	       struct mtv_profile *prof, const struct run_opts *ro,
	       struct tally *t)
{
	size_t i;

	for (i = 0; i < n && !t->interrupted; i++) {
		if (t->refused) {
			run_item_skip(&items[i], "not run: a login was refused "
				      "(see above)");
			run_tally_add(t, &items[i]);
			run_item_verdict(&items[i], stdout);
			continue;
		}
		progress_job_begin(0, items[i].scn->name);
		run_item(&items[i], prof, ro);
		progress_job_end(0);
		run_rates_record(prof, &items[i].res);
		if (o->keep)
			run_item_keep_hint(&items[i], o);
		run_tally_add(t, &items[i]);
		run_item_verdict(&items[i], stdout);
	}
}

/* Write --report and --junit of the items. */
static void
write_reports(struct item *items, size_t n, const struct mtv_opts *o)
{
	struct scenario_report *reps = xcalloc(n ? n : 1, sizeof(*reps));
	struct junit_opts jo;
	struct mtv_err err = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (items[i].rep.name == NULL)
			run_item_skip(&items[i],
				      "not run: the run was interrupted");
		reps[i] = items[i].rep;
	}
	if (o->report && report_json_write(o->report, reps, n, &err) != 0)
		log_error("%s", err.msg);
	jo.props = o->junit_props;
	jo.strict = o->junit_flavor && !strcmp(o->junit_flavor, "strict");
	if (o->junit && report_junit_write(o->junit, reps, n, &jo, &err) != 0)
		log_error("%s", err.msg);
	free(reps);
}

/* Run the scenarios (side by side with -j), print the verdicts and the
 * reports. Returns the exit code. */
static int
run_items(struct item *items, size_t n, const struct mtv_opts *o,
	  struct mtv_profile *prof)
{
	struct run_opts ro;
	struct tally t;
	enum progress_mode pm = PROGRESS_NONE;
	char *adir = artifacts_dir(o);
	int jobs = o->jobs > 1 && n > 1 ? o->jobs : 1;

	memset(&ro, 0, sizeof(ro));
	memset(&t, 0, sizeof(t));
	ro.only = o->only;
	ro.keep = o->keep;
	ro.kubeconfig = o->kubeconfig;
	ro.context = o->context;
	ro.timeout = o->timeout;
	ro.vsphere_parallel = o->vsphere_parallel;
	ro.artifacts = adir;
	progress_mode_parse(&pm, o->progress);
	/* run -j's parent forks: no thread of progress's own there */
	progress_start(pm, jobs == 1, -1);
	if (jobs > 1)
		run_jobs(items, n, o, prof, &ro, &t);
	else
		run_sequential(items, n, o, prof, &ro, &t);
	progress_stop();
	write_reports(items, n, o);
	free(adir);
	if (n > 1 && !log_console_gone()) {
		if (t.skipped)
			printf("%zu passed, %zu failed, %zu not run\n", t.passed,
			       t.failed, t.skipped);
		else
			printf("%zu passed, %zu failed\n", t.passed, t.failed);
		fflush(stdout);
		log_console_check(stdout);
	}
	/* an internal error (a plan its step kinds refuse) is exit 3; a
	 * refused login and a scenario the cluster's MTV release cannot run
	 * (refused by the preflight, nothing created) are configuration
	 * problems (exit 4); an interrupted run is 2 only when its teardown
	 * removed everything */
	return t.left ? MTV_EXIT_FAIL :
	       t.interrupted ? MTV_EXIT_INTERRUPTED :
	       t.refused || t.unsupported ? MTV_EXIT_USAGE :
	       t.errored ? MTV_EXIT_INTERNAL :
	       t.failed ? MTV_EXIT_FAIL : MTV_EXIT_PASS;
}

static int
run(struct mtv_opts *o)
{
	struct mtv_diags diags = { 0 };
	struct mtv_profile *prof = NULL;
	struct item *items = NULL;
	json_object *seen = NULL;
	char **paths = NULL;
	size_t npaths = 0, n = 0, i;
	int code = MTV_EXIT_USAGE;
	FILE *logf = NULL;

	if (cmd_check_format(o, "run") != 0)
		return MTV_EXIT_USAGE;
	/* a closed output pipe is EPIPE, noticed by the runner, which then
	 * tears down (SIGPIPE would kill the run, leaving everything) */
	signal(SIGPIPE, SIG_IGN);
	if (o->log_file) {
		logf = fopen(o->log_file, "w");
		if (logf == NULL) {
			fprintf(stderr, "mtv-scenario: cannot write '%s'\n", o->log_file);
			return MTV_EXIT_USAGE;
		}
		log_set_file(logf);
	}
	seen = json_object_new_object();
	if (scenario_paths(&paths, &npaths, o->args, o->nargs, &diags) != 0)
		goto invalid;
	items = xcalloc(npaths, sizeof(*items));
	select_items(items, &n, paths, npaths, o, seen, &diags);
	if (diags.n)
		goto invalid;
	if (n == 0) {
		cmd_nothing_selected(NULL, o->marker, seen);
		code = MTV_EXIT_NOTHING;
		goto out;
	}
	if (o->run_id && n > 1) {
		/* one id names one run's objects, journal and cleanup */
		fprintf(stderr, "mtv-scenario: run: --run-id names one run: "
			"select one scenario (%zu selected)\n", n);
		goto out;
	}
	if (cmd_profile(&prof, o, &diags) != 0)
		goto invalid;
	build_plans(items, n, o, prof, &diags);
	if (diags.n)
		goto invalid;
	code = run_items(items, n, o, prof);
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
	json_object_put(seen);
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
