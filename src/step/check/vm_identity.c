/* vm_identity: the migrated VM is the source VM as Forklift builds it
 * (the pytest suite's check_cpu, check_memory, check_boot_configuration,
 * check_serial_preservation, check_network and check_storage): CPU sockets
 * and cores, memory, firmware (BIOS or EFI, secure boot, TPM), the serial
 * (the VMware-style form with a release that sets it on OpenShift 4.20
 * and newer, the plain UUID elsewhere; either when the version is not
 * known), every source NIC's MAC on
 * the target on the network the NetworkMap says (and on the running
 * VirtualMachineInstance), and one PVC per source disk with the run's
 * storage class and at least the disk's capacity. On by default. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/release.h"
#include "step/check/check.h"
#include "step/cluster.h"
#include "vsphere/vsphere.h"

static void
plan_identity(struct check_build *b)
{
	json_object *c = check_guest_entry(b, "vm_identity");
	const struct check_plan *p = &b->m->plans[b->plan];
	char *nm = xasprintf("%s-network", p->name);

	json_object_object_del(c, "timeout");
	json_object_object_del(c, "start");
	jputs(c, "network_map", nm);
	jputs(c, "storage_class", b->m->storage_class);
	free(nm);
}

static void
listed_identity(struct check_build *b, json_object *e, size_t at)
{
	check_vm_listed(b, e, at, NULL, plan_identity);
}

/* Compare one number of the source and the target; found < 0: unset. */
static void
same(struct check_run *r, json_object *ev, const char *what,
     const char *name, long long want, long long found)
{
	json_object *o = json_object_new_object();

	jputi(o, "source", want);
	jput(o, "target", found >= 0 ? json_object_new_int64(found) : NULL);
	jput(ev, what, o);
	if (want > 0 && found != want)
		check_fail(r, "vm '%s': %s %lld, the source has %lld", name,
			   what, found, want);
}

/* CPU sockets and cores, memory (MiB). */
static void
cpu_memory(struct check_run *r, json_object *props, json_object *dom,
	   const char *name, json_object *ev)
{
	long long ncpu = jint(props, "config.hardware.numCPU"),
		  cores = jint(props, "config.hardware.numCoresPerSocket"),
		  mem = jint(props, "config.hardware.memoryMB"), tmem;
	json_object *cpu = jget(dom, "cpu");
	const char *q = jstr(jget(dom, "memory"), "guest");

	if (q == NULL)
		q = jstr(jget(jget(dom, "resources"), "requests"), "memory");
	tmem = verify_quantity(q);
	if (cores <= 0)
		cores = 1;
	same(r, ev, "cores", name, cores, jget(cpu, "cores") ?
	     jint(cpu, "cores") : -1);
	same(r, ev, "sockets", name, ncpu > 0 ? ncpu / cores : 0,
	     jget(cpu, "sockets") ? jint(cpu, "sockets") : -1);
	same(r, ev, "memory_mib", name, mem, tmem >= 0 ? tmem >> 20 : -1);
}

char *
check_vmware_serial(const char *uuid)
{
	struct strbuf sb = STRBUF_INIT;
	char hex[33];
	size_t n = 0, i;

	for (i = 0; uuid && uuid[i] && n < 32; i++)
		if (isxdigit((unsigned char)uuid[i]))
			hex[n++] = (char)toupper((unsigned char)uuid[i]);
	if (n != 32)
		return NULL;
	strbuf_adds(&sb, "VMware-");
	for (i = 0; i < 16; i++)
		strbuf_addf(&sb, "%s%c%c", i == 0 ? "" : i == 8 ? "-" : " ",
			    hex[2 * i], hex[2 * i + 1]);
	return strbuf_detach(&sb);
}

/* The serial's form: VMware-style (1) with a release that sets it on
 * OpenShift 4.20 or newer, plain UUID (0), or either (-1: the OpenShift
 * version is not known). */
