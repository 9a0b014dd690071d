/* rdm_lun_bus: with rdm_as_lun the disks copied from RDMs are LUNs on the
 * SCSI bus, every other disk a disk on virtio (mtv-api-tests'
 * verify_rdm_disk_bus_types, but per disk: the PVC's disk-source names the
 * source disk, so a LUN made of a plain disk is caught too). One entry per
 * VM with RDM disks. */
#include "config.h"

#include <stdlib.h>

#include "step/check/check.h"

static void
listed_rdm(struct check_build *b, json_object *e, size_t at)
{
	const struct check_model *m = b->m;
	int plan, vm;
	size_t i, j, n = 0;

	if (!check_select(b, e, at, &plan, &vm))
		return;
	for (i = 0; i < m->nplans; i++) {
		const struct check_plan *p = &m->plans[i];

		for (j = 0; j < p->nvms; j++) {
			const struct check_vm *v = &m->vms[p->vms[j]];
			json_object *c;

			if (v->rdm_disks == 0 ||
			    !check_selected(m, plan, vm, i, p->vms[j]))
				continue;
			c = check_entry(b, "rdm_lun_bus");
			jputs(c, "plan", p->name);
			jputs(c, "vm_ref", v->ref);
			jputs(c, "source", v->name);
			jputs(c, "target", v->target);
			jputs(c, "namespace", m->target_ns);
			jputi(c, "rdm_disks", v->rdm_disks);
			jputb(c, "as_lun", m->rdm_as_lun);
			n++;
		}
	}
	if (n == 0)
		check_diag(b, jget(e, "check"), "expect.checks[%zu]: "
			   "rdm_lun_bus, but no VM%s has an RDM disk "
			   "(add_disks[].rdm_type)", at,
			   plan >= 0 ? " of the plan" :
			   vm >= 0 ? " selected" : "");
}

/* The source disk file a target disk was copied from: volume -> PVC ->
 * annotation forklift.konveyor.io/disk-source (NULL when unknown). */
static char *
disk_source(struct check_run *r, json_object *vm, const char *vol)
{
	json_object *vols = jget(jget(jget(jget(vm, "spec"), "template"),
				      "spec"), "volumes");
	json_object *pvc = NULL;
	const char *claim = NULL, *src,
		   *ns = jstr(jget(vm, "metadata"), "namespace");
	struct mtv_err e = { 0 };
	char *path, *out = NULL;
	size_t i;

	for (i = 0; i < jlen(vols); i++) {
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
	if (kube_get(r->k, path, &pvc, &e) == 0) {
		src = jstr(jget(jget(pvc, "metadata"), "annotations"),
			   "forklift.konveyor.io/disk-source");
		out = src ? xstrdup(src) : NULL;
	}
	json_object_put(pvc);
	free(path);
	return out;
}

/* Counts over the target VM's disks. */
struct tally {
	size_t nrdm, nlun, ndisk, nknown;
};

/* One target disk d of VM name: traced to its source disk in sd. */
static void
rdm_disk(struct check_run *r, json_object *c, json_object *vm,
	 const char *name, json_object *d, json_object *sd, struct tally *t)
{
	bool as_lun = jbool(c, "as_lun"), known = false;
	json_object *lun = jget(d, "lun"), *dk = jget(d, "disk");
	const char *dn = jstr(d, "name"), *rdm = NULL;
	char *src = disk_source(r, vm, dn);
	size_t j;

	for (j = 0; src && j < jlen(sd); j++) {
		json_object *s = json_object_array_get_idx(sd, j);

		if (str_eq(jstr(s, "file"), src)) {
			rdm = jstr(s, "rdm");
			known = true;
		}
	}
	t->ndisk++;
	t->nknown += known;
	t->nlun += lun != NULL;
	t->nrdm += rdm != NULL;
	if (lun && !str_eq(jstr(lun, "bus"), "scsi"))
		check_fail(r, "vm '%s' disk '%s': lun on bus '%s', expected "
			   "'scsi'", name, dn,
			   jstr(lun, "bus") ? jstr(lun, "bus") : "unset");
	if (dk && jstr(dk, "bus") && !str_eq(jstr(dk, "bus"), "virtio"))
		check_fail(r, "vm '%s' disk '%s': disk on bus '%s', expected "
			   "'virtio'", name, dn, jstr(dk, "bus"));
	if (known && rdm && as_lun && lun == NULL)
		check_fail(r, "vm '%s' disk '%s' (from the %s RDM '%s'): "
			   "attached as '%s', expected 'lun' (rdmAsLun)",
			   name, dn, rdm, src, dk ? "disk" : "?");
	else if (known && rdm && !as_lun && lun)
		check_fail(r, "vm '%s' disk '%s' (from the %s RDM '%s'): "
			   "attached as 'lun', expected 'disk' (no "
			   "rdmAsLun)", name, dn, rdm, src);
	else if (known && !rdm && lun)
		check_fail(r, "vm '%s' disk '%s' (from '%s', not an RDM): "
			   "attached as 'lun', expected 'disk'", name, dn, src);
	free(src);
}

static void
run_rdm(struct check_run *r, json_object *c)
{
	const char *source = jstr(c, "source");
	bool as_lun = jbool(c, "as_lun");
	long long want = jint(c, "rdm_disks");
	json_object *vm, *disks, *info = NULL;
	struct tally t = { 0 };
	char *name = NULL;
	size_t i;
	int bad = r->nfail;

	vm = check_target_vm(r, c, &name);
	if (vm == NULL || check_source_disks(r, source, &info) < 0)
		goto out;
	disks = jget(jget(jget(jget(jget(jget(vm, "spec"), "template"), "spec"),
			       "domain"), "devices"), "disks");
	for (i = 0; i < jlen(disks); i++)
		rdm_disk(r, c, vm, name, json_object_array_get_idx(disks, i),
			 jget(info, "disks"), &t);
	if (t.nknown == t.ndisk && t.nrdm != (size_t)want)
		check_fail(r, "vm '%s': %zu disk%s traced to an RDM of '%s' "
			   "(%zu lun%s), expected %lld", name, t.nrdm,
			   t.nrdm == 1 ? "" : "s", source, t.nlun,
			   t.nlun == 1 ? "" : "s", want);
	else if (t.nknown < t.ndisk && t.nlun != (as_lun ? (size_t)want : 0))
		/* the PVCs do not all say which disk they hold: count */
		check_fail(r, "vm '%s': %zu lun%s, expected %lld (%zu of %zu "
			   "disks traced to their source)", name, t.nlun,
			   t.nlun == 1 ? "" : "s", as_lun ? want : 0, t.nknown,
			   t.ndisk);
	if (t.nknown == t.ndisk)
		t.nlun = t.nrdm;
	if (r->nfail == bad)
		check_pass(r, "vm '%s': %zu RDM disk%s attached as %s, the "
			   "other disks on virtio", name,
			   t.nlun ? t.nlun : (size_t)want,
			   want == 1 ? "" : "s",
			   as_lun ? "lun on bus scsi" : "disk");
out:
	json_object_put(info);
	json_object_put(vm);
	free(name);
}

const struct check_kind check_rdm_lun_bus = {
	.name = "rdm_lun_bus",
	.summary = "RDM disks arrive as LUNs on the SCSI bus, other disks on "
		   "virtio",
	.listed = listed_rdm,
	.run = run_rdm,
};
