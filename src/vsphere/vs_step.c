/* vs_step.c: helpers of the source-side steps. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "vsphere/vs_step.h"

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

	r = vs_props(vs, "VirtualMachine", moid, paths, &p, err);
	if (r == MTV_ENOTFOUND)
		return 0;
	if (r != 0)
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

	r = vs_props(vs, "VirtualMachine", moid, paths, &p, err);
	if (r == MTV_ENOTFOUND)
		return 0;
	if (r != 0)
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
