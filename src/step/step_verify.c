/* step_verify.c: the 'verify' step: every check of doc/plan-format.md
 * against what the run recorded (state.plans), the cluster and vSphere.
 * Every failed check is reported, each naming the object, the expected and
 * the found value. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "step/cluster.h"
#include "scenario/names.h"
#include "vsphere/vsphere.h"

struct ver {
	struct step_ctx *ctx;
	struct kube_client *k;
	struct vs_client *vs;
	struct strbuf fail;
	int nfail, nok;
};

static void
fail(struct ver *v, const char *fmt, ...) MTV_PRINTF(2, 3);

static void
fail(struct ver *v, const char *fmt, ...)
{
	va_list ap;

	if (v->fail.len)
		strbuf_adds(&v->fail, "; ");
	va_start(ap, fmt);
	strbuf_vaddf(&v->fail, fmt, ap);
	va_end(ap);
	v->nfail++;
}

static void
pass(struct ver *v, const char *fmt, ...) MTV_PRINTF(2, 3);

static void
pass(struct ver *v, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	log_info("verify: %s", s);
	free(s);
	v->nok++;
}

/* Seconds since the epoch of an RFC 3339 time (fraction ignored); -1. */
MTV_STATIC long long
verify_time(const char *s)
{
	struct tm tm;
	const char *p;
	long long t;
	int off = 0;

	if (s == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == '+' || *p == '-') {
		int hh = 0, mm = 0;

		if (sscanf(p + 1, "%d:%d", &hh, &mm) >= 1)
			off = (hh * 60 + mm) * 60 * (*p == '-' ? -1 : 1);
	}
	t = (long long)timegm(&tm) - off;
	return t;
}

/* Bytes of a Kubernetes quantity ("20Gi", "1073741824", "10G"); -1. */
MTV_STATIC long long
verify_quantity(const char *s)
{
	static const struct { const char *suf; long long mul; } sufs[] = {
		{ "Ki", 1LL << 10 }, { "Mi", 1LL << 20 }, { "Gi", 1LL << 30 },
		{ "Ti", 1LL << 40 }, { "Pi", 1LL << 50 }, { "k", 1000LL },
		{ "K", 1000LL }, { "M", 1000000LL }, { "G", 1000000000LL },
		{ "T", 1000000000000LL }, { "", 1 },
	};
	char *end;
	double d;
	size_t i;

	if (s == NULL || !*s)
		return -1;
	d = strtod(s, &end);
	if (end == s)
		return -1;
	for (i = 0; i < ARRAY_SIZE(sufs); i++)
		if (strcmp(end, sufs[i].suf) == 0)
			return (long long)(d * (double)sufs[i].mul);
	return -1;
}

static json_object *
plan_state(struct ver *v, const char *plan)
{
	return state_get(v->ctx, "plans", plan ? plan : "");
}

static json_object *
vm_state(struct ver *v, const char *ref)
{
	return state_get(v->ctx, "vms", ref ? ref : "");
}

static int
vs(struct ver *v, struct mtv_err *err)
{
	if (v->vs)
		return 0;
	return step_vsphere(v->ctx, &v->vs, err);
}

static void
check_result(struct ver *v, json_object *c)
{
	const char *plan = jstr(c, "plan"), *want = jstr(c, "expect"),
		   *cond = jstr(c, "condition");
	json_object *st = plan_state(v, plan);
	const char *found = jstr(st, "result");

	if (want == NULL)
		want = "succeeded";
	if (!str_eq(found, want)) {
		fail(v, "plan '%s': expected result '%s', found '%s'%s%s", plan,
		     want, found ? found : "none (it did not run)",
		     jstr(st, "blocked_by") ? ": " : "",
		     jstr(st, "blocked_by") ? jstr(st, "blocked_by") : "");
		return;
	}
	if (str_eq(want, "blocked") && cond &&
	    !str_eq(jstr(st, "blocked"), cond)) {
		fail(v,
		     "plan '%s': expected blocking condition '%s', found '%s'",
		     plan, cond,
		     jstr(st, "blocked") ? jstr(st, "blocked") : "none");
		return;
	}
	pass(v, "plan '%s' %s%s%s", plan, want, cond ? " with " : "",
	     cond ? cond : "");
}

/* state.plans[plan].vms[] entry of the source VM named source. */
static json_object *
status_vm(json_object *st, const char *source, const char *moid)
{
	json_object *vms = jget(st, "vms");
	size_t i;

	for (i = 0; vms && json_object_is_type(vms, json_type_array) &&
	     i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i);

		if ((moid && str_eq(jstr(vm, "id"), moid)) ||
		    str_eq(jstr(vm, "name"), source))
			return vm;
	}
	return NULL;
}

