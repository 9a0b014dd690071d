/* run.c: execute a plan's steps as the graph of what each waits for
 * (graph.c), then the teardown, newest step first. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/exec.h"
#include "exec/graph.h"
#include "step/journal.h"
#include "util/json.h"
#include "util/progress.h"

#define VSPHERE_PARALLEL 4	/* vSphere steps at a time (--vsphere-parallel) */
#define CLUSTER_PARALLEL 4	/* cluster steps at a time */
#define WAIT_PARALLEL 16	/* vSphere waits (guest-ready) at a time */
#define TEARDOWN_S 600		/* an interrupted run's teardown gets this */

/* Interrupts: the first SIGINT, SIGTERM or SIGHUP (or a console that went
 * away) sets canceled, and the steps stop; the teardown then waits on
 * abandoned, which only SIGQUIT sets, so later interrupts never abort it. */
static volatile sig_atomic_t canceled;	/* the first interrupt's number */
static volatile sig_atomic_t abandoned;	/* SIGQUIT: stop the teardown */
static volatile sig_atomic_t undo_left;	/* teardown steps not yet done */
static volatile sig_atomic_t watching;	/* the console watcher runs */
static char hint[200];			/* the cleanup command */

static const int run_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define NSIG_RUN (sizeof(run_signals) / sizeof(run_signals[0]))

/* Step lookup; unit tests put fake kinds here. */
MTV_STATIC const struct step_kind *(*find_kind)(const char *name,
						 const char *side) = step_kind_find;

/* Async-signal-safe: straight to stderr, whatever happens to it. */
static void
say(const char *s)
{
	ssize_t w = write(2, s, strlen(s));

	(void)w;
}

/* "tearing down, N steps left; ..." (async-signal-safe). */
static void
say_left(void)
{
	char num[24], *p = num + sizeof(num) - 1;
	int n = undo_left;

	*p = '\0';
	do {
		*--p = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 && p > num);
	say("tearing down, ");
	say(p);
	say(undo_left == 1 ? " step left" : " steps left");
	say("; Ctrl-\\ abandons (then run: ");
	say(hint);
	say(")\n");
}

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGQUIT) {
		if (!abandoned)
			say("abandoning the teardown\n");
		abandoned = 1;
		if (!canceled)
			canceled = sig;
	} else if (!canceled) {
		canceled = sig;
		say("interrupted: tearing down ...\n");
	} else if (!abandoned) {
		say_left();
	}
	errno = saved;
}

/* A signal sent to this thread alone (raise()) waits, blocked: take it. */
static void
take_pending(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t pend, set;
	size_t i;
	int sig;

	if (sigpending(&pend) != 0)
		return;
	sigemptyset(&set);
	for (i = 0; i < NSIG_RUN; i++)
		if (sigismember(&pend, run_signals[i]) == 1)
			sigaddset(&set, run_signals[i]);
	while ((sig = sigtimedwait(&set, NULL, &zero)) > 0)
		on_signal(sig);
}

/* The console went away (EPIPE): an interrupt that cannot be told. */
static void
on_console_lost(void)
{
	if (!canceled)
		canceled = SIGPIPE;
}

/* The one thread that takes the run's signals (the others block them: a
 * signal would end a blocking poll() in libssh2 or libcurl with EINTR, and
 * fail the teardown step it is in). It also watches the console: a pipe on
 * stdout or stderr whose reader is gone shows POLLERR, noticed without
 * writing, so that `run ... | head` stops when head does. */
static void *
console_watch(void *arg)
{
	struct pollfd fds[2];
	nfds_t n = 0;
	int fd;

	(void)arg;
	for (fd = 1; fd <= 2; fd++) {
		struct stat st;

		if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
			fds[n].fd = fd;
			fds[n++].events = 0;
		}
	}
	while (watching) {
		nfds_t i;

		if (poll(n ? fds : NULL, n, 200) > 0)
			for (i = 0; i < n; i++)
				if (fds[i].revents & (POLLERR | POLLHUP)) {
					log_console_lost();
					return NULL;
				}
	}
	return NULL;
}

