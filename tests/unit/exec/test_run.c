/* test_run.c: the runner with fake step kinds: order, failure, teardown in
 * reverse, --only, --keep, the step graph (parallel steps, the per-side
 * bound, a failure stopping new starts, the teardown in the reverse order
 * of completion), interruption, leaks. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "exec/exec.h"
#include "step/journal.h"
#include "util/json.h"

extern const struct step_kind *(*find_kind)(const char *name, const char *side);

static char trace[4096];
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static int fail_id = -1, leak_id = -1, kill_id = -1, slow_id = -1;
static int running, max_running;
/* batch test: each step waits (5 s at most) until `rendezvous` steps run at
 * once, so the test proves parallelism without depending on timing */
static int rendezvous, narrived;
static pthread_cond_t arrived = PTHREAD_COND_INITIALIZER;

static void
note(char what, int id)
{
	char buf[32];

	pthread_mutex_lock(&trace_lock);
	snprintf(buf, sizeof(buf), "%c%d ", what, id);
	strcat(trace, buf);
	pthread_mutex_unlock(&trace_lock);
}

static int
fake_exec(struct step_ctx *ctx, json_object *step, json_object **undo, struct mtv_err *err)
{
	json_object *v = NULL;
	int id;

	json_object_object_get_ex(step, "id", &v);
	id = json_object_get_int(v);
	pthread_mutex_lock(&trace_lock);
	if (++running > max_running)
		max_running = running;
	pthread_mutex_unlock(&trace_lock);
	note('x', id);
	*undo = json_object_new_int(id);
	if (id == kill_id)
		raise(SIGINT);
	json_object_object_get_ex(step, "batch", &v);
	if (rendezvous && json_object_get_int(v) != 0) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 5;
		pthread_mutex_lock(&trace_lock);
		narrived++;
		pthread_cond_broadcast(&arrived);
		while (narrived < rendezvous &&
		       pthread_cond_timedwait(&arrived, &trace_lock, &until) == 0)
			;
		pthread_mutex_unlock(&trace_lock);
	} else {
		usleep(id == slow_id ? 300000 : 20000);
	}
	pthread_mutex_lock(&trace_lock);
	running--;
	pthread_mutex_unlock(&trace_lock);
	if (id == fail_id)
		return err_set(err, MTV_EFAILED, "boom in %d", id);
	if (step_should_stop(ctx, err))
		return err->code;
	return 0;
}

static int
fake_undo(struct step_ctx *ctx, json_object *step, json_object *undo, struct mtv_err *err)
{
	int id = json_object_get_int(undo);

	note('u', id);
	if (id == leak_id)
		return err_set(err, MTV_EFAILED, "left behind: vm/x");
	return 0;
}

static const struct step_param fake_params[] = {
	{ "n", PT_INT, true, "a number" },
	{ "s", PT_STRING | PT_NULL, false, "a string or null" },
	{ NULL, 0, false, NULL },
};

/* One fake kind per side; "typed" has a parameter table. */
static const struct step_kind fake_source = {
	.name = "fake", .flags = STEP_SOURCE, .exec = fake_exec, .undo = fake_undo,
}, fake_cluster = {
	.name = "fake", .flags = STEP_CLUSTER, .exec = fake_exec, .undo = fake_undo,
}, fake_wait = {
	.name = "wait", .flags = STEP_SOURCE | STEP_WAITS, .exec = fake_exec,
	.undo = fake_undo,
}, fake_typed = {
	.name = "typed", .flags = STEP_CLUSTER, .params = fake_params,
	.exec = fake_exec, .undo = fake_undo,
};

static const struct step_kind *
fake_find(const char *name, const char *side)
{
	if (strcmp(name, "typed") == 0)
		return &fake_typed;
	if (strcmp(name, "wait") == 0)
		return &fake_wait;
	if (strcmp(name, "fake") != 0)
		return NULL;
	return side && strcmp(side, "cluster") == 0 ? &fake_cluster : &fake_source;
}

