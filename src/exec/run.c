/* run.c: execute a plan's steps in order, then the teardown in reverse. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec.h"
#include "step/journal.h"
#include "util/json.h"

#define MAX_BATCH 8

static volatile sig_atomic_t canceled;

/* Step lookup; unit tests put fake kinds here. */
MTV_STATIC const struct step_kind *(*find_kind)(const char *name,
						 const char *side) = step_kind_find;

static void
on_signal(int sig)
{
	canceled = sig;
}

/* What the teardown needs to undo one step. */
struct undo_rec {
	json_object *step;		/* borrowed from the plan */
	const struct step_kind *kind;
	json_object *undo;		/* owned */
};

struct job {
	struct step_ctx *ctx;
	json_object *step;
	const struct step_kind *kind;
	json_object *undo;
	struct mtv_err err;
	int rc;
	long long start, end;
};

static struct step_result *
result_add(struct run_result *res)
{
	if (res->n == res->cap) {
		res->cap = res->cap ? res->cap * 2 : 32;
		res->steps = xrealloc(res->steps, res->cap * sizeof(*res->steps));
	}
	memset(&res->steps[res->n], 0, sizeof(res->steps[0]));
	return &res->steps[res->n++];
}

static void
record(struct run_result *res, json_object *step, int code, const char *msg,
       long long start, long long end, bool teardown, bool skipped)
{
	struct step_result *sr = result_add(res);
	const char *title = jstr(step, "title");

	sr->id = (int)jint(step, "id");
	sr->kind = xstrdup(jstr(step, "kind") ? jstr(step, "kind") : "?");
	if (teardown) {
		const char *u = jstr(step, "undo");

		sr->title = xasprintf("%s", u ? u : title ? title : sr->kind);
	} else {
		sr->title = xstrdup(title ? title : sr->kind);
	}
	sr->code = code;
	sr->message = msg && *msg ? xstrdup(msg) : NULL;
	sr->start_ms = start;
	sr->end_ms = end;
	sr->teardown = teardown;
	sr->skipped = skipped;
}

/* Checks a step reported as not performed (state.skipped_checks, each
 * {"title", "reason"}): one skipped result each, after the step's own, so
 * that no report counts them as passed. */
static void
record_skipped_checks(struct step_ctx *ctx, struct run_result *res,
		      json_object *step, long long start, long long end)
{
	json_object *sk = NULL;

	pthread_mutex_lock(&ctx->lock);
	if (json_object_object_get_ex(ctx->state, "skipped_checks", &sk)) {
		json_object_get(sk);
		json_object_object_del(ctx->state, "skipped_checks");
	}
	pthread_mutex_unlock(&ctx->lock);
	if (sk == NULL)
		return;
	json_object_object_foreach(sk, name, e) {
		struct step_result *sr;

		record(res, step, 0, jstr(e, "reason"), start, end, false,
		       true);
		sr = &res->steps[res->n - 1];
		free(sr->title);
		sr->title = xasprintf("%s of %s", name,
				      jstr(e, "title") ? jstr(e, "title") : "?");
	}
	json_object_put(sk);
}

static void *
job_main(void *arg)
{
	struct job *j = arg;

	j->start = clock_ms();
	if (j->kind->undo)
		step_journal_begin(j->ctx, j->step);
	j->rc = j->kind->exec(j->ctx, j->step, &j->undo, &j->err);
	if (j->kind->undo && j->undo)
		step_journal_add(j->ctx, j->step, j->undo);
	j->end = clock_ms();
	return NULL;
}

/* Is a step of kind k run under --only (NULL: every step)? */
static bool
side_selected(const struct step_kind *k, const char *only)
{
	return only == NULL ||
		(str_eq(only, "source") && (k->flags & STEP_SOURCE)) ||
		(str_eq(only, "cluster") && (k->flags & STEP_CLUSTER));
}

/* The kind of step: known by its name and side. */
static const struct step_kind *
step_kind(json_object *step)
{
	return find_kind(jstr(step, "kind") ? jstr(step, "kind") : "",
			 jstr(step, "side"));
}

