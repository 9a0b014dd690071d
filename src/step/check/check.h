/* check.h: the verify checks. Each check is one file exporting one record
 * (name, how it is planned, how it runs), listed in check_table.c. The
 * verify step (step_verify.c) plans them from a check_model and runs the
 * entries of its "checks" parameter through the table. */
#ifndef MTV_STEP_CHECK_H
#define MTV_STEP_CHECK_H

#include "step/step.h"
#include "scenario/scenario.h"
#include "kube/kube.h"

struct check_run;

/* ---- what planning needs of the expanded scenario (plan.c fills it) ---- */

/* A datastore a plan's disks use. */
struct check_ds {
	const char *key;	/* datastore_id, ... or "literal" */
	const char *moid;
	int xcopy;		/* 1, 0, -1 = unknown (literal) */
	bool snapshots;		/* a VM of the plan with snapshots uses it */
};

struct check_vm {
	const char *ref;	/* "vm0" */
	const char *name;	/* clone (or source) name */
	const char *clone_name;	/* the scenario's clone_name, or NULL */
	const char *vm_name;	/* the scenario's name, or NULL */
	const char *target;	/* the name Forklift gives it */
	const char *source_power; /* the scenario's source_vm_power, or NULL */
	int snapshots;		/* source snapshots */
	int disks;		/* added disks (the template's not counted) */
	int rdm_disks;		/* of them, RDM disks */
	int guest_agent;	/* the scenario's guest_agent: 1, 0, -1 unset */
	bool guest_data;	/* a guest-data step writes its data marker */
	bool arrives_off;	/* the target VM may arrive off: the guest
				 * checks start it */
};

struct check_plan {
	const char *key;	/* the scenario's plans[].name, or NULL */
	const char *name;	/* the Forklift Plan */
	const char *storage_map; /* its StorageMap */
	bool copyoffload;
	const size_t *vms;	/* indexes into check_model.vms */
	size_t nvms;
	const struct check_ds *ds; /* datastores in order of first use */
	size_t nds;
};

struct check_model {
	const struct mtv_scenario *s;	/* file and positions of diagnostics */
	json_object *expect;		/* the scenario's expect, or NULL */
	const char *ns;			/* the run's namespace */
	const char *target_ns;		/* where the VMs land */
	const char *storage_class;
	const char *target_power_state;	/* top level (after --set), or NULL */
	bool rdm_as_lun;		/* top level (after --set) */
	bool pvc_name_template;		/* the scenario sets one */
	int guest_agent_timeout;	/* seconds (scenario, default 301) */
	const char *src_provider;	/* the source Provider */
	const char *src_secret;		/* its Secret */
	bool insecure;			/* the profile's insecure */
	const struct check_vm *vms;
	size_t nvms;
	const struct check_plan *plans;
	size_t nplans;
};

/* Fill expect (an empty object) with the plan's "expect" members and
 * *params (caller puts) with the verify step's {"checks": [...]}; problems
 * go to diags. MTV_EINVAL when diags got any. */
int verify_plan(json_object *expect, json_object **params,
		const struct check_model *m, struct mtv_diags *diags);

/* ---- planning ---- */

struct check_build {
	const struct check_model *m;
	struct mtv_diags *d;
	const char *result;	/* expect.result */
	json_object *checks;	/* the verify step's entries */
	json_object *xcopy;	/* expect.xcopy_used */
	json_object *pending;	/* expect.pending */
	size_t plan, vm;	/* the current ones (CHECK_PER_PLAN, _PER_VM) */
};

enum check_when {
	CHECK_LISTED_ONLY,	/* only when expect.checks[] names it */
	CHECK_PER_PLAN,		/* for every plan */
	CHECK_PER_VM,		/* for every VM of every plan (succeeded) */
	CHECK_EARLY,		/* once, before the listed checks */
	CHECK_LATE,		/* once, after the listed checks */
};

struct check_kind {
	const char *name;	/* the entry's "check" */
	const char *summary;	/* one line */
	enum check_when when;
	/* Add the entries the check always has (when != CHECK_LISTED_ONLY). */
	void (*plan)(struct check_build *b);
	/* Add or amend entries for the scenario's expect.checks[at] == e;
	 * NULL when the scenario cannot name it (the schema's enum lacks
	 * it). */
	void (*listed)(struct check_build *b, json_object *e, size_t at);
	/* Perform one entry; NULL when another check's entries do (by). */
	void (*run)(struct check_run *r, json_object *check);
	const char *by;		/* the check whose entries perform this one */
	/* Not performed: why; its entries are reported as skipped. */
	const char *skip;
};

extern const struct check_kind *const check_table[];
const struct check_kind *check_kind_find(const char *name);

/* A diagnostic at node's position in the scenario. */
void check_diag(struct check_build *b, json_object *node, const char *fmt, ...)
	MTV_PRINTF(3, 4);
/* Plan index of a scenario plan key or Forklift name, or -1. */
int check_plan_index(const struct check_model *m, const char *key);
/* The plan and VM expect.checks[at] == e selects (-1: every one); false
 * after a diagnostic naming an unknown one. */
bool check_select(struct check_build *b, json_object *e, size_t at,
		  int *plan, int *vm);
/* Does the selection (check_select) hold VM vi of plan pi? */
bool check_selected(const struct check_model *m, int plan, int vm,
		    size_t pi, size_t vi);
/* Does the selection hold VM vi (in any plan)? */
bool check_vm_selected(const struct check_model *m, int plan, int vm,
		       size_t vi);
/* A new entry {"check": name} added to b->checks (borrowed). */
json_object *check_entry(struct check_build *b, const char *name);
/* For checks of the migrated VMs: false after a diagnostic when the
 * scenario expects no migrated VM. */
