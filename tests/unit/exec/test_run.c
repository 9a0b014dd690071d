/* test_run.c: the runner with fake step kinds: order, failure, teardown in
 * reverse, --only, --keep, parallel batches, interruption, leaks. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "exec/exec.h"

extern const struct step_kind *(*find_kind)(const char *name);

static char trace[4096];
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static int fail_id = -1, leak_id = -1, kill_id = -1;
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
		usleep(20000);
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

static const struct step_kind fake_kind = {
	.name = "fake", .exec = fake_exec, .undo = fake_undo,
};

static const struct step_kind *
fake_find(const char *name)
{
	return strcmp(name, "fake") == 0 ? &fake_kind : NULL;
}

static json_object *
mkplan(const char *spec)
{
	/* spec: "side:batch,side:batch,..." */
	json_object *plan = json_object_new_object(), *steps = json_object_new_array();
	char *dup = strdup(spec), *tok, *save = NULL;
	int id = 0;

	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		json_object *s = json_object_new_object();

		json_object_object_add(s, "id", json_object_new_int(++id));
		json_object_object_add(s, "kind", json_object_new_string("fake"));
		json_object_object_add(s, "side", json_object_new_string(tok[0] == 's' ? "source" : "cluster"));
		json_object_object_add(s, "batch", json_object_new_int(atoi(tok + 2)));
		json_object_object_add(s, "title", json_object_new_string("t"));
		json_object_array_add(steps, s);
	}
	free(dup);
	json_object_object_add(plan, "run_id", json_object_new_string("test01"));
	json_object_object_add(plan, "steps", steps);
	return plan;
}

static int
go(const char *spec, struct run_opts *o, struct run_result *res)
{
	json_object *plan = mkplan(spec);
	struct run_opts def = { 0 };
	int rc;

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

static void
test_keep(void)
{
	struct run_result res;
	struct run_opts o = { .keep = true };
	FILE *saved = stderr;

	stderr = fopen("/dev/null", "w");
	CU_ASSERT_EQUAL(go("s:0,c:0", &o, &res), 0);
	fclose(stderr);
	stderr = saved;
	CU_ASSERT_STRING_EQUAL(trace, "x1 x2 ");
	run_result_release(&res);
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

static CU_TestInfo tests_run[] = {
	{ "steps in order, teardown in reverse", test_order_and_teardown },
	{ "a failure stops the run and undoes the partial step", test_failure_stops_and_undoes_partial },
	{ "--only runs one side", test_only_side },
	{ "--keep skips the teardown", test_keep },
	{ "a batch runs in parallel", test_batch_parallel },
	{ "a leak in teardown fails the run", test_leak_fails_run },
	{ "SIGINT stops and tears down", test_interrupt_tears_down },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_run[] = {
	{ "run", NULL, NULL, NULL, NULL, tests_run },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_run)
