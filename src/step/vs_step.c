/* vs_step.c: helpers of the source-side steps. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/vs_step.h"

/* vs_props of a VM; a VM that is gone is 0 with *out NULL. */
static int
vm_props(struct vs_client *vs, const char *moid, const char *const *paths,
	 json_object **out, struct mtv_err *err)
{
	int r = vs_props(vs, "VirtualMachine", moid, paths, out, err);

	return r == MTV_ENOTFOUND ? 0 : r;
}

int
vstep_vm(struct step_ctx *ctx, struct vs_client *vs, json_object *params,
	 char **out, struct mtv_err *err)
{
	json_object *st = NULL;
	const char *ref = jstr(params, "vm_ref");

	*out = NULL;
	if (ref)
		st = state_get(ctx, "vms", ref);
	if (st && jstr(st, "moid")) {
		*out = xstrdup(jstr(st, "moid"));
		return 0;
	}
	if (jstr(params, "vm") == NULL)
		return err_set(err, MTV_EINVAL, "step names no VM");
	return vs_find(vs, "VirtualMachine", jstr(params, "vm"), out, err);
}

int
vstep_ds_name(struct vs_client *vs, const char *moid, char **out,
	      struct mtv_err *err)
{
	static const char *const paths[] = { "name", NULL };
	json_object *p = NULL;
	int r;

	*out = NULL;
	r = vs_props(vs, "Datastore", moid, paths, &p, err);
	if (r != 0)
		return r;
	if (jstr(p, "name") == NULL) {
		json_object_put(p);
		return err_set(err, MTV_ENOTFOUND, "datastore '%s' not found",
			       moid);
	}
	*out = xstrdup(jstr(p, "name"));
	json_object_put(p);
	return 0;
}

int
vstep_power_off(struct vs_client *vs, const char *moid, const char *what,
		int timeout, struct mtv_err *err)
{
	static const char *const paths[] = { "runtime.powerState", NULL };
	json_object *p = NULL;
	int r;

	r = vm_props(vs, moid, paths, &p, err);
	if (r != 0 || p == NULL)
		return r;
	if (str_eq(jstr(p, "runtime.powerState"), "poweredOff")) {
		json_object_put(p);
		return 0;
	}
	json_object_put(p);
	r = vs_invoke(vs, "PowerOffVM_Task", "VirtualMachine", moid, NULL,
		      what, timeout, NULL, err);
	if (r != 0 && str_eq(vs_last_fault(vs), "InvalidPowerState"))
		r = 0;
	return r;
}

int
vstep_reconfig(struct vs_client *vs, const char *moid, const char *spec,
	       const char *what, int timeout, struct mtv_err *err)
{
	char *a = xasprintf("<spec>%s</spec>", spec);
	int r = vs_invoke(vs, "ReconfigVM_Task", "VirtualMachine", moid, a,
			  what, timeout, NULL, err);

	free(a);
	return r;
}

int
vstep_remove_disks(struct vs_client *vs, const char *moid, json_object *keys,
		   json_object *folders, const char *what, int timeout,
		   struct mtv_err *err)
{
	static const char *const paths[] = { "config.hardware.device", NULL };
	struct strbuf sb = STRBUF_INIT;
	json_object *p = NULL, *devs = NULL;
	size_t i, k;
	int r, n = 0;

	r = vm_props(vs, moid, paths, &p, err);
	if (r != 0 || p == NULL)
		return r;
	json_object_object_get_ex(p, "config.hardware.device", &devs);
	for (i = 0; vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i);
		struct vs_disk_spec s;

		if (!str_eq(jstr(d, "_type"), "VirtualDisk"))
			continue;
		for (k = 0; k < json_object_array_length(keys); k++)
			if (json_object_get_int(
				    json_object_array_get_idx(keys, k)) ==
			    atoi(jstr(d, "key") ? jstr(d, "key") : "0"))
				break;
		if (k == json_object_array_length(keys))
			continue;
		if (folders) {
			const char *fn = jstr(jget(d, "backing"), "fileName");
			bool in = false;

			for (k = 0; k < json_object_array_length(folders);
			     k++) {
				const char *fp = jstr(
					json_object_array_get_idx(folders, k),
					"path");
				size_t l = fp ? strlen(fp) : 0;

				in |= fn && l && strncmp(fn, fp, l) == 0 &&
				      fn[l] == '/';
			}
			if (!in)
				continue;
		}
		memset(&s, 0, sizeof(s));
		s.label = jstr(jget(d, "deviceInfo"), "label");
		s.operation = "destroy";
		s.key = atoi(jstr(d, "key"));
		s.controller_key = atoi(jstr(d, "controllerKey") ?
					jstr(d, "controllerKey") : "0");
		s.unit = atoi(jstr(d, "unitNumber") ? jstr(d, "unitNumber")
						    : "0");
		s.size_kb = atoll(jstr(d, "capacityInKB") ?
				  jstr(d, "capacityInKB") : "0");
		s.file = jstr(jget(d, "backing"), "fileName");
		s.mode = jstr(jget(d, "backing"), "diskMode");
		s.provision =
			str_eq(jstr(jget(d, "backing"), "thinProvisioned"),
			       "true")
				? "thin"
				: "thick-lazy";
		vs_xml_disk_add(&sb, &s);
		n++;
	}
	json_object_put(p);
	if (n > 0)
		r = vstep_reconfig(vs, moid, sb.buf, what, timeout, err);
	if (r == MTV_ENOTFOUND)
		r = 0;
	strbuf_release(&sb);
	return r;
}

