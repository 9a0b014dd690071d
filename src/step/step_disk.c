/* step_disk.c: the 'disk' step: every added disk of a VM in one
 * ReconfigVM_Task (new SCSI controllers in the same spec), or a later
 * switch of disk modes; undone by removing the disks and the folders it
 * made. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/step.h"
#include "step/vs_step.h"

#define MAX_CTRL 4

struct ctrl {
	int key;		/* device key, negative when added now */
	int bus;
	int used[64];
	size_t nused;
};

struct layout {
	struct ctrl c[MAX_CTRL];
	size_t n;
};

static struct ctrl *
ctrl_by_bus(struct layout *l, int bus)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->c[i].bus == bus)
			return &l->c[i];
	return NULL;
}

static bool
is_scsi(const char *t)
{
	return str_eq(t, "ParaVirtualSCSIController") ||
	       str_eq(t, "VirtualLsiLogicController") ||
	       str_eq(t, "VirtualLsiLogicSASController") ||
	       str_eq(t, "VirtualBusLogicController");
}

/* Controllers and used units from the device list (controller.device is
 * empty on some servers: units come from the devices' controllerKey). */
static void
layout_read(struct layout *l, json_object *devs)
{
	size_t i, j;

	memset(l, 0, sizeof(*l));
	for (i = 0; vs_jlist(devs, i) && l->n < MAX_CTRL; i++) {
		json_object *d = vs_jlist(devs, i);

		if (!is_scsi(jstr(d, "_type")))
			continue;
		l->c[l->n].key = atoi(jstr(d, "key") ? jstr(d, "key") : "0");
		l->c[l->n].bus = atoi(jstr(d, "busNumber") ?
				      jstr(d, "busNumber") : "0");
		l->n++;
	}
	for (i = 0; vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i);
		int ck = atoi(jstr(d, "controllerKey") ?
			      jstr(d, "controllerKey") : "0");

		for (j = 0; j < l->n; j++)
			if (l->c[j].key == ck && jstr(d, "unitNumber") &&
			    l->c[j].nused < 64)
				l->c[j].used[l->c[j].nused++] =
					atoi(jstr(d, "unitNumber"));
	}
}

/* Place a disk: the planned bus/unit when free, else the first free unit of
 * any controller, else a new controller (added to sb). */
static int
place(struct layout *l, struct strbuf *sb, int bus, int unit, int *ckey,
      int *uout)
{
	struct ctrl *c = ctrl_by_bus(l, bus);
	size_t i, k;
	int u;

	if (c && unit >= 0 && unit != 7 && unit < 16) {
		for (k = 0; k < c->nused && c->used[k] != unit; k++)
			;
		if (k == c->nused) {
			c->used[c->nused++] = unit;
			*ckey = c->key;
			*uout = unit;
			return 0;
		}
	}
	for (i = 0; i < l->n; i++) {
		u = vs_unit_free(l->c[i].used, l->c[i].nused);
		if (u >= 0) {
			l->c[i].used[l->c[i].nused++] = u;
			*ckey = l->c[i].key;
			*uout = u;
			return 0;
		}
	}
	if (l->n == MAX_CTRL)
		return -1;
	for (bus = 0; ctrl_by_bus(l, bus); bus++)
		;
	c = &l->c[l->n++];
	memset(c, 0, sizeof(*c));
	c->key = -100 - bus;
	c->bus = bus;
	vs_xml_controller_add(sb, c->key, bus);
	c->used[c->nused++] = 0;
	*ckey = c->key;
	*uout = 0;
	return 0;
}

/* Make "[dsname] path" in the datastore's datacenter; records it in made
 * when this call created it (an existing folder is not ours). */