static int
source_disks(struct ver *v, const char *vm, json_object **info)
{
	struct mtv_err e = { 0 };

	*info = NULL;
	if (vs(v, &e) != 0 || vs_vm_info(v->vs, vm, info, &e) != 0) {
		fail(v, "source vm '%s': %s", vm, e.msg);
		return -1;
	}
	return (int)json_object_array_length(jget(*info, "disks"));
}

static bool
running(json_object *vm)
{
	json_object *spec = jget(vm, "spec");
	const char *rs = jstr(spec, "runStrategy"),
		   *ps = jstr(jget(vm, "status"), "printableStatus");

	if (ps)
		return str_eq(ps, "Running") || str_eq(ps, "Starting");
	if (rs)
		return str_eq(rs, "Always") || str_eq(rs, "RerunOnFailure");
	return jbool(spec, "running");
}

static void
check_vm(struct ver *v, json_object *c)
{
	const char *plan = jstr(c, "plan"), *source = jstr(c, "source"),
		   *ns = jstr(c, "namespace"), *power = jstr(c, "power");
	json_object *st = plan_state(v, plan),
		    *svm = vm_state(v, jstr(c, "vm_ref"));
	json_object *svs, *vm = NULL, *info = NULL, *vols;
	char *expect, *path;
	const char *found;
	struct mtv_err e = { 0 };
	size_t i, ndisk = 0;
	int nsrc;

	if (ns == NULL)
		ns = jstr(st, "target_namespace") ? jstr(st, "target_namespace")
						  : v->ctx->ns;
	svs = status_vm(st, source, jstr(svm, "moid"));
	expect = jstr(c, "target") && *jstr(c, "target")
		     ? xstrdup(jstr(c, "target"))
		     : name_target_vm(source);
	found = jstr(svs, "newName") ? jstr(svs, "newName") : source;
	if (*expect == '\0' ? !str_startswith(found, "vm-")
			    : !str_eq(found, expect)) {
		fail(v, "vm '%s': Forklift named it '%s', expected '%s'",
		     source, found, *expect ? expect : "vm-XXXX");
		free(expect);
		return;
	}
	path = kube_path("VirtualMachine", ns, found);
	if (kube_get(v->k, path, &vm, &e) != 0) {
		fail(v, "vm '%s': target VirtualMachine '%s' in '%s': %s",
		     source, found, ns,
		     e.code == MTV_ENOTFOUND ? "not found" : e.msg);
		free(path);
		free(expect);
		return;
	}
	free(path);
	vols =
	    jget(jget(jget(jget(vm, "spec"), "template"), "spec"), "volumes");
	for (i = 0; vols && i < json_object_array_length(vols); i++) {
		json_object *vol = json_object_array_get_idx(vols, i);

		if (jget(vol, "persistentVolumeClaim") ||
		    jget(vol, "dataVolume"))
			ndisk++;
	}
	nsrc = source_disks(v, source, &info);
	if (nsrc >= 0 && (size_t)nsrc != ndisk)
		fail(v, "vm '%s': %zu disks, the source VM '%s' has %d", found,
		     ndisk, source, nsrc);
	else if (nsrc >= 0)
		pass(v, "vm '%s' exists as '%s' with %zu disk%s", source, found,
		     ndisk, ndisk == 1 ? "" : "s");
	if (power && str_eq(power, "on") != running(vm))
		fail(v, "vm '%s': power state expected '%s', found '%s'", found,
		     power, running(vm) ? "on" : "off");
	else if (power)
		pass(v, "vm '%s' is powered %s", found, power);
	json_object_put(info);
	json_object_put(vm);
	free(expect);
}

static bool
hex8(const char *s)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return false;
	return s[8] == '\0';
}