static int
serial_style(struct check_run *r)
{
	const char *v = jstr(state_get(r->ctx, "environment", "openshift"),
			     "version");
	int maj = 0, min = 0;

	if (!step_release(r->ctx)->vmware_serial)
		return 0;
	if (v == NULL || sscanf(v, "%d.%d", &maj, &min) != 2)
		return -1;
	return maj > 4 || (maj == 4 && min >= 20);
}

/* The serial: VMware-style, plain UUID, or either (style -1); the hex
 * digits in either case (Forklift writes them lower case, the pytest
 * suite's check reads them upper case). */
static void
serial(struct check_run *r, const char *uuid, const char *found,
       const char *name, json_object *ev)
{
	char *vmw = check_vmware_serial(uuid);
	int style = serial_style(r);
	bool ok_vmw = vmw && found && strcasecmp(found, vmw) == 0,
	     ok_uuid = uuid && found && strcasecmp(found, uuid) == 0;

	jputs(ev, "serial", found);
	jputs(ev, "source_uuid", uuid);
	jputs(ev, "serial_form", style < 0 ? "either (OpenShift version "
	      "not known)" : style ? "VMware-style (OpenShift 4.20+)" :
	      "plain UUID");
	if (uuid && !((style != 0 && ok_vmw) || (style != 1 && ok_uuid)))
		check_fail(r, "vm '%s': firmware serial '%s', expected '%s'",
			   name, found ? found : "unset", style == 1 ? vmw :
			   style == 0 || vmw == NULL ? uuid : "the source "
			   "UUID or its VMware-style form");
	free(vmw);
}

/* A KubeVirt TPM device that is there: the object, unless "enabled" is
 * false (Forklift writes {"enabled": false} for a source without one). */
static bool
tpm_on(json_object *tpm)
{
	json_object *en = jget(tpm, "enabled");

	return tpm && (en == NULL || json_object_get_boolean(en));
}

/* BIOS or EFI, secure boot, TPM and the serial. */
static void
firmware(struct check_run *r, json_object *props, json_object *dom,
	 const char *name, json_object *ev)
{
	json_object *fw = jget(dom, "firmware"),
		    *bl = jget(fw, "bootloader"), *devs, *d;
	const char *sfw = jstr(props, "config.firmware");
	bool s_efi = str_eq(sfw, "efi"), t_efi = jget(bl, "efi") != NULL,
	     s_sb = str_eq(jstr(props, "config.bootOptions."
				"efiSecureBootEnabled"), "true"),
	     t_sb = jbool(jget(bl, "efi"), "secureBoot"), s_tpm = false,
	     t_tpm = tpm_on(jget(jget(dom, "devices"), "tpm"));
	size_t i;

	devs = jget(props, "config.hardware.device");
	for (i = 0; (d = vs_jlist(devs, i)) != NULL; i++)
		s_tpm |= str_eq(jstr(d, "_type"), "VirtualTPM");
	jputs(ev, "firmware", t_efi ? "efi" : "bios");
	jputs(ev, "source_firmware", sfw ? sfw : "bios");
	jputb(ev, "secure_boot", t_sb);
	jputb(ev, "tpm", t_tpm);
	if (s_efi != t_efi)
		check_fail(r, "vm '%s': firmware %s, the source has %s", name,
			   t_efi ? "efi" : "bios", s_efi ? "efi" : "bios");
	if (s_sb != t_sb)
		check_fail(r, "vm '%s': secure boot %s, the source has it %s",
			   name, t_sb ? "on" : "off", s_sb ? "on" : "off");
	if (s_tpm != t_tpm)
		check_fail(r, "vm '%s': %s TPM, the source has %s", name,
			   t_tpm ? "a" : "no", s_tpm ? "one" : "none");
	serial(r, jstr(props, "config.uuid"), jstr(fw, "serial"), name, ev);
}

/* The target network an interface named iface is on: "pod" or the multus
 * networkName, NULL when none. */
static const char *
iface_network(json_object *tspec, const char *iface)
{
	json_object *nets = jget(tspec, "networks");
	size_t i;

	for (i = 0; i < jlen(nets); i++) {
		json_object *n = json_object_array_get_idx(nets, i);

		if (!str_eq(jstr(n, "name"), iface))
			continue;
		if (jget(n, "pod"))
			return "pod";
		return jstr(jget(n, "multus"), "networkName");
	}
	return NULL;
}