static int
make_folder(struct vs_client *vs, const char *ds, const char *dsname,
	    const char *path, json_object *made, int timeout,
	    struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	char *dc = NULL, *full = xasprintf("[%s] %s", dsname, path);
	int r;

	(void)timeout;
	r = vs_datacenter_of(vs, "Datastore", ds, &dc, err);
	if (r != 0)
		goto out;
	strbuf_adds(&a, "<name>");
	strbuf_add_xml(&a, full);
	strbuf_adds(&a, "</name><datacenter type=\"Datacenter\">");
	strbuf_add_xml(&a, dc);
	strbuf_adds(
		&a,
		"</datacenter><createParentDirectories>true</createParentDirectories>");
	r = vs_invoke(vs, "MakeDirectory", "FileManager", vs_file_manager(vs),
		      a.buf, full, timeout, NULL, err);
	if (r != 0 && str_eq(vs_last_fault(vs), "FileAlreadyExists")) {
		r = 0;
		goto out;
	}
	if (r != 0)
		goto out;
	{
		json_object *f = json_object_new_object();

		json_object_object_add(f, "datacenter",
				       json_object_new_string(dc));
		json_object_object_add(f, "path", json_object_new_string(full));
		json_object_array_add(made, f);
	}
out:
	free(dc);
	free(full);
	strbuf_release(&a);
	return r;
}

/* Thick disks must fit in the datastore's free space. */
static int
check_space(struct vs_client *vs, json_object *disks, struct mtv_err *err)
{
	static const char *const paths[] = { "summary.freeSpace", "name",
					     NULL };
	size_t i, j;
	int r = 0;

	for (i = 0; i < json_object_array_length(disks) && r == 0; i++) {
		json_object *d = json_object_array_get_idx(disks, i), *p = NULL;
		const char *ds = jstr(d, "datastore");
		long long need = 0, free_b;
		bool seen = false;

		for (j = 0; j < i; j++)
			seen |= str_eq(jstr(json_object_array_get_idx(disks, j),
					    "datastore"), ds);
		if (seen || ds == NULL)
			continue;
		for (j = 0; j < json_object_array_length(disks); j++) {
			json_object *e = json_object_array_get_idx(disks, j);

			if (str_eq(jstr(e, "datastore"), ds) &&
			    !str_eq(jstr(e, "provision"), "thin"))
				need += jint(e, "size_gb") << 30;
		}
		if (need == 0)
			continue;
		r = vs_props(vs, "Datastore", ds, paths, &p, err);
		if (r != 0)
			break;
		free_b = atoll(jstr(p, "summary.freeSpace") ?
			       jstr(p, "summary.freeSpace") : "0");
		if (free_b < need)
			r = err_set(
				err, MTV_EINVAL,
				"datastore '%s' has %lld GiB free, the thick disks need %lld GiB",
				jstr(p, "name"), free_b >> 30, need >> 30);
		json_object_put(p);
	}
	return r;
}

