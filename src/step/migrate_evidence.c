/* migrate_evidence.c: the evidence the migrate step gathers while a
 * migration runs: per-disk xcopyUsed from the DiskTransfer task
 * annotations and from the populator CRs and populate pod logs while they
 * exist (so it survives their cleanup), and what copied at once. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/migrate_evidence.h"

#define MEV_POLL_MS 10000 /* side lookups at most this often */

struct mig_ev {
	struct step_ctx *ctx;
	const char *plan;
	char *uid, *tns;
	bool copyoffload;
	json_object *crs;		/* {name: {vm, disk, xcopyUsed, ...}} */
	long long polled_ms;
	int peak_tasks, peak_vms;	/* most copying at once, seen */
	json_object *pending;		/* VMs seen held Pending by the limit */
};

struct mig_ev *
mig_ev_new(struct step_ctx *ctx, const char *plan)
{
	struct mig_ev *ev = xcalloc(1, sizeof(*ev));

	ev->ctx = ctx;
	ev->plan = plan;
	ev->crs = json_object_new_object();
	ev->pending = json_object_new_array();
	return ev;
}

void
mig_ev_free(struct mig_ev *ev)
{
	if (ev == NULL)
		return;
	free(ev->uid);
	free(ev->tns);
	json_object_put(ev->crs);
	json_object_put(ev->pending);
	free(ev);
}

void
mig_ev_start(struct mig_ev *ev, const char *uid, const char *tns,
	     bool copyoffload)
{
	ev->uid = xstrdup(uid);
	ev->tns = xstrdup(tns);
	ev->copyoffload = copyoffload;
}

/* xcopyUsed from the populate pods' logs, while the pods exist. */
static void
lookup_pods(struct mig_ev *m, struct kube_client *k)
{
	struct mtv_err e = { 0 };
	json_object *items = NULL;
	char *path = kube_path("Pod", m->tns, NULL),
	     *sel = xasprintf("migration=%s", m->uid);
	size_t i;

	if (kube_list(k, path, sel, &items, &e) != 0)
		goto out;
	for (i = 0; i < jlen(items); i++) {
		json_object *pod = json_object_array_get_idx(items, i), *rec;
		char *key, *log = NULL, *disk = NULL;
		int used;

		if (!str_startswith(cl_name(pod), "populate-"))
			continue;
		key = xasprintf("pod/%s", cl_name(pod));
		if (jget(m->crs, key) == NULL &&
		    kube_pod_log_tail(k, m->tns, cl_name(pod), NULL, 200, &log,
				      &e) == 0 &&
		    cl_pod_log_xcopy(log, &disk, &used) && disk) {
			rec = json_object_new_object();
			jputs(rec, "vm", jstr(jget(jget(pod, "metadata"),
						   "labels"), "vmID"));
			jputs(rec, "disk", disk);
			jputi(rec, "xcopyUsed", used);
			jput(m->crs, key, rec);
		}
		free(disk);
		free(log);
		free(key);
	}
out:
	json_object_put(items);
	free(sel);
	free(path);
}

/* xcopyUsed and clone method from the populator CRs, while they exist. */
static void
lookup_crs(struct mig_ev *m, struct kube_client *k)
{
	struct mtv_err e = { 0 };
	json_object *items = NULL;
	char *path = kube_path("VSphereXcopyVolumePopulator", m->tns, NULL),
	     *sel = xasprintf("migration=%s", m->uid);
	size_t i;

	if (kube_list(k, path, sel, &items, &e) != 0) {
		log_debug("populator CRs: %s", e.msg);
		goto out;
	}
	for (i = 0; i < jlen(items); i++) {
		json_object *cr = json_object_array_get_idx(items, i), *rec;
		json_object *st = jget(cr, "status"), *sp = jget(cr, "spec");

		if (jstr(st, "xcopyUsed") == NULL)
			continue;
		rec = json_object_new_object();
		jputs(rec, "vm", jstr(sp, "vmId"));
		jputs(rec, "disk", jstr(sp, "vmdkPath"));
		jput(rec, "xcopyUsed",
		     json_object_new_int(atoi(jstr(st, "xcopyUsed"))));
		jputs(rec, "cloneMethod", jstr(st, "cloneMethod"));
		jput(m->crs, cl_name(cr), rec);
	}
out:
	json_object_put(items);
	free(sel);
	free(path);
}

static json_object *
pipeline_step_named(json_object *vm, const char *name)
{
	json_object *pl = jget(vm, "pipeline");
	size_t i;

	for (i = 0; pl && json_object_is_type(pl, json_type_array) &&
	     i < json_object_array_length(pl); i++)
		if (str_eq(jstr(json_object_array_get_idx(pl, i), "name"), name))
			return json_object_array_get_idx(pl, i);
	return NULL;
}