/* What NetworkMap nmap says for a source NIC on network id / name: "pod",
 * "NS/NAME", "ignored" or NULL (no entry). ns: the target namespace.
 * Caller frees. */
static char *
mapped(json_object *nmap, const char *id, const char *name, const char *ns)
{
	json_object *map = jget(jget(nmap, "spec"), "map");
	size_t i;

	for (i = 0; i < jlen(map); i++) {
		json_object *e = json_object_array_get_idx(map, i),
			    *s = jget(e, "source"), *d = jget(e, "destination");
		const char *type = jstr(d, "type");

		if (!(jstr(s, "id") ? str_eq(jstr(s, "id"), id) :
		      str_eq(jstr(s, "name"), name)))
			continue;
		if (str_eq(type, "pod") || str_eq(type, "ignored"))
			return xstrdup(type);
		return xasprintf("%s/%s", jstr(d, "namespace") ?
				 jstr(d, "namespace") : ns, jstr(d, "name"));
	}
	return NULL;
}

/* The MAC of VMI status interface with mac (case-insensitive), else
 * NULL. */
static bool
vmi_has_mac(json_object *vmi, const char *mac)
{
	json_object *ifs = jget(jget(vmi, "status"), "interfaces");
	size_t i;

	for (i = 0; i < jlen(ifs); i++)
		if (strcasecmp(jstr(json_object_array_get_idx(ifs, i), "mac") ?
			       jstr(json_object_array_get_idx(ifs, i), "mac") :
			       "", mac) == 0)
			return true;
	return false;
}

/* The target's interface with mac, or NULL. */
static json_object *
iface_by_mac(json_object *tspec, const char *mac)
{
	json_object *ifs = jget(jget(jget(tspec, "domain"), "devices"),
				"interfaces");
	size_t i;

	for (i = 0; i < jlen(ifs); i++) {
		json_object *f = json_object_array_get_idx(ifs, i);

		if (jstr(f, "macAddress") &&
		    strcasecmp(jstr(f, "macAddress"), mac) == 0)
			return f;
	}
	return NULL;
}

/* One source NIC d on the target. */
static void
nic_one(struct check_run *r, json_object *d, json_object *tspec,
	json_object *vmi, json_object *nmap, const char *ns,
	const char *name, json_object *list)
{
	json_object *b = jget(d, "backing"), *o = json_object_new_object(),
		    *f;
	const char *mac = jstr(d, "macAddress"), *net,
		   *id = jstr(b, "network") ? jstr(b, "network") :
			 jstr(jget(b, "port"), "portgroupKey");
	char *want = mapped(nmap, id, jstr(b, "deviceName"), ns);

	f = iface_by_mac(tspec, mac);
	net = f ? iface_network(tspec, jstr(f, "name")) : NULL;
	jputs(o, "mac", mac);
	jputs(o, "source_network", jstr(b, "deviceName") ?
	      jstr(b, "deviceName") : id);
	jputs(o, "mapped_to", want);
	jputs(o, "target_network", net);
	if (vmi)
		jputb(o, "on_vmi", vmi_has_mac(vmi, mac));
	json_object_array_add(list, o);
	if (str_eq(want, "ignored"))
		goto out;
	if (f == NULL)
		check_fail(r, "vm '%s': no interface with the source MAC %s",
			   name, mac);
	else if (want && !str_eq(net, want) &&
		 !(strchr(want, '/') && net && !strchr(net, '/') &&
		   str_eq(strchr(want, '/') + 1, net)))
		check_fail(r, "vm '%s': MAC %s on network '%s', the "
			   "NetworkMap says '%s'", name, mac,
			   net ? net : "none", want);
	else if (vmi && !vmi_has_mac(vmi, mac))
		check_fail(r, "vm '%s': its running instance has no "
			   "interface with the source MAC %s", name, mac);
out:
	free(want);
}

