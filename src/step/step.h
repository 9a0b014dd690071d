/* step.h: the step-kind records, the context every step of a run shares,
 * and the drivers steps reach through it. */
#ifndef MTV_STEP_H
#define MTV_STEP_H

#include <pthread.h>
#include <signal.h>
#include <json-c/json.h>

#include "util/util.h"
#include "config/profile.h"

struct vs_client;
struct kube_client;
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
	volatile sig_atomic_t *canceled;
	void *drivers;			/* exec-private */
};

/* Per-step record the runner keeps; undo state is what exec recorded so the
 * teardown can undo exactly what was done. */
struct step_kind {
	const char *name;		/* name users see: "clone", "disk", ... */
	const char *summary;		/* one line for --help / man */
	unsigned flags;
	/* Do the step. params is step["params"]. *undo (may stay NULL) is
	 * kept and handed to undo() in reverse order at teardown. */
	int (*exec)(struct step_ctx *ctx, json_object *step, json_object **undo,
		    struct mtv_err *err);
	/* Undo what exec did; also called after a partial exec (undo may be
	 * partial). Must be idempotent: absent objects are not errors. */
	int (*undo)(struct step_ctx *ctx, json_object *step, json_object *undo,
		    struct mtv_err *err);
};

#define STEP_SOURCE	0x1	/* talks to vSphere */
#define STEP_CLUSTER	0x2	/* talks to the cluster */

extern const struct step_kind *const step_table[];
const struct step_kind *step_kind_find(const char *name);

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
/* True when SIGINT/SIGTERM arrived or the run deadline passed; sets err. */
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

extern const struct step_kind step_preflight, step_clone, step_disk,
	step_rdm, step_snapshot, step_power, step_guest_ready, step_secret,
	step_provider, step_esxi_key, step_map, step_plan, step_migrate,
	step_verify;

/* Source-side preflight (source_preflight.c) and cluster-side preflight
 * (cluster_preflight.c); params is the step's "params". */
int preflight_source(struct step_ctx *ctx, json_object *params, struct mtv_err *err);
int preflight_cluster(struct step_ctx *ctx, json_object *params, struct mtv_err *err);

#endif