/* Before anything runs: every step's kind is known and its params match
 * the kind's table; else an internal error naming step, kind and key. */
static int
plan_check(struct run_result *res, json_object *steps)
{
	size_t i;

	for (i = 0; i < jlen(steps); i++) {
		json_object *s = json_object_array_get_idx(steps, i);
		const struct step_kind *k = step_kind(s);
		struct mtv_err err = { 0 };

		if (k == NULL) {
			res->code = MTV_EINTERNAL;
			res->message = xasprintf("step %d: unknown kind '%s'%s%s",
				(int)jint(s, "id"), jstr(s, "kind"),
				jstr(s, "side") ? " on side " : "",
				jstr(s, "side") ? jstr(s, "side") : "");
			return res->code;
		}
		if (step_params_check(k, s, &err) != 0) {
			res->code = err.code;
			res->message = xstrdup(err.msg);
			return res->code;
		}
	}
	return 0;
}

static void
push_undo(struct undo_rec **stack, size_t *n, size_t *cap, json_object *step,
	  const struct step_kind *kind, json_object *undo)
{
	if (kind->undo == NULL) {
		json_object_put(undo);
		return;
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*stack = xrealloc(*stack, *cap * sizeof(**stack));
	}
	(*stack)[*n].step = step;
	(*stack)[*n].kind = kind;
	(*stack)[(*n)++].undo = undo;
}

static void
progress(int id, int total, json_object *step, const char *what)
{
	log_info("[%2d/%d] %-11s %s%s", id, total, jstr(step, "kind"),
		 jstr(step, "title") ? jstr(step, "title") : "", what);
}

/* Run steps[i..i+count) at the same time (count 1: in this thread). */
static void
run_batch(struct step_ctx *ctx, struct run_result *res, json_object **steps,
	  const struct step_kind **kinds, size_t count, int total,
	  struct undo_rec **stack, size_t *n, size_t *cap)
{
	struct job jobs[MAX_BATCH];
	pthread_t tids[MAX_BATCH];
	bool started[MAX_BATCH] = { false };
	size_t k;

	memset(jobs, 0, sizeof(jobs));
	for (k = 0; k < count; k++) {
		jobs[k].ctx = ctx;
		jobs[k].step = steps[k];
		jobs[k].kind = kinds[k];
		progress((int)jint(steps[k], "id"), total, steps[k], "");
	}
	if (count == 1) {
		job_main(&jobs[0]);
	} else {
		for (k = 0; k < count; k++)
			started[k] = pthread_create(&tids[k], NULL, job_main, &jobs[k]) == 0;
		for (k = 0; k < count; k++) {
			if (started[k])
				pthread_join(tids[k], NULL);
			else
				job_main(&jobs[k]);
		}
	}
	for (k = 0; k < count; k++) {
		struct job *j = &jobs[k];

		/* a partial step is undone too */
		push_undo(stack, n, cap, j->step, j->kind, j->undo);
		record(res, j->step, j->rc, j->rc ? j->err.msg : NULL, j->start,
		       j->end, false, false);
		record_skipped_checks(ctx, res, j->step, j->start, j->end);
		if (j->rc == 0) {
			log_verbose("step %d done in %.1f s", (int)jint(j->step, "id"),
				    (double)(j->end - j->start) / 1000.0);
			continue;
		}
		if (res->code == 0) {
			const char *obj = jstr(j->step, "object");

			res->code = j->rc;
			res->message = xasprintf("step %d (%s)%s%s%s: %s",
				(int)jint(j->step, "id"), j->kind->name,
				obj ? " '" : "", obj ? obj : "", obj ? "'" : "",
				j->err.msg);
		}
		log_error("step %d (%s) failed: %s", (int)jint(j->step, "id"),
			  j->kind->name, j->err.msg);
	}
}

/* The plan's teardown entry {undoes, kind, title} for step, or NULL: the
 * plan lists only the steps whose undo undoes something (plan.c). */
static json_object *
teardown_entry(json_object *plan, json_object *step)
{
	json_object *td = jget(plan, "teardown");
	size_t i;

	for (i = 0; i < jlen(td); i++) {
		json_object *e = json_object_array_get_idx(td, i);

		if (jint(e, "undoes") == jint(step, "id"))
			return e;
	}
	return NULL;
}