static json_object *
mkplan(const char *spec)
{
	/* spec: "side:batch,side:batch,..." (side s, c, or w: a source step
	 * that waits, STEP_WAITS); batch 0: the step waits for the
	 * one before it (no "after": the runner's default) or for all of the
	 * batch before it; the steps of a non-zero batch wait for the step
	 * before the batch and run together. "side:aI.J": the step waits for
	 * steps I and J ("side:a": none). A "-" at the end: the step has no
	 * undo text and no entry in the plan's teardown (as the plan writes
	 * power on or disk steps) */
	json_object *plan = json_object_new_object(), *steps = json_object_new_array(),
		    *td = json_object_new_array(), *prev_after = NULL;
	char *dup = strdup(spec), *tok, *save = NULL;
	int id = 0, prev_batch = 0;

	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		json_object *s = json_object_new_object(), *after = NULL;
		char undo[32];
		int b = atoi(tok + 2), k;

		json_object_object_add(s, "id", json_object_new_int(++id));
		json_object_object_add(s, "kind", json_object_new_string(tok[0] == 'w' ? "wait" : "fake"));
		json_object_object_add(s, "side", json_object_new_string(tok[0] != 'c' ? "source" : "cluster"));
		json_object_object_add(s, "batch", json_object_new_int(b));
		if (tok[2] == 'a') {
			const char *p = tok + 3;

			after = json_object_new_array();
			while (*p >= '0' && *p <= '9') {
				json_object_array_add(after, json_object_new_int(atoi(p)));
				while (*p >= '0' && *p <= '9')
					p++;
				if (*p == '.')
					p++;
			}
		} else if (b != 0 && b == prev_batch) {
			json_object_deep_copy(prev_after, &after, NULL);
		} else if (b != 0 || prev_batch != 0) {
			after = json_object_new_array();
			for (k = id - 1; k > 0; k--) {
				json_object *o = json_object_array_get_idx(steps, (size_t)k - 1), *ob = NULL;

				json_object_object_get_ex(o, "batch", &ob);
				if (b == 0 ? json_object_get_int(ob) != prev_batch : k < id - 1)
					break;
				json_object_array_add(after, json_object_new_int(k));
			}
		}
		if (after)
			json_object_object_add(s, "after", after);
		prev_after = after;
		prev_batch = tok[2] == 'a' ? 0 : b;
		json_object_object_add(s, "title", json_object_new_string("t"));
		json_object_array_add(steps, s);
		if (strchr(tok, '-'))
			continue;
		snprintf(undo, sizeof(undo), "remove thing %d", id);
		json_object_object_add(s, "undo", json_object_new_string(undo));
	}
	free(dup);
	/* newest first, as plan.c writes it */
	for (; id > 0; id--) {
		json_object *s = json_object_array_get_idx(steps, (size_t)id - 1),
			    *u = NULL, *e;

		if (!json_object_object_get_ex(s, "undo", &u))
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "undoes", json_object_new_int(id));
		json_object_object_add(e, "kind", json_object_new_string("fake"));
		json_object_object_add(e, "title", json_object_get(u));
		json_object_array_add(td, e);
	}
	json_object_object_add(plan, "run_id", json_object_new_string("test01"));
	json_object_object_add(plan, "steps", steps);
	json_object_object_add(plan, "teardown", td);
	return plan;
}

static char statedir[64];

/* Journals in a folder of the suite's own. */
static int
suite_init(void)
{
	strcpy(statedir, "/tmp/mtv-run-state.XXXXXX");
	if (mkdtemp(statedir) == NULL)
		return -1;
	return setenv("XDG_STATE_HOME", statedir, 1);
}

static int
suite_clean(void)
{
	char *cmd = xasprintf("rm -rf '%s'", statedir);
	int r = system(cmd);

	free(cmd);
	return r == 0 ? 0 : -1;
}

/* Forget the journal an earlier test left (--keep, a leak). */
static void
journal_forget(void)
{
	char *jp = journal_path("test01", "journal");

	unlink(jp);
	free(jp);
}

static int
go(const char *spec, struct run_opts *o, struct run_result *res)
{
	json_object *plan = mkplan(spec);
	struct run_opts def = { 0 };
	int rc;

	journal_forget();
	trace[0] = '\0';
	running = max_running = narrived = 0;
	find_kind = fake_find;
	log_set_level(LOG_LVL_ERROR);
	rc = exec_run(res, plan, NULL, o ? o : &def);
	json_object_put(plan);
	return rc;
}

