/* vs_vm.c: the facts about a VM that the steps and checks read. */
#include "config.h"

#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "vsphere/vs_int.h"

static bool
jtrue(json_object *o, const char *k)
{
	return str_eq(jstr(o, k), "true");
}

/* The string member k of o, or def. */
static const char *
jstr_or(json_object *o, const char *k, const char *def)
{
	const char *s = jstr(o, k);

	return s ? s : def;
}

static int
count_snapshots(json_object *list)
{
	size_t i, n;
	int c = 0;

	if (list == NULL)
		return 0;
	if (!json_object_is_type(list, json_type_array))
		return 1 + count_snapshots(jget(list, "childSnapshotList"));
	n = json_object_array_length(list);
	for (i = 0; i < n; i++)
		c += count_snapshots(json_object_array_get_idx(list, i));
	return c;
}

json_object *
vs_jlist(json_object *o, size_t i)
{
	if (o == NULL)
		return NULL;
	if (json_object_is_type(o, json_type_array))
		return i < json_object_array_length(o) ?
		       json_object_array_get_idx(o, i) : NULL;
	return i == 0 ? o : NULL;
}

/* Bus number of the controller with key ck, or -1. */
static int
controller_bus(json_object *devs, const char *ck)
{
	json_object *c;
	size_t j;
	int bus = -1;

	for (j = 0; (c = vs_jlist(devs, j)) != NULL; j++)
		if (str_eq(jstr(c, "key"), ck) && jstr(c, "busNumber"))
			bus = atoi(jstr(c, "busNumber"));
	return bus;
}

/* Whether CBT is on for the disk at scsi<bus>:<unit>: its ctkEnabled
 * extraConfig entry, else the VM's setting. */
static bool
disk_cbt(json_object *p, json_object *ec, int bus, const char *unit)
{
	const char *ctk = NULL;
	char key[64];
	size_t j;

	snprintf(key, sizeof(key), "scsi%d:%s.ctkEnabled", bus, unit);
	for (j = 0; vs_jlist(ec, j); j++)
		if (str_eq(jstr(vs_jlist(ec, j), "key"), key))
			ctk = jstr(vs_jlist(ec, j), "value");
	return ctk ? strcasecmp(ctk, "true") == 0
		   : jtrue(p, "config.changeTrackingEnabled");
}

/* One VirtualDisk device d as a "disks" entry (see vs_vm_info). */
static json_object *
disk_info(json_object *p, json_object *devs, json_object *d)
{
	json_object *b = jget(d, "backing"), *di = jget(d, "deviceInfo");
	json_object *x = json_object_new_object();
	const char *rdm = NULL;
	int bus = controller_bus(devs, jstr(d, "controllerKey"));
	long long cap;

	if (str_eq(jstr(b, "_type"), "VirtualDiskRawDiskMappingVer1BackingInfo"))
		rdm = str_eq(jstr(b, "compatibilityMode"), "physicalMode")
			      ? "physical" : "virtual";
	cap = jstr(d, "capacityInBytes")
		      ? atoll(jstr(d, "capacityInBytes")) / 1024
		      : atoll(jstr_or(d, "capacityInKB", "0"));
	jputi(x, "key", atoi(jstr_or(d, "key", "0")));
	jputs(x, "label", jstr_or(di, "label", ""));
	jputs(x, "file", jstr_or(b, "fileName", ""));
	jputs(x, "datastore", jstr_or(b, "datastore", ""));
	jputi(x, "capacity_kb", cap);
	jputb(x, "thin", jtrue(b, "thinProvisioned"));
	jputb(x, "eager", jtrue(b, "eagerlyScrub"));
	jputs(x, "mode", jstr_or(b, "diskMode", ""));
	jputs(x, "rdm", rdm);
	jputi(x, "controller_bus", bus);
	jputi(x, "unit", atoi(jstr_or(d, "unitNumber", "-1")));
	jputb(x, "cbt", disk_cbt(p, jget(p, "config.extraConfig"), bus,
				 jstr_or(d, "unitNumber", "")));
	return x;
}

int
vs_vm_info_moid(struct vs_client *vs, const char *moid, json_object **out,
		struct mtv_err *err)
{
	static const char *const paths[] = {
		"name", "config.template", "config.changeTrackingEnabled",
		"runtime.host", "runtime.powerState", "datastore", "snapshot",
		"guest.toolsRunningStatus", "guest.ipAddress",
		"config.hardware.device", "config.extraConfig", NULL,
	};
	json_object *p = NULL, *o, *disks, *devs, *v, *ds;
	size_t i;
	int r;

	*out = NULL;
	r = vs_props(vs, "VirtualMachine", moid, paths, &p, err);
	if (r != 0)
		return r;
	o = json_object_new_object();
	jputs(o, "moid", moid);
	jputs(o, "name", jstr_or(p, "name", ""));
	jputs(o, "power", jstr_or(p, "runtime.powerState", "poweredOff"));
	jputb(o, "template", jtrue(p, "config.template"));
	jputb(o, "cbt", jtrue(p, "config.changeTrackingEnabled"));
	jputs(o, "host", jstr(p, "runtime.host"));
	ds = json_object_new_array();
	v = jget(p, "datastore");
	for (i = 0; vs_jlist(v, i); i++)
		json_object_array_add(ds, json_object_get(vs_jlist(v, i)));
	jput(o, "datastores", ds);
	jputi(o, "snapshots", count_snapshots(
		jget(jget(p, "snapshot"), "rootSnapshotList")));
	jputs(o, "tools", jstr_or(p, "guest.toolsRunningStatus", ""));
	jputs(o, "ip", jstr_or(p, "guest.ipAddress", ""));
	disks = json_object_new_array();
	devs = jget(p, "config.hardware.device");
	for (i = 0; vs_jlist(devs, i); i++)
		if (str_eq(jstr(vs_jlist(devs, i), "_type"), "VirtualDisk"))
			json_object_array_add(
				disks, disk_info(p, devs, vs_jlist(devs, i)));
	jput(o, "disks", disks);
	json_object_put(p);
	*out = o;
	return 0;
}

int
vs_vm_info(struct vs_client *vs, const char *name, json_object **out,
	   struct mtv_err *err)
{
	char *moid = NULL;
	int r;

	*out = NULL;
	r = vs_find(vs, "VirtualMachine", name, &moid, err);
	if (r == 0)
		r = vs_vm_info_moid(vs, moid, out, err);
	free(moid);
	return r;
}