static void
teardown(struct step_ctx *ctx, struct run_result *res, struct undo_rec *stack,
	 size_t n)
{
	size_t i, listed = 0, k = 0;

	for (i = 0; i < n; i++)
		listed += teardown_entry(ctx->plan, stack[i].step) != NULL;
	if (listed)
		log_info("teardown: %zu step%s", listed,
			 listed == 1 ? "" : "s");
	for (i = n; i-- > 0;) {
		json_object *e = teardown_entry(ctx->plan, stack[i].step);
		struct mtv_err err = { 0 };
		long long start = clock_ms();
		int rc;

		/* steps the plan lists no undo for are still asked (they may
		 * have partial work to drop) but neither announced nor
		 * reported unless they fail */
		if (e)
			log_info("  [%2zu/%zu] step %2d %-9s %s", ++k, listed,
				 (int)jint(stack[i].step, "id"),
				 stack[i].kind->name, jstr(e, "title"));
		else
			log_verbose("  step %d %s: nothing of its own to undo",
				    (int)jint(stack[i].step, "id"),
				    stack[i].kind->name);
		rc = stack[i].kind->undo(ctx, stack[i].step, stack[i].undo, &err);
		if (e || rc)
			record(res, stack[i].step, rc, rc ? err.msg : NULL,
			       start, clock_ms(), true, false);
		if (rc == 0) {
			step_journal_done(ctx, stack[i].step);
			continue;
		}
		res->undo_failed++;
		if (rc == MTV_EFAILED)
			res->leaks++;
		log_error("teardown of step %d (%s) failed: %s",
			  (int)jint(stack[i].step, "id"), stack[i].kind->name, err.msg);
		if (res->code == 0) {
			res->code = rc;
			res->message = xasprintf("teardown of step %d (%s): %s",
				(int)jint(stack[i].step, "id"), stack[i].kind->name, err.msg);
		}
	}
}

/* --keep: what the teardown would have undone, in its order. */
static void
print_kept(struct run_result *res, struct undo_rec *stack, size_t n,
	   json_object *plan)
{
	size_t i, listed = 0;

	for (i = n; i-- > 0;) {
		json_object *e = teardown_entry(plan, stack[i].step);

		if (e == NULL)
			continue;
		if (listed++ == 0)
			fprintf(stderr, "--keep: left in place "
				"(the teardown would undo, in this order):\n");
		fprintf(stderr, "  step %2d %-9s %s\n",
			(int)jint(stack[i].step, "id"), stack[i].kind->name,
			jstr(e, "title"));
	}
	if (listed == 0)
		fprintf(stderr, "--keep: nothing was created\n");
	res->kept = listed;
}

/* Open the run's journal (header: run id, namespace, labels) before the
 * first step; a run that cannot keep one (or whose id a live run holds)
 * does not start. */
static int
exec_journal_open(struct step_ctx *ctx, struct run_result *res,
		  json_object *plan)
{
	json_object *h;
	struct mtv_err err = { 0 };
	char *jp;
	bool inherited;
	int r;

	if (ctx->run_id == NULL)
		return 0;
	/* a journal of an earlier run of this id (a live one is refused
	 * below): this run adds to it and leaves it for cleanup to check */
	jp = journal_path(ctx->run_id, "journal");
	inherited = access(jp, F_OK) == 0;
	free(jp);
	if (inherited) {
		char *cmd = exec_cleanup_command(ctx->run_id);

		log_warn("run id '%s' has the journal of an earlier run: it "
			 "stays after this run; check with: %s", ctx->run_id,
			 cmd);
		free(cmd);
	}
	h = json_object_new_object();
	json_object_object_add(h, "namespace",
			       ctx->ns ? json_object_new_string(ctx->ns) : NULL);
	json_object_object_add(h, "labels",
			       json_object_get(jget(plan, "labels")));
	r = journal_open(&ctx->journal, ctx->run_id, h, &err);
	json_object_put(h);
	if (r != 0) {
		res->code = r;
		res->message = xasprintf("journal: %s", err.msg);
	}
	return r;
}