int
vstep_delete_file(struct vs_client *vs, const char *dc, const char *path,
		  int timeout, struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	int r;

	strbuf_adds(&a, "<name>");
	strbuf_add_xml(&a, path);
	strbuf_adds(&a, "</name><datacenter type=\"Datacenter\">");
	strbuf_add_xml(&a, dc);
	strbuf_adds(&a, "</datacenter>");
	r = vs_invoke(vs, "DeleteDatastoreFile_Task", "FileManager",
		      vs_file_manager(vs), a.buf, path, timeout, NULL, err);
	if (r != 0 && (str_eq(vs_last_fault(vs), "FileNotFound") ||
		       r == MTV_ENOTFOUND))
		r = 0;
	strbuf_release(&a);
	return r;
}

/* Files of the disks in a device list, into set (file -> true). */
static void
disk_files(json_object *devs, json_object *set)
{
	size_t i;

	for (i = 0; vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i);
		const char *f = jstr(jget(d, "backing"), "fileName");

		if (str_eq(jstr(d, "_type"), "VirtualDisk") && f)
			json_object_object_add(set, f,
					       json_object_new_boolean(1));
	}
}

int
vstep_detach_shared(struct vs_client *vs, const char *moid, const char *name,
		    int timeout, struct mtv_err *err)
{
	static const char *const paths[] = { "config.hardware.device", NULL };
	json_object *p = NULL, *all = NULL, *others, *devs;
	struct strbuf sb = STRBUF_INIT;
	char *own = xasprintf("] %s/", name);
	bool foreign = false;
	size_t i;
	int r;

	r = vm_props(vs, moid, paths, &p, err);
	if (r != 0 || p == NULL)
		goto out;
	devs = jget(p, "config.hardware.device");
	/* only disks outside the VM's own folder can be shared: skip the
	 * inventory-wide listing when there are none */
	for (i = 0; vs_jlist(devs, i); i++) {
		const char *f = jstr(jget(vs_jlist(devs, i), "backing"),
				     "fileName");

		if (str_eq(jstr(vs_jlist(devs, i), "_type"), "VirtualDisk") &&
		    f && strstr(f, own) == NULL)
			foreign = true;
	}
	if (!foreign)
		goto out;
	r = vs_list(vs, "VirtualMachine", "config.hardware.device", &all, err);
	if (r != 0)
		goto out;
	others = json_object_new_object();
	{
		struct json_object_iterator it = json_object_iter_begin(all);
		struct json_object_iterator end = json_object_iter_end(all);

		for (; !json_object_iter_equal(&it, &end);
		     json_object_iter_next(&it))
			if (!str_eq(json_object_iter_peek_name(&it), moid))
				disk_files(json_object_iter_peek_value(&it),
					   others);
	}
	for (i = 0; vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i), *b = jget(d, "backing");
		struct vs_disk_spec s;

		if (!str_eq(jstr(d, "_type"), "VirtualDisk") ||
		    jstr(b, "fileName") == NULL ||
		    jget(others, jstr(b, "fileName")) == NULL)
			continue;
		memset(&s, 0, sizeof(s));
		s.operation = "remove";
		s.label = jstr(jget(d, "deviceInfo"), "label");
		s.key = atoi(jstr(d, "key"));
		s.controller_key = atoi(jstr(d, "controllerKey") ?
					jstr(d, "controllerKey") : "0");
		s.unit = atoi(jstr(d, "unitNumber") ? jstr(d, "unitNumber")
						    : "0");
		s.size_kb = atoll(jstr(d, "capacityInKB") ?
				  jstr(d, "capacityInKB") : "0");
		s.file = jstr(b, "fileName");
		s.mode = jstr(b, "diskMode");
		s.provision = str_eq(jstr(b, "thinProvisioned"), "true") ?
			      "thin" : "thick-lazy";
		vs_xml_disk_add(&sb, &s);
		log_verbose("detaching shared disk '%s' from '%s'",
			    jstr(b, "fileName"), name);
	}
	json_object_put(others);
	if (sb.len)
		r = vstep_reconfig(vs, moid, sb.buf, name, timeout, err);
out:
	json_object_put(p);
	json_object_put(all);
	strbuf_release(&sb);
	free(own);
	return r;
}

int
vstep_vm_destroy(struct vs_client *vs, const char *vm, const char *name,
		 int t, struct mtv_err *err)
{
	static const char *const paths[] = { "snapshot", NULL };
	json_object *p = NULL;
	int r;

	r = vstep_power_off(vs, vm, name, t, err);
	if (r != 0)
		goto out;
	r = vm_props(vs, vm, paths, &p, err);
	if (r != 0 || p == NULL)
		goto out;
	if (jget(p, "snapshot")) {
		r = vs_invoke(vs, "RemoveAllSnapshots_Task", "VirtualMachine",
			      vm, "<consolidate>true</consolidate>", name, t,
			      NULL, err);
		if (r != 0)
			goto out;
	}
	/* destroy deletes every attached file: disks other VMs use stay */
	r = vstep_detach_shared(vs, vm, name, t, err);
	if (r != 0)
		goto out;
	r = vs_invoke(vs, "Destroy_Task", "VirtualMachine", vm, NULL, name, t,
		      NULL, err);
	if (r == MTV_ENOTFOUND)
		r = 0;
out:
	json_object_put(p);
	return r;
}
