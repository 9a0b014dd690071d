/* run.h: what cmd_run.c and run_jobs.c (run -j) share. */
#ifndef MTV_CMD_RUN_H
#define MTV_CMD_RUN_H

#include "cmd/cmd.h"
#include "exec/exec.h"
#include "report/report.h"
#include "scenario/scenario.h"

struct item {
	struct mtv_scenario *scn;
	json_object *plan;
	struct run_result res;
	struct scenario_report rep;
};

/* What the verdicts add up to. */
struct tally {
	size_t passed, failed, errored, skipped;
	bool interrupted, refused, left, unsupported;
};

/* Fill it->rep's names from the scenario and the plan. */
void run_item_names(struct item *it);
/* Execute one scenario's plan and fill its report entry. */
void run_item(struct item *it, struct mtv_profile *prof,
	      const struct run_opts *ro);
/* it->rep's status, message and checks from it->res and rc. */
void run_item_status(struct item *it, int rc);
/* A scenario not run, and why (a string that outlives the report). */
void run_item_skip(struct item *it, const char *why);
/* The verdict line "PASS name [id] (1.2 s)..." on fp. */
void run_item_verdict(const struct item *it, FILE *fp);
/* --keep: the one command that removes what the run left. */
void run_item_keep_hint(const struct item *it, const struct mtv_opts *o);
/* Count it in t (after it ran); logs why no scenario runs after a refused
 * login. */
void run_tally_add(struct tally *t, const struct item *it);

/* What plan must own (["lun:naa...", "vm:NAME"]; caller puts) and
 * whether it changes cluster-wide state (*exclusive: it runs alone). */
json_object *run_plan_locks(json_object *plan, bool *exclusive);
/* How long plan should take, in ms, for the start order (longest first);
 * measured: run_rates_load()'s rates (may be NULL). */
long long run_plan_estimate_ms(json_object *plan,
			       const struct mtv_profile *prof,
			       json_object *measured);
/* Copy rates measured by earlier runs with prof (run_rates.c):
 * {"xcopy_mib_s", "fallback_mib_s", "vddk_mib_s"} as far as known (caller
 * puts), or NULL; and their update from a run's per-disk evidence. */
json_object *run_rates_load(const struct mtv_profile *prof);
void run_rates_record(const struct mtv_profile *prof,
		      const struct run_result *res);
/* run -j N (run_jobs.c): run items side by side, N at a time, each in a
 * process of its own; verdicts in the items' order; t counts them. */
void run_jobs(struct item *items, size_t n, const struct mtv_opts *o,
	      struct mtv_profile *prof, const struct run_opts *ro,
	      struct tally *t);

#endif