/* Before the first step: the plan checks out, the journal is open. */
static int
run_start(struct step_ctx *ctx, struct run_result *res, json_object *plan,
	  json_object *steps)
{
	if (plan_check(res, steps) != 0)
		return res->code;
	return exec_journal_open(ctx, res, plan);
}

char *
exec_cleanup_command(const char *run_id)
{
	return xasprintf("mtv-scenario cleanup --run-id %s",
			 run_id ? run_id : "?");
}

int
exec_run(struct run_result *res, json_object *plan,
	 const struct mtv_profile *p, const struct run_opts *o)
{
	struct step_ctx ctx;
	struct drivers drv;
	struct sigaction sa, old_int, old_term;
	struct undo_rec *stack = NULL;
	json_object *steps = NULL;
	size_t nstack = 0, capstack = 0, i, len;
	int timeout, total;

	memset(res, 0, sizeof(*res));
	memset(&ctx, 0, sizeof(ctx));
	drivers_init(&drv);
	ctx.plan = plan;
	ctx.profile = p;
	ctx.opts = o;
	ctx.run_id = jstr(plan, "run_id");
	ctx.ns = jstr(plan, "namespace");
	ctx.state = json_object_new_object();
	pthread_mutex_init(&ctx.lock, NULL);
	ctx.canceled = &canceled;
	ctx.drivers = &drv;
	timeout = o->timeout ? o->timeout : (int)jint(plan, "timeout");
	if (timeout > 0)
		ctx.deadline_ms = clock_ms() + (long long)timeout * 1000;

	canceled = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	json_object_object_get_ex(plan, "steps", &steps);
	len = steps ? json_object_array_length(steps) : 0;
	total = (int)len;
	run_start(&ctx, res, plan, steps);
	for (i = 0; i < len && res->code == 0;) {
		json_object *batch[MAX_BATCH];
		const struct step_kind *kinds[MAX_BATCH];
		json_object *step = json_object_array_get_idx(steps, i);
		int b = (int)jint(step, "batch");
		size_t count = 0;
		struct mtv_err err = { 0 };

		if (step_should_stop(&ctx, &err)) {
			res->code = err.code;
			res->message = xstrdup(err.msg);
			break;
		}
		while (i < len && count < MAX_BATCH) {
			json_object *s = json_object_array_get_idx(steps, i);
			const struct step_kind *k;

			if (count > 0 && (b == 0 || (int)jint(s, "batch") != b))
				break;
			i++;
			k = step_kind(s);
			if (!side_selected(k, o->only)) {
				record(res, s, 0, NULL, 0, 0, false, true);
				if (b == 0)
					break;
				continue;
			}
			batch[count] = s;
			kinds[count++] = k;
			if (b == 0)
				break;
		}
		if (res->code == 0 && count > 0)
			run_batch(&ctx, res, batch, kinds, count, total, &stack,
				  &nstack, &capstack);
	}
	if (canceled) {
		res->interrupted = true;
		log_warn("interrupted: tearing down");
		canceled = 0;	/* let the teardown's own waits run */
		ctx.deadline_ms = 0;
	}
	if (ctx.deadline_ms && clock_ms() >= ctx.deadline_ms)
		ctx.deadline_ms = clock_ms() + 600 * 1000;	/* teardown gets its own time */
	if (o->keep)
		print_kept(res, stack, nstack, plan);
	else
		teardown(&ctx, res, stack, nstack);
	for (i = 0; i < nstack; i++)
		json_object_put(stack[i].undo);
	free(stack);
	drivers_release(&drv);
	journal_close(ctx.journal, !o->keep && res->undo_failed == 0 &&
		      res->leaks == 0);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	json_object_put(ctx.state);
	pthread_mutex_destroy(&ctx.lock);
	if (res->code == 0 && res->leaks)
		res->code = MTV_EFAILED;
	return res->code;
}

void
run_result_release(struct run_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++) {
		free(res->steps[i].kind);
		free(res->steps[i].title);
		free(res->steps[i].message);
	}
	free(res->steps);
	free(res->message);
	memset(res, 0, sizeof(*res));
}