static void
check_pvc(struct ver *v, json_object *c)
{
	const char *plan = jstr(c, "plan"), *prefix = jstr(c, "name_prefix"),
		   *mode = jstr(c, "volume_mode"),
		   *sc = jstr(c, "storage_class");
	json_object *st = plan_state(v, plan),
		    *svm = vm_state(v, jstr(c, "vm_ref"));
	json_object *items = NULL, *info = NULL, *disks;
	const char *moid = jstr(svm, "moid"),
		   *ns = jstr(st, "target_namespace");
	char *path, *sel;
	struct mtv_err e = { 0 };
	size_t i, j, n = 0;
	int nsrc, bad = v->nfail;

	if (jstr(st, "uid") == NULL || moid == NULL) {
		fail(v, "pvc of %s: plan '%s' or its VM was never created",
		     jstr(c, "vm_ref"), plan);
		return;
	}
	path = kube_path("PersistentVolumeClaim", ns ? ns : v->ctx->ns, NULL);
	sel = xasprintf("plan=%s,vmID=%s", jstr(st, "uid"), moid);
	if (kube_list(v->k, path, sel, &items, &e) != 0) {
		fail(v, "pvc of vm '%s': %s", moid, e.msg);
		goto out;
	}
	nsrc =
	    jstr(svm, "name") ? source_disks(v, jstr(svm, "name"), &info) : -1;
	disks = jget(info, "disks");
	for (i = 0; i < json_object_array_length(items); i++) {
		json_object *p = json_object_array_get_idx(items, i),
			    *spec = jget(p, "spec");
		const char *name = cl_name(p), *src;
		long long size = verify_quantity(
		    jstr(jget(jget(spec, "resources"), "requests"), "storage"));

		if (str_startswith(name, "prime-"))
			continue;
		n++;
		if (prefix && (!str_startswith(name, prefix) ||
			       (str_endswith(prefix, "-") &&
				!hex8(name + strlen(prefix)))))
			fail(
			    v,
			    "pvc '%s': name does not match '%s' + 8 hex digits",
			    name, prefix);
		if (mode && !str_eq(jstr(spec, "volumeMode"), mode))
			fail(v, "pvc '%s': volumeMode '%s', expected '%s'",
			     name,
			     jstr(spec, "volumeMode") ? jstr(spec, "volumeMode")
						      : "unset",
			     mode);
		if (sc && !str_eq(jstr(spec, "storageClassName"), sc))
			fail(v, "pvc '%s': storage class '%s', expected '%s'",
			     name,
			     jstr(spec, "storageClassName")
				 ? jstr(spec, "storageClassName")
				 : "unset",
			     sc);
		src = jstr(jget(jget(p, "metadata"), "annotations"),
			   "forklift.konveyor.io/disk-source");
		for (j = 0; src && disks && j < json_object_array_length(disks);
		     j++) {
			json_object *d = json_object_array_get_idx(disks, j);
			long long want = jint(d, "capacity_kb") * 1024;

			if (!str_eq(jstr(d, "file"), src))
				continue;
			if (size < want)
				fail(
				    v,
				    "pvc '%s': size %lld bytes, smaller than the source disk "
				    "'%s' (%lld bytes)",
				    name, size, src, want);
		}
	}
	if (n == 0)
		fail(v, "vm '%s': no PVC labelled plan=%s,vmID=%s in '%s'",
		     moid, jstr(st, "uid"), moid, ns ? ns : v->ctx->ns);
	else if (nsrc >= 0 && (size_t)nsrc != n)
		fail(v, "vm '%s': %zu PVCs, the source VM has %d disks", moid,
		     n, nsrc);
	if (v->nfail == bad)
		pass(v, "%zu PVC%s of vm '%s' match (%s%s, %s, %s)", n,
		     n == 1 ? "" : "s", moid, prefix ? prefix : "",
		     prefix ? "*" : "any name", mode ? mode : "any mode",
		     sc ? sc : "any class");
out:
	json_object_put(info);
	json_object_put(items);
	free(sel);
	free(path);
}

/* The datastore MoID of a disk file "[ds] dir/f.vmdk" of the plan's VMs. */
static const char *
disk_datastore(struct ver *v, json_object *st, json_object *cache,
	       const char *file)
{
	json_object *vms = jget(st, "vms");
	size_t i, j;

	for (i = 0; vms && i < json_object_array_length(vms); i++) {
		const char *name =
		    jstr(json_object_array_get_idx(vms, i), "name");
		json_object *info = jget(cache, name ? name : ""), *disks;

		if (name == NULL)
			continue;
		if (info == NULL) {
			struct mtv_err e = { 0 };

			if (vs(v, &e) != 0 ||
			    vs_vm_info(v->vs, name, &info, &e) != 0) {
				log_warn("verify: source vm '%s': %s", name,
					 e.msg);
				continue;
			}
			json_object_object_add(cache, name, info);
		}
		disks = jget(info, "disks");
		for (j = 0; disks && j < json_object_array_length(disks); j++) {
			json_object *d = json_object_array_get_idx(disks, j);

			if (str_eq(jstr(d, "file"), file))
				return jstr(d, "datastore");
		}
	}
	return NULL;
}