/* Switch modes of disks added earlier (set_mode). */
static int
set_modes(struct step_ctx *ctx, struct vs_client *vs, const char *vm,
	  json_object *params, struct mtv_err *err)
{
	static const char *const paths[] = { "config.hardware.device", NULL };
	json_object *sm = jget(params, "set_mode"), *p = NULL, *devs;
	struct strbuf sb = STRBUF_INIT;
	size_t i, k;
	int r;

	r = vs_props(vs, "VirtualMachine", vm, paths, &p, err);
	if (r != 0)
		return r;
	devs = jget(p, "config.hardware.device");
	for (i = 0; i < json_object_array_length(sm); i++) {
		json_object *m = json_object_array_get_idx(sm, i), *rec;
		char key[96];
		const char *file;

		snprintf(key, sizeof(key), "%s/%lld", jstr(params, "vm_ref"),
			 jint(m, "index"));
		rec = state_get(ctx, "disks", key);
		file = jstr(rec, "file");
		for (k = 0; vs_jlist(devs, k); k++) {
			json_object *d = vs_jlist(devs, k),
				    *b = jget(d, "backing");
			struct vs_disk_spec s;

			if (!str_eq(jstr(d, "_type"), "VirtualDisk") ||
			    !str_eq(jstr(b, "fileName"), file))
				continue;
			memset(&s, 0, sizeof(s));
			s.operation = "edit";
			s.label = jstr(jget(d, "deviceInfo"), "label");
			s.key = atoi(jstr(d, "key"));
			s.controller_key = atoi(jstr(d, "controllerKey"));
			s.unit = atoi(jstr(d, "unitNumber"));
			s.size_kb = atoll(jstr(d, "capacityInKB"));
			s.file = file;
			s.datastore = jstr(b, "datastore");
			s.mode = jstr(m, "mode");
			s.provision = str_eq(jstr(b, "thinProvisioned"), "true")
					      ? "thin"
				      : str_eq(jstr(b, "eagerlyScrub"), "true")
					      ? "thick-eager"
					      : "thick-lazy";
			vs_xml_disk_add(&sb, &s);
		}
	}
	json_object_put(p);
	if (sb.len == 0)
		r = err_set(err, MTV_ENOTFOUND,
			    "no disk of '%s' to switch modes",
			    jstr(params, "vm"));
	else
		r = vstep_reconfig(vs, vm, sb.buf, jstr(params, "vm"),
				   step_time_left(ctx), err);
	strbuf_release(&sb);
	return r;
}

/* Disks of vm whose keys are not in before[0..n). */
static size_t
new_disks(struct vs_client *vs, const char *vm, const int *before, size_t n)
{
	static const char *const paths[] = { "config.hardware.device", NULL };
	json_object *p = NULL, *devs;
	size_t i, b, c = 0;

	if (vs_props(vs, "VirtualMachine", vm, paths, &p, NULL) != 0)
		return 0;
	devs = jget(p, "config.hardware.device");
	for (i = 0; vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i);
		int key = atoi(jstr(d, "key") ? jstr(d, "key") : "0");

		for (b = 0; b < n && before[b] != key; b++)
			;
		if (b == n && str_eq(jstr(d, "_type"), "VirtualDisk"))
			c++;
	}
	json_object_put(p);
	return c;
}

/* One reconfiguration that adds disks. */
struct add {
	struct vs_client *vs;
	const char *name;		/* the VM's, for messages */
	struct layout l;
	struct strbuf sb, ec;		/* device changes, extraConfig */
	bool ctk;			/* changeTrackingEnabled */
	int t;				/* seconds */
};

/* Keys of the devices in devs (*out, caller frees). */
static size_t
device_keys(json_object *devs, int **out)
{
	size_t i, n = 0;

	for (i = 0; vs_jlist(devs, i); i++)
		;
	*out = xcalloc(i + 1, sizeof(**out));
	for (i = 0; vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i);

		(*out)[n++] = atoi(jstr(d, "key") ? jstr(d, "key") : "0");
	}
	return n;
}

/* The controllers of params "new_controllers" the VM lacks. */
static void
add_controllers(struct add *a, json_object *nc)
{
	struct layout *l = &a->l;
	size_t i;

	for (i = 0; i < jlen(nc); i++) {
		int bus = json_object_get_int(json_object_array_get_idx(nc, i));

		if (ctrl_by_bus(l, bus) || l->n == MAX_CTRL)
			continue;
		memset(&l->c[l->n], 0, sizeof(l->c[l->n]));
		l->c[l->n].key = -100 - bus;
		l->c[l->n].bus = bus;
		vs_xml_controller_add(&a->sb, l->c[l->n].key, bus);
		l->n++;
	}
}

/* The backing file of disk d ("[ds]" or "[ds] path/vm_index.vmdk", its
 * folder made first and recorded in made); caller frees. */
static int
disk_file(struct add *a, json_object *d, json_object *made, char **out,
	  struct mtv_err *err)
{
	char *dsname = NULL;
	int r;

