/* step.h: the step-kind records, the context every step of a run shares,
 * and the drivers steps reach through it. */
#ifndef MTV_STEP_H
#define MTV_STEP_H

#include <pthread.h>
#include <signal.h>
#include <json-c/json.h>

#include "util/util.h"
#include "config/profile.h"
#include "scenario/model.h"

struct vs_client;
struct kube_client;
struct step_journal;
struct vs_opts;
struct kube_opts;

struct run_opts {
	const char *only;	/* NULL, "source" or "cluster" */
	bool keep;		/* leave what was created; print how to remove it */
	const char *kubeconfig;	/* --kubeconfig */
	const char *context;	/* --context */
	const char *report_json; /* --report FILE (JSON) */
	const char *junit;	/* --junit FILE */
	int timeout;		/* seconds; 0 = scenario's */
	int vsphere_parallel;	/* vSphere steps at a time; 0: 4 */
	const char *artifacts;	/* --artifacts DIR: evidence of a failed
				 * run; NULL or "": none */
};

/* Shared by every step of one run. */
struct step_ctx {
	json_object *plan;		/* borrowed */
	const struct mtv_profile *profile;
	const struct run_opts *opts;
	const char *run_id;
	const char *ns;			/* plan["namespace"] */
	/* Results steps hand to later steps, e.g. state["vms"]["vm0"]["moid"],
	 * state["plans"][name]["migration_uid"], guarded by lock. */
	json_object *state;
	pthread_mutex_t lock;
	long long deadline_ms;		/* clock_ms() deadline of the run */
	/* set: steps stop (the first interrupt); the teardown gets a flag
	 * only SIGQUIT sets */
	volatile sig_atomic_t *canceled;
	volatile sig_atomic_t *abandoned;	/* SIGQUIT: stop at once */
	void *drivers;			/* exec-private */
	struct step_journal *journal;	/* exec-owned; NULL: none */
};

/* The type of a step parameter; PT_NULL may be or'ed in: null allowed. */
enum step_ptype {
	PT_STRING = 1, PT_INT, PT_BOOL, PT_OBJECT, PT_ARRAY, PT_ANY,
	PT_NULL = 0x10,
};

/* One key of a step's "params" (doc/plan-format.md, "params by kind"). */
struct step_param {
	const char *key;
	unsigned type;		/* enum step_ptype, maybe | PT_NULL */
	bool required;		/* the plan always writes it */
	const char *doc;
};

/* Where a plan callback is called: for one VM, one plan or once, and
 * which of the kind's steps (power "on" or "off", provider "source"...). */
struct step_at {
	const struct step_kind *kind;	/* the kind called */
	int vm;			/* index into model vms, or -1 */
	int plan;		/* index into model plans, or -1 */
	const char *role;	/* NULL when the kind has one shape */
};

/* A step kind: what the plan writes for it (plan, params) and what the
 * runner does with it (exec, undo). A kind is known by its name and its
 * side: preflight has one record per side. */
struct step_kind {
	const char *name;		/* name users see: "clone", "disk", ... */
	const char *summary;		/* one line for --help / man */
	unsigned flags;			/* STEP_* */
	const struct step_param *params;	/* ends with a NULL key */
	/* Append this kind's steps for at to m (model_step_add through
	 * step_plan_add); problems go to m's diags. */
	void (*plan)(struct mtv_model *m, const struct step_at *at);
	/* Do the step. params is step["params"]. *undo (may stay NULL) is
	 * kept and handed to undo() in reverse order at teardown. */
	int (*exec)(struct step_ctx *ctx, json_object *step, json_object **undo,
		    struct mtv_err *err);
	/* Undo what exec did; also called after a partial exec (undo may be
	 * partial). Must be idempotent: absent objects are not errors. */
	int (*undo)(struct step_ctx *ctx, json_object *step, json_object *undo,
		    struct mtv_err *err);
};

