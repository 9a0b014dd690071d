/* migrate_evidence.h: what the migrate step gathers while a migration
 * runs, for verify (state.plans[NAME]): the per-disk xcopyUsed evidence
 * and the in-flight peaks. */
#ifndef MTV_STEP_MIGRATE_EVIDENCE_H
#define MTV_STEP_MIGRATE_EVIDENCE_H

#include "step/cluster.h"

struct mig_ev;

/* The evidence of plan's migration (plan borrowed; mig_ev_free frees). */
struct mig_ev *mig_ev_new(struct step_ctx *ctx, const char *plan);
void mig_ev_free(struct mig_ev *ev);
/* The Migration runs: its UID and the target namespace (copied); a
 * copy-offload plan has populators to look at. */
void mig_ev_start(struct mig_ev *ev, const char *uid, const char *tns,
		  bool copyoffload);
/* The migration ended: stop watching its pods (also done by free). */
void mig_ev_stop(struct mig_ev *ev);
/* A Plan status seen: per-disk copy progress to progress_copy; the
 * short-lived objects, watched, are polled only where a watcher thread
 * could not start (every few seconds, or at once when now: a phase
 * changed). */
void mig_ev_plan(struct mig_ev *ev, struct kube_client *k, json_object *plan,
		 bool now);
/* The first populator CR's secret (borrowed; NULL: none seen yet). */
const char *mig_ev_secret(struct mig_ev *ev);
/* Add to st, from plan (the last Plan seen) and what was seen meanwhile:
 * "xcopy", per disk {vm, vm_name, disk, datastore_name, xcopyUsed (null:
 * unknown), cloneMethod, phase, source (where xcopyUsed comes from: "task
 * annotation", "populator CR status", "populate pod log", or null)}, and
 * "inflight" {peak_populators (per host, from populator_evidence: "populate
 * pods" or "populator CRs"), populators_by_host, peak_vms (vm_evidence),
 * running_tasks, pending_vms}. */
void mig_ev_record(struct mig_ev *ev, json_object *st, json_object *plan);

#endif