	*out = NULL;
	r = vstep_ds_name(a->vs, jstr(d, "datastore"), &dsname, err);
	if (r == 0 && jstr(d, "path"))
		r = make_folder(a->vs, jstr(d, "datastore"), dsname,
				jstr(d, "path"), made, a->t, err);
	if (r == 0)
		*out = jstr(d, "path") ?
			xasprintf("[%s] %s/%s_%lld.vmdk", dsname,
				  jstr(d, "path"), a->name, jint(d, "index")) :
			xasprintf("[%s]", dsname);
	free(dsname);
	return r;
}

/* Add disk i of the plan, d, to the spec. */
static int
disk_add(struct add *a, json_object *d, size_t i, json_object *made,
	 struct mtv_err *err)
{
	struct vs_disk_spec s;
	char *file = NULL;
	int ck, unit, r;
	size_t k;

	r = disk_file(a, d, made, &file, err);
	if (r != 0)
		return r;
	if (place(&a->l, &a->sb, (int)jint(d, "controller"),
		  jget(d, "unit") ? (int)jint(d, "unit") : -1, &ck,
		  &unit) != 0) {
		free(file);
		return err_set(err, MTV_EINVAL, "no free SCSI unit left on "
			       "'%s' (4 controllers full)", a->name);
	}
	memset(&s, 0, sizeof(s));
	s.size_kb = jint(d, "size_gb") * 1024 * 1024;
	s.provision = jstr(d, "provision");
	s.mode = jstr(d, "mode");
	s.file = file;
	s.datastore = jstr(d, "datastore");
	s.controller_key = ck;
	s.unit = unit;
	s.key = -1000 - (int)i;
	vs_xml_disk_add(&a->sb, &s);
	free(file);
	if (a->ctk) {
		struct ctrl *c = NULL;

		for (k = 0; k < a->l.n; k++)
			if (a->l.c[k].key == ck)
				c = &a->l.c[k];
		strbuf_addf(&a->ec, "<extraConfig><key>scsi%d:%d.ctkEnabled"
			    "</key><value xsi:type=\"xsd:string\">TRUE</value>"
			    "</extraConfig>", c ? c->bus : 0, unit);
	}
	return 0;
}

/* Record the disks made, in the order of the plan, by their new keys:
 * undo "keys" and state.disks["vm_ref/index"]. */
static void
disks_record(struct step_ctx *ctx, json_object *params, json_object *devs,
	     const int *before, size_t nbefore, json_object *keys)
{
	json_object *disks = jget(params, "disks");
	size_t i, k = 0;

	for (i = 0; vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i), *rec, *di;
		int key = atoi(jstr(d, "key") ? jstr(d, "key") : "0");
		const char *fn = jstr(jget(d, "backing"), "fileName");
		size_t b;
		char sk[96];

		for (b = 0; b < nbefore && before[b] != key; b++)
			;
		if (b < nbefore || !str_eq(jstr(d, "_type"), "VirtualDisk"))
			continue;
		json_object_array_add(keys, json_object_new_int(key));
		di = json_object_array_get_idx(disks, k++);
		if (di == NULL)
			continue;
		snprintf(sk, sizeof(sk), "%s/%lld", jstr(params, "vm_ref"),
			 jint(di, "index"));
		rec = json_object_new_object();
		jputi(rec, "key", key);
		jputs(rec, "file", fn ? fn : "");
		state_set(ctx, "disks", sk, rec);
	}
}

static int
exec_disk(struct step_ctx *ctx, json_object *step, json_object **undo,
	  struct mtv_err *err)
{
	static const char *const paths[] = { "config.hardware.device",
					     "config.changeTrackingEnabled",
					     NULL };
	json_object *params = jget(step, "params"), *disks, *p = NULL,
		    *p2 = NULL, *made, *keys;
	struct add a;
	char *vm = NULL;
	size_t i, nbefore = 0;
	int r, *before = NULL;