static void
check_xcopy(struct ver *v, json_object *c)
{
	const char *plan = jstr(c, "plan"), *ds = jstr(c, "datastore");
	json_object *st = plan_state(v, plan), *x = jget(st, "xcopy"), *cache;
	int want = (int)jint(c, "expect");
	size_t i, n = 0;
	int bad = v->nfail;

	if (x == NULL) {
		fail(
		    v,
		    "plan '%s': no xcopyUsed evidence (the migration did not run)",
		    plan);
		return;
	}
	cache = json_object_new_object();
	for (i = 0; i < json_object_array_length(x); i++) {
		json_object *e = json_object_array_get_idx(x, i),
			    *xu = jget(e, "xcopyUsed");
		const char *disk = jstr(e, "disk");

		if (ds && !str_eq(disk_datastore(v, st, cache, disk), ds))
			continue;
		/* RDM and VVol disks are cloned by the array itself: xcopyUsed
		 * is 0 by design and says nothing about XCOPY */
		if (str_eq(jstr(e, "cloneMethod"), "rdm") ||
		    str_eq(jstr(e, "cloneMethod"), "vvol")) {
			log_info(
			    "verify: plan '%s' disk '%s': array-native clone (%s), xcopyUsed "
			    "does not apply",
			    plan, disk, jstr(e, "cloneMethod"));
			continue;
		}
		n++;
		if (xu == NULL)
			fail(
			    v,
			    "plan '%s' disk '%s': xcopyUsed unknown (no task annotation "
			    "or populator CR reported it), expected %d",
			    plan, disk, want);
		else if (json_object_get_int(xu) != want)
			fail(
			    v,
			    "plan '%s' disk '%s': xcopyUsed %d, expected %d%s%s",
			    plan, disk, json_object_get_int(xu), want,
			    jstr(e, "cloneMethod") ? ", clone method " : "",
			    jstr(e, "cloneMethod") ? jstr(e, "cloneMethod")
						   : "");
	}
	if (n == 0)
		fail(
		    v,
		    "plan '%s': no disk%s%s%s was transferred, so xcopyUsed=%d cannot be "
		    "shown",
		    plan, ds ? " on datastore '" : "", ds ? ds : "",
		    ds ? "'" : "", want);
	else if (v->nfail == bad)
		pass(v, "plan '%s': xcopyUsed=%d on %zu disk%s%s%s", plan, want,
		     n, n == 1 ? "" : "s", ds ? " of " : "", ds ? ds : "");
	json_object_put(cache);
}

static void
check_snapshots(struct ver *v, json_object *c)
{
	const char *vm = jstr(c, "vm");
	json_object *info = NULL, *svm = vm_state(v, jstr(c, "vm_ref")), *rec;
	struct mtv_err e = { 0 };
	long long want = jint(c, "count"), found;

	if (vs(v, &e) != 0 || vs_vm_info(v->vs, vm, &info, &e) != 0) {
		fail(v, "source vm '%s': %s", vm, e.msg);
		return;
	}
	found = jint(info, "snapshots");
	rec = jget(svm, "snapshots");
	if (rec && json_object_is_type(rec, json_type_array))
		want = (long long)json_object_array_length(rec);
	else if (rec && json_object_is_type(rec, json_type_int))
		want = json_object_get_int64(rec);
	if (found != want)
		fail(
		    v,
		    "source vm '%s': %lld snapshots after the migration, expected %lld "
		    "(unchanged)",
		    vm, found, want);
	else
		pass(v, "source vm '%s' keeps its %lld snapshot%s", vm, found,
		     found == 1 ? "" : "s");
	json_object_put(info);
}

/* The [first start, last end] of a plan's DiskTransfer steps. */
static bool
transfer_window(json_object *st, long long *from, long long *to)
{
	json_object *dt = jget(st, "disk_transfer");
	size_t i;

	*from = *to = -1;
	for (i = 0; dt && i < json_object_array_length(dt); i++) {
		json_object *e = json_object_array_get_idx(dt, i);
		long long s = verify_time(jstr(e, "started")),
			  c = verify_time(jstr(e, "completed"));

		if (s >= 0 && (*from < 0 || s < *from))
			*from = s;
		if (c >= 0 && c > *to)
			*to = c;
	}
	return *from >= 0 && *to >= 0;
}

