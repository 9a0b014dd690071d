/* vm.c: every migrated VM exists under the name Forklift gives it, with
 * its disks and in its expected power state (vm_name, disk_count and
 * power_state amend these entries). */
#include "config.h"

#include <stdlib.h>

#include "scenario/names.h"
#include "step/check/check.h"
#include "step/cluster.h"

static void
plan_vm(struct check_build *b)
{
	const struct check_model *m = b->m;
	const struct check_vm *v = &m->vms[m->plans[b->plan].vms[b->vm]];
	const char *tps = m->target_power_state;
	json_object *c = check_entry(b, "vm");

	jputs(c, "plan", m->plans[b->plan].name);
	jputs(c, "vm_ref", v->ref);
	jputs(c, "source", v->name);
	jputs(c, "target", v->target);
	jputs(c, "namespace", m->target_ns);
	jputs(c, "power", tps && !str_eq(tps, "auto") ? tps : v->source_power);
	jputs(c, "disks", "source");
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

/* Volumes of the VirtualMachine that hold a disk. */
static size_t
vm_disks(json_object *vm)
{
	json_object *vols = jget(jget(jget(jget(vm, "spec"), "template"),
				      "spec"), "volumes");
	size_t i, n = 0;

	for (i = 0; i < jlen(vols); i++) {
		json_object *vol = json_object_array_get_idx(vols, i);

		if (jget(vol, "persistentVolumeClaim") ||
		    jget(vol, "dataVolume"))
			n++;
	}
	return n;
}

/* disk_count: "disks" is "source" (as many as the source VM) or a
 * number. */
static void
run_disks(struct check_run *r, json_object *c, json_object *vm,
	  const char *source, const char *found)
{
	json_object *info = NULL, *want = jget(c, "disks");
	size_t ndisk = vm_disks(vm);
	int nsrc;

	if (json_object_is_type(want, json_type_int)) {
		if ((long long)ndisk != json_object_get_int64(want))
			check_fail(r, "vm '%s': %zu disks, expected %lld",
				   found, ndisk, (long long)
				   json_object_get_int64(want));
		else
			check_pass(r, "vm '%s' exists as '%s' with %zu disk%s",
				   source, found, ndisk, ndisk == 1 ? "" : "s");
		return;
	}
	nsrc = check_source_disks(r, source, &info);
	if (nsrc >= 0 && (size_t)nsrc != ndisk)
		check_fail(r, "vm '%s': %zu disks, the source VM '%s' has %d",
			   found, ndisk, source, nsrc);
	else if (nsrc >= 0)
		check_pass(r, "vm '%s' exists as '%s' with %zu disk%s", source,
			   found, ndisk, ndisk == 1 ? "" : "s");
	json_object_put(info);
}

static void
run_vm(struct check_run *r, json_object *c)
{
	const char *plan = jstr(c, "plan"), *source = jstr(c, "source"),
		   *ns = jstr(c, "namespace"), *power = jstr(c, "power");
	json_object *st = check_plan_state(r, plan),
		    *svm = check_vm_state(r, jstr(c, "vm_ref"));
	json_object *svs, *vm = NULL;
	char *expect, *path;
	const char *found;
	struct mtv_err e = { 0 };

	if (ns == NULL)
		ns = jstr(st, "target_namespace") ? jstr(st, "target_namespace")
						  : r->ctx->ns;
	svs = check_status_vm(st, source, jstr(svm, "moid"));
	expect = jstr(c, "target") && *jstr(c, "target")
		     ? xstrdup(jstr(c, "target"))
		     : name_target_vm(source);
	found = jstr(svs, "newName") ? jstr(svs, "newName") : source;
	if (*expect == '\0' ? !str_startswith(found, "vm-")
			    : !str_eq(found, expect)) {
		check_fail(r, "vm '%s': Forklift named it '%s', expected '%s'",
			   source, found, *expect ? expect : "vm-XXXX");
		free(expect);
		return;
	}
	path = kube_path("VirtualMachine", ns, found);
	if (kube_get(r->k, path, &vm, &e) != 0) {
		check_fail(r, "vm '%s': target VirtualMachine '%s' in '%s': %s",
			   source, found, ns,
			   e.code == MTV_ENOTFOUND ? "not found" : e.msg);
		goto out;
	}
	run_disks(r, c, vm, source, found);
	if (power && str_eq(power, "on") != running(vm))
		check_fail(r, "vm '%s': power state expected '%s', found '%s'",
			   found, power, running(vm) ? "on" : "off");
	else if (power)
		check_pass(r, "vm '%s' is powered %s", found, power);
out:
	json_object_put(vm);
	free(path);
	free(expect);
}

const struct check_kind check_vm = {
	.name = "vm",
	.summary = "every VM arrives under its name, with its disks and power",
	.when = CHECK_PER_VM,
	.plan = plan_vm,
	.run = run_vm,
};