/* What the teardown needs to undo one step. */
struct undo_rec {
	json_object *step;		/* borrowed from the plan */
	const struct step_kind *kind;
	json_object *undo;		/* owned */
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

/* What the graph's callbacks share; all but the step's own run happen in
 * the calling thread. */
struct run_state {
	struct step_ctx *ctx;
	struct run_result *res;
	struct undo_rec *stack;
	size_t n, cap;
	int total;
};

/* Run one step (in a thread of its side's pool); arg: struct run_state. */
static void
node_exec(void *arg, struct gnode *n)
{
	struct step_ctx *ctx = ((struct run_state *)arg)->ctx;

	n->start = clock_ms();
	if (n->kind->undo)
		step_journal_begin(ctx, n->step);
	n->rc = n->kind->exec(ctx, n->step, &n->undo, &n->err);
	if (n->kind->undo && n->undo)
		step_journal_add(ctx, n->step, n->undo);
	n->end = clock_ms();
	/* a signal sent to this thread alone waits here, blocked */
	take_pending();
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
	size_t i;

	if (kind->undo == NULL) {
		json_object_put(undo);
		return;
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*stack = xrealloc(*stack, *cap * sizeof(**stack));
	}
	/* by id: the teardown goes from the last, the plan's order (newest
	 * first), whatever order parallel steps ended in; a step's id is
	 * above those of the steps it waits for, so what depends on
	 * something is undone before it */
	for (i = *n; i > 0 &&
	     jint((*stack)[i - 1].step, "id") > jint(step, "id"); i--)
		(*stack)[i] = (*stack)[i - 1];
	(*stack)[i].step = step;
	(*stack)[i].kind = kind;
	(*stack)[i].undo = undo;
	undo_left = (sig_atomic_t)++*n;
}

/* Something the teardown did not remove: what, and why. */
static void
left_add(struct run_result *res, json_object *step, const char *why)
{
	const char *what = jstr(step, "undo") ? jstr(step, "undo") :
			   jstr(step, "title");

	res->left = xrealloc(res->left, (res->nleft + 1) * sizeof(*res->left));
	res->left[res->nleft++] = xasprintf("step %d (%s)%s%s: %s",
		(int)jint(step, "id"), jstr(step, "kind") ? jstr(step, "kind") : "?",
		what ? ": " : "", what ? what : "", why && *why ? why : "failed");
}

/* A run that leaves something prints what and the command removing it. */
static void
print_left(const struct run_result *res, const char *run_id)
{
	size_t i;

	if (res->nleft == 0 || log_console_gone())
		return;
	fprintf(stderr, "left behind by run %s:\n", run_id ? run_id : "?");
	for (i = 0; i < res->nleft; i++)
		fprintf(stderr, "  %s\n", res->left[i]);
	fprintf(stderr, "to remove it, run: %s\n", hint);
	log_console_check(stderr);
}

/* A step's VM for the log, e.g. " of vm1", or "". */
static const char *
step_vm(json_object *step, char *buf, size_t len)
{
	const char *ref = jstr(jget(step, "params"), "vm_ref");

	snprintf(buf, len, "%s%s", ref ? " of " : "", ref ? ref : "");
	return buf;
}

static bool
on_stop(void *arg)
{
	struct run_state *rs = arg;
	struct mtv_err err = { 0 };

	take_pending();
	if (!step_should_stop(rs->ctx, &err))
		return false;
	if (rs->res->code == 0) {
		rs->res->code = err.code;
		rs->res->message = xstrdup(err.msg);
	}
	return true;
}

static void
on_started(void *arg, struct gnode *n)
{
	struct run_state *rs = arg;

	progress_step((int)jint(n->step, "id"), rs->total,
		      jstr(n->step, "kind"), jstr(n->step, "title"));
}

static void
on_skipped(void *arg, struct gnode *n)
{
	struct run_state *rs = arg;

	record(rs->res, n->step, 0, NULL, 0, 0, false, true);
}

/* A step ended: its undo goes on the stack (a partial step is undone
 * too), its result is recorded, a failure is the run's. */
static void
on_ended(void *arg, struct gnode *n)
{
	struct run_state *rs = arg;
	struct run_result *res = rs->res;
	int id = (int)jint(n->step, "id");
	char vm[48];

	progress_step_end(id, n->rc);
	push_undo(&rs->stack, &rs->n, &rs->cap, n->step, n->kind, n->undo);
	n->undo = NULL;
	record(res, n->step, n->rc, n->rc ? n->err.msg : NULL, n->start,
	       n->end, false, false);
	record_skipped_checks(rs->ctx, res, n->step, n->start, n->end);
	if (n->rc == 0) {
		log_verbose("step %d (%s%s) done in %.1f s", id, n->kind->name,
			    step_vm(n->step, vm, sizeof(vm)),
			    (double)(n->end - n->start) / 1000.0);
		return;
	}
	if (res->code == 0) {
		const char *obj = jstr(n->step, "object");

		res->code = n->rc;
		res->message = xasprintf("step %d (%s)%s%s%s: %s", id,
			n->kind->name, obj ? " '" : "", obj ? obj : "",
			obj ? "'" : "", n->err.msg);
	}
	log_error("step %d (%s%s) failed: %s", id, n->kind->name,
		  step_vm(n->step, vm, sizeof(vm)), n->err.msg);
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

/* One undo, in a thread of its step's side (and its connections). */
struct undo_call {
	struct step_ctx *ctx;
	struct undo_rec *u;
	struct mtv_err *err;
	int rc;
};

static void
undo_main(void *arg)
{
	struct undo_call *c = arg;

	c->rc = c->u->kind->undo(c->ctx, c->u->step, c->u->undo, c->err);
	take_pending();
}

static void
teardown(struct step_ctx *ctx, struct run_result *res, struct undo_rec *stack,
	 size_t n, struct pool *const *pools)
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
		struct undo_call c;
		long long start = clock_ms();
		int rc;

		undo_left = (sig_atomic_t)(i + 1);
		take_pending();
		if (abandoned) {
			/* Ctrl-\: what is left is listed, not undone */
			if (e)
				left_add(res, stack[i].step,
					 "teardown abandoned");
			continue;
		}

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
		c.ctx = ctx;
		c.u = &stack[i];
		c.err = &err;
		pool_call(pools[stack[i].kind->flags & STEP_SOURCE ?
				GRAPH_SOURCE : GRAPH_CLUSTER], undo_main, &c);
		rc = c.rc;
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
		left_add(res, stack[i].step, abandoned && !err.msg[0] ?
			 "teardown abandoned" : err.msg);
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

/* Catch the run's signals, note the cleanup command for the messages,
 * watch the console. The handlers stay after the run: an interrupt between
 * two scenarios stops the next one before it starts. */
static void
interrupts_begin(const char *run_id, pthread_t *tid, bool *started)
{
	struct sigaction sa;
	char *h = exec_cleanup_command(run_id);
	size_t i;

	snprintf(hint, sizeof(hint), "%s", h);
	free(h);
	abandoned = 0;
	undo_left = 0;
	if (log_console_gone())
		canceled = SIGPIPE;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIG_RUN; i++)
		sigaddset(&sa.sa_mask, run_signals[i]);
	/* syscalls of the teardown go on after a signal */
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < NSIG_RUN; i++)
		sigaction(run_signals[i], &sa, NULL);
	log_on_console_lost(on_console_lost);
	watching = 1;
	*started = pthread_create(tid, NULL, console_watch, NULL) == 0;
	/* from here on only the watcher takes them; the step threads
	 * inherit the mask */
	if (*started)
		pthread_sigmask(SIG_BLOCK, &sa.sa_mask, NULL);
}

