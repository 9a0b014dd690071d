/* copy_evidence.c: the report's per-disk copy evidence. After the steps,
 * every disk a plan transferred becomes one record {plan, vm, disk,
 * datastore, size_bytes, method, xcopy_used, evidence_source,
 * duration_seconds, mib_per_s, phase, error, pvc, storage_class}, read from what the
 * migrate step kept (state["plans"][name]: "disk_tasks" with the Plan's
 * DiskTransfer task times and sizes, "xcopy" with xcopyUsed and the clone
 * method, "disk_transfer" with each VM's DiskTransfer step times), the pvc
 * check's evidence (the PVC and the source disk behind each copy) and the
 * plan (datastore keys). No request is made. Records of the xcopy list may
 * carry more members than these readers use (a "source" naming where
 * xcopyUsed was read): they are tolerated. */
#include "config.h"

#include <string.h>

#include "step/check/check.h"

#define MIB (1024.0 * 1024.0)

/* Element of array a whose member key is val (and vm, when given). */
static json_object *
find_by(json_object *a, const char *key, const char *val, const char *vm)
{
	size_t i;

	for (i = 0; val && i < jlen(a); i++) {
		json_object *e = json_object_array_get_idx(a, i);

		if (str_eq(jstr(e, key), val) &&
		    (vm == NULL || jstr(e, "vm") == NULL ||
		     str_eq(jstr(e, "vm"), vm)))
			return e;
	}
	return NULL;
}

/* The pvc check's evidence of VM ref in plan (its "pvcs" and
 * "source_disks"), or NULL. */
static json_object *
pvc_evidence(json_object *checks, const char *plan, const char *ref)
{
	size_t i;

	for (i = 0; i < jlen(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i),
			    *ev = jget(c, "evidence");

		if (str_eq(jstr(c, "name"), "pvc") &&
		    str_eq(jstr(ev, "plan"), plan) &&
		    str_eq(jstr(ev, "vm_ref"), ref))
			return ev;
	}
	return NULL;
}

/* The ref ("vm0") and state record of the VM with MoID moid. */
static const char *
vm_ref(json_object *vms, const char *moid, json_object **rec)
{
	*rec = NULL;
	if (!json_object_is_type(vms, json_type_object))
		return NULL;
	json_object_object_foreach(vms, ref, v) {
		if (str_eq(jstr(v, "moid"), moid)) {
			*rec = v;
			return ref;
		}
	}
	return NULL;
}

/* The scenario's key of the datastore with MoID moid (the preflight
 * step lists them), or NULL. */
static const char *
ds_key(json_object *plan, const char *moid)
{
	json_object *steps = jget(plan, "steps");
	size_t i;

	for (i = 0; moid && i < jlen(steps); i++) {
		json_object *s = json_object_array_get_idx(steps, i);
		json_object *d = find_by(jget(jget(s, "params"), "datastores"),
					 "moid", moid, NULL);

		if (d)
			return jstr(d, "key");
	}
	return NULL;
}

/* Seconds from RFC 3339 started to completed, or -1. */
static long long
span(const char *started, const char *completed)
{
	long long a = verify_time(started), b = verify_time(completed);

	return a >= 0 && b >= a ? b - a : -1;
}

/* method and xcopy_used of one disk: rdm, vddk (no copy-offload), xcopy
 * or fallback (xcopyUsed 1 or 0), or null when nothing says. */
static void
put_method(json_object *o, bool offload, json_object *x, json_object *src)
{
	json_object *xu = jget(x, "xcopyUsed");
	const char *cm = jstr(x, "cloneMethod"), *m = NULL;

	if (str_eq(cm, "rdm") || (jstr(src, "rdm") != NULL))
		m = "rdm";
	else if (!offload)
		m = "vddk";
	else if (xu)
		m = json_object_get_int(xu) ? "xcopy" : "fallback";
	jputs(o, "method", m);
	jput(o, "xcopy_used", xu && offload && !str_eq(m, "rdm") ?
	     json_object_new_boolean(json_object_get_int(xu) != 0) : NULL);
	jputs(o, "clone_method", cm);
	jputs(o, "evidence_source", jstr(x, "source") ? jstr(x, "source") :
	      xu ? "migration-status" : NULL);
}

/* {label, index, file} of disk file of the source VM. */
static json_object *
disk_id(json_object *src, json_object *sdisks, const char *file, size_t ti)
{
	json_object *o = json_object_new_object();
	size_t i;

	jputs(o, "label", jstr(src, "label"));
	for (i = 0; i < jlen(sdisks); i++)
		if (json_object_array_get_idx(sdisks, i) == src)
			ti = i;
	jputi(o, "index", (long long)ti);
	jputs(o, "file", file);
	return o;
}

/* {key, name, moid} of the datastore of disk file "[name] path". */
static json_object *
datastore(json_object *plan, json_object *src, const char *file)
{
	json_object *o = json_object_new_object();
	const char *end = file && *file == '[' ? strchr(file, ']') : NULL;
	const char *moid = jstr(src, "datastore");

	jputs(o, "key", ds_key(plan, moid));
	jput(o, "name", end ? json_object_new_string_len(file + 1,
		(int)(end - file - 1)) : NULL);
	jputs(o, "moid", moid);
	return o;
}