static void
test_order_and_teardown(void)
{
	struct run_result res;

	fail_id = leak_id = kill_id = -1;
	CU_ASSERT_EQUAL(go("s:0,s:0,c:0", NULL, &res), 0);
	CU_ASSERT_STRING_EQUAL(trace, "x1 x2 x3 u3 u2 u1 ");
	CU_ASSERT_EQUAL(res.n, 6);
	run_result_release(&res);
}

static void
test_failure_stops_and_undoes_partial(void)
{
	struct run_result res;

	fail_id = 2;
	CU_ASSERT_EQUAL(go("s:0,s:0,c:0", NULL, &res), MTV_EFAILED);
	CU_ASSERT_STRING_EQUAL(trace, "x1 x2 u2 u1 ");
	CU_ASSERT_PTR_NOT_NULL(strstr(res.message, "step 2 (fake)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.message, "boom in 2"));
	run_result_release(&res);
	fail_id = -1;
}

static void
test_only_side(void)
{
	struct run_result res;
	struct run_opts o = { .only = "source" };

	CU_ASSERT_EQUAL(go("s:0,c:0,s:0", &o, &res), 0);
	CU_ASSERT_STRING_EQUAL(trace, "x1 x3 u3 u1 ");
	CU_ASSERT(res.steps[1].skipped);
	run_result_release(&res);
}

/* The text written to fp since it was opened (caller frees). */
static char *
slurp_fp(FILE *fp)
{
	long n;
	char *s;

	fflush(fp);
	n = ftell(fp);
	s = xcalloc(1, (size_t)n + 1);
	rewind(fp);
	CU_ASSERT_EQUAL(fread(s, 1, (size_t)n, fp), (size_t)n);
	return s;
}

/* The log file's text without the instant that starts each line (checked
 * to be one: "2026-12-06T10:02:11.123Z "). */
static char *
log_text(FILE *fp)
{
	char *s = slurp_fp(fp), *in = s, *out = s, *nl;

	while (*in) {
		CU_ASSERT(strlen(in) > 25 && in[10] == 'T' && in[23] == 'Z' &&
			  in[24] == ' ');
		if (strlen(in) > 25)
			in += 25;
		nl = strchr(in, '\n');
		nl = nl ? nl + 1 : in + strlen(in);
		memmove(out, in, (size_t)(nl - in));
		out += nl - in;
		in = nl;
	}
	*out = '\0';
	return s;
}

static void
test_keep(void)
{
	struct run_result res;
	struct run_opts o = { .keep = true };
	FILE *saved = stderr, *out = tmpfile();
	char *text;

	stderr = out;
	CU_ASSERT_EQUAL(go("s:0,s:0-,c:0", &o, &res), 0);
	stderr = saved;
	CU_ASSERT_STRING_EQUAL(trace, "x1 x2 x3 ");
	/* what the teardown would undo, newest first; not step 2 */
	CU_ASSERT_EQUAL(res.kept, 2);
	text = slurp_fp(out);
	CU_ASSERT_STRING_EQUAL(text,
		"--keep: left in place (the teardown would undo, in this order):\n"
		"  step  3 fake      remove thing 3\n"
		"  step  1 fake      remove thing 1\n");
	free(text);
	fclose(out);
	run_result_release(&res);
}

/* The journal: a run that tore down removes it; --keep keeps it with a
 * begin and an undo record per step; a later run of the id keeps it. */
static void
test_journal(void)
{
	struct run_result res;
	struct run_opts o = { .keep = true };
	struct mtv_err err = { 0 };
	char *jp = journal_path("test01", "journal");
	json_object *rd = NULL;
	FILE *saved = stderr;

	fail_id = leak_id = kill_id = -1;
	CU_ASSERT_EQUAL(go("s:0,c:0", NULL, &res), 0);
	CU_ASSERT_NOT_EQUAL(access(jp, F_OK), 0);
	run_result_release(&res);
	stderr = fopen("/dev/null", "w");
	CU_ASSERT_EQUAL(go("s:0,c:0", &o, &res), 0);
	fclose(stderr);
	stderr = saved;
	run_result_release(&res);
	ASSERT_OK_FATAL(journal_read(&rd, jp, &err), &err);
	CU_ASSERT_STRING_EQUAL(jstr(jget(rd, "run"), "run_id"), "test01");
	CU_ASSERT_EQUAL(jlen(jget(rd, "steps")), 2);
	json_object_put(rd);
	/* a run of the same id adds to that journal and leaves it for
	 * cleanup to check, even when its own teardown succeeds */
	trace[0] = '\0';
	rd = mkplan("s:0");
	CU_ASSERT_EQUAL(exec_run(&res, rd, NULL, &(struct run_opts){ 0 }), 0);
	CU_ASSERT_STRING_EQUAL(trace, "x1 u1 ");
	CU_ASSERT_EQUAL(access(jp, F_OK), 0);
	run_result_release(&res);
	json_object_put(rd);
	free(jp);
}

/* Only the steps of the plan's teardown are counted, announced and
 * reported, each by what it undoes; the others are still asked to undo
 * (partial work) and show only when they fail. */
static void
test_teardown_lists_what_undoes(void)
{
	struct run_result res;
	FILE *log = tmpfile();
	char *text;
	size_t i, td = 0;

	log_set_file(log);
	CU_ASSERT_EQUAL(go("s:0,s:0-,c:0", NULL, &res), 0);
	log_set_file(NULL);
	CU_ASSERT_STRING_EQUAL(trace, "x1 x2 x3 u3 u2 u1 ");
	CU_ASSERT_EQUAL(res.n, 5);
	for (i = 0; i < res.n; i++) {
		if (!res.steps[i].teardown)
			continue;
		CU_ASSERT_EQUAL(res.steps[i].id, td ? 1 : 3);
		CU_ASSERT_STRING_EQUAL(res.steps[i].title, td ?
				       "remove thing 1" : "remove thing 3");
		td++;
	}
	CU_ASSERT_EQUAL(td, 2);
	text = log_text(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "teardown: 2 steps\n"
		"  [ 1/2] step  3 fake      remove thing 3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
		"  [ 2/2] step  1 fake      remove thing 1\n"));
	CU_ASSERT_PTR_NULL(strstr(text, "step  2 fake"));
	free(text);
	fclose(log);
	run_result_release(&res);

	/* an unlisted undo that fails is reported and counts as a leak */
	leak_id = 2;
	CU_ASSERT_EQUAL(go("s:0,s:0-,c:0", NULL, &res), MTV_EFAILED);
	CU_ASSERT_EQUAL(res.n, 6);
	CU_ASSERT_EQUAL(res.leaks, 1);
	CU_ASSERT(res.steps[4].teardown && res.steps[4].id == 2 &&
		  res.steps[4].code == MTV_EFAILED);
	CU_ASSERT_STRING_EQUAL(res.message ? res.message : "",
			       "teardown of step 2 (fake): left behind: vm/x");
	run_result_release(&res);
	leak_id = -1;
}

static void
test_batch_parallel(void)
{
	struct run_result res;

	rendezvous = 3;
	CU_ASSERT_EQUAL(go("s:1,s:1,s:1,c:0", NULL, &res), 0);
	rendezvous = 0;
	CU_ASSERT_EQUAL(max_running, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(trace, "x4 u4 "));
	run_result_release(&res);
}

/* --vsphere-parallel 2: six source steps that wait for nothing run two
 * at a time (the rendezvous proves two, the bound at most two); the
 * cluster step waits for them all */
static void
test_graph_bound(void)
{
	struct run_result res;
	struct run_opts o = { .vsphere_parallel = 2 };

	rendezvous = 2;
	CU_ASSERT_EQUAL(go("s:1,s:1,s:1,s:1,s:1,s:1,c:0", &o, &res), 0);
	rendezvous = 0;
	CU_ASSERT_EQUAL(max_running, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(trace, "x7 u7 "));
	CU_ASSERT_EQUAL(res.n, 7 + 7);
	run_result_release(&res);
}

/* waits (side source, STEP_WAITS) take no slot of --vsphere-parallel:
 * with a bound of 1, three waits run together beside a source step */
static void
test_graph_waits_unbound(void)
{
	struct run_result res;
	struct run_opts o = { .vsphere_parallel = 1 };

	rendezvous = 4;
	CU_ASSERT_EQUAL(go("s:1,w:1,w:1,w:1", &o, &res), 0);
	rendezvous = 0;
	CU_ASSERT_EQUAL(max_running, 4);
	run_result_release(&res);
}

/* two chains (1 -> 3, 2 -> 4): 1 fails while 2 runs; nothing more
 * starts, 2 ends, and the teardown undoes 2, then 1 */
static void
test_graph_failure_stops_starts(void)
{
	struct run_result res;

	fail_id = 1;
	slow_id = 2;
	CU_ASSERT_EQUAL(go("s:a,s:a,s:a1,s:a2", NULL, &res), MTV_EFAILED);
	CU_ASSERT_PTR_NULL(strstr(trace, "x3"));
	CU_ASSERT_PTR_NULL(strstr(trace, "x4"));
	CU_ASSERT_PTR_NOT_NULL(strstr(trace, "x2 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(trace, "u2 u1 "));
	run_result_release(&res);
	fail_id = slow_id = -1;
}

/* the teardown follows the plan's order (newest first), not the order
 * steps ended in: 1 (slow) ends after 2 and 3 (which waits for 2) */
static void
test_graph_teardown_order(void)
{
	struct run_result res;

	slow_id = 1;
	CU_ASSERT_EQUAL(go("s:a,s:a,c:a2", NULL, &res), 0);
	/* results in the order steps ended: 2, 3, then 1 */
	CU_ASSERT(res.n >= 3 && res.steps[2].id == 1 && !res.steps[2].teardown);
	CU_ASSERT_PTR_NOT_NULL(strstr(trace, "u3 u2 u1 "));
	run_result_release(&res);
	slow_id = -1;
}

/* an "after" naming no earlier step is refused before anything runs */
static void
test_graph_bad_link(void)
{
	struct run_result res;

	CU_ASSERT_EQUAL(go("s:a,s:a3,s:a", NULL, &res), MTV_EINTERNAL);
	CU_ASSERT_STRING_EQUAL(trace, "");
	CU_ASSERT_STRING_EQUAL(res.message ? res.message : "",
			       "step 2 waits for 3, which is not an earlier step");
	run_result_release(&res);
}

static void
test_leak_fails_run(void)
{
	struct run_result res;

	leak_id = 1;
	CU_ASSERT_EQUAL(go("s:0,c:0", NULL, &res), MTV_EFAILED);
	CU_ASSERT_EQUAL(res.leaks, 1);
	CU_ASSERT_STRING_EQUAL(trace, "x1 x2 u2 u1 ");
	run_result_release(&res);
	leak_id = -1;
}

static void
test_interrupt_tears_down(void)
{
	struct run_result res;

	kill_id = 2;
	CU_ASSERT_NOT_EQUAL(go("s:0,s:0,c:0", NULL, &res), 0);
	CU_ASSERT(res.interrupted);
	CU_ASSERT_STRING_EQUAL(trace, "x1 x2 u2 u1 ");
	run_result_release(&res);
	kill_id = -1;
}

/* A plan of two fake steps and one "typed" step with params (JSON). */
static int
go_typed(const char *params, struct run_result *res)
{
	json_object *plan = mkplan("s:0,c:0"), *st = json_object_new_object(),
		    *steps = NULL;
	struct run_opts def = { 0 };
	int rc;

	json_object_object_get_ex(plan, "steps", &steps);
	json_object_object_add(st, "id", json_object_new_int(3));
	json_object_object_add(st, "kind", json_object_new_string("typed"));
	json_object_object_add(st, "side", json_object_new_string("cluster"));
	json_object_object_add(st, "params", json_tokener_parse(params));
	json_object_array_add(steps, st);
	trace[0] = '\0';
	find_kind = fake_find;
	log_set_level(LOG_LVL_ERROR);
	rc = exec_run(res, plan, NULL, &def);
	json_object_put(plan);
	return rc;
}

static void
test_params_checked_first(void)
{
	static const struct { const char *params, *want; } bad[] = {
		{ "{\"n\": 1, \"x\": 2}", "step 3 (typed): unknown parameter 'x'" },
		{ "{\"s\": \"a\"}", "step 3 (typed): missing parameter 'n'" },
		{ "{\"n\": \"1\"}", "step 3 (typed): parameter 'n' must be an integer" },
		{ "{\"n\": 1, \"s\": 2}", "step 3 (typed): parameter 's' must be a string or null" },
	};
	struct run_result res;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		CU_ASSERT_EQUAL(go_typed(bad[i].params, &res), MTV_EINTERNAL);
		/* nothing ran, nothing to undo */
		CU_ASSERT_STRING_EQUAL(trace, "");
		CU_ASSERT_PTR_NOT_NULL(res.message);
		CU_ASSERT_STRING_EQUAL(res.message ? res.message : "", bad[i].want);
		run_result_release(&res);
	}
	CU_ASSERT_EQUAL(go_typed("{\"n\": 1, \"s\": null}", &res), 0);
	CU_ASSERT_STRING_EQUAL(trace, "x1 x2 x3 u3 u2 u1 ");
	run_result_release(&res);
}

static void
test_unknown_kind_first(void)
{
	struct run_result res;
	json_object *plan = mkplan("s:0,c:0"), *steps = NULL, *st;
	struct run_opts def = { 0 };

	json_object_object_get_ex(plan, "steps", &steps);
	st = json_object_array_get_idx(steps, 1);
	json_object_object_add(st, "kind", json_object_new_string("nosuch"));
	trace[0] = '\0';
	find_kind = fake_find;
	CU_ASSERT_EQUAL(exec_run(&res, plan, NULL, &def), MTV_EINTERNAL);
	CU_ASSERT_STRING_EQUAL(trace, "");
	CU_ASSERT_STRING_EQUAL(res.message ? res.message : "",
			       "step 2: unknown kind 'nosuch' on side cluster");
	run_result_release(&res);
	json_object_put(plan);
}

/* every real kind's table is well formed: keys once, a type, a doc */
static void
test_real_tables(void)
{
	size_t i;
	const struct step_param *p, *q;

	for (i = 0; step_table[i]; i++) {
		CU_ASSERT_PTR_NOT_NULL(step_table[i]->params);
		CU_ASSERT(step_table[i]->flags & (STEP_SOURCE | STEP_CLUSTER));
		CU_ASSERT_PTR_EQUAL(step_kind_find(step_table[i]->name,
						   step_side(step_table[i])),
				    step_table[i]);
		for (p = step_table[i]->params; p && p->key; p++) {
			CU_ASSERT(p->type != 0 && p->doc != NULL);
			for (q = p + 1; q->key; q++)
				CU_ASSERT_STRING_NOT_EQUAL(p->key, q->key);
		}
	}
}

static CU_TestInfo tests_run[] = {
	{ "steps in order, teardown in reverse", test_order_and_teardown },
	{ "a failure stops the run and undoes the partial step", test_failure_stops_and_undoes_partial },
	{ "--only runs one side", test_only_side },
	{ "--keep skips the teardown and lists what it would undo", test_keep },
	{ "the journal: removed after teardown, kept with --keep", test_journal },
	{ "the teardown lists only steps whose undo undoes something", test_teardown_lists_what_undoes },
	{ "a batch runs in parallel", test_batch_parallel },
	{ "--vsphere-parallel bounds the source steps at a time", test_graph_bound },
	{ "waits take no slot of --vsphere-parallel", test_graph_waits_unbound },
	{ "a failure stops new starts, running steps end", test_graph_failure_stops_starts },
	{ "the teardown follows the plan's order, not completion", test_graph_teardown_order },
	{ "a link to no earlier step is an internal error", test_graph_bad_link },
	{ "a leak in teardown fails the run", test_leak_fails_run },
	{ "SIGINT stops and tears down", test_interrupt_tears_down },
	{ "params are checked against the kind's table before anything runs", test_params_checked_first },
	{ "an unknown kind stops the run before anything runs", test_unknown_kind_first },
	{ "every kind's parameter table is well formed", test_real_tables },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_run[] = {
	{ "run", suite_init, suite_clean, NULL, NULL, tests_run },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_run)
