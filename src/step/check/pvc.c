/* pvc: the PVCs of every migrated VM: one per source disk, at least the
 * source disk's size, named "pvc-" + 8 hex digits (copy-offload without
 * pvc_name_template), volumeMode Block for copy-offload, the run's storage
 * class. Listing it adds nothing: every VM has these entries. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "step/check/check.h"
#include "step/cluster.h"

static void
plan_pvc(struct check_build *b)
{
	const struct check_model *m = b->m;
	const struct check_plan *p = &m->plans[b->plan];
	json_object *c = check_entry(b, "pvc");

	jputs(c, "plan", p->name);
	jputs(c, "vm_ref", m->vms[p->vms[b->vm]].ref);
	jputs(c, "name_prefix", p->copyoffload && !m->pvc_name_template ?
	      "pvc-" : NULL);
	jputs(c, "volume_mode", p->copyoffload ? "Block" : NULL);
	jputs(c, "storage_class", m->storage_class);
}

static void
listed_pvc(struct check_build *b, json_object *e, size_t at)
{
	int plan, vm;

	if (check_needs_vms(b, e, at))
		check_select(b, e, at, &plan, &vm);
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

/* The problems of one PVC against the entry c and the source disks. */
static void
pvc_one(struct check_run *r, json_object *c, json_object *p,
	json_object *disks)
{
	const char *prefix = jstr(c, "name_prefix"),
		   *mode = jstr(c, "volume_mode"),
		   *sc = jstr(c, "storage_class");
	json_object *spec = jget(p, "spec");
	const char *name = cl_name(p), *src, *vmode, *psc;
	long long size = verify_quantity(
	    jstr(jget(jget(spec, "resources"), "requests"), "storage"));
	size_t j;

	vmode = jstr(spec, "volumeMode");
	psc = jstr(spec, "storageClassName");
	if (prefix && (!str_startswith(name, prefix) ||
		       (str_endswith(prefix, "-") &&
			!hex8(name + strlen(prefix)))))
		check_fail(r, "pvc '%s': name does not match '%s' + 8 hex "
			   "digits", name, prefix);
	if (mode && !str_eq(vmode, mode))
		check_fail(r, "pvc '%s': volumeMode '%s', expected '%s'",
			   name, vmode ? vmode : "unset", mode);
	if (sc && !str_eq(psc, sc))
		check_fail(r, "pvc '%s': storage class '%s', expected '%s'",
			   name, psc ? psc : "unset", sc);
	src = jstr(jget(jget(p, "metadata"), "annotations"),
		   "forklift.konveyor.io/disk-source");
	for (j = 0; src && j < jlen(disks); j++) {
		json_object *d = json_object_array_get_idx(disks, j);
		long long want = jint(d, "capacity_kb") * 1024;

		if (str_eq(jstr(d, "file"), src) && size < want)
			check_fail(r, "pvc '%s': size %lld bytes, smaller than "
				   "the source disk '%s' (%lld bytes)", name,
				   size, src, want);
	}
}

/* {name, disk_source, storage_class, volume_mode, size_bytes} of PVC p. */
static json_object *
pvc_evidence(json_object *p)
{
	json_object *o = json_object_new_object(), *spec = jget(p, "spec");
	const char *src = jstr(jget(jget(p, "metadata"), "annotations"),
			       "forklift.konveyor.io/disk-source");
	long long size = verify_quantity(
	    jstr(jget(jget(spec, "resources"), "requests"), "storage"));

	jputs(o, "name", cl_name(p));
	jputs(o, "disk_source", src);
	jputs(o, "storage_class", jstr(spec, "storageClassName"));
	jputs(o, "volume_mode", jstr(spec, "volumeMode"));
	jput(o, "size_bytes", size >= 0 ? json_object_new_int64(size) : NULL);
	return o;
}

static void
run_pvc(struct check_run *r, json_object *c)
{
	const char *plan = jstr(c, "plan"), *prefix = jstr(c, "name_prefix"),
		   *mode = jstr(c, "volume_mode"),
		   *sc = jstr(c, "storage_class");
	json_object *st = check_plan_state(r, plan),
		    *svm = check_vm_state(r, jstr(c, "vm_ref"));
	json_object *items = NULL, *info = NULL,
		    *pvcs = json_object_new_array();
	const char *moid = jstr(svm, "moid"),
		   *ns = jstr(st, "target_namespace"),
		   *vmn = jstr(svm, "name") ? jstr(svm, "name") : moid;
	char *path, *sel;
	struct mtv_err e = { 0 };
	size_t i, n = 0;
	int nsrc, bad = r->nfail;

	if (jstr(st, "uid") == NULL || moid == NULL) {
		check_fail(r, "pvc of %s: plan '%s' or its VM was never "
			   "created", jstr(c, "vm_ref"), plan);
		return;
	}
	path = kube_path("PersistentVolumeClaim", ns ? ns : r->ctx->ns, NULL);
	sel = xasprintf("plan=%s,vmID=%s", jstr(st, "uid"), moid);
	if (kube_list(r->k, path, sel, &items, &e) != 0) {
		check_fail(r, "pvc of vm '%s': %s", vmn, e.msg);
		goto out;
	}
	nsrc = jstr(svm, "name") ?
		check_source_disks(r, jstr(svm, "name"), &info) : -1;
	for (i = 0; i < jlen(items); i++) {
		json_object *p = json_object_array_get_idx(items, i);

		if (str_startswith(cl_name(p), "prime-"))
			continue;
		n++;
		pvc_one(r, c, p, jget(info, "disks"));
		json_object_array_add(pvcs, pvc_evidence(p));
	}
	/* for the report: which PVC holds which source disk, and the sizes */
	check_evidence(r, "pvcs", pvcs);
	pvcs = NULL;
	check_evidence(r, "source_disks", json_object_get(jget(info,
		       "disks")));
	if (n == 0)
		check_fail(r, "vm '%s': no PVC labelled plan=%s,vmID=%s in "
			   "'%s'", vmn, jstr(st, "uid"), moid,
			   ns ? ns : r->ctx->ns);
	else if (nsrc >= 0 && (size_t)nsrc != n)
		check_fail(r, "vm '%s': %zu PVCs, the source VM has %d disks",
			   vmn, n, nsrc);
	if (r->nfail == bad)
		check_pass(r, "%zu PVC%s of vm '%s' match (%s%s, %s, %s)", n,
			   n == 1 ? "" : "s", vmn, prefix ? prefix : "",
			   prefix ? "*" : "any name", mode ? mode : "any mode",
			   sc ? sc : "any class");
out:
	json_object_put(pvcs);
	json_object_put(info);
	json_object_put(items);
	free(sel);
	free(path);
}

const struct check_kind check_pvc = {
	.name = "pvc",
	.summary = "the VM's PVCs: one per disk, its size, name, volume mode "
		   "and storage class",
	.when = CHECK_PER_VM,
	.plan = plan_pvc,
	.listed = listed_pvc,
	.run = run_pvc,
};