/* Size, time and rate of one disk. */
static void
put_size_time(json_object *o, json_object *t, json_object *src,
	      json_object *vmstep)
{
	long long size = -1, secs;
	json_object *tot = jget(t, "total");

	if (jget(src, "capacity_kb"))
		size = jint(src, "capacity_kb") * 1024;
	else if (tot && str_eq(jstr(t, "unit"), "MB"))
		size = json_object_get_int64(tot) * (long long)MIB;
	jput(o, "size_bytes", size >= 0 ? json_object_new_int64(size) : NULL);
	secs = span(jstr(t, "started"), jstr(t, "completed"));
	jputs(o, "time_source", secs >= 0 ? "task" : NULL);
	if (secs < 0) {
		/* the VM's DiskTransfer step: its disks side by side */
		secs = span(jstr(vmstep, "started"), jstr(vmstep, "completed"));
		jputs(o, "time_source", secs >= 0 ? "vm-disk-transfer" : NULL);
	}
	jput(o, "duration_seconds", secs >= 0 ?
	     json_object_new_int64(secs) : NULL);
	jput(o, "mib_per_s", secs > 0 && size >= 0 ? json_object_new_double(
	     (double)((long long)((double)size / MIB / (double)secs * 10 +
	     0.5)) / 10) : NULL);
}

struct disk_in {
	json_object *plan;	/* the run's plan */
	const char *name;	/* the Forklift Plan */
	bool offload;
	json_object *st;	/* state["plans"][name] */
	json_object *vms;	/* state["vms"] */
	json_object *checks;	/* the verify step's results */
	const char *storage_class;
};

/* One record for the disk of task t (or xcopy record, when the Plan
 * listed no tasks) at position ti of its VM. */
static json_object *
disk_record(const struct disk_in *in, json_object *t, size_t ti)
{
	const char *vm = jstr(t, "vm"), *file = jstr(t, "disk"), *ref;
	json_object *o = json_object_new_object(), *rec, *ev, *src, *pvc, *x;

	ref = vm_ref(in->vms, vm, &rec);
	ev = pvc_evidence(in->checks, in->name, ref);
	src = find_by(jget(ev, "source_disks"), "file", file, NULL);
	pvc = find_by(jget(ev, "pvcs"), "disk_source", file, NULL);
	x = find_by(jget(in->st, "xcopy"), "disk", file, vm);
	jputs(o, "plan", in->name);
	jputs(o, "vm", jstr(rec, "name") ? jstr(rec, "name") :
	      jstr(x, "vm_name") && *jstr(x, "vm_name") ?
	      jstr(x, "vm_name") : vm);
	jput(o, "disk", disk_id(src, jget(ev, "source_disks"), file, ti));
	jput(o, "datastore", datastore(in->plan, src, file));
	put_method(o, in->offload, x, src);
	put_size_time(o, t, src, find_by(jget(in->st, "disk_transfer"), "vm",
					 vm, NULL));
	jputs(o, "phase", jstr(t, "phase"));
	jputs(o, "error", jstr(t, "error"));
	jputs(o, "pvc", jstr(pvc, "name"));
	jputs(o, "storage_class", jstr(pvc, "storage_class") ?
	      jstr(pvc, "storage_class") : in->storage_class);
	return o;
}

/* Records of every disk of plan p into out. */
static void
plan_disks(struct step_ctx *ctx, json_object *p, json_object *checks,
	   json_object *out)
{
	struct disk_in in;
	json_object *list;
	const char *last = NULL;
	size_t i, ti = 0;

	memset(&in, 0, sizeof(in));
	in.plan = ctx->plan;
	in.name = jstr(p, "name");
	in.offload = jbool(p, "copyoffload");
	in.st = jget(jget(ctx->state, "plans"), in.name ? in.name : "");
	in.vms = jget(ctx->state, "vms");
	in.checks = checks;
	in.storage_class = jstr(ctx->plan, "storage_class");
	list = jget(in.st, "disk_tasks");
	if (jlen(list) == 0)
		list = jget(in.st, "xcopy");
	for (i = 0; i < jlen(list); i++) {
		json_object *t = json_object_array_get_idx(list, i);

		ti = str_eq(last, jstr(t, "vm")) ? ti + 1 : 0;
		last = jstr(t, "vm");
		json_object_array_add(out, disk_record(&in, t, ti));
	}
}

json_object *
step_report_state(struct step_ctx *ctx)
{
	json_object *o = json_object_new_object(), *disks, *plans, *checks,
		    *env = NULL;
	size_t i;

	pthread_mutex_lock(&ctx->lock);
	checks = jget(jget(ctx->state, "verify"), "checks");
	json_object_deep_copy(jget(ctx->state, "environment"), &env, NULL);
	jput(o, "environment", env);
	jput(o, "checks", checks ? json_object_get(checks) :
	     json_object_new_array());
	disks = json_object_new_array();
	plans = jget(ctx->plan, "plans");
	for (i = 0; i < jlen(plans); i++)
		plan_disks(ctx, json_object_array_get_idx(plans, i), checks,
			   disks);
	jput(o, "disks", disks);
	pthread_mutex_unlock(&ctx->lock);
	return o;
}
