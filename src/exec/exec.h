/* exec.h: the runner. It knows step kinds only through step_table and
 * nothing about vSphere or Kubernetes. */
#ifndef MTV_EXEC_H
#define MTV_EXEC_H

#include <json-c/json.h>

#include "util/util.h"
#include "step/step.h"

/* Results */
struct step_result {
	int id;
	char *kind;
	char *title;
	int code;		/* 0 or MTV_E* */
	char *message;		/* error message (redacted on output) */
	long long start_ms, end_ms;
	bool skipped;
	bool teardown;
};

struct run_result {
	struct step_result *steps;
	size_t n, cap;
	int code;		/* first failure */
	char *message;
	int leaks;		/* objects left behind */
	int undo_failed;	/* teardown steps that failed */
	size_t kept;		/* --keep: teardown steps left undone */
	bool interrupted;
	char **left;		/* what the teardown did not remove, one line
				 * each (also after Ctrl-\) */
	size_t nleft;
	/* for the report: {"environment", "checks", "disks"} (see
	 * step_report_state), or NULL when no step ran */
	json_object *evidence;
	/* wall-clock time (ms since the epoch) minus clock_ms(), to date
	 * the steps' start_ms and end_ms */
	long long wall_offset_ms;
};

/* Run the steps of plan as the graph of their "after" ids (steps that do
 * not wait for each other in parallel, at most opts->vsphere_parallel
 * vSphere steps at a time), then the teardown, newest step first, unless
 * opts->keep. Returns 0 when
 * the scenario passed and nothing leaked. */
int exec_run(struct run_result *res, json_object *plan,
	     const struct mtv_profile *p, const struct run_opts *o);
void run_result_release(struct run_result *res);
/* A result as JSON (caller puts) and back (res is overwritten; the caller
 * releases it): how a scenario run in a process of its own (run -j) hands
 * its result to the parent. */
json_object *run_result_to_json(const struct run_result *res);
void run_result_from_json(struct run_result *res, json_object *o);
/* For a failed or interrupted run, before its teardown: write the
 * artifacts folder ctx->opts->artifacts/<scenario>-<run id> (man 5,
 * ARTIFACTS): the run's objects, events and logs, the vSphere history of
 * its VMs and summary.txt, all redacted, within about 30 s. Problems are
 * warnings; nothing is done when ctx->opts->artifacts is NULL or "". */
void exec_artifacts(struct step_ctx *ctx, const struct run_result *res);
/* Remove what run run_id left (see man 1, cleanup): undo its journal's
 * entries, sweep the cluster by run label, vSphere by name prefix and ESXi
 * by key line; print what was removed and what not on stdout. 0 when
 * nothing of the run is left (its journal is then removed), MTV_EFAILED
 * otherwise (also when the run is still alive). */
int exec_cleanup(const char *run_id, const struct mtv_profile *p,
		 const struct run_opts *o);
/* The exact command that removes what run run_id left (caller frees):
 * "mtv-scenario cleanup --run-id ID". */
char *exec_cleanup_command(const char *run_id);

#endif