static void
check_concurrent(struct ver *v, json_object *c)
{
	json_object *plans = jget(c, "plans");
	long long start = -1, end = -1;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; plans && i < json_object_array_length(plans); i++) {
		const char *p =
		    json_object_get_string(json_object_array_get_idx(plans, i));
		long long f, t;

		if (!transfer_window(plan_state(v, p), &f, &t)) {
			fail(
			    v,
			    "plan '%s': no DiskTransfer start and end recorded",
			    p);
			strbuf_release(&sb);
			return;
		}
		strbuf_addf(&sb, "%s%s [%lld, %lld]", sb.len ? ", " : "", p, f,
			    t);
		if (start < 0 || f > start)
			start = f;
		if (end < 0 || t < end)
			end = t;
	}
	/* overlap: the latest start is not after the earliest end */
	if (start > end)
		fail(
		    v,
		    "plans did not run at the same time: their disk transfers do not "
		    "overlap (%s)",
		    strbuf_str(&sb));
	else
		pass(v,
		     "plans ran at the same time: disk transfers overlap (%s)",
		     strbuf_str(&sb));
	strbuf_release(&sb);
}

static void
check_offload(struct ver *v, json_object *c)
{
	const char *map = jstr(c, "map");
	json_object *st = state_get(v->ctx, "maps", map ? map : ""),
		    *obj = NULL, *ent;
	bool want = jbool(c, "expect");
	struct mtv_err e = { 0 };
	char *path = kube_path(
	    "StorageMap",
	    jstr(st, "namespace") ? jstr(st, "namespace") : v->ctx->ns, map);
	size_t i, n, with = 0;

	if (kube_get(v->k, path, &obj, &e) != 0) {
		fail(v, "storagemap '%s': %s", map, e.msg);
		free(path);
		return;
	}
	ent = jget(jget(obj, "spec"), "map");
	n = ent ? json_object_array_length(ent) : 0;
	for (i = 0; i < n; i++)
		if (jget(jget(json_object_array_get_idx(ent, i),
			      "offloadPlugin"),
			 "vsphereXcopyConfig"))
			with++;
	if (want ? (n == 0 || with != n) : with != 0)
		fail(
		    v,
		    "storagemap '%s': %zu of %zu entries carry an offload plugin, expected %s",
		    map, with, n, want ? "all" : "none");
	else
		pass(v, "storagemap '%s': %s entry carries an offload plugin",
		     map, want ? "every" : "no");
	json_object_put(obj);
	free(path);
}

/* The target VirtualMachine of a check's source VM (NULL after fail()). */
static json_object *
target_vm(struct ver *v, json_object *c, char **name)
{
	json_object *st = plan_state(v, jstr(c, "plan")),
		    *svm = vm_state(v, jstr(c, "vm_ref")), *svs, *vm = NULL;
	const char *source = jstr(c, "source"), *ns = jstr(c, "namespace");
	struct mtv_err e = { 0 };
	char *path;

	if (ns == NULL)
		ns = jstr(st, "target_namespace") ? jstr(st, "target_namespace")
						  : v->ctx->ns;
	svs = status_vm(st, source, jstr(svm, "moid"));
	*name = xstrdup(jstr(svs, "newName") ? jstr(svs, "newName")
					     : jstr(c, "target") &&
						       *jstr(c, "target")
						   ? jstr(c, "target")
						   : source);
	path = kube_path("VirtualMachine", ns, *name);
	if (kube_get(v->k, path, &vm, &e) != 0) {
		fail(v, "vm '%s': target VirtualMachine '%s' in '%s': %s",
		     source, *name, ns,
		     e.code == MTV_ENOTFOUND ? "not found" : e.msg);
		vm = NULL;
	}
	free(path);
	return vm;
}

/* The source disk file a target disk was copied from: volume -> PVC ->
 * annotation forklift.konveyor.io/disk-source (NULL when unknown). */
static char *
disk_source(struct ver *v, json_object *vm, const char *vol)
{
	json_object *vols =
	    jget(jget(jget(jget(vm, "spec"), "template"), "spec"), "volumes");
	json_object *pvc = NULL;
	const char *claim = NULL, *ns = jstr(jget(vm, "metadata"),
					      "namespace");
	struct mtv_err e = { 0 };
	char *path, *out = NULL;
	size_t i;

	for (i = 0; vols && i < json_object_array_length(vols); i++) {
		json_object *o = json_object_array_get_idx(vols, i);

		if (!str_eq(jstr(o, "name"), vol))
			continue;
		claim = jstr(jget(o, "persistentVolumeClaim"), "claimName");
		if (claim == NULL)
			claim = jstr(jget(o, "dataVolume"), "name");
	}
	if (claim == NULL)
		return NULL;
	path = kube_path("PersistentVolumeClaim", ns, claim);
	if (kube_get(v->k, path, &pvc, &e) == 0 &&
	    jstr(jget(jget(pvc, "metadata"), "annotations"),
		 "forklift.konveyor.io/disk-source"))
		out = xstrdup(jstr(jget(jget(pvc, "metadata"), "annotations"),
				   "forklift.konveyor.io/disk-source"));
	json_object_put(pvc);
	free(path);
	return out;
}

