/* test_jobs.c: run -j's machinery: the start order, locks and exclusive
 * jobs, results handed back; a run's result as JSON and back; the time
 * formats people read. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "cmd/run.h"
#include "exec/exec.h"
#include "exec/jobs.h"
#include "util/json.h"

static void
test_order(void)
{
	struct exec_job j[5] = {
		{ "a", 10, false, NULL }, { "b", 30, false, NULL },
		{ "c", 5, true, NULL }, { "d", 30, false, NULL },
		{ "e", 1, true, NULL },
	};
	size_t o[5];

	exec_jobs_order(o, j, 5);
	/* exclusive first (longest first among them), then longest, ties in
	 * the given order */
	CU_ASSERT_EQUAL(o[0], 2);
	CU_ASSERT_EQUAL(o[1], 4);
	CU_ASSERT_EQUAL(o[2], 1);
	CU_ASSERT_EQUAL(o[3], 3);
	CU_ASSERT_EQUAL(o[4], 0);
}

struct span {
	long long start, end;
	bool done;
};

static struct span spans[6];

static json_object *
fake_run(size_t i, void *arg)
{
	json_object *o = json_object_new_object();
	struct timespec ts = { 0, 150 * 1000000L };

	(void)arg;
	jputi(o, "start", clock_ms());
	fprintf(stderr, "job %zu: a line", i);
	fflush(stderr);
	fprintf(stderr, " in two writes\n");
	nanosleep(&ts, NULL);
	jputi(o, "end", clock_ms());
	return o;
}

static bool
fake_done(size_t i, enum exec_job_end end, json_object *res, const char *why,
	  void *arg)
{
	(void)why;
	(void)arg;
	CU_ASSERT_EQUAL(end, EXEC_JOB_DONE);
	spans[i].start = jint(res, "start");
	spans[i].end = jint(res, "end");
	spans[i].done = true;
	return false;
}

static bool
overlap(size_t a, size_t b)
{
	return spans[a].start < spans[b].end && spans[b].start < spans[a].end;
}

static void
test_locks(void)
{
	json_object *lun = json_tokener_parse("[\"lun:naa.1\"]");
	struct exec_job j[6] = {
		{ "j0", 100, false, lun }, { "j1", 90, false, lun },
		{ "j2", 80, false, NULL }, { "j3", 70, true, NULL },
		{ "j4", 60, false, NULL }, { "j5", 50, false, NULL },
	};
	struct exec_jobs_ops ops = { fake_run, fake_done, NULL };
	size_t i, k;
	bool side_by_side = false;

	memset(spans, 0, sizeof(spans));
	CU_ASSERT_FALSE(exec_jobs(j, 6, 3, &ops));
	for (i = 0; i < 6; i++) {
		CU_ASSERT(spans[i].done);
		if (i != 3)
			CU_ASSERT_FALSE(overlap(i, 3));
		for (k = i + 1; k < 6; k++)
			side_by_side |= k != 3 && i != 3 && overlap(i, k);
	}
	/* the exclusive job ran first, alone */
	for (i = 0; i < 6; i++)
		if (i != 3)
			CU_ASSERT(spans[i].start >= spans[3].end);
	CU_ASSERT_FALSE(overlap(0, 1));
	CU_ASSERT(side_by_side);
	json_object_put(lun);
}