/* What one Plan status shows copying at once: DiskTransfer tasks Running
 * (populators) and VMs whose DiskTransfer is Running; the peaks are kept in
 * *tasks and *vms, and the ids of VMs with a Pending condition (held by
 * controller_max_vm_inflight) are added to pending (may be NULL). */
MTV_STATIC void migrate_inflight(json_object *plan, int *tasks, int *vms,
			     json_object *pending);

MTV_STATIC void
migrate_inflight(json_object *plan, int *tasks, int *vms, json_object *pending)
{
	json_object *list =
	    jget(jget(jget(plan, "status"), "migration"), "vms");
	int nt = 0, nv = 0;
	size_t i, j;

	for (i = 0; list && json_object_is_type(list, json_type_array) &&
	     i < json_object_array_length(list); i++) {
		json_object *vm = json_object_array_get_idx(list, i);
		json_object *dt = pipeline_step_named(vm, "DiskTransfer"),
			    *ts = jget(dt, "tasks"),
			    *cs = jget(vm, "conditions");
		bool copying = false;

		for (j = 0; ts && json_object_is_type(ts, json_type_array) &&
		     j < json_object_array_length(ts); j++)
			if (str_eq(jstr(json_object_array_get_idx(ts, j),
					"phase"), "Running")) {
				nt++;
				copying = true;
			}
		if (copying || (dt && str_eq(jstr(dt, "phase"), "Running")))
			nv++;
		for (j = 0; pending && cs &&
		     json_object_is_type(cs, json_type_array) &&
		     j < json_object_array_length(cs); j++) {
			json_object *c = json_object_array_get_idx(cs, j);
			const char *id = jstr(vm, "id") ? jstr(vm, "id")
							: jstr(vm, "name");
			size_t k;
			bool have = false;

			if (!str_eq(jstr(c, "type"), "Pending") ||
			    str_eq(jstr(c, "status"), "False") || id == NULL)
				continue;
			for (k = 0; k < json_object_array_length(pending); k++)
				have |= str_eq(json_object_get_string(
				    json_object_array_get_idx(pending, k)), id);
			if (!have)
				json_object_array_add(
				    pending, json_object_new_string(id));
		}
	}
	if (nt > *tasks)
		*tasks = nt;
	if (nv > *vms)
		*vms = nv;
}

void
mig_ev_plan(struct mig_ev *ev, struct kube_client *k, json_object *plan,
	    bool now)
{
	migrate_inflight(plan, &ev->peak_tasks, &ev->peak_vms, ev->pending);
	if (!ev->copyoffload || ev->uid == NULL)
		return;
	if (!now && clock_ms() - ev->polled_ms < MEV_POLL_MS)
		return;
	ev->polled_ms = clock_ms();
	lookup_pods(ev, k);
	lookup_crs(ev, k);
}

/* Task evidence, with xcopyUsed filled from the populator CRs when the
 * annotations lack it. */
static json_object *
evidence(struct mig_ev *m, json_object *last)
{
	json_object *x = cl_xcopy_from_status(last);
	size_t i;

	for (i = 0; i < json_object_array_length(x); i++) {
		json_object *e = json_object_array_get_idx(x, i);

		if (jget(e, "xcopyUsed"))
			continue;
		json_object_object_foreach(m->crs, name, rec) {
			(void)name;
			if (str_eq(jstr(rec, "disk"), jstr(e, "disk")) &&
			    (jstr(rec, "vm") == NULL ||
			     str_eq(jstr(rec, "vm"), jstr(e, "vm")))) {
				json_object_object_add(
				    e, "xcopyUsed",
				    json_object_get(jget(rec, "xcopyUsed")));
				if (!jget(e, "cloneMethod") &&
				    jget(rec, "cloneMethod"))
					json_object_object_add(
					    e, "cloneMethod",
					    json_object_get(
						jget(rec, "cloneMethod")));
			}
		}
	}
	return x;
}

void
mig_ev_record(struct mig_ev *ev, json_object *st, json_object *plan)
{
	json_object *inflight = json_object_new_object();

	json_object_object_add(st, "xcopy", evidence(ev, plan));
	json_object_object_add(inflight, "peak_populators",
			       json_object_new_int(ev->peak_tasks));
	json_object_object_add(inflight, "peak_vms",
			       json_object_new_int(ev->peak_vms));
	json_object_object_add(inflight, "pending_vms",
			       json_object_get(ev->pending));
	json_object_object_add(st, "inflight", inflight);
}