/* rdm_lun_bus: with rdmAsLun the disks copied from RDMs are LUNs on the
 * SCSI bus, every other disk a disk on virtio (mtv-api-tests'
 * verify_rdm_disk_bus_types, but per disk: the PVC's disk-source names the
 * source disk, so a LUN made of a plain disk is caught too). */
static void
check_rdm_lun_bus(struct ver *v, json_object *c)
{
	const char *source = jstr(c, "source");
	bool as_lun = jbool(c, "as_lun");
	long long want = jint(c, "rdm_disks");
	json_object *vm, *disks, *info = NULL, *sd;
	char *name = NULL;
	size_t i, j, nrdm = 0, nlun = 0, ndisk = 0, nknown = 0;
	int bad = v->nfail;

	vm = target_vm(v, c, &name);
	if (vm == NULL)
		goto out;
	if (source_disks(v, source, &info) < 0)
		goto out;
	sd = jget(info, "disks");
	disks = jget(jget(jget(jget(jget(jget(vm, "spec"), "template"), "spec"),
			       "domain"), "devices"), "disks");
	for (i = 0; disks && i < json_object_array_length(disks); i++) {
		json_object *d = json_object_array_get_idx(disks, i),
			    *lun = jget(d, "lun"), *dk = jget(d, "disk");
		char *src = disk_source(v, vm, jstr(d, "name"));
		const char *rdm = NULL;
		bool known = false;

		for (j = 0; src && sd && j < json_object_array_length(sd); j++) {
			json_object *s = json_object_array_get_idx(sd, j);

			if (str_eq(jstr(s, "file"), src)) {
				rdm = jstr(s, "rdm");
				known = true;
			}
		}
		ndisk++;
		nknown += known;
		if (lun)
			nlun++;
		if (rdm)
			nrdm++;
		if (lun && !str_eq(jstr(lun, "bus"), "scsi"))
			fail(v, "vm '%s' disk '%s': lun on bus '%s', expected "
			     "'scsi'", name, jstr(d, "name"),
			     jstr(lun, "bus") ? jstr(lun, "bus") : "unset");
		if (dk && jstr(dk, "bus") && !str_eq(jstr(dk, "bus"), "virtio"))
			fail(v, "vm '%s' disk '%s': disk on bus '%s', expected "
			     "'virtio'", name, jstr(d, "name"), jstr(dk, "bus"));
		if (known && rdm && as_lun && lun == NULL)
			fail(v, "vm '%s' disk '%s' (from the %s RDM '%s'): "
			     "attached as '%s', expected 'lun' (rdmAsLun)",
			     name, jstr(d, "name"), rdm, src,
			     dk ? "disk" : "?");
		else if (known && rdm && !as_lun && lun)
			fail(v, "vm '%s' disk '%s' (from the %s RDM '%s'): "
			     "attached as 'lun', expected 'disk' (no "
			     "rdmAsLun)", name, jstr(d, "name"), rdm, src);
		else if (known && !rdm && lun)
			fail(v, "vm '%s' disk '%s' (from '%s', not an RDM): "
			     "attached as 'lun', expected 'disk'", name,
			     jstr(d, "name"), src);
		free(src);
	}
	if (nknown == ndisk && nrdm != (size_t)want)
		fail(v, "vm '%s': %zu disk%s traced to an RDM of '%s' (%zu "
		     "lun%s), expected %lld", name, nrdm, nrdm == 1 ? "" : "s",
		     source, nlun, nlun == 1 ? "" : "s", want);
	else if (nknown < ndisk && nlun != (as_lun ? (size_t)want : 0))
		/* the PVCs do not all say which disk they hold: count */
		fail(v, "vm '%s': %zu lun%s, expected %lld (%zu of %zu disks "
		     "traced to their source)", name, nlun,
		     nlun == 1 ? "" : "s", as_lun ? want : 0, nknown, ndisk);
	if (nknown == ndisk)
		nlun = nrdm;
	if (v->nfail == bad)
		pass(v, "vm '%s': %zu RDM disk%s attached as %s, the other "
		     "disks on virtio", name, nlun ? nlun : (size_t)want,
		     want == 1 ? "" : "s", as_lun ? "lun on bus scsi" : "disk");
out:
	json_object_put(info);
	json_object_put(vm);
	free(name);
}

