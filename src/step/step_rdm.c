/* step_rdm.c: the 'rdm' step: a virtual or physical raw device mapping of
 * a LUN, its mapping file on a VMFS datastore; undone by removing it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/step.h"
#include "step/vs_step.h"

/* The host's SCSI LUN whose canonical name (naa) or uuid is lun. */
static json_object *
find_lun(json_object *hp, const char *lun)
{
	json_object *luns = jget(hp, "config.storageDevice.scsiLun");
	size_t i;

	for (i = 0; vs_jlist(luns, i); i++) {
		json_object *l = vs_jlist(luns, i);

		if (str_eq(jstr(l, "canonicalName"), lun) ||
		    str_eq(jstr(l, "uuid"), lun))
			return l;
	}
	return NULL;
}

/* The LUN's capacity in KiB (0 when it does not say). */
static long long
lun_capacity_kb(json_object *lun)
{
	json_object *c = jget(lun, "capacity");
	const char *block = jstr(c, "block"), *size = jstr(c, "blockSize");

	if (c == NULL)
		return 0;
	return atoll(block ? block : "0") * atoll(size ? size : "0") / 1024;
}

/* The key of the SCSI controller on bus (0: none) among devs; *unit is
 * re-checked against the devices on it and moved to a free one when taken
 * (or 7, the controller's own; -1 when none is free). */
static int
rdm_slot(json_object *devs, int bus, int *unit)
{
	int ck = 0, used[64];
	size_t i, nused = 0;

	for (i = 0; vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i);
		const char *t = jstr(d, "_type") ? jstr(d, "_type") : "";

		if (jstr(d, "busNumber") && ck == 0 &&
		    atoi(jstr(d, "busNumber")) == bus &&
		    (strstr(t, "SCSI") || strstr(t, "Logic")))
			ck = atoi(jstr(d, "key"));
	}
	for (i = 0; vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i);

		if (jstr(d, "controllerKey") &&
		    atoi(jstr(d, "controllerKey")) == ck &&
		    jstr(d, "unitNumber") && nused < 64)
			used[nused++] = atoi(jstr(d, "unitNumber"));
	}
	for (i = 0; i < nused && used[i] != *unit; i++)
		;
	if (i < nused || *unit == 7)
		*unit = vs_unit_free(used, nused);
	return ck;
}

/* The keys of the devices at (ck, unit): the RDM just added. */
static json_object *
rdm_keys(json_object *devs, int ck, int unit)
{
	json_object *keys = json_object_new_array();
	size_t i;

	for (i = 0; vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i);

		if (jstr(d, "controllerKey") &&
		    atoi(jstr(d, "controllerKey")) == ck &&
		    jstr(d, "unitNumber") &&
		    atoi(jstr(d, "unitNumber")) == unit)
			json_object_array_add(keys, json_object_new_int(
				atoi(jstr(d, "key"))));
	}
	return keys;
}

static int
exec_rdm(struct step_ctx *ctx, json_object *step, json_object **undo,
	 struct mtv_err *err)
{
	static const char *const vpaths[] = { "runtime.host",
					      "config.hardware.device", NULL };
	static const char *const hpaths[] = { "config.storageDevice.scsiLun",
					      NULL };
	static const char *const dpaths[] = { "name", "summary.type", NULL };
	json_object *params = jget(step, "params"), *vp = NULL, *hp = NULL,
		    *dp = NULL, *lun;
	const char *name = jstr(params, "vm"), *lu = jstr(params, "lun_uuid");
	struct vs_client *vs = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct vs_disk_spec s;
	char *vm = NULL, *file = NULL;
	long long cap;
	int r, ck, unit = (int)jint(params, "unit");

