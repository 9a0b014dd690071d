/* step_verify.c: the 'verify' step. Planning turns the scenario's
 * expectations into entries of the checks in step/check/ (check_table.c);
 * running performs each entry through its check against what the run
 * recorded (state.plans), the cluster and vSphere. Every failed check is
 * reported, each naming the object, the expected and the found value;
 * a check that cannot be performed is reported as skipped with its
 * reason. */
#include "config.h"

#include <string.h>

#include "step/check/check.h"

/* The entries of every check planned at stage when. */
static void
stage(struct check_build *b, enum check_when when)
{
	size_t i, n = when == CHECK_PER_PLAN || when == CHECK_PER_VM ?
		b->m->nplans : 1;

	for (b->plan = 0; b->plan < n; b->plan++) {
		size_t nvm = when == CHECK_PER_VM ?
			b->m->plans[b->plan].nvms : 1;

		for (b->vm = 0; b->vm < nvm; b->vm++)
			for (i = 0; check_table[i]; i++)
				if (check_table[i]->when == when &&
				    check_table[i]->plan)
					check_table[i]->plan(b);
	}
	b->plan = b->vm = 0;
}

/* The scenario's expect.checks, each through the check it names. */
static void
listed(struct check_build *b, json_object *xc)
{
	size_t i;

	for (i = 0; i < jlen(xc); i++) {
		json_object *e = json_object_array_get_idx(xc, i);
		const char *name = jstr(e, "check");
		const struct check_kind *k = check_kind_find(name ? name : "");

		if (k == NULL || k->listed == NULL)
			check_diag(b, jget(e, "check"), "expect.checks[%zu]: "
				   "unknown check '%s'", i, name ? name : "");
		else
			k->listed(b, e, i);
	}
}

int
verify_plan(json_object *expect, json_object **params,
	    const struct check_model *m, struct mtv_diags *diags)
{
	json_object *ex = m->expect, *pt = jget(ex, "populator_throttling");
	struct check_build b;
	size_t before = diags->n;

	memset(&b, 0, sizeof(b));
	b.m = m;
	b.d = diags;
	b.result = jstr(ex, "result") ? jstr(ex, "result") : "succeeded";
	b.checks = json_object_new_array();
	b.xcopy = json_object_new_array();
	b.pending = json_object_new_array();
	stage(&b, CHECK_PER_PLAN);
	if (str_eq(b.result, "succeeded"))
		stage(&b, CHECK_PER_VM);
	stage(&b, CHECK_EARLY);
	listed(&b, jget(ex, "checks"));
	stage(&b, CHECK_LATE);
	jputs(expect, "result", b.result);
	jputs(expect, "condition", jstr(ex, "condition"));
	if (jstr(ex, "message"))
		jputs(expect, "message", jstr(ex, "message"));
	jput(expect, "xcopy_used", b.xcopy);
	if (pt) {
		json_object *cp = NULL;

		json_object_deep_copy(pt, &cp, NULL);
		jput(expect, "populator_throttling", cp);
	}
	jput(expect, "checks", json_object_get(b.checks));
	jput(expect, "pending", b.pending);
	*params = json_object_new_object();
	jput(*params, "checks", b.checks);
	return diags->n > before ? MTV_EINVAL : 0;
}

/* The report's record of entry c: {name, status, message, evidence}, the
 * evidence being what the entry asked (its keys but "check") and what the
 * check noted it found; a check about a plan's copies also carries the
 * plan's per-disk xcopy records. */
static json_object *
entry_result(struct check_run *r, json_object *c, int nfail)
{
	json_object *o = json_object_new_object(), *ev = NULL,
		    *x = NULL;
	const char *name = jstr(c, "check");

	json_object_deep_copy(c, &ev, NULL);
	if (ev == NULL)
		ev = json_object_new_object();
	json_object_object_del(ev, "check");
	if (r->evidence) {
		json_object_object_foreach(r->evidence, k, v)
			jput(ev, k, json_object_get(v));
	}
	if (str_eq(name, "xcopy_used") && jget(ev, "disks") == NULL &&
	    (x = jget(check_plan_state(r, jstr(c, "plan")), "xcopy")))
		jput(ev, "disks", json_object_get(x));
	jputs(o, "name", name ? name : "?");
	jputs(o, "status", r->nfail > nfail ? "failed" :
	      r->skipped ? "skipped" : "passed");
	jput(o, "message", r->msg.len ?
	     json_object_new_string(strbuf_str(&r->msg)) : NULL);
	jput(o, "evidence", ev);
	return o;
}

/* Run every entry of checks, their results added to results; the
 * entries that failed are counted, not check_fail's calls (one entry may
 * fail on several disks). */
MTV_STATIC int verify_entries(struct check_run *r, json_object *checks,
			      json_object *results);

MTV_STATIC int
verify_entries(struct check_run *r, json_object *checks, json_object *results)
{
	size_t i;
	int failed = 0;

	for (i = 0; i < jlen(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		const char *name = jstr(c, "check");
		const struct check_kind *k = check_kind_find(name ? name : "");
		int nfail = r->nfail;

		strbuf_reset(&r->msg);
		r->skipped = false;
		r->name = name;
		if (k && k->run)
			k->run(r, c);
		else
			check_fail(r, "unknown check '%s'", name ? name : "?");
		failed += r->nfail > nfail;
		json_object_array_add(results, entry_result(r, c, nfail));
		json_object_put(r->evidence);
		r->evidence = NULL;
	}
	return failed;
}

static int
exec_verify(struct step_ctx *ctx, json_object *step, json_object **undo,
	    struct mtv_err *err)
{
	json_object *checks = jget(jget(step, "params"), "checks"),
		    *results = json_object_new_array();
	struct check_run r;
	size_t n = jlen(checks);
	int rc, failed;

	(void)undo;
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	strbuf_init(&r.fail);
	strbuf_init(&r.msg);
	rc = step_kube(ctx, &r.k, err);
	if (rc != 0) {
		json_object_put(results);
		return rc;
	}
	failed = verify_entries(&r, checks, results);
	/* the VMs the guest checks started are stopped again */
	check_guests_stop(&r);
	/* for the report (see report.c) */
	state_set(ctx, "verify", "checks", results);
	/* as many checks as the plan's "verify N checks" said */
	if (failed)
		rc = err_set(err, MTV_EFAILED, "%d of %zu check%s failed: %s",
			     failed, n, n == 1 ? "" : "s",
			     strbuf_str(&r.fail));
	strbuf_release(&r.fail);
	strbuf_release(&r.msg);
	return rc;
}

static const struct step_param verify_params[] = {
	{ "checks", PT_ARRAY, true, "the checks, each {\"check\": NAME, ...}" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_verify = {
	.name = "verify",
	.summary = "check the results against the scenario's expectations",
	.flags = STEP_CLUSTER,
	.params = verify_params,
	.exec = exec_verify,
	.undo = NULL,
};