#define STEP_SOURCE	0x1	/* talks to vSphere: side "source" */
#define STEP_CLUSTER	0x2	/* talks to the cluster: side "cluster" */
#define STEP_UNDO_WITH_VM 0x4	/* what it makes goes with the VM it changes:
				 * no teardown entry of its own */
#define STEP_WAITS	0x8	/* waits for something else to happen (a
				 * property-collector long poll): takes no
				 * slot of --vsphere-parallel */
/* The undo text of a STEP_UNDO_WITH_VM step that made something. */
#define STEP_UNDO_VM	"remove with the VM"

extern const struct step_kind *const step_table[];
/* The kind named name on side ("source", "cluster"; NULL: either). */
const struct step_kind *step_kind_find(const char *name, const char *side);
/* "source" or "cluster", from k's flags. */
const char *step_side(const struct step_kind *k);
/* Check step["params"] against k's table: every key known and of its
 * type, every required key there. MTV_EINTERNAL naming the step id, the
 * kind and the key. */
int step_params_check(const struct step_kind *k, json_object *step,
		      struct mtv_err *err);
/* Append a step of kind k to the plan in m: "kind" and "side" from the
 * record, the rest from st (its kind and side are ignored). */
json_object *step_plan_add(struct mtv_model *m, const struct step_kind *k,
			   struct model_step *st, const char *fmt, ...)
	MTV_PRINTF(4, 5);

/* Drivers for the calling thread, connected on first use and reused
 * (one connection per endpoint and thread). Borrowed. */
int step_vsphere(struct step_ctx *ctx, struct vs_client **out, struct mtv_err *err);
int step_kube(struct step_ctx *ctx, struct kube_client **out, struct mtv_err *err);
/* Driver options from the profile (may be NULL) and the environment: for
 * vSphere the profile's api_url, username, password, ca_file, thumbprint
 * and insecure, with GOVC_* as defaults; for the cluster CLUSTER_HOST,
 * CLUSTER_USERNAME, CLUSTER_PASSWORD, CLUSTER_CA_FILE, CLUSTER_INSECURE
 * over the profile's cluster_* keys, and --kubeconfig/--context. Strings
 * are borrowed; o->password belongs to o (secret_free). */
void step_vs_opts(struct vs_opts *o, const struct mtv_profile *p);
void step_kube_opts(struct kube_opts *o, const struct mtv_profile *p,
		    const char *kubeconfig, const char *context);
/* The profile's Linux guest credentials, guest_vm_linux_user and
 * guest_vm_linux_password (a "((secret:...))" resolved; profile_load
 * applies GUEST_VM_LINUX_USER and GUEST_VM_LINUX_PASSWORD over them):
 * *user borrowed, *password the caller's (secret_free). MTV_EINVAL saying
 * what to set when either is missing. */
int step_guest_creds(const struct mtv_profile *p, const char **user,
		     struct secret **password, struct mtv_err *err);
/* Does VM vi get a guest-data step (step_guest_data.c): its data_integrity
 * is checked (it has snapshots, or expect.checks selects it) and the
 * scenario expects success? */
bool step_guest_data_wanted(struct mtv_model *m, size_t vi);
/* True when *ctx->canceled is set (an interrupt) or the run deadline
 * passed; sets err. */
bool step_should_stop(struct step_ctx *ctx, struct mtv_err *err);
/* Seconds left before the run deadline (at least 1). */
int step_time_left(struct step_ctx *ctx);

/* State helpers (lock taken inside). */
void state_set(struct step_ctx *ctx, const char *section, const char *key, json_object *val /* taken */);
/* Borrowed; valid while the run lasts. */
json_object *state_get(struct step_ctx *ctx, const char *section, const char *key);

struct driver_slot {
	pthread_t tid;
	struct vs_client *vs;
	struct kube_client *kube;
};

struct drivers {
	pthread_mutex_t lock;
	struct driver_slot *slots;
	size_t n, cap;
};