	r = step_vsphere(ctx, &vs, err);
	if (r == 0)
		r = vstep_vm(ctx, vs, params, &vm, err);
	if (r == 0)
		r = vs_props(vs, "Datastore", jstr(params, "datastore"), dpaths,
			     &dp, err);
	if (r != 0)
		goto out;
	if (!str_eq(jstr(dp, "summary.type"), "VMFS")) {
		r = err_set(
			err, MTV_EINVAL,
			"RDM needs a VMFS datastore for its mapping file: '%s' is %s",
			jstr(dp, "name"),
			jstr(dp, "summary.type") ? jstr(dp, "summary.type")
						 : "unknown");
		goto out;
	}
	r = vs_props(vs, "VirtualMachine", vm, vpaths, &vp, err);
	if (r == 0)
		r = vs_props(vs, "HostSystem", jstr(vp, "runtime.host"), hpaths,
			     &hp, err);
	if (r != 0)
		goto out;
	lun = find_lun(hp, lu);
	if (lun == NULL) {
		r = err_set(
			err, MTV_ENOTFOUND,
			"LUN '%s' for the RDM not found on the host of '%s'",
			lu, name);
		goto out;
	}
	cap = lun_capacity_kb(lun);
	ck = rdm_slot(jget(vp, "config.hardware.device"),
		      (int)jint(params, "controller"), &unit);
	if (ck == 0 || unit < 0) {
		r = err_set(err, MTV_EINVAL,
			    "no free SCSI unit on '%s' for the RDM", name);
		goto out;
	}
	file = xasprintf("[%s]", jstr(dp, "name"));
	memset(&s, 0, sizeof(s));
	s.size_kb = cap;
	s.file = file;
	s.datastore = jstr(params, "datastore");
	s.controller_key = ck;
	s.unit = unit;
	s.key = -900;
	s.rdm_uuid = jstr(lun, "uuid");
	s.rdm_device = jstr(lun, "deviceName");
	s.rdm_compat = jstr(params, "compatibility");
	vs_xml_disk_add(&sb, &s);
	*undo = json_object_new_object();
	json_object_object_add(*undo, "vm", json_object_new_string(vm));
	json_object_object_add(*undo, "controller_key",
			       json_object_new_int(ck));
	json_object_object_add(*undo, "unit", json_object_new_int(unit));
	r = vstep_reconfig(vs, vm, sb.buf, name, step_time_left(ctx), err);
	if (r != 0)
		goto out;
	json_object_put(vp);
	vp = NULL;
	r = vs_props(vs, "VirtualMachine", vm, vpaths, &vp, err);
	if (r != 0)
		goto out;
	json_object_object_add(*undo, "keys",
			       rdm_keys(jget(vp, "config.hardware.device"),
					ck, unit));
	log_verbose("added %s RDM of '%s' to '%s'",
		    jstr(params, "compatibility"), lu, name);
out:
	json_object_put(vp);
	json_object_put(hp);
	json_object_put(dp);
	free(vm);
	free(file);
	strbuf_release(&sb);
	return r;
}

/* The mapping file goes with the VM; the RDM is detached first only so that
 * a VM kept alive elsewhere does not hold the LUN. */
static int
undo_rdm(struct step_ctx *ctx, json_object *step, json_object *undo,
	 struct mtv_err *err)
{
	struct vs_client *vs = NULL;
	int r, t = step_time_left(ctx);

	if (undo == NULL || jget(undo, "keys") == NULL)
		return 0;
	r = step_vsphere(ctx, &vs, err);
	if (r != 0)
		return r;
	r = vstep_power_off(vs, jstr(undo, "vm"),
			    jstr(jget(step, "params"), "vm"), t, err);
	if (r != 0)
		return r;
	return vstep_remove_disks(vs, jstr(undo, "vm"), jget(undo, "keys"),
				  NULL, jstr(jget(step, "params"), "vm"), t,
				  err);
}

/* One step per RDM disk of VM at->vm. */
static void
plan_rdm(struct mtv_model *m, const struct step_at *at)
{
	struct model_vm *v = &m->vms[at->vm];
	const char *lun = profile_co(m->p, "rdm_lun_uuid");
	struct model_step st = { .plan = v->plan, .undo = STEP_UNDO_VM };
	char *obj = xasprintf("vm/%s", v->name);
	size_t j;

	st.object = obj;
	for (j = 0; j < v->ndisks; j++) {
		struct model_disk *d = &v->disks[j];
		json_object *pa;

		if (!d->rdm)
			continue;
		pa = json_object_new_object();
		jputs(pa, "vm_ref", v->ref);
		jputs(pa, "vm", v->name);
		jputs(pa, "lun_uuid", lun);
		jputs(pa, "compatibility", d->rdm);
		jputs(pa, "datastore", d->ds.moid);
		jputi(pa, "controller", d->controller);
		jputi(pa, "unit", d->unit);
		st.params = pa;
		step_plan_add(m, at->kind, &st, "map LUN %s to %s as a %s RDM",
			      lun ? lun : "?", v->name, d->rdm);
	}
	free(obj);
}

static const struct step_param rdm_params[] = {
	{ "vm_ref", PT_STRING, true, "logical VM key" },
	{ "vm", PT_STRING, true, "clone name" },
	{ "lun_uuid", PT_STRING | PT_NULL, true, "the LUN (naa....)" },
	{ "compatibility", PT_STRING, true, "virtual or physical" },
	{ "datastore", PT_STRING | PT_NULL, true, "datastore of the mapping file" },
	{ "controller", PT_INT, true, "SCSI bus number" },
	{ "unit", PT_INT, true, "unit number" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_rdm = {
	.name = "rdm",
	.summary = "map a LUN into a VM (virtual or physical RDM)",
	.flags = STEP_SOURCE | STEP_UNDO_WITH_VM,
	.params = rdm_params,
	.plan = plan_rdm,
	.exec = exec_rdm,
	.undo = undo_rdm,
};
