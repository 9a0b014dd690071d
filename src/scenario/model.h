/* model.h: the scenario resolved against a profile: its VMs with their
 * disks and datastores, its plans, the names of a run's objects, and the
 * step list the step kinds' plan callbacks append to (src/plan orders the
 * calls and writes the plan value of doc/plan-format.md). */
#ifndef MTV_MODEL_H
#define MTV_MODEL_H

#include <stdarg.h>
#include <json-c/json.h>

#include "util/util.h"
#include "config/profile.h"
#include "config/release.h"
#include "scenario/scenario.h"

#define MODEL_NAME_MAX	63
#define MODEL_FORKLIFT	"forklift.konveyor.io/v1beta1"

struct plan_opts {
	const char *run_id;		/* NULL: derived deterministically from the scenario */
	const char *storage_class;	/* overrides the profile's */
	const char *only;		/* NULL, "source" or "cluster" */
	json_object *sets;		/* --set overrides of scenario keys */
	/* the MTV release the plan is for (--mtv), written to the plan;
	 * NULL: the newest (release_default), adapted at run time to the
	 * release the cluster preflight finds */
	const struct mtv_release *release;
};

/* A datastore reference: the key it came from (datastore_id, ... or
 * "literal"), its MoID (NULL when unresolved) and whether it is meant to do
 * XCOPY (1, 0, -1 = unknown: a literal MoID). */
struct model_ds {
	const char *key;
	const char *moid;
	int xcopy;
};

struct model_disk {
	json_object *node;	/* the add_disks entry */
	int index, controller, unit, size_gb;
	const char *provision, *mode, *path, *rdm;
	struct model_ds ds;
};

struct model_vm {
	json_object *node;
	char ref[32];		/* "vm0", "vm1", ... */
	char *name;		/* clone (or source) name */
	const char *tmpl;	/* template (after the placeholder rule) */
	bool clone;
	int snapshots, plan;
	struct model_ds ds;	/* clone datastore */
	struct model_disk *disks;
	size_t ndisks;
	int max_bus;
};

struct model_plan {
	const char *key;	/* scenario plan name or NULL */
	char *name;
	bool copyoffload, warm;
	json_object *node;
	int *vms;
	size_t nvms;
};

struct mtv_model {
	const struct mtv_scenario *s;
	const struct mtv_profile *p;
	const struct plan_opts *o;
	const struct mtv_release *rel;	/* never NULL */
	struct mtv_diags *d;
	json_object *root, *ovr;	/* scenario, --set overrides (coerced) */
	char rid[7];
	const char *run_id, *ns, *sc, *vendor;
	char *nsbuf, *target_ns;
	struct model_vm *vms;
	size_t nvms;
	struct model_plan *plans;
	size_t nplans;
	json_object *steps, *labels;
	int next_id;
	bool any_co, any_warm, any_vddk;	/* any_vddk: a plan without offload */
	char *src_provider, *src_secret, *dst_provider, *storage_secret;
};

/* Resolve scenario s against profile p: names, VMs, disks, datastores,
 * plans. Every problem goes to diags (MTV_EINVAL when there was one); m is
 * usable either way and must be released. */
int model_init(struct mtv_model *m, const struct mtv_scenario *s,
	       const struct mtv_profile *p, const struct plan_opts *o,
	       struct mtv_diags *diags);
void model_release(struct mtv_model *m);
/* Run id [a-z0-9]{6} derived from the scenario name. */
void model_run_id(const char *name, char out[7]);

/* A top-level scenario value, --set overrides first (borrowed). */
json_object *model_top(struct mtv_model *m, const char *key);
/* The same read as a boolean (false when absent). */
bool model_top_bool(struct mtv_model *m, const char *key);
/* A problem at the position of scenario node (NULL: no position). */
void model_diag(struct mtv_model *m, json_object *node, const char *fmt, ...)
	MTV_PRINTF(3, 4);
/* The profile's mtv_namespace, or "openshift-mtv". */
const char *model_mtv_namespace(struct mtv_model *m);

/* The datastores plan p's disks use, in order of first use (at most max). */
size_t model_plan_datastores(struct mtv_model *m, const struct model_plan *p,
			     struct model_ds *out, size_t max);
/* Does a VM of plan p with a disk on moid have source snapshots? */
bool model_plan_ds_snapshots(struct mtv_model *m, const struct model_plan *p,
			     const char *moid);
/* Index of the plan named key (scenario key or object name), or -1. */
int model_plan_index(struct mtv_model *m, const char *key);
/* Disks of v whose mode is switched to independent_nonpersistent after
 * the guest is up. */
size_t model_vm_set_mode_count(const struct model_vm *v);
/* Does v get powered on and waited for (power on, guest agent, snapshots
 * or a later mode switch)? */
bool model_vm_ready(const struct model_vm *v);

/* One step of the plan; side, undo (NULL: nothing to undo) and object are
 * copied, params is taken. */
struct model_step {
	const char *kind, *side;
	int plan;		/* index into plans, or -1 */
	const char *object, *undo;
	json_object *params;
};
/* Append st with the title fmt to m->steps; returns it (borrowed). */
json_object *model_step_addv(struct mtv_model *m, const struct model_step *st,
			     const char *fmt, va_list ap);

/* Writers of what several steps share. ds: "datastore" and
 * "datastore_key" members of o (returned). */
json_object *model_ds_json(json_object *o, const struct model_ds *d);
/* {"name", "namespace"} */
json_object *model_ref(const char *name, const char *ns);
/* {"source", "destination"} references of the run's providers. */
json_object *model_providers_ref(struct mtv_model *m);
/* A Forklift manifest (spec taken) and a Secret (data taken), in the run's
 * namespace with its labels. */
json_object *model_forklift(struct mtv_model *m, const char *kind,
			    const char *name, json_object *spec);
json_object *model_secret(struct mtv_model *m, const char *name,
			  json_object *data);

#endif
