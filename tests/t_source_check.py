#!/usr/bin/python3
"""t_source_check.py LAB_JSON PLAN_JSON [--cleanup]: check with pyVmomi,
independently of the C client, that the VMs a source plan made (run with
--keep) have what the plan asked: disk count, sizes, provisioning, mode,
datastore, folder, controller/unit, CBT, snapshots. --cleanup then powers
off and destroys them and deletes the folders the plan named. Prints TAP-ish
lines "ok ..." / "not ok ..."; exit 1 on any failure."""
import json
import ssl
import sys
import time
from urllib.parse import urlparse

from pyVim.connect import SmartConnect, Disconnect
from pyVmomi import vim

lab = json.load(open(sys.argv[1]))
plan = json.load(open(sys.argv[2]))
cleanup = "--cleanup" in sys.argv
vs = lab["vsphere"]
u = urlparse(vs["url"])
ctx = ssl.create_default_context(cafile=vs["ca_file"])
si = SmartConnect(host=u.hostname, port=u.port, user=vs["username"],
                  pwd=vs["password"], sslContext=ctx)
content = si.RetrieveContent()
dsname = lab["inventory"]["datastore_names"]
fails = 0


def check(cond, what):
    global fails
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        fails += 1


def find_vm(name):
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        for v in view.view:
            if v.name == name:
                return v
    finally:
        view.Destroy()
    return None


def wait(task):
    for _ in range(600):
        if task.info.state in ("success", "error"):
            return task.info.state
        time.sleep(0.05)
    return "timeout"


def count_snaps(lst):
    return sum(1 + count_snaps(s.childSnapshotList) for s in lst or [])


steps = plan["steps"]
clones = [s["params"] for s in steps if s["kind"] == "clone"]
for c in clones:
    vm = find_vm(c["vm"])
    check(vm is not None, "%s exists" % c["vm"])
    if vm is None:
        continue
    if c.get("host"):
        check(vm.runtime.host.name == c["host"], "%s placed on host %s (got %s)" % (c["vm"], c["host"], vm.runtime.host.name))
    devs = vm.config.hardware.device
    tmpl = find_vm(c["template"])
    tmacs = {d.macAddress for d in tmpl.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)}
    macs = [d.macAddress for d in devs if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    check(macs and not (set(macs) & tmacs), "%s has new MAC addresses %s" % (c["vm"], macs))
    ctrls = {d.key: d.busNumber for d in devs if isinstance(d, vim.vm.device.VirtualSCSIController)}
    disks = [d for d in devs if isinstance(d, vim.vm.device.VirtualDisk)]
    mine = [s["params"] for s in steps if s["params"].get("vm_ref") == c["vm_ref"]]
    added = [d for p in mine if p.get("disks") for d in p["disks"]]
    modes = {m["index"]: m["mode"] for p in mine if p.get("set_mode") for m in p["set_mode"]}
    rdms = [p for p in mine if "lun_uuid" in p]
    check(len(disks) == 1 + len(added) + len(rdms),
          "%s has %d disks (want %d)" % (c["vm"], len(disks), 1 + len(added) + len(rdms)))
    boot = [d for d in disks if ctrls.get(d.controllerKey) == 0 and d.unitNumber == 0]
    check(len(boot) == 1, "%s boot disk at 0:0" % c["vm"])
    if boot and c.get("disk_type"):
        b = boot[0].backing
        want = c["disk_type"]
        got = "thin" if b.thinProvisioned else ("thick-eager" if b.eagerlyScrub else "thick-lazy")
        check(got == want, "%s boot disk is %s (want %s)" % (c["vm"], got, want))
        check(b.datastore._moId == c["datastore"], "%s boot disk on %s" % (c["vm"], c["datastore"]))
    for a in added:
        at = [d for d in disks if ctrls.get(d.controllerKey) == a["controller"] and d.unitNumber == a["unit"]]
        check(len(at) == 1, "%s disk %d at %d:%d" % (c["vm"], a["index"], a["controller"], a["unit"]))
        if not at:
            continue
        d, b = at[0], at[0].backing
        check(d.capacityInKB == a["size_gb"] << 20, "%s disk %d is %d GiB" % (c["vm"], a["index"], a["size_gb"]))
        got = "thin" if b.thinProvisioned else ("thick-eager" if b.eagerlyScrub else "thick-lazy")
        check(got == a["provision"], "%s disk %d is %s (got %s)" % (c["vm"], a["index"], a["provision"], got))
        want = modes.get(a["index"], a["mode"])
        check(b.diskMode == want, "%s disk %d mode %s (got %s)" % (c["vm"], a["index"], want, b.diskMode))
        check(b.datastore._moId == a["datastore"], "%s disk %d on %s" % (c["vm"], a["index"], a["datastore"]))
        if a.get("path"):
            check(b.fileName.startswith("[%s] %s/" % (dsname[a["datastore"]], a["path"])),
                  "%s disk %d in folder %s (%s)" % (c["vm"], a["index"], a["path"], b.fileName))
        if c.get("cbt"):
            key = "scsi%d:%d.ctkEnabled" % (a["controller"], a["unit"])
            ec = {o.key: o.value for o in vm.config.extraConfig}
            check(str(ec.get(key, "")).upper() == "TRUE", "%s disk %d CBT" % (c["vm"], a["index"]))
    for r in rdms:
        rd = [d for d in disks if isinstance(d.backing, vim.vm.device.VirtualDisk.RawDiskMappingVer1BackingInfo)]
        check(len(rd) == 1, "%s has one RDM" % c["vm"])
        if rd:
            want = "physicalMode" if r["compatibility"] == "physical" else "virtualMode"
            check(rd[0].backing.compatibilityMode == want, "%s RDM is %s" % (c["vm"], want))
            check(rd[0].backing.fileName.startswith("[%s]" % dsname[r["datastore"]]),
                  "%s RDM mapping file on %s" % (c["vm"], r["datastore"]))
    check(bool(vm.config.changeTrackingEnabled) == bool(c.get("cbt")),
          "%s CBT %s" % (c["vm"], bool(c.get("cbt"))))
    snaps = sum(p.get("count", 0) for p in mine if "names" in p)
    got = count_snaps(vm.snapshot.rootSnapshotList) if vm.snapshot else 0
    check(got == snaps, "%s has %d snapshots (got %d)" % (c["vm"], snaps, got))
    power = [p["state"] for p in mine if p.get("state")]
    if power:
        want = "poweredOn" if power[-1] == "on" else "poweredOff"
        check(vm.runtime.powerState == want, "%s is %s" % (c["vm"], want))

if cleanup:
    dc = content.rootFolder.childEntity[0]
    for c in clones:
        vm = find_vm(c["vm"])
        if vm is None:
            continue
        if vm.runtime.powerState == "poweredOn":
            wait(vm.PowerOffVM_Task())
        wait(vm.Destroy_Task())
    folders = {(d["datastore"], d["path"]) for s in steps if s["params"].get("disks")
               for d in s["params"]["disks"] if d.get("path")}
    for ds, path in folders:
        wait(content.fileManager.DeleteDatastoreFile_Task("[%s] %s" % (dsname[ds], path), dc))
Disconnect(si)
sys.exit(1 if fails else 0)
