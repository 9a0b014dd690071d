/* cluster.h: what the cluster-side steps share (cluster.c): manifests with
 * secret placeholders, create-or-adopt, condition evaluation, waiting by
 * watch, deletion and the final sweep, and pure readers of Forklift status. */
#ifndef MTV_STEP_CLUSTER_H
#define MTV_STEP_CLUSTER_H

#include "step/step.h"
#include "kube/kube.h"
#include "step/journal.h"

#define CL_RUN_LABEL "mtv-scenario/run"

/* Accessors of metadata fields (borrowed, NULL when absent). */
const char *cl_kind(json_object *obj);
const char *cl_name(json_object *obj);
const char *cl_ns(json_object *obj);
const char *cl_uid(json_object *obj);
/* "provider 'x'" style label of an object for messages (caller frees). */
char *cl_what(json_object *obj);

/* A deep copy of manifest with every "((secret:REF))" resolved through the
 * profile (values registered with redact), non-string stringData values
 * turned into strings (null and empty dropped) and the run labels added.
 * MTV_EINVAL naming the reference when a secret is not set. */
int cl_resolve(struct step_ctx *ctx, json_object *manifest, json_object **out,
	       struct mtv_err *err);
/* Resolve and create manifest; an existing object is adopted only when it
 * carries our run label, else MTV_ECONFLICT naming it. *out (may be NULL)
 * gets the object as stored; the resolved manifest is never logged. */
int cl_apply(struct step_ctx *ctx, struct kube_client *k, json_object *manifest,
	     json_object **out, struct mtv_err *err);

/* The condition of type with status True (borrowed) or NULL. */
json_object *cl_cond(json_object *obj, const char *type);
/* Append "Type: message (suggestion)" of every Critical/Error condition;
 * returns how many. */
int cl_blockers(json_object *obj, struct strbuf *sb);

enum cl_eval {
	CL_WAIT,		/* nothing decided yet */
	CL_DONE,		/* the wanted condition is there */
	CL_BLOCKED,		/* a blocker that will not clear by itself */
	CL_BLOCKED_SOFT,	/* a blocker that may clear (inventory lag) */
};
/* Evaluate obj against the wanted condition type ("Ready" or e.g.
 * "VDDKAndOffloadMixedUsage"); *why (caller frees) explains blockers. */
enum cl_eval cl_eval(json_object *obj, const char *want, char **why);

/* How long a wait that ran out had, for its message (caller frees): "N s"
 * (got_s), or "the scenario's timeout (N s)" when the run's deadline (the
 * scenario's timeout or --timeout) cut the wait's own asked_s short (0:
 * none asked), so a --timeout 4 is not reported as the 2 s it left. */
char *cl_wait_limit(struct step_ctx *ctx, int asked_s, int got_s);

/* kube_wait in bounded chunks, stopping on SIGINT/SIGTERM or the run
 * deadline; same callback contract. */
int cl_wait(struct step_ctx *ctx, struct kube_client *k, const char *path,
	    const char *field_selector, const char *label_selector,
	    int timeout_s, kube_event_fn fn, void *arg, struct mtv_err *err);
/* Wait until object kind/ns/name has condition want (see cl_eval); blockers
 * fail at once, soft ones after a grace period. *last (may be NULL) gets
 * the last object seen. */
int cl_wait_cond(struct step_ctx *ctx, struct kube_client *k, const char *kind,
		 const char *ns, const char *name, const char *want,
		 int timeout_s, json_object **last, struct mtv_err *err);
/* Delete and wait until it is gone (timeout_s 0: do not wait). */
int cl_delete(struct step_ctx *ctx, struct kube_client *k, const char *kind,
	      const char *ns, const char *name, int timeout_s,
	      struct mtv_err *err);
/* A step's undo record {"kind" (unless NULL), "name", "namespace"} (caller
 * puts). */
json_object *cl_undo_new(const char *kind, const char *ns, const char *name);
/* After a create that failed with r: when its outcome is unknown (an
 * interrupt, a network error or a timeout after the request may have
 * reached the server), the undo that deletes what manifest names if it
 * exists; else NULL. */
json_object *cl_undo_unknown(struct step_ctx *ctx, json_object *manifest,
			     int r);