/* data_integrity needs a guest to write and read a marker in: reported
 * as not checked (a skipped result), never as passed. */
static void
check_data_integrity(struct ver *v, json_object *c)
{
	json_object *e = json_object_new_object();
	json_object *vms = jget(c, "vms");
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	log_warn("verify: data_integrity not checked: needs guest access "
		 "(not implemented)");
	for (i = 0; vms && i < json_object_array_length(vms); i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "",
			    json_object_get_string(
				json_object_array_get_idx(vms, i)));
	json_object_object_add(e, "title", json_object_new_string(
		sb.len ? strbuf_str(&sb) : "every VM"));
	json_object_object_add(e, "reason", json_object_new_string(
		"not checked: needs guest access (not implemented)"));
	state_set(v->ctx, "skipped_checks", "data_integrity", e);
	strbuf_release(&sb);
}

/* Distinct PVCs in ns with a PopulatorThrottled event; -1 on error. */
static long long
throttled_pvcs(struct ver *v, const char *ns, json_object *names)
{
	json_object *items = NULL;
	struct mtv_err e = { 0 };
	char *path = kube_path("Event", ns, NULL);
	size_t i, j;

	if (kube_list(v->k, path, NULL, &items, &e) != 0) {
		fail(v, "events of '%s': %s", ns, e.msg);
		free(path);
		return -1;
	}
	for (i = 0; i < json_object_array_length(items); i++) {
		json_object *ev = json_object_array_get_idx(items, i),
			    *io = jget(ev, "involvedObject");
		bool have = false;

		if (!str_eq(jstr(ev, "reason"), "PopulatorThrottled") ||
		    !str_eq(jstr(io, "kind"), "PersistentVolumeClaim") ||
		    jstr(io, "name") == NULL)
			continue;
		for (j = 0; j < json_object_array_length(names); j++)
			have |= str_eq(json_object_get_string(
			    json_object_array_get_idx(names, j)),
			    jstr(io, "name"));
		if (!have)
			json_object_array_add(
			    names, json_object_new_string(jstr(io, "name")));
	}
	json_object_put(items);
	free(path);
	return (long long)json_object_array_length(names);
}

/* populator_throttling: the limits the migrate step set held, from what
 * it saw in every Plan status (DiskTransfer tasks Running at once, VMs in
 * DiskTransfer at once, VMs held Pending) and the PopulatorThrottled
 * events of the PVCs. */
