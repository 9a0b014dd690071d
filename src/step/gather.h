/* gather.h: evidence of a failed or interrupted run, gathered before its
 * teardown for the artifacts folder (exec/artifacts.c): the run's cluster
 * objects, events and logs (gather.c) and the vSphere history of its VMs
 * (gather_vsphere.c). Nothing here fails the run: what cannot be gathered
 * is noted. */
#ifndef MTV_STEP_GATHER_H
#define MTV_STEP_GATHER_H

#include "step/step.h"

/* Gathered files go to put (name relative to the folder, e.g.
 * "cluster/NS/Plan/NAME.yaml"); the caller redacts and writes them. */
typedef void (*gather_put_fn)(const char *name, const char *text, void *arg);

struct gather {
	struct step_ctx *ctx;
	gather_put_fn put;
	void *arg;
	long long since;	/* the run's start (unix seconds): log window */
	long log_limit;		/* bytes per log */
	long long deadline_ms;	/* clock_ms(): nothing more is asked after */
	struct strbuf notes;	/* what was not gathered, one line each */
	struct strbuf explain;	/* failed conditions of Plans, Migrations
				 * and pods, one line each */
	json_object *seen;	/* uids saved (gather.c) */
	json_object *plan_uids;	/* uids of the run's Plans */
};

void gather_init(struct gather *g, struct step_ctx *ctx, gather_put_fn put,
		 void *arg);
void gather_release(struct gather *g);
/* Add "what: why" (formatted) to g's notes and log it as a warning. */
void gather_note(struct gather *g, const char *fmt, ...) MTV_PRINTF(2, 3);
/* True (and noted once) when g's deadline passed. */
bool gather_late(struct gather *g);
/* The run's objects (Secrets only by name), its namespace's events and
 * the logs of its pods and of Forklift's controller pods. */
void gather_cluster(struct gather *g);
/* The events and tasks of the run's VMs (state "vms"). */
void gather_vsphere(struct gather *g);

#endif