/* Every source NIC (a device with a MAC) on the target. */
static void
nics(struct check_run *r, json_object *c, json_object *props,
     json_object *tspec, const char *ns, const char *name, json_object *ev)
{
	json_object *devs = jget(props, "config.hardware.device"), *d,
		    *nmap = NULL, *vmi = NULL, *list = json_object_new_array();
	char *path = kube_path("NetworkMap", r->ctx->ns,
			       jstr(c, "network_map"));
	struct mtv_err e = { 0 };
	size_t i;

	if (kube_get(r->k, path, &nmap, &e) != 0)
		check_fail(r, "networkmap '%s': %s", jstr(c, "network_map"),
			   e.msg);
	free(path);
	path = kube_path("VirtualMachineInstance", ns, name);
	if (kube_get(r->k, path, &vmi, &e) != 0 ||
	    !str_eq(jstr(jget(vmi, "status"), "phase"), "Running")) {
		json_object_put(vmi);
		vmi = NULL;
	}
	for (i = 0; nmap && (d = vs_jlist(devs, i)) != NULL; i++)
		if (jstr(d, "macAddress"))
			nic_one(r, d, tspec, vmi, nmap, ns, name, list);
	jput(ev, "nics", list);
	json_object_put(vmi);
	json_object_put(nmap);
	free(path);
}

/* The source disks (VirtualDisk devices), their files and capacities. */
static json_object *
source_disks(json_object *props)
{
	json_object *devs = jget(props, "config.hardware.device"), *d,
		    *out = json_object_new_array();
	size_t i;

	for (i = 0; (d = vs_jlist(devs, i)) != NULL; i++) {
		json_object *o;

		if (!str_eq(jstr(d, "_type"), "VirtualDisk"))
			continue;
		o = json_object_new_object();
		jputs(o, "file", jstr(jget(d, "backing"), "fileName"));
		jputi(o, "capacity_bytes", jstr(d, "capacityInBytes") ?
		      jint(d, "capacityInBytes") :
		      jint(d, "capacityInKB") * 1024);
		json_object_array_add(out, o);
	}
	return out;
}

/* The capacity of the source disk the PVC p holds: by its disk-source
 * annotation, else the disk at the same index; -1 when none. */
static long long
disk_want(json_object *sd, json_object *p, size_t i)
{
	const char *src = jstr(jget(jget(p, "metadata"), "annotations"),
			       "forklift.konveyor.io/disk-source");
	size_t j;

	for (j = 0; src && j < jlen(sd); j++)
		if (str_eq(jstr(json_object_array_get_idx(sd, j), "file"),
			   src))
			return jint(json_object_array_get_idx(sd, j),
				    "capacity_bytes");
	return i < jlen(sd) ? jint(json_object_array_get_idx(sd, i),
				   "capacity_bytes") : -1;
}

/* One PVC of a target volume against the run's class and its disk. */
static void
pvc_one(struct check_run *r, const char *sc, json_object *p, long long want,
	const char *name, json_object *list)
{
	json_object *spec = jget(p, "spec"), *o = json_object_new_object();
	const char *q = jstr(jget(jget(p, "status"), "capacity"), "storage");
	long long size;

	if (q == NULL)
		q = jstr(jget(jget(spec, "resources"), "requests"), "storage");
	size = verify_quantity(q);
	jputs(o, "pvc", cl_name(p));
	jputs(o, "storage_class", jstr(spec, "storageClassName"));
	jputi(o, "size_bytes", size);
	jputi(o, "source_bytes", want);
	json_object_array_add(list, o);
	if (sc && !str_eq(jstr(spec, "storageClassName"), sc))
		check_fail(r, "vm '%s': pvc '%s' of storage class '%s', "
			   "expected '%s'", name, cl_name(p),
			   jstr(spec, "storageClassName") ?
			   jstr(spec, "storageClassName") : "unset", sc);
	if (want > 0 && size < want)
		check_fail(r, "vm '%s': pvc '%s' holds %lld bytes, the source "
			   "disk %lld", name, cl_name(p), size, want);
}

