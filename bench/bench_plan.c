/* bench_plan.c: in-process cost of the scenario language: load, validate
 * and expand every file given, REPEAT times; prints the time per pass and
 * per file (monotonic clock and process CPU time).
 * Usage: bench-plan-inproc PROVIDERS REPEAT FILE... */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"

static double
now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	struct profile_opts po = { 0 };
	struct plan_opts o = { 0 };
	struct mtv_diags d = { 0 };
	struct mtv_profile *p = NULL;
	double w0, c0, w, c, best = 1e30;
	int rep, i, repeat, nbytes = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: bench-plan-inproc PROVIDERS REPEAT FILE...\n");
		return 2;
	}
	po.providers_file = argv[1];
	repeat = atoi(argv[2]);
	if (profile_load(&p, &po, &d) != 0) {
		diags_print(&d, stderr);
		return 1;
	}
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (rep = 0; rep < repeat; rep++) {
		double cr = now(CLOCK_PROCESS_CPUTIME_ID);

		for (i = 3; i < argc; i++) {
			struct mtv_scenario *s = NULL;
			json_object *plan = NULL;

			if (scenario_load(&s, argv[i], &d) == 0 &&
			    plan_build(&plan, s, p, &o, &d) == 0 && rep == 0)
				nbytes += (int)strlen(json_object_to_json_string(plan));
			json_object_put(plan);
			scenario_free(s);
		}
		cr = now(CLOCK_PROCESS_CPUTIME_ID) - cr;
		if (cr < best)
			best = cr;
	}
	w = now(CLOCK_MONOTONIC) - w0;
	c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	if (d.n) {
		diags_print(&d, stderr);
		return 1;
	}
	printf("%d files x %d passes: wall %.1f ms/pass, cpu %.2f ms/pass (best %.2f), "
	       "%.3f ms/file, %d bytes of plan JSON per pass\n", argc - 3, repeat,
	       w / repeat, c / repeat, best, c / repeat / (argc - 3), nbytes);
	diags_release(&d);
	profile_free(p);
	return 0;
}