bool check_needs_vms(struct check_build *b, json_object *e, size_t at);
/* The verify entries of check name (vm, pvc) of VM vi of plan pi, for
 * listed checks that amend them; calls fn on each. */
void check_amend(struct check_build *b, const char *name, int plan, int vm,
		 void (*fn)(json_object *entry, json_object *e),
		 json_object *e);
/* For checks the vm entries perform: with a value, valid or else a
 * diagnostic saying what the check takes, set amends the vm entries of the
 * selected VMs. */
void check_vm_value(struct check_build *b, json_object *e, size_t at,
		    bool (*valid)(json_object *value), const char *takes,
		    void (*set)(json_object *entry, json_object *e));
/* An entry {"check", "vms", "implemented": false} of a check reported as
 * skipped: the selected VMs (all when none is selected, else filtered by
 * want) and the name in expect.pending. */
void check_skipped_entry(struct check_build *b, json_object *e, size_t at,
			 const char *name,
			 bool (*want)(const struct check_vm *));
/* For per-VM checks a scenario may also name: the VMs expect.checks[at]
 * selects (filtered by want, unless none of them would pass it; want may
 * be NULL) get an entry of the check through plan (b->plan and b->vm set)
 * unless they have one. */
void check_vm_listed(struct check_build *b, json_object *e, size_t at,
		     bool (*want)(const struct check_vm *),
		     void (*plan)(struct check_build *b));
/* The entry {"check", "plan", "vm_ref", "source", "target", "namespace",
 * "timeout", "start"} of a check of the guest of the current VM (b->plan,
 * b->vm); "start" is true when the VM may arrive off (the check then
 * starts it), else null. */
json_object *check_guest_entry(struct check_build *b, const char *name);

/* ---- running ---- */

struct check_run {
	struct step_ctx *ctx;
	struct kube_client *k;
	struct vs_client *vs;	/* connected on first use */
	struct strbuf fail;	/* "; "-joined failures, "NAME: ..." */
	const char *name;	/* the check of the entry being performed */
	int nfail, nok;
	/* the entry being performed: its messages ("; "-joined), whether
	 * it was skipped, and what it found (check_evidence) */
	struct strbuf msg;
	bool skipped;
	json_object *evidence;
	/* the target VMs the guest checks brought up (guest_lib.c):
	 * {"NS/NAME": {"started", "running", "error"}} */
	json_object *guests;
};

void check_fail(struct check_run *r, const char *fmt, ...) MTV_PRINTF(2, 3);
void check_pass(struct check_run *r, const char *fmt, ...) MTV_PRINTF(2, 3);
/* Note what the current entry found under key (val taken), for the
 * report's checks[].evidence. */
void check_evidence(struct check_run *r, const char *key, json_object *val);
/* state.plans[plan] and state.vms[ref] (borrowed, may be NULL). */
json_object *check_plan_state(struct check_run *r, const char *plan);
json_object *check_vm_state(struct check_run *r, const char *ref);
/* The vSphere client, connected on first use. */
int check_vs(struct check_run *r, struct mtv_err *err);
/* Disks of the source VM vm (*info: vs_vm_info, caller puts); -1 after
 * check_fail. */
int check_source_disks(struct check_run *r, const char *vm, json_object **info);
/* state.plans[plan].vms[] entry of the source VM (by moid or name). */
json_object *check_status_vm(json_object *st, const char *source,
			     const char *moid);
/* The target VirtualMachine of an entry {"plan", "vm_ref", "source",
 * "target", "namespace"}: *name (caller frees) the name Forklift gave it;
 * NULL after check_fail. */
json_object *check_target_vm(struct check_run *r, json_object *c, char **name);
/* Report the entry as not performed: the check's skip reason. */
void check_run_skip(struct check_run *r, json_object *c);
/* Report check name as not performed for what ("plan 'p'", the VMs)
 * because of why: a skipped result (the titles of one check's entries add
 * up), never a pass or a failure. */
void check_skip(struct check_run *r, const char *name, const char *what,
		const char *why);

/* ---- guests of migrated VMs (guest_lib.c) ---- */

/* The target VM of a guest entry (check_guest_entry) running: started
 * through KubeVirt's start subresource when it is not (check_guests_stop
 * stops it again) and its VirtualMachineInstance Running within the
 * entry's timeout (a watch). *ns and *name (caller frees) name it. false
 * after check_fail; a VM that did not come up fails every later guest
 * check of the run at once, with the first failure. */
bool check_guest_up(struct check_run *r, json_object *c, char **ns,
		    char **name);
/* Run command in the guest of VMI ns/name over SSH through KubeVirt's
 * port-forward (kube_portforward, guest_ssh_exec) as the profile's guest
 * user; host_key: the key the guest must present (NULL: any, noted).
 * *out its standard output, *presented the key it presented (caller
 * frees either; may be NULL). MTV_EINVAL without guest credentials. */
int check_guest_ssh(struct check_run *r, const char *ns, const char *name,
		    const char *host_key, const char *command, int timeout,
		    char **out, int *status, char **presented,
		    struct mtv_err *err);
/* Stop the VMs check_guest_up started and wait until their VMIs are gone;
 * problems are warnings (the teardown deletes the VMs anyway). */
void check_guests_stop(struct check_run *r);

/* The serial Forklift gives a VM on OpenShift 4.20 and newer: "VMware-"
 * and the source UUID's 16 bytes, upper case, space-separated, a dash
 * after the eighth (caller frees); NULL for a malformed UUID. */
char *check_vmware_serial(const char *uuid);

/* Seconds since the epoch of an RFC 3339 time (fraction ignored); -1. */
long long verify_time(const char *s);
/* Bytes of a Kubernetes quantity ("20Gi", "1073741824", "10G"); -1. */
long long verify_quantity(const char *s);

#endif