void drivers_init(struct drivers *d);
/* Log out of every connection (all threads joined). */
void drivers_release(struct drivers *d);


/* What a cleanup removed and what it could not, as arrays of strings
 * ("what" or "what: why"). */
struct step_sweep {
	json_object *removed;
	json_object *left;
};
void step_sweep_init(struct step_sweep *sw);
void step_sweep_release(struct step_sweep *sw);
/* Note what (copied) as removed, or left with why (may be NULL). */
void step_sweep_note(struct step_sweep *sw, bool removed, const char *what,
		     const char *why);
/* The objects in the namespaces labelled with the run id, those
 * namespaces, and the objects labelled with it in every namespace: each
 * deleted and noted in sw as removed or not; with list_only, what is
 * still there is noted as left. */
int step_sweep_cluster(struct step_ctx *ctx, struct step_sweep *sw,
		       bool list_only, struct mtv_err *err);
/* The VMs whose names start with "<run id>-" (run clones): destroyed
 * (powered off first), or with list_only noted as left. */
int step_sweep_vsphere(struct step_ctx *ctx, struct step_sweep *sw,
		       bool list_only, struct mtv_err *err);
/* Forklift's key lines of the run's providers on the profile's ESXi host
 * (ssh clone method), found through the public-key Secrets in the run's
 * labelled namespaces; lines it cannot identify are noted as left with
 * why. */
int step_sweep_esxi(struct step_ctx *ctx, struct step_sweep *sw,
		    struct mtv_err *err);

/* Source-side preflight (source_preflight.c) and cluster-side preflight
 * (cluster_preflight.c); params is the step's "params". */
int preflight_source(struct step_ctx *ctx, json_object *params, struct mtv_err *err);
int preflight_cluster(struct step_ctx *ctx, json_object *params, struct mtv_err *err);
/* The report's environment facts, into state["environment"]: the vCenter
 * ("vcenter", from the login's ServiceContent) and the ESXi hosts of
 * params["hosts"] ("esxi": one HostSystem property read each); the
 * Kubernetes and OpenShift versions ("kubernetes": GET /version;
 * "openshift": the ClusterVersion, null without one) and the storage
 * class and vendor ("storage"). Nothing fails: what is not known is null.
 * The preflights call them. */
void step_env_source(struct step_ctx *ctx, struct vs_client *vs,
		     json_object *params);
void step_env_cluster(struct step_ctx *ctx, struct kube_client *k,
		      json_object *params);
/* For the report, at the end of the steps: {"environment", "checks" (the
 * verify step's), "disks" (the per-disk copy evidence built from
 * state["plans"] and the verify checks, see copy_evidence.c)}; caller
 * puts. */
json_object *step_report_state(struct step_ctx *ctx);
/* The MTV release of the cluster (cluster_release.c): read from its
 * operator's ClusterServiceVersion and its Plan CRD schema, printed as
 * "MTV 2.12.5 (release 2.12)" in *line (the caller's) and recorded in
 * state["environment"]["mtv"] = {version, release, source}; a plan made
 * for a named release (its "mtv") is run as that release. What the plan
 * needs that the release lacks is added to refusals, naming the release
 * and the first one that has it: MTV_EUNSUPPORTED. */
int preflight_release(struct step_ctx *ctx, struct kube_client *k,
		      json_object *params, char **line,
		      struct strbuf *refusals);
/* The release a step runs against: the one the cluster preflight found,
 * else the plan's "mtv", else the newest (release_default). Borrowed. */
const struct mtv_release *step_release(struct step_ctx *ctx);
/* Does params["expected_failure"] (a scenario expecting a failure) name
 * finding: its message is in finding or in predicts (the failure Forklift
 * reports for it, or NULL), or, without a message, its condition is the
 * one the finding predicts (condition, or NULL when it predicts none in
 * particular)? Logs the finding as expected when so. */
bool preflight_expected(json_object *params, const char *condition,
			const char *predicts, const char *finding);

#endif