static void
interrupts_end(pthread_t tid, bool started)
{
	sigset_t set;
	size_t i;

	watching = 0;
	if (started)
		pthread_join(tid, NULL);
	log_on_console_lost(NULL);
	/* a signal that came meanwhile is taken here, by on_signal */
	sigemptyset(&set);
	for (i = 0; i < NSIG_RUN; i++)
		sigaddset(&set, run_signals[i]);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/* After the steps: the teardown waits on its own flag, and an interrupted
 * run's teardown gets its own time. */
static void
teardown_begin(struct step_ctx *ctx, struct run_result *res)
{
	ctx->canceled = &abandoned;
	if (canceled) {
		res->interrupted = true;
		log_verbose("interrupted (signal %d): tearing down",
			    (int)canceled);
		ctx->deadline_ms = clock_ms() + TEARDOWN_S * 1000LL;
	}
	if (ctx->deadline_ms && clock_ms() >= ctx->deadline_ms)
		ctx->deadline_ms = clock_ms() + TEARDOWN_S * 1000LL;
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

/* Run the steps as their graph (graph.c), at most limit[side] at a
 * time; what they did is on rs's stack, by id. */
static void
run_graph(struct run_state *rs, json_object *steps, size_t len,
	  struct pool *const *pools, const size_t *limit)
{
	static const struct graph_ops ops_tmpl = {
		NULL, node_exec, on_stop, on_started, on_ended, on_skipped,
	};
	struct graph_ops ops = ops_tmpl;
	struct gnode *v = xcalloc(len + 1, sizeof(*v));
	struct mtv_err err = { 0 };
	size_t i;

	ops.arg = rs;
	for (i = 0; i < len; i++) {
		v[i].step = json_object_array_get_idx(steps, i);
		v[i].kind = step_kind(v[i].step);
		v[i].skip = !side_selected(v[i].kind, rs->ctx->opts->only);
	}
	if (graph_links(v, len, &err) != 0) {
		rs->res->code = err.code;
		rs->res->message = xstrdup(err.msg);
	} else {
		graph_run(v, len, pools, limit, &ops);
	}
	graph_release(v, len);
	free(v);
}

/* The wall clock minus the monotonic one, in ms. */
static long long
wall_offset(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - clock_ms();
}

char *
exec_cleanup_command(const char *run_id)
{
	return xasprintf("mtv-scenario cleanup --run-id %s",
			 run_id ? run_id : "?");
}

/* The context of one run: its plan, profile, options, state and drivers,
 * and the deadline of --timeout or the plan's. */
static void
ctx_init(struct step_ctx *ctx, struct drivers *drv, json_object *plan,
	 const struct mtv_profile *p, const struct run_opts *o)
{
	int timeout;

	memset(ctx, 0, sizeof(*ctx));
	drivers_init(drv);
	ctx->plan = plan;
	ctx->profile = p;
	ctx->opts = o;
	ctx->run_id = jstr(plan, "run_id");
	ctx->ns = jstr(plan, "namespace");
	ctx->state = json_object_new_object();
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->canceled = &canceled;
	ctx->abandoned = &abandoned;
	ctx->drivers = drv;
	timeout = o->timeout ? o->timeout : (int)jint(plan, "timeout");
	if (timeout > 0)
		ctx->deadline_ms = clock_ms() + (long long)timeout * 1000;
}

int
exec_run(struct run_result *res, json_object *plan,
	 const struct mtv_profile *p, const struct run_opts *o)
{
	struct step_ctx ctx;
	struct drivers drv;
	pthread_t watcher;
	bool watcher_started;
	struct run_state rs = { 0 };
	struct pool *pools[GRAPH_SIDES];
	size_t limit[GRAPH_BOUNDS] = { VSPHERE_PARALLEL, CLUSTER_PARALLEL,
				       WAIT_PARALLEL };
	json_object *steps = NULL;
	size_t i, len;

	memset(res, 0, sizeof(*res));
	res->wall_offset_ms = wall_offset();
	ctx_init(&ctx, &drv, plan, p, o);

	interrupts_begin(ctx.run_id, &watcher, &watcher_started);

	json_object_object_get_ex(plan, "steps", &steps);
	len = steps ? json_object_array_length(steps) : 0;
	if (o->vsphere_parallel > 0)
		limit[GRAPH_SOURCE] = (size_t)o->vsphere_parallel;
	rs.ctx = &ctx;
	rs.res = res;
	rs.total = (int)len;
	pools[GRAPH_SOURCE] = pool_new(limit[GRAPH_SOURCE] +
				       limit[GRAPH_WAIT]);
	pools[GRAPH_CLUSTER] = pool_new(limit[GRAPH_CLUSTER]);
	if (run_start(&ctx, res, plan, steps) == 0)
		run_graph(&rs, steps, len, pools, limit);
	take_pending();
	res->evidence = step_report_state(&ctx);
	teardown_begin(&ctx, res);
	if (res->code != 0 || res->interrupted)
		exec_artifacts(&ctx, res);
	if (o->keep)
		print_kept(res, rs.stack, rs.n, plan);
	else
		teardown(&ctx, res, rs.stack, rs.n, pools);
	undo_left = 0;
	print_left(res, ctx.run_id);
	for (i = 0; i < rs.n; i++)
		json_object_put(rs.stack[i].undo);
	free(rs.stack);
	pool_free(pools[GRAPH_SOURCE]);
	pool_free(pools[GRAPH_CLUSTER]);
	drivers_release(&drv);
	journal_close(ctx.journal, !o->keep && res->undo_failed == 0 &&
		      res->leaks == 0);
	interrupts_end(watcher, watcher_started);
	/* an interrupt during the teardown stops the next scenarios; one
	 * from now on stops the next before it starts */
	res->interrupted |= canceled != 0;
	canceled = 0;
	abandoned = 0;
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
	for (i = 0; i < res->nleft; i++)
		free(res->left[i]);
	free(res->left);
	free(res->steps);
	free(res->message);
	json_object_put(res->evidence);
	memset(res, 0, sizeof(*res));
}