	memset(&a, 0, sizeof(a));
	strbuf_init(&a.sb);
	strbuf_init(&a.ec);
	a.name = jstr(params, "vm");
	a.t = step_time_left(ctx);
	disks = jget(params, "disks");
	r = step_vsphere(ctx, &a.vs, err);
	if (r == 0)
		r = vstep_vm(ctx, a.vs, params, &vm, err);
	if (r != 0)
		goto out;
	if (jlen(jget(params, "set_mode")) > 0 && jlen(disks) == 0) {
		r = set_modes(ctx, a.vs, vm, params, err);
		goto out;
	}
	r = check_space(a.vs, disks, err);
	if (r == 0)
		r = vs_props(a.vs, "VirtualMachine", vm, paths, &p, err);
	if (r != 0)
		goto out;
	layout_read(&a.l, jget(p, "config.hardware.device"));
	nbefore = device_keys(jget(p, "config.hardware.device"), &before);
	a.ctk = str_eq(jstr(p, "config.changeTrackingEnabled"), "true");
	add_controllers(&a, jget(params, "new_controllers"));
	*undo = json_object_new_object();
	jputs(*undo, "vm", vm);
	made = json_object_new_array();
	jput(*undo, "folders", made);
	keys = json_object_new_array();
	jput(*undo, "keys", keys);
	for (i = 0; r == 0 && i < jlen(disks); i++)
		r = disk_add(&a, json_object_array_get_idx(disks, i), i, made,
			     err);
	if (r != 0)
		goto out;
	if (a.ec.len)
		strbuf_add(&a.sb, a.ec.buf, a.ec.len);
	r = vstep_reconfig(a.vs, vm, a.sb.buf, a.name, a.t, err);
	if (r != 0 && (str_eq(vs_last_fault(a.vs), "InvalidDeviceSpec") ||
		       str_eq(vs_last_fault(a.vs), "FileAlreadyExists")) &&
	    new_disks(a.vs, vm, before, nbefore) == jlen(disks)) {
		/* a reconfigure sent again after a lost reply: done already */
		log_verbose("disks of '%s' were added already", a.name);
		r = 0;
	}
	if (r == 0)
		r = vs_props(a.vs, "VirtualMachine", vm, paths, &p2, err);
	if (r != 0)
		goto out;
	disks_record(ctx, params, jget(p2, "config.hardware.device"), before,
		     nbefore, keys);
	log_verbose("added %zu disks to '%s'", jlen(disks), a.name);
out:
	json_object_put(p);
	json_object_put(p2);
	free(before);
	free(vm);
	strbuf_release(&a.sb);
	strbuf_release(&a.ec);
	return r;
}

static int
undo_disk(struct step_ctx *ctx, json_object *step, json_object *undo,
	  struct mtv_err *err)
{
	json_object *f = jget(undo, "folders");
	struct vs_client *vs = NULL;
	const char *what = jstr(jget(step, "params"), "vm");
	size_t i;
	int r, t = step_time_left(ctx);

	if (undo == NULL)
		return 0;
	r = step_vsphere(ctx, &vs, err);
	if (r != 0)
		return r;
	/* the clone's destroy removes the disks; only disks in folders this
	 * step made go first, so that the folders can be deleted */
	if (f == NULL || json_object_array_length(f) == 0)
		return 0;
	if (jget(undo, "keys") &&
	    json_object_array_length(jget(undo, "keys"))) {
		r = vstep_power_off(vs, jstr(undo, "vm"), what, t, err);
		if (r == 0)
			r = vstep_remove_disks(vs, jstr(undo, "vm"),
					       jget(undo, "keys"), f, what, t,
					       err);
		if (r != 0)
			return r;
	}
	for (i = 0; f && i < json_object_array_length(f); i++) {
		json_object *o = json_object_array_get_idx(f, i);

		r = vstep_delete_file(vs, jstr(o, "datacenter"),
				      jstr(o, "path"), t, err);
		if (r != 0)
			return r;
	}
	return 0;
}