static void
test_result_json(void)
{
	struct run_result a, b;
	struct step_result st[2];
	char *left[1] = { (char *)"step 3 (clone): destroy VM x: failed" };
	json_object *o;

	memset(&a, 0, sizeof(a));
	memset(st, 0, sizeof(st));
	st[0].id = 3;
	st[0].kind = (char *)"clone";
	st[0].title = (char *)"clone x";
	st[0].code = MTV_EFAILED;
	st[0].message = (char *)"no space";
	st[0].start_ms = 5;
	st[0].end_ms = 9;
	st[1].id = 3;
	st[1].kind = (char *)"clone";
	st[1].title = (char *)"destroy VM x";
	st[1].teardown = true;
	a.steps = st;
	a.n = 2;
	a.code = MTV_EFAILED;
	a.message = (char *)"step 3 (clone): no space";
	a.leaks = 1;
	a.interrupted = true;
	a.left = left;
	a.nleft = 1;
	a.evidence = json_tokener_parse("{\"checks\":[{\"name\":\"vm\"}]}");
	a.wall_offset_ms = 1234;
	o = run_result_to_json(&a);
	run_result_from_json(&b, o);
	CU_ASSERT_EQUAL(b.n, 2);
	CU_ASSERT_EQUAL(b.steps[0].code, MTV_EFAILED);
	CU_ASSERT_STRING_EQUAL(b.steps[0].message, "no space");
	CU_ASSERT_EQUAL(b.steps[0].end_ms, 9);
	CU_ASSERT(b.steps[1].teardown);
	CU_ASSERT_PTR_NULL(b.steps[1].message);
	CU_ASSERT_STRING_EQUAL(b.message, a.message);
	CU_ASSERT_EQUAL(b.leaks, 1);
	CU_ASSERT(b.interrupted);
	CU_ASSERT_EQUAL(b.nleft, 1);
	CU_ASSERT_STRING_EQUAL(b.left[0], left[0]);
	CU_ASSERT(json_object_equal(b.evidence, a.evidence));
	CU_ASSERT_EQUAL(b.wall_offset_ms, 1234);
	json_object_put(a.evidence);
	json_object_put(o);
	run_result_release(&b);
}

/* A golden plan of tests/plan/ (caller puts). */
static json_object *
golden(const char *name)
{
	const char *srcdir = getenv("srcdir") ? getenv("srcdir") : ".";
	char *path = xasprintf("%s/tests/plan/%s.json", srcdir, name);
	json_object *o = json_object_from_file(path);

	free(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	return o;
}

static void
test_plan_locks(void)
{
	json_object *p = golden("rdm-virtual"), *l;
	bool excl = true;

	l = run_plan_locks(p, &excl);
	CU_ASSERT_FALSE(excl);
	CU_ASSERT_EQUAL(jlen(l), 1);
	CU_ASSERT(jarr_has(l, "lun:naa.600a0980383030523424457a4a695a31"));
	json_object_put(l);
	json_object_put(p);
	p = golden("populator-throttling");
	l = run_plan_locks(p, &excl);
	CU_ASSERT(excl);
	CU_ASSERT_EQUAL(jlen(l), 0);
	json_object_put(l);
	json_object_put(p);
	p = golden("thin");
	l = run_plan_locks(p, &excl);
	CU_ASSERT_FALSE(excl);
	CU_ASSERT_EQUAL(jlen(l), 0);
	json_object_put(l);
	json_object_put(p);
}

static void
test_plan_estimate(void)
{
	json_object *fb = golden("fallback-large"), *md = golden("multi-disk"),
		    *th = golden("thin"),
		    *fast = json_tokener_parse("{\"fallback_mib_s\": 1e6}");
	long long efb = run_plan_estimate_ms(fb, NULL, NULL),
		  emd = run_plan_estimate_ms(md, NULL, NULL),
		  eth = run_plan_estimate_ms(th, NULL, NULL);

	/* 100 GiB by fallback > 30 GiB by XCOPY > no added disk */
	CU_ASSERT(efb > emd);
	CU_ASSERT(emd > eth);
	/* 30 GiB at 600 MiB/s */
	CU_ASSERT(emd - eth >= 51000 && emd - eth <= 52000);
	/* a measured rate counts when the profile has none */
	CU_ASSERT(run_plan_estimate_ms(fb, NULL, fast) < emd);
	json_object_put(fb);
	json_object_put(md);
	json_object_put(th);
	json_object_put(fast);
}

static CU_TestInfo tests_jobs[] = {
	{ "a plan's locks: the RDM LUN; the throttling knobs run alone", test_plan_locks },
	{ "a plan's expected duration from its disks and the rates", test_plan_estimate },
	{ "exclusive jobs first, then the longest", test_order },
	{ "locks and exclusive jobs keep jobs apart", test_locks },
	{ "a run's result as JSON and back", test_result_json },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_jobs[] = {
	{ "jobs", NULL, NULL, NULL, NULL, tests_jobs },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_jobs)
