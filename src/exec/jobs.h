/* jobs.h: run jobs side by side (run -j), each in a process of its own:
 * the runner's signal and cancel state is process-wide (run.c). The parent
 * prints each child's output one whole line at a time, prefixed by the
 * job's name, draws the children's progress (util/progress.h), passes
 * interrupts on to every child and collects each child's result. */
#ifndef MTV_EXEC_JOBS_H
#define MTV_EXEC_JOBS_H

#include <stdbool.h>
#include <json-c/json.h>

struct exec_job {
	const char *name;	/* prefix of its lines: "[name] " */
	long long estimate_ms;	/* expected duration: the longest start first */
	bool exclusive;		/* changes cluster-wide state: runs alone */
	json_object *locks;	/* ["lun:naa...", ...]: resources it must own
				 * (borrowed; NULL: none) */
};

enum exec_job_end {
	EXEC_JOB_DONE,		/* ended with a result */
	EXEC_JOB_DIED,		/* ended without one (why says how) */
	EXEC_JOB_NOT_RUN,	/* never started: interrupted, or stopped */
};

struct exec_jobs_ops {
	/* In the child: run job i, return its result (the caller puts). */
	json_object *(*run)(size_t i, void *arg);
	/* In the parent, once per job: its end, its result (borrowed; NULL
	 * unless EXEC_JOB_DONE), why it died. Returns true to start no more
	 * jobs (those left end as EXEC_JOB_NOT_RUN). */
	bool (*done)(size_t i, enum exec_job_end end, json_object *result,
		     const char *why, void *arg);
	void *arg;
};

/* The order jobs start in: exclusive ones first (nothing runs beside
 * them, so waiting for others to drain costs nothing), then the longest
 * expected first; ties keep the given order. out gets n indices. */
void exec_jobs_order(size_t *out, const struct exec_job *jobs, size_t n);
/* Run jobs[0..n), at most parallel at a time, none beside an exclusive
 * one, none two holding one lock at once. Returns true when a signal (or
 * a console gone) interrupted the run: every child got it and tore down. */
bool exec_jobs(const struct exec_job *jobs, size_t n, int parallel,
	       const struct exec_jobs_ops *ops);

#endif