/* The regular added disks of v (independent_nonpersistent ones are added
 * persistent and switched later). */
static json_object *
disks_json(const struct model_vm *v)
{
	json_object *disks = json_object_new_array(), *e;
	size_t j;

	for (j = 0; j < v->ndisks; j++) {
		const struct model_disk *d = &v->disks[j];

		if (d->rdm)
			continue;
		e = json_object_new_object();
		jputi(e, "index", d->index);
		jputi(e, "size_gb", d->size_gb);
		jputs(e, "provision", d->provision ? d->provision : "thin");
		jputs(e, "mode", str_eq(d->mode, "independent_nonpersistent") ?
		      "persistent" : d->mode ? d->mode : "persistent");
		model_ds_json(e, &d->ds);
		jputs(e, "path", d->path);
		jputi(e, "controller", d->controller);
		jputi(e, "unit", d->unit);
		json_object_array_add(disks, e);
	}
	return disks;
}

/* role "add": the regular disks; role "set_mode": the switch of
 * independent_nonpersistent disks once the guest is up. */
static void
plan_disk(struct mtv_model *m, const struct step_at *at)
{
	struct model_vm *v = &m->vms[at->vm];
	json_object *pa, *disks, *nc, *setm;
	struct model_step st = { .plan = v->plan };
	size_t j, n;
	int b;

	if (str_eq(at->role, "add")) {
		disks = disks_json(v);
		n = jlen(disks);
		if (n == 0) {
			json_object_put(disks);
			return;
		}
		nc = json_object_new_array();
		for (b = 1; b <= v->max_bus; b++)
			json_object_array_add(nc, json_object_new_int(b));
		setm = NULL;
		st.undo = STEP_UNDO_VM;
	} else {
		n = model_vm_set_mode_count(v);
		if (n == 0)
			return;
		disks = json_object_new_array();
		nc = json_object_new_array();
		setm = json_object_new_array();
		for (j = 0; j < v->ndisks; j++) {
			json_object *e;

			if (v->disks[j].rdm || !str_eq(v->disks[j].mode,
						       "independent_nonpersistent"))
				continue;
			e = json_object_new_object();
			jputi(e, "index", v->disks[j].index);
			jputs(e, "mode", v->disks[j].mode);
			json_object_array_add(setm, e);
		}
	}
	pa = json_object_new_object();
	jputs(pa, "vm_ref", v->ref);
	jputs(pa, "vm", v->name);
	jput(pa, "disks", disks);
	jput(pa, "new_controllers", nc);
	jput(pa, "set_mode", setm);
	st.object = xasprintf("vm/%s", v->name);
	st.params = pa;
	if (setm)
		step_plan_add(m, at->kind, &st, "switch %zu disk%s of %s to "
			      "independent_nonpersistent", n, n == 1 ? "" : "s",
			      v->name);
	else
		step_plan_add(m, at->kind, &st, "add %zu disk%s to %s", n,
			      n == 1 ? "" : "s", v->name);
	free((char *)st.object);
}

static const struct step_param disk_params[] = {
	{ "vm_ref", PT_STRING, true, "logical VM key" },
	{ "vm", PT_STRING, true, "clone name" },
	{ "disks", PT_ARRAY, true, "disks to add: {index, size_gb, provision, "
	  "mode, datastore, datastore_key, path, controller, unit}" },
	{ "new_controllers", PT_ARRAY, true, "SCSI bus numbers to add" },
	{ "set_mode", PT_ARRAY | PT_NULL, true, "{index, mode} to switch" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_disk = {
	.name = "disk",
	.summary = "add disks to a VM in one reconfigure",
	.flags = STEP_SOURCE | STEP_UNDO_WITH_VM,
	.params = disk_params,
	.plan = plan_disk,
	.exec = exec_disk,
	.undo = undo_disk,
};