static void
check_throttling(struct ver *v, json_object *c)
{
	json_object *plans = jget(c, "plans"), *refs = jget(c, "vm_refs"),
		    *names = json_object_new_array();
	long long lim = jint(c, "max_populator_inflight"),
		  vlim = jint(c, "max_vm_inflight"),
		  minthr = jint(c, "min_throttled_pvcs"),
		  disks = jint(c, "disks"), nvm, thr, floor_;
	long long peak = 0, vpeak = 0, held = 0;
	const char *host = NULL;
	size_t i;
	int bad = v->nfail;

	for (i = 0; plans && i < json_object_array_length(plans); i++) {
		const char *p =
		    json_object_get_string(json_object_array_get_idx(plans, i));
		json_object *in = jget(plan_state(v, p), "inflight");

		if (in == NULL) {
			fail(v, "plan '%s': no in-flight evidence (the "
			     "migration did not run)", p);
			goto out;
		}
		if (jint(in, "peak_populators") > peak)
			peak = jint(in, "peak_populators");
		if (jint(in, "peak_vms") > vpeak)
			vpeak = jint(in, "peak_vms");
		if (jget(in, "pending_vms"))
			held += (long long)json_object_array_length(
			    jget(in, "pending_vms"));
	}
	if (lim > 0) {
		floor_ = disks < lim ? disks : lim;
		if (peak > lim)
			fail(v, "populator in-flight limit %lld not honoured: "
			     "%lld disks were copying at once", lim, peak);
		else if (peak < floor_)
			fail(v, "populator throttling not observable: at most "
			     "%lld disk%s copied at once, expected %lld (the "
			     "copies did not overlap)", peak,
			     peak == 1 ? "" : "s", floor_);
	}
	nvm = refs ? (long long)json_object_array_length(refs) : 0;
	if (vlim > 0) {
		if (vpeak > vlim)
			fail(v, "VM in-flight limit %lld not honoured: %lld "
			     "VMs were transferring disks at once", vlim,
			     vpeak);
		else if (vpeak < 1)
			fail(v, "no VM was seen transferring disks");
		if (nvm > vlim && held < nvm - vlim)
			fail(v, "VM in-flight limit %lld: %lld VM%s held "
			     "Pending, expected at least %lld", vlim, held,
			     held == 1 ? "" : "s", nvm - vlim);
	}
	thr = throttled_pvcs(v, jstr(c, "namespace") ? jstr(c, "namespace")
						      : v->ctx->ns, names);
	if (thr >= 0 && thr < minthr)
		fail(v, "%lld PVC%s with a PopulatorThrottled event, expected "
		     "at least %lld", thr, thr == 1 ? "" : "s", minthr);
	if (jbool(c, "same_host")) {
		for (i = 0; refs && i < json_object_array_length(refs); i++) {
			const char *ref = json_object_get_string(
			    json_object_array_get_idx(refs, i));
			const char *h = jstr(vm_state(v, ref), "host");

			if (h == NULL)
				fail(v, "%s: ESXi host unknown, cannot show "
				     "that the VMs share one", ref);
			else if (host && !str_eq(host, h))
				fail(v, "%s is on host '%s', not on '%s' with "
				     "the others", ref, h, host);
			else
				host = h;
		}
	}
	if (v->nfail == bad && vlim > 0)
		pass(v, "throttling: at most %lld of %lld disks copying at "
		     "once (limit %lld), %lld PVC%s throttled, at most %lld "
		     "VM%s in flight (limit %lld), %lld held Pending%s", peak,
		     disks, lim, thr, thr == 1 ? "" : "s", vpeak,
		     vpeak == 1 ? "" : "s", vlim, held,
		     host ? ", all on one host" : "");
	else if (v->nfail == bad)
		pass(v, "throttling: at most %lld of %lld disks copying at "
		     "once (limit %lld), %lld PVC%s throttled%s", peak, disks,
		     lim, thr, thr == 1 ? "" : "s",
		     host ? ", all on one host" : "");
out:
	json_object_put(names);
}

static int
exec_verify(struct step_ctx *ctx, json_object *step, json_object **undo,
	    struct mtv_err *err)
{
	json_object *checks = jget(jget(step, "params"), "checks");
	struct ver v;
	size_t i;
	int r;

	(void)undo;
	memset(&v, 0, sizeof(v));
	v.ctx = ctx;
	strbuf_init(&v.fail);
	r = step_kube(ctx, &v.k, err);
	if (r != 0)
		return r;
	for (i = 0; checks && i < json_object_array_length(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		const char *kind = jstr(c, "check");

		if (str_eq(kind, "result"))
			check_result(&v, c);
		else if (str_eq(kind, "vm"))
			check_vm(&v, c);
		else if (str_eq(kind, "pvc"))
			check_pvc(&v, c);
		else if (str_eq(kind, "xcopy_used"))
			check_xcopy(&v, c);
		else if (str_eq(kind, "snapshots"))
			check_snapshots(&v, c);
		else if (str_eq(kind, "concurrent"))
			check_concurrent(&v, c);
		else if (str_eq(kind, "offload_plugin"))
			check_offload(&v, c);
		else if (str_eq(kind, "rdm_lun_bus"))
			check_rdm_lun_bus(&v, c);
		else if (str_eq(kind, "populator_throttling"))
			check_throttling(&v, c);
		else if (str_eq(kind, "data_integrity"))
			check_data_integrity(&v, c);
		else
			fail(&v, "unknown check '%s'", kind ? kind : "?");
	}
	if (v.nfail)
		r = err_set(err, MTV_EFAILED, "%d of %d check%s failed: %s",
			    v.nfail, v.nfail + v.nok,
			    v.nfail + v.nok == 1 ? "" : "s",
			    strbuf_str(&v.fail));
	strbuf_release(&v.fail);
	return r;
}

static const struct step_param verify_params[] = {
	{ "checks", PT_ARRAY, true, "the checks, each {\"check\": NAME, ...}" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_verify = {
	.name = "verify",
	.summary = "check the results against the scenario's expectations",
	.flags = STEP_CLUSTER,
	.params = verify_params,
	.exec = exec_verify,
	.undo = NULL,
};