/* Record in the run's journal, before manifest is created, the undo
 * record {"kind", "namespace", "name"} of the object it makes. */
void cl_journal_intent(struct step_ctx *ctx, json_object *step,
		       json_object *manifest);
/* Undo a step that made one object: cl_delete of kind (NULL: the record's
 * "kind") named in undo, waiting timeout_s; 0 when undo is NULL. */
int cl_undo_delete(struct step_ctx *ctx, json_object *undo, const char *kind,
		   int timeout_s, struct mtv_err *err);
/* cl_wait_cond for the condition params "wait" (default "Ready") within
 * params "timeout" seconds (default timeout_s). */
int cl_wait_step(struct step_ctx *ctx, struct kube_client *k,
		 json_object *params, const char *kind, const char *ns,
		 const char *name, int timeout_s, json_object **last,
		 struct mtv_err *err);
/* Delete every object of the kinds Forklift makes for a plan or migration
 * that matches selector in ns; names go to done (may be NULL). */
int cl_delete_selected(struct step_ctx *ctx, struct kube_client *k,
		       const char *ns, const char *selector,
		       struct strbuf *done, struct mtv_err *err);

/* Create the run's namespace unless it exists; *created when we made it.
 * An existing namespace without our run label is MTV_ECONFLICT. */
int cl_ns_ensure(struct step_ctx *ctx, struct kube_client *k, bool *created,
		 struct mtv_err *err);
/* The final sweep: delete whatever is left in the run's namespace and
 * anything labelled with the run id elsewhere, then the namespace; leaks
 * are listed in err and give MTV_EFAILED. */
int cl_sweep(struct step_ctx *ctx, struct kube_client *k, struct mtv_err *err);

/* Per-disk evidence from a Plan (or Migration) status: array of
 * {"vm","vm_name","disk","datastore_name","xcopyUsed","cloneMethod",
 * "phase"} from the DiskTransfer task annotations (caller puts). */
json_object *cl_xcopy_from_status(json_object *obj);
/* Array of {"vm","started","completed"} of each VM's DiskTransfer step. */
json_object *cl_disk_transfer_from_status(json_object *obj);
/* Array of {"vm","disk","phase","error","started","completed","total",
 * "unit"} of each DiskTransfer task (error: its reasons, or null) (total: progress.total in unit, "MB" when the
 * task names none), for the report's copy evidence (caller puts). */
json_object *cl_disk_tasks_from_status(json_object *obj);
/* One line of progress per VM: "vm 'x': phase P, step S, done/total MB". */
char *cl_progress(json_object *obj);
/* Every VM error, failing step and task and plan blocker, "; "-joined. */
char *cl_failure(json_object *obj);
/* The types of obj's status.conditions with status True (a new array). */
json_object *cl_true_conditions(json_object *obj);
/* The disk (source_vmdk, caller frees) and the last xcopyUsed=N of a
 * populate pod's log; false when the log has no xcopyUsed yet. */
bool cl_pod_log_xcopy(const char *log, char **disk, int *used);
/* "Succeeded", "Failed", "Canceled" when obj has that condition (for
 * Plans: only when the last history entry is migration uid, if given). */
const char *cl_terminal(json_object *obj, const char *migration_uid);

/* How the cluster preflight told the MTV release (cluster_release.c). */
enum release_how {
	RELEASE_BY_VERSION, RELEASE_BY_SCHEMA_OVER_VERSION,
	RELEASE_BY_SCHEMA, RELEASE_ASSUMED,
};

#ifdef MTV_TESTING
/* Internals of the step files visible to unit tests. */
int map_offload(json_object *map);
int preflight_profile_block(json_object *profile);
/* cluster_release.c: what a Plan CRD shows, the release from a version
 * and the CRD, what of a plan a release refuses. */
void release_crd_fields(json_object *crd, int *spec_type, int *rdm_as_lun);
const struct mtv_release *release_decide(const char *version, int spec_type,
					 int rdm_as_lun,
					 enum release_how *how);
void release_needs(json_object *plan, const struct mtv_release *r,
		   const char *runs, struct strbuf *sb);
#endif

#endif