/* One PVC per source disk, of the run's class, at least its size. */
static void
disks(struct check_run *r, json_object *c, json_object *props,
      json_object *tspec, const char *ns, const char *name, json_object *ev)
{
	json_object *vols = jget(tspec, "volumes"), *sd = source_disks(props),
		    *list = json_object_new_array();
	struct mtv_err e = { 0 };
	size_t i, n = 0;

	for (i = 0; i < jlen(vols); i++) {
		json_object *v = json_object_array_get_idx(vols, i), *p = NULL;
		const char *claim = jstr(jget(v, "persistentVolumeClaim"),
					 "claimName");
		char *path;

		if (claim == NULL)
			claim = jstr(jget(v, "dataVolume"), "name");
		if (claim == NULL)
			continue;
		path = kube_path("PersistentVolumeClaim", ns, claim);
		if (kube_get(r->k, path, &p, &e) != 0)
			check_fail(r, "vm '%s': pvc '%s': %s", name, claim,
				   e.msg);
		else
			pvc_one(r, jstr(c, "storage_class"), p,
				disk_want(sd, p, n), name, list);
		n++;
		json_object_put(p);
		free(path);
	}
	jputi(ev, "disks", (long long)n);
	jputi(ev, "source_disks", (long long)jlen(sd));
	jput(ev, "pvcs", list);
	if (n != jlen(sd))
		check_fail(r, "vm '%s': %zu disks, the source has %zu", name, n,
			   jlen(sd));
	json_object_put(sd);
}

/* The source VM's properties (caller puts), or NULL after check_fail. */
static json_object *
source_props(struct check_run *r, json_object *c)
{
	static const char *const paths[] = {
		"config.hardware.numCPU", "config.hardware.numCoresPerSocket",
		"config.hardware.memoryMB", "config.firmware",
		"config.bootOptions.efiSecureBootEnabled", "config.uuid",
		"config.hardware.device", NULL,
	};
	const char *moid = jstr(check_vm_state(r, jstr(c, "vm_ref")), "moid");
	json_object *p = NULL;
	struct mtv_err e = { 0 };
	char *found = NULL;

	if (check_vs(r, &e) == 0 && moid == NULL &&
	    vs_find(r->vs, "VirtualMachine", jstr(c, "source"), &found,
		    &e) == 0)
		moid = found;
	if (moid == NULL || vs_props(r->vs, "VirtualMachine", moid, paths,
				     &p, &e) != 0) {
		check_fail(r, "source vm '%s': %s", jstr(c, "source"),
			   e.msg);
		p = NULL;
	}
	free(found);
	return p;
}

static void
run_identity(struct check_run *r, json_object *c)
{
	json_object *props, *vm = NULL, *tspec, *ev;
	char *name = NULL, *ns;
	int bad = r->nfail;

	props = source_props(r, c);
	if (props)
		vm = check_target_vm(r, c, &name);
	if (vm == NULL)
		goto out;
	ns = xstrdup(jstr(jget(vm, "metadata"), "namespace") ?
		     jstr(jget(vm, "metadata"), "namespace") :
		     jstr(c, "namespace"));
	tspec = jget(jget(jget(vm, "spec"), "template"), "spec");
	ev = json_object_new_object();
	cpu_memory(r, props, jget(tspec, "domain"), name, ev);
	firmware(r, props, jget(tspec, "domain"), name, ev);
	nics(r, c, props, tspec, ns, name, ev);
	disks(r, c, props, tspec, ns, name, ev);
	json_object_object_foreach(ev, k, v)
		check_evidence(r, k, json_object_get(v));
	json_object_put(ev);
	if (r->nfail == bad)
		check_pass(r, "vm '%s' has the source's CPUs, memory, firmware, "
			   "serial, MACs on their mapped networks and disks",
			   name);
	free(ns);
out:
	json_object_put(vm);
	json_object_put(props);
	free(name);
}

const struct check_kind check_vm_identity = {
	.name = "vm_identity",
	.summary = "the migrated VM has the source's CPUs, memory, firmware, "
		   "serial, MACs and disks",
	.when = CHECK_PER_VM,
	.plan = plan_identity,
	.listed = listed_identity,
	.run = run_identity,
};
