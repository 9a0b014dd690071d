/* artifacts.c: the artifacts folder of a failed or interrupted run (see
 * exec.h and man 5, ARTIFACTS), written before its teardown. Everything
 * written passes redact(), as the traces do; nothing here changes the
 * run's result. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"
#include "step/gather.h"

#define COLLECT_S 30		/* collecting stops asking after this */
#define SKEW_S 60		/* log window starts this much earlier */

struct folder {
	char *dir;		/* DIR/<scenario>-<run id> */
	struct strbuf files;	/* one relative name a line */
	struct gather *g;
};

/* mkdir -p of path's parent folders (path itself is a file). */
static int
mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	int r = 0;

	for (s = strchr(p + 1, '/'); s && r == 0; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			r = -1;
		*s = '/';
	}
	free(p);
	return r;
}

/* name with every character outside [A-Za-z0-9._-/] made '_' and no
 * "." or ".." component: names from the cluster and vSphere stay inside
 * the folder. */
static char *
safe_name(const char *name)
{
	char *s = xstrdup(name), *c;

	for (c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._-/", *c))
			*c = '_';
	for (c = s; *c; c++)
		if (*c == '.' && (c == s || c[-1] == '/') &&
		    (c[1] == '/' || c[1] == '\0' ||
		     (c[1] == '.' && (c[2] == '/' || c[2] == '\0'))))
			*c = '_';
	return s;
}

/* gather_put_fn: redact, then write DIR/name. */
static void
put(const char *name, const char *text, void *arg)
{
	struct folder *f = arg;
	char *rel = safe_name(name), *path = xasprintf("%s/%s", f->dir, rel),
	     *red = redact(text);
	struct mtv_err e = { 0 };

	if (mkdirs(path) != 0 ||
	    file_write(path, red, strlen(red), &e) != 0)
		gather_note(f->g, "%s not written: %s", rel,
			    e.msg[0] ? e.msg : strerror(errno));
	else
		strbuf_addf(&f->files, "%s\n", rel);
	free(red);
	free(path);
	free(rel);
}

/* DIR/<scenario>-<run id>, or with "-2", "-3"... when that exists. */
static char *
folder_name(const char *dir, json_object *plan)
{
	const char *scn = jstr(jget(plan, "scenario"), "name"),
		   *id = jstr(plan, "run_id");
	char *base = xasprintf("%s/%s-%s", dir, scn ? scn : "scenario",
			       id ? id : "run"), *p = xstrdup(base);
	int n;

	for (n = 2; access(p, F_OK) == 0 && n < 1000; n++) {
		free(p);
		p = xasprintf("%s-%d", base, n);
	}
	free(base);
	return p;
}

/* The run's first failed step, or NULL. */
static const struct step_result *
failed_step(const struct run_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		if (res->steps[i].code != 0 && !res->steps[i].teardown)
			return &res->steps[i];
	return NULL;
}

/* Wall-clock start of the run (unix seconds), from its first step run
 * (steps --only leaves out have no time). */
static long long
run_started(const struct run_result *res)
{
	long long now = (long long)time(NULL);
	size_t i;

	for (i = 0; i < res->n; i++)
		if (res->steps[i].start_ms != 0)
			return now - (clock_ms() - res->steps[i].start_ms) /
				     1000 - SKEW_S;
	return now - SKEW_S;
}

/* summary.txt: what failed, why, what was not collected, the files. */
static void
write_summary(struct folder *f, const struct step_ctx *ctx,
	      const struct run_result *res)
{
	json_object *scn = jget(ctx->plan, "scenario");
	const struct step_result *st = failed_step(res);
	struct strbuf sb = STRBUF_INIT;
	char *since = time_rfc3339(f->g->since);

	strbuf_addf(&sb, "scenario: %s%s%s%s\nrun id: %s\nnamespace: %s\n",
		    jstr(scn, "name") ? jstr(scn, "name") : "?",
		    jstr(scn, "id") ? " [" : "",
		    jstr(scn, "id") ? jstr(scn, "id") : "",
		    jstr(scn, "id") ? "]" : "",
		    ctx->run_id ? ctx->run_id : "?", ctx->ns ? ctx->ns : "?");
	strbuf_addf(&sb, "result: %s\n",
		    res->interrupted ? "interrupted" : "failed");
	if (st)
		strbuf_addf(&sb, "failed step: step %d (%s) %s\n%s: %s\n",
			    st->id, st->kind, st->title,
			    str_eq(st->kind, "verify") ? "failed check" :
			    "error", st->message ? st->message : "");
	else
		strbuf_adds(&sb, "failed step: none (interrupted between "
			    "steps)\n");
	if (res->message && (st == NULL || st->message == NULL))
		strbuf_addf(&sb, "message: %s\n", res->message);
	strbuf_addf(&sb, "logs since: %s\n", since);
	strbuf_addf(&sb, "\nwhat the cluster says:\n%s",
		    f->g->explain.len ? strbuf_str(&f->g->explain) :
		    "(no failed condition found)\n");
	if (f->g->notes.len)
		strbuf_addf(&sb, "\nnot collected:\n%s",
			    strbuf_str(&f->g->notes));
	strbuf_addf(&sb, "\nfiles:\n%s", strbuf_str(&f->files));
	put("summary.txt", strbuf_str(&sb), f);
	strbuf_release(&sb);
	free(since);
}

void
exec_artifacts(struct step_ctx *ctx, const struct run_result *res)
{
	struct folder f;
	struct gather g;
	long long t0 = clock_ms();

	/* no step ran (a plan refused, an interrupt before the first):
	 * nothing was made, nothing to show */
	if (ctx->opts->artifacts == NULL || *ctx->opts->artifacts == '\0' ||
	    res->n == 0)
		return;
	memset(&f, 0, sizeof(f));
	f.dir = folder_name(ctx->opts->artifacts, ctx->plan);
	strbuf_init(&f.files);
	gather_init(&g, ctx, put, &f);
	f.g = &g;
	if (mkdirs(f.dir) != 0 || (mkdir(f.dir, 0700) != 0 && errno != EEXIST)) {
		log_warn("artifacts: cannot create '%s': %s", f.dir,
			 strerror(errno));
		goto out;
	}
	log_info("collecting artifacts in %s ...", f.dir);
	g.since = run_started(res);
	g.deadline_ms = t0 + COLLECT_S * 1000LL;
	gather_cluster(&g);
	gather_vsphere(&g);
	write_summary(&f, ctx, res);
	log_info("artifacts: %s (%.1f s)", f.dir,
		 (double)(clock_ms() - t0) / 1000.0);
out:
	gather_release(&g);
	strbuf_release(&f.files);
	free(f.dir);
}
