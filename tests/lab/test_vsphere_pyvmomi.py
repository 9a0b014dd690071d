#!/usr/bin/python3
"""Proof of the lab's vSphere half with a client nobody here wrote
(Debian's python3-pyvmomi). Reads the lab's ready line from $LAB_JSON,
prints TAP. Run through tests/lab/t_vsphere.sh."""

import json
import os
import ssl
import sys
import time
import traceback
import urllib.error
import urllib.request
import hashlib

from pyVim.connect import SmartConnect, Disconnect
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

LAB = json.loads(os.environ["LAB_JSON"])
INV = LAB["inventory"]
CONTROL = LAB["control_url"]
GIB = 1 << 30

results = []


def test(desc):
    def wrap(fn):
        results.append((desc, fn))
        return fn
    return wrap


def control(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(CONTROL + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def host_port():
    u = LAB["vsphere"]["url"]
    hp = u.split("//", 1)[1].split("/", 1)[0]
    h, p = hp.rsplit(":", 1)
    return h, int(p)


def connect(password=None):
    ctx = ssl.create_default_context(cafile=LAB["vsphere"]["ca_file"])
    h, p = host_port()
    return SmartConnect(host=h, port=p, user=LAB["vsphere"]["username"],
                        pwd=password or LAB["vsphere"]["password"], sslContext=ctx)


si = None
content = None
state = {}


def by_moid(kind, moid):
    return kind(moid, si._stub)


def find_vm(name):
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        for vm in view.view:
            if vm.name == name:
                return vm
    finally:
        view.Destroy()
    return None


def disks(vm):
    return [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]


def ds_of(moid):
    return by_moid(vim.Datastore, moid)


def task_error(task):
    try:
        WaitForTask(task)
    except Exception as e:  # pyVim raises the task's fault
        return e
    return None


def locator(disk_key, ds, thin, eager):
    b = vim.vm.device.VirtualDisk.FlatVer2BackingInfo()
    b.fileName = ""
    b.diskMode = "persistent"
    b.thinProvisioned = thin
    b.eagerlyScrub = eager
    return vim.vm.RelocateSpec.DiskLocator(diskId=disk_key, datastore=ds, diskBackingInfo=b)


def clone(name, loc_disks=None, ds=None, power_on=False, cbt=None, template_name="xcopy-template-test"):
    tmpl = find_vm(template_name)
    pool = by_moid(vim.ResourcePool, INV["resource_pool"])
    spec = vim.vm.CloneSpec()
    spec.location = vim.vm.RelocateSpec(pool=pool, datastore=ds or ds_of(INV["primary_ds"]))
    if loc_disks:
        spec.location.disk = loc_disks
    spec.powerOn = power_on
    spec.template = False
    if cbt is not None:
        spec.config = vim.vm.ConfigSpec(changeTrackingEnabled=cbt)
    folder = by_moid(vim.Folder, INV["vm_folder"])
    return tmpl.CloneVM_Task(folder=folder, name=name, spec=spec)


@test("login with the lab CA (strict TLS) and the certificate's SHA-1 thumbprint matches")
def t_login():
    global si, content
    si = connect()
    content = si.RetrieveContent()
    h, p = host_port()
    der = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate((h, p)))
    tp = ":".join("%02X" % b for b in hashlib.sha1(der).digest())
    assert tp == LAB["vsphere"]["thumbprint"], (tp, LAB["vsphere"]["thumbprint"])
    assert content.about.apiVersion.startswith("7.0"), content.about.apiVersion


@test("a wrong password is refused with InvalidLogin")
def t_badlogin():
    try:
        connect(password="wrong-password")
    except vim.fault.InvalidLogin:
        return
    raise AssertionError("login with a wrong password succeeded")


@test("datastores: VMFS primary/secondary XCOPY-capable, plain VMFS not, NFS typed NFS")
def t_datastores():
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.Datastore], True)
    found = {ds._moId: ds for ds in view.view}
    view.Destroy()
    for key in ("primary_ds", "secondary_ds", "non_xcopy_ds", "nfs_ds"):
        assert INV[key] in found, key
    host = by_moid(vim.HostSystem, INV["hosts"][0])
    mounts = {m.volume.name: m for m in host.config.fileSystemVolume.mountInfo}
    luns = {l.canonicalName: l for l in host.config.storageDevice.scsiLun}
    want = {"primary_ds": "vStorageSupported", "secondary_ds": "vStorageSupported",
            "non_xcopy_ds": "vStorageUnsupported"}
    for key, vs in want.items():
        ds = found[INV[key]]
        assert ds.summary.type == "VMFS", (key, ds.summary.type)
        assert isinstance(ds.info, vim.host.VmfsDatastoreInfo)
        assert mounts[ds.name].vStorageSupport == vs, (key, mounts[ds.name].vStorageSupport)
        for ext in ds.info.vmfs.extent:
            assert luns[ext.diskName].vStorageSupport == vs, (key, ext.diskName)
        assert len(ds.host) == len(INV["hosts"]), "datastore not mounted on every host"
    nfs = found[INV["nfs_ds"]]
    assert nfs.summary.type == "NFS", nfs.summary.type
    assert mounts[nfs.name].vStorageSupport != "vStorageSupported"
    opts = host.configManager.advancedOption.QueryOptions("DataMover.HardwareAcceleratedMove")
    assert int(opts[0].value) == 1, opts
    cluster = by_moid(vim.ClusterComputeResource, INV["cluster"])
    target = cluster.environmentBrowser.QueryConfigTarget(host)
    cfg = {d.datastore.datastore._moId: d.vStorageSupport for d in target.datastore}
    for key, vs in want.items():
        assert cfg[INV[key]] == vs, (key, cfg)


@test("the RDM LUN (naa id and uuid) is visible on every host")
def t_rdm_lun():
    for h in INV["hosts"]:
        host = by_moid(vim.HostSystem, h)
        m = [l for l in host.config.storageDevice.scsiLun if l.canonicalName == INV["rdm_lun_naa"]]
        assert m and m[0].uuid == INV["rdm_lun_uuid"], h


@test("templates: template flag, guest id, one 16 GiB thin disk on the primary, one NIC on VM Network")
def t_templates():
    for name in INV["templates"]:
        vm = find_vm(name)
        assert vm is not None, name
        assert vm.config.template, name
        assert vm.config.guestId == "rhel9_64Guest", vm.config.guestId
        d = disks(vm)
        assert len(d) == 1, len(d)
        assert d[0].capacityInKB * 1024 == 16 * GIB
        assert d[0].backing.thinProvisioned
        assert d[0].backing.datastore._moId == INV["primary_ds"]
        nics = [x for x in vm.config.hardware.device if isinstance(x, vim.vm.device.VirtualEthernetCard)]
        assert len(nics) == 1 and nics[0].backing.deviceName == "VM Network"
    tmpl = find_vm("xcopy-template-test")
    state["tmpl_file"] = disks(tmpl)[0].backing.fileName
    state["tmpl_key"] = disks(tmpl)[0].key


@test("clone with per-disk thin / thick-lazy / thick-eager locators; each clone owns its disk file")
def t_clone_provisioning():
    prim = ds_of(INV["primary_ds"])
    kinds = {"lab-thin": (True, False), "lab-lazy": (False, False), "lab-eager": (False, True)}
    files = set()
    for name, (thin, eager) in kinds.items():
        t = clone(name, [locator(state["tmpl_key"], prim, thin, eager)])
        WaitForTask(t)
        vm = t.info.result
        d = disks(vm)
        assert len(d) == 1
        b = d[0].backing
        assert bool(b.thinProvisioned) == thin and bool(b.eagerlyScrub) == eager, (name, b.thinProvisioned, b.eagerlyScrub)
        assert b.fileName.startswith("[xcopy-ds] %s/" % name), b.fileName
        files.add(b.fileName)
    assert len(files) == 3
    tmpl = find_vm("xcopy-template-test")
    tb = disks(tmpl)[0].backing
    assert tb.fileName == state["tmpl_file"] and tb.thinProvisioned, "template changed by clone: %s" % tb.fileName


@test("clone to the secondary datastore by disk locator and onto the ESXi host named by esxi_host's peer")
def t_clone_secondary():
    sec = ds_of(INV["secondary_ds"])
    names = [by_moid(vim.HostSystem, h).name for h in INV["hosts"]]
    assert names == INV["host_names"], names
    assert LAB["esxi"]["host"] in names, (LAB["esxi"]["host"], names)
    found = content.searchIndex.FindByInventoryPath("DC0/host/%s/%s" % (by_moid(vim.ClusterComputeResource, INV["cluster"]).name, names[-1]))
    assert found is not None and found._moId == INV["hosts"][-1]
    tmpl = find_vm("xcopy-template-test")
    spec = vim.vm.CloneSpec(location=vim.vm.RelocateSpec(
        pool=by_moid(vim.ResourcePool, INV["resource_pool"]), datastore=ds_of(INV["primary_ds"]),
        host=found, disk=[locator(state["tmpl_key"], sec, False, True)]))
    t = tmpl.CloneVM_Task(folder=by_moid(vim.Folder, INV["vm_folder"]), name="lab-second", spec=spec)
    WaitForTask(t)
    vm = t.info.result
    b = disks(vm)[0].backing
    assert b.fileName.startswith("[xcopy-ds-2] "), b.fileName
    assert b.datastore._moId == INV["secondary_ds"]
    assert vm.runtime.host._moId == INV["hosts"][-1], vm.runtime.host


@test("clone with powerOn and CBT; tools and IP after boot, ShutdownGuest powers off later (WaitForUpdatesEx)")
def t_clone_power_guest():
    control("POST", "/vsphere/guest-boot-delay", {"ms": 300})
    t0 = time.time()
    t = clone("lab-boot", power_on=True, cbt=True)
    WaitForTask(t)
    vm = t.info.result
    assert vm.config.changeTrackingEnabled is True
    assert vm.runtime.powerState == "poweredOn"
    pc = content.propertyCollector.CreatePropertyCollector()
    spec = vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=vm)],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=["guest.toolsRunningStatus", "guest.ipAddress"])])
    pc.CreateFilter(spec, True)
    version, seen = "", {}
    deadline = time.time() + 10
    while time.time() < deadline and not (seen.get("guest.toolsRunningStatus") == "guestToolsRunning" and seen.get("guest.ipAddress")):
        upd = pc.WaitForUpdatesEx(version, vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=5))
        if upd is None:
            continue
        version = upd.version
        for fs in upd.filterSet:
            for os_ in fs.objectSet:
                for ch in os_.changeSet:
                    seen[ch.name] = ch.val
    assert seen.get("guest.toolsRunningStatus") == "guestToolsRunning", seen
    assert seen.get("guest.ipAddress"), seen
    assert time.time() - t0 >= 0.25, "guest came up before the boot delay"
    # ShutdownGuest returns at once; the power-off comes later, seen through the collector
    control("POST", "/vsphere/guest-shutdown-delay", {"ms": 300})
    pc.CreateFilter(vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=vm)],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=["runtime.powerState"])]), True)
    vm.ShutdownGuest()
    assert vm.runtime.powerState == "poweredOn"
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    state_seen = None
    deadline = time.time() + 10
    while time.time() < deadline and state_seen != "poweredOff":
        upd = pc.WaitForUpdatesEx(version, vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=5))
        if upd is None:
            continue
        version = upd.version
        for fs in upd.filterSet:
            for os_ in fs.objectSet:
                for ch in os_.changeSet:
                    if ch.name == "runtime.powerState":
                        state_seen = ch.val
    pc.Destroy()
    assert state_seen == "poweredOff", state_seen
    assert not vm.guest.ipAddress


@test("clone to an existing name fails with DuplicateName")
def t_dup():
    e = task_error(clone("lab-thin"))
    assert isinstance(e, vim.fault.DuplicateName), repr(e)


@test("clone to a bad datastore MoID gives ManagedObjectNotFound (no dropped connection)")
def t_bad_moid():
    try:
        clone("lab-bad", ds=by_moid(vim.Datastore, "datastore-999999"))
    except vmodl.fault.ManagedObjectNotFound:
        return
    raise AssertionError("no fault")


def disk_spec(key, ctrl, unit, size_gb, thin, eager, mode="persistent", file_name="[xcopy-ds]"):
    d = vim.vm.device.VirtualDisk()
    d.key = key
    d.controllerKey = ctrl
    d.unitNumber = unit
    d.capacityInKB = size_gb * 1024 * 1024
    b = vim.vm.device.VirtualDisk.FlatVer2BackingInfo()
    b.fileName = file_name
    b.diskMode = mode
    b.thinProvisioned = thin
    b.eagerlyScrub = eager
    d.backing = b
    return vim.vm.device.VirtualDeviceSpec(operation="add", fileOperation="create", device=d)


def scsi_controller(vm):
    return [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualSCSIController)][0]


@test("ten disks across two controllers (new pvscsi in the same spec), mixed provisioning and modes, a shared folder, CBT")
def t_ten_disks():
    vm = find_vm("lab-thin")
    ctrl = scsi_controller(vm).key
    new_ctrl = vim.vm.device.ParaVirtualSCSIController(key=-400, busNumber=1, sharedBus="noSharing")
    changes = [vim.vm.device.VirtualDeviceSpec(operation="add", device=new_ctrl)]
    kinds = [(True, False), (False, False), (False, True)]
    for i in range(10):
        thin, eager = kinds[i % 3]
        if i < 6:
            c, unit = ctrl, i + 1
        else:
            c, unit = -400, i - 6
        mode = "independent_persistent" if i == 4 else "persistent"
        fn = "[xcopy-ds] shared_disks/lab-shared.vmdk" if i == 2 else "[xcopy-ds]"
        changes.append(disk_spec(-500 - i, c, unit, 1, thin, eager, mode, fn))
    dc = by_moid(vim.Datacenter, INV["datacenter"])
    content.fileManager.MakeDirectory(name="[xcopy-ds] shared_disks", datacenter=dc, createParentDirectories=True)
    spec = vim.vm.ConfigSpec(deviceChange=changes, changeTrackingEnabled=True)
    WaitForTask(vm.ReconfigVM_Task(spec))
    d = disks(vm)
    assert len(d) == 11, len(d)
    ctrls = {x.key: x for x in vm.config.hardware.device if isinstance(x, vim.vm.device.VirtualSCSIController)}
    assert len(ctrls) == 2, ctrls.keys()
    for c in ctrls.values():
        assert c.scsiCtlrUnitNumber == 7, c.scsiCtlrUnitNumber
    used = {(x.controllerKey, x.unitNumber) for x in d}
    assert len(used) == 11
    assert all(x.controllerKey in ctrls for x in d)
    assert vm.config.changeTrackingEnabled is True
    added = d[1:]
    for i, x in enumerate(added):
        thin, eager = kinds[i % 3]
        assert bool(x.backing.thinProvisioned) == thin and bool(x.backing.eagerlyScrub) == eager, (i, x.backing)
    assert added[4].backing.diskMode == "independent_persistent"
    names = {x.backing.fileName for x in d}
    assert len(names) == 11, names
    assert "[xcopy-ds] shared_disks/lab-shared.vmdk" in names, names


@test("unit 7, unit 64 on pvscsi and an unknown controllerKey are rejected")
def t_bad_units():
    vm = find_vm("lab-lazy")
    ctrl = scsi_controller(vm).key
    for unit, c, fault in ((7, ctrl, vim.fault.InvalidDeviceSpec), (64, ctrl, vim.fault.InvalidDeviceSpec),
                           (1, 9999, vim.fault.InvalidController)):
        e = task_error(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[disk_spec(-600, c, unit, 1, True, False)])))
        assert isinstance(e, fault), (unit, c, repr(e))
    assert len(disks(vm)) == 1


@test("thick disks take datastore free space, thin disks do not")
def t_free_space():
    vm = find_vm("lab-lazy")
    ds = ds_of(INV["primary_ds"])
    ctrl = scsi_controller(vm).key
    before = ds.summary.freeSpace
    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[disk_spec(-700, ctrl, 1, 2, True, False)])))
    assert ds.summary.freeSpace == before, (before, ds.summary.freeSpace)
    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[disk_spec(-701, ctrl, 2, 2, False, True)])))
    assert before - ds.summary.freeSpace == 2 * GIB, before - ds.summary.freeSpace


def rdm_spec(key, ctrl, unit, compat):
    d = vim.vm.device.VirtualDisk()
    d.key = key
    d.controllerKey = ctrl
    d.unitNumber = unit
    d.capacityInKB = 10 * 1024 * 1024
    b = vim.vm.device.VirtualDisk.RawDiskMappingVer1BackingInfo()
    b.fileName = "[xcopy-ds]"
    b.lunUuid = INV["rdm_lun_uuid"]
    b.deviceName = "/vmfs/devices/disks/" + INV["rdm_lun_naa"]
    b.compatibilityMode = compat
    b.diskMode = "independent_persistent" if compat == "physicalMode" else "persistent"
    d.backing = b
    return vim.vm.device.VirtualDeviceSpec(operation="add", fileOperation="create", device=d)


@test("RDM disks (virtual and physical mode) are added and reported with their LUN")
def t_rdm():
    vm = find_vm("lab-eager")
    ctrl = scsi_controller(vm).key
    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[rdm_spec(-800, ctrl, 3, "virtualMode"), rdm_spec(-801, ctrl, 4, "physicalMode")])))
    r = [x for x in disks(vm) if isinstance(x.backing, vim.vm.device.VirtualDisk.RawDiskMappingVer1BackingInfo)]
    assert len(r) == 2, len(r)
    assert {x.backing.compatibilityMode for x in r} == {"virtualMode", "physicalMode"}
    assert all(x.backing.lunUuid == INV["rdm_lun_uuid"] for x in r)
    # the VM stays usable: another disk, a snapshot-free power cycle
    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[disk_spec(-802, ctrl, 5, 1, True, False)])))
    assert len(disks(vm)) == 4
    e = task_error(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[
        rdm_spec(-803, ctrl, 6, "virtualMode")])))
    assert e is None, repr(e)
    bad = rdm_spec(-804, ctrl, 8, "virtualMode")
    bad.device.backing.lunUuid = "0200000000deadbeef"
    bad.device.backing.deviceName = ""
    e = task_error(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[bad])))
    assert e is not None, "RDM on an unknown LUN accepted"


@test("snapshots: two created, counted, all removed")
def t_snapshots():
    vm = find_vm("lab-thin")
    WaitForTask(vm.CreateSnapshot_Task(name="s1", description="", memory=False, quiesce=False))
    WaitForTask(vm.CreateSnapshot_Task(name="s2", description="", memory=False, quiesce=False))
    root = vm.snapshot.rootSnapshotList
    assert root[0].name == "s1" and root[0].childSnapshotList[0].name == "s2"
    inv = control("GET", "/vsphere/inventory")
    assert [v["snapshots"] for v in inv["vms"] if v["name"] == "lab-thin"] == [2]
    WaitForTask(vm.RemoveAllSnapshots_Task())
    assert vm.snapshot is None


@test("snapshots of a clone with a virtual RDM: create, remove, create again, remove all")
def t_snapshots_rdm():
    t = clone("lab-rdmsnap")
    WaitForTask(t)
    vm = t.info.result
    ctrl = scsi_controller(vm).key
    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[rdm_spec(-900, ctrl, 3, "virtualMode"),
                                                                  rdm_spec(-901, ctrl, 4, "physicalMode")])))
    base = {x.key: x.backing.fileName for x in disks(vm)}
    rdm = [x for x in disks(vm) if isinstance(x.backing, vim.vm.device.VirtualDisk.RawDiskMappingVer1BackingInfo)]
    virt = [x.key for x in rdm if x.backing.compatibilityMode == "virtualMode"][0]
    phys = [x.key for x in rdm if x.backing.compatibilityMode == "physicalMode"][0]
    WaitForTask(vm.CreateSnapshot_Task(name="p1", description="", memory=False, quiesce=False))
    d = {x.key: x for x in disks(vm)}
    # the virtual RDM writes into a delta whose parent is the mapping file;
    # the physical RDM is not part of the snapshot
    assert isinstance(d[virt].backing, vim.vm.device.VirtualDisk.RawDiskMappingVer1BackingInfo)
    assert d[virt].backing.fileName != base[virt] and d[virt].backing.parent.fileName == base[virt], d[virt].backing
    assert d[phys].backing.fileName == base[phys] and d[phys].backing.parent is None
    first = vm.snapshot.currentSnapshot
    WaitForTask(first.RemoveSnapshot_Task(removeChildren=False, consolidate=True))
    assert vm.snapshot is None
    assert {x.key: x.backing.fileName for x in disks(vm)} == base
    WaitForTask(vm.CreateSnapshot_Task(name="p2", description="", memory=False, quiesce=False))
    WaitForTask(vm.CreateSnapshot_Task(name="p3", description="", memory=False, quiesce=False))
    names = [f.name for f in vm.layoutEx.file if f.name.endswith(".vmsn")]
    assert len(names) == len(set(names)) == 2, names
    WaitForTask(vm.RemoveAllSnapshots_Task())
    assert vm.snapshot is None
    assert {x.key: x.backing.fileName for x in disks(vm)} == base
    inv = control("GET", "/vsphere/inventory")
    files = inv["datastore_files"][INV["primary_ds"]]
    left = [f for f in files if f.startswith("lab-rdmsnap/") and (f.endswith(".vmsn") or "-00000" in f)]
    assert not left, left


@test("relocate moves home and disks to the secondary; a disk locator keeps one on the primary as eager")
def t_relocate():
    vm = find_vm("lab-lazy")
    d = disks(vm)
    keep = d[1]
    spec = vim.vm.RelocateSpec(datastore=ds_of(INV["secondary_ds"]),
                               disk=[locator(keep.key, ds_of(INV["primary_ds"]), False, True)])
    WaitForTask(vm.RelocateVM_Task(spec))
    assert vm.config.files.vmPathName.startswith("[xcopy-ds-2] "), vm.config.files.vmPathName
    for x in disks(vm):
        if x.key == keep.key:
            assert x.backing.fileName.startswith("[xcopy-ds] ") and x.backing.eagerlyScrub, x.backing
        else:
            assert x.backing.fileName.startswith("[xcopy-ds-2] "), x.backing.fileName
            assert x.backing.datastore._moId == INV["secondary_ds"]
    inv = control("GET", "/vsphere/inventory")
    files = inv["datastore_files"][INV["secondary_ds"]]
    assert any(f.startswith("lab-lazy/") and f.endswith(".vmdk") for f in files), files
    # relocation of an RDM-holding VM works too
    vm = find_vm("lab-eager")
    WaitForTask(vm.RelocateVM_Task(vim.vm.RelocateSpec(datastore=ds_of(INV["secondary_ds"]))))
    e = None
    try:
        vm.RelocateVM_Task(vim.vm.RelocateSpec(datastore=by_moid(vim.Datastore, "datastore-424242")))
    except vmodl.fault.ManagedObjectNotFound as x:
        e = x
    assert e is not None


@test("clone duration: the task is observed running, then success through the property collector")
def t_clone_duration():
    control("POST", "/vsphere/clone-duration", {"ms": 600})
    try:
        t0 = time.time()
        t = clone("lab-slow")
        assert t.info.state == "running", t.info.state
        WaitForTask(t)
        assert time.time() - t0 >= 0.5
        assert t.info.result.name == "lab-slow"
    finally:
        control("POST", "/vsphere/clone-duration", {"ms": 0})


@test("control: counts, reset, an injected SOAP fault and an injected task error")
def t_control():
    control("POST", "/vsphere/counts/reset")
    find_vm("lab-thin")
    counts = control("GET", "/vsphere/counts")
    assert counts.get("CreateContainerView", 0) >= 1, counts
    control("POST", "/vsphere/fault", {"method": "CreateContainerView", "count": 1, "kind": "fault", "message": "injected by test"})
    try:
        find_vm("lab-thin")
        raise AssertionError("no injected fault")
    except vmodl.MethodFault as e:
        assert "injected by test" in str(e), str(e)
    assert find_vm("lab-thin") is not None
    control("POST", "/vsphere/fault", {"method": "PowerOnVM_Task", "count": 1, "kind": "taskerror", "message": "host busy"})
    vm = find_vm("lab-thin")
    e = task_error(vm.PowerOnVM_Task())
    assert isinstance(e, vmodl.fault.SystemError) and "host busy" in str(e), repr(e)
    assert vm.runtime.powerState == "poweredOff"
    counts = control("GET", "/vsphere/counts")
    assert counts.get("PowerOnVM_Task") == 1, counts


@test("session idle timeout: an idle session gets NotAuthenticated, a new login works")
def t_session_timeout():
    s2 = connect()
    c2 = s2.RetrieveContent()
    control("POST", "/vsphere/session-timeout", {"seconds": 0.3})
    try:
        time.sleep(0.5)  # the stimulus: staying idle longer than the timeout
        try:
            c2.viewManager.CreateContainerView(c2.rootFolder, [vim.Datastore], True)
            raise AssertionError("idle session still valid")
        except vim.fault.NotAuthenticated:
            pass
        s3 = connect()
        s3.RetrieveContent().viewManager.CreateContainerView(c2.rootFolder, [vim.Datastore], True).Destroy()
    finally:
        control("POST", "/vsphere/session-timeout", {"seconds": 0})


def guest_creds():
    """The guest account from the providers file, as the pytest suite reads it."""
    creds = {}
    with open(LAB["providers_file"]) as f:
        for line in f:
            k, _, v = line.strip().partition(": ")
            if k in ("guest_vm_linux_user", "guest_vm_linux_password"):
                creds[k] = v.strip('"')
    return creds["guest_vm_linux_user"], creds["guest_vm_linux_password"]


def guest_download(fm, vm, auth, path):
    info = fm.InitiateFileTransferFromGuest(vm, auth, path)
    h, _ = host_port()
    url = info.url.replace("*", h, 1)
    ctx = ssl.create_default_context(cafile=LAB["vsphere"]["ca_file"])
    with urllib.request.urlopen(url, context=ctx, timeout=10) as r:
        data = r.read()
    assert len(data) == info.size, (len(data), info.size)
    return data, info.url


def guest_run(pm, vm, auth, cmd, timeout=30):
    """StartProgramInGuest with /bin/bash -c, then ListProcessesInGuest every
    0.5 s until the process ends (as the pytest suite does)."""
    spec = vim.vm.guest.ProcessManager.ProgramSpec(programPath="/bin/bash", arguments="-c '%s'" % cmd)
    pid = pm.StartProgramInGuest(vm, auth, spec)
    deadline = time.time() + timeout
    while time.time() < deadline:
        procs = pm.ListProcessesInGuest(vm, auth, [pid])
        if procs and procs[0].endTime is not None:
            return procs[0]
        time.sleep(0.5)
    raise AssertionError("guest process %d did not end" % pid)


@test("guests: tools report linuxGuest, the guest's hostname, MACs and IPs; Guest Operations write the data-integrity marker and checksums, file transfers read them back")
def t_guest_operations():
    global si, content
    if content is None:  # selected alone with LAB_TEST_ONLY
        si = connect()
        content = si.RetrieveContent()
    user, password = guest_creds()
    t = clone("lab-guest", power_on=True)
    WaitForTask(t)
    vm = t.info.result
    deadline = time.time() + 10
    while vm.guest.toolsRunningStatus != "guestToolsRunning" and time.time() < deadline:
        time.sleep(0.1)
    g = vm.guest
    assert g.toolsRunningStatus == "guestToolsRunning", g.toolsRunningStatus
    assert g.guestFamily == "linuxGuest", g.guestFamily
    assert g.hostName == "xcopy-template-test", g.hostName  # a clone's guest is the template's
    nics = [x for x in vm.config.hardware.device if isinstance(x, vim.vm.device.VirtualEthernetCard)]
    assert [n.macAddress for n in g.net] == [x.macAddress for x in nics], (g.net, nics)
    assert g.net[0].ipAddress and g.ipAddress == g.net[0].ipAddress[0], (g.ipAddress, g.net[0].ipAddress)
    gom = content.guestOperationsManager
    pm, fm = gom.processManager, gom.fileManager
    auth = vim.vm.guest.NamePasswordAuthentication(username=user, password=password)
    marker = "mtv-data-integrity-%d" % os.getpid()
    tmp = fm.CreateTemporaryFileInGuest(vm, auth, "mtv-", ".out")
    cmd = ("mkdir -p /opt/mtv_data_integrity && echo %s | tee /opt/mtv_data_integrity/marker.txt && "
           "head -c 2M /dev/urandom > /opt/mtv_data_integrity/random.bin && cd /opt/mtv_data_integrity && "
           "sha256sum marker.txt random.bin > checksums.sha256 && ip -o link && hostname") % marker
    p = guest_run(pm, vm, auth, "( %s ) > %s 2>&1" % (cmd, tmp))
    assert p.exitCode == 0 and p.name == "bash" and "/bin/bash" in p.cmdLine, p
    out, url = guest_download(fm, vm, auth, tmp)
    assert url.startswith("https://*:"), url
    text = out.decode()
    assert text.startswith(marker + "\n") and nics[0].macAddress.lower() in text and "xcopy-template-test" in text, text
    fm.DeleteFileInGuest(vm, auth, tmp)
    try:
        fm.InitiateFileTransferFromGuest(vm, auth, tmp)
        raise AssertionError("a deleted file could be downloaded")
    except vim.fault.FileNotFound:
        pass
    got, _ = guest_download(fm, vm, auth, "/opt/mtv_data_integrity/marker.txt")
    assert got == (marker + "\n").encode(), got
    sums, _ = guest_download(fm, vm, auth, "/opt/mtv_data_integrity/checksums.sha256")
    rnd, _ = guest_download(fm, vm, auth, "/opt/mtv_data_integrity/random.bin")
    want = "%s  marker.txt\n%s  random.bin\n" % (hashlib.sha256(got).hexdigest(), hashlib.sha256(rnd).hexdigest())
    assert len(rnd) == 2 << 20 and sums.decode() == want, sums
    assert guest_run(pm, vm, auth, "cd /opt/mtv_data_integrity && sha256sum -c --quiet checksums.sha256").exitCode == 0
    # output goes only where the command redirects it; failures give their exit code
    assert guest_run(pm, vm, auth, "cat /nonexistent").exitCode == 1
    assert guest_run(pm, vm, auth, "nosuchcommand").exitCode == 127
    # upload, and one-shot tokens
    up = fm.InitiateFileTransferToGuest(vm, auth, "/root/up.txt", vim.vm.guest.FileManager.PosixFileAttributes(), 6, True)
    h, _ = host_port()
    ctx = ssl.create_default_context(cafile=LAB["vsphere"]["ca_file"])
    req = urllib.request.Request(up.replace("*", h, 1), data=b"hello\n", method="PUT")
    urllib.request.urlopen(req, context=ctx, timeout=10).read()
    try:
        urllib.request.urlopen(urllib.request.Request(up.replace("*", h, 1), data=b"again\n", method="PUT"), context=ctx, timeout=10)
        raise AssertionError("a transfer token worked twice")
    except urllib.error.HTTPError as e:
        assert e.code == 404, e.code
    assert guest_run(pm, vm, auth, "grep -qx hello /root/up.txt && test -f /root/up.txt").exitCode == 0
    try:
        fm.InitiateFileTransferToGuest(vm, auth, "/root/up.txt", vim.vm.guest.FileManager.PosixFileAttributes(), 6, False)
        raise AssertionError("overwrite=False replaced a file")
    except vim.fault.FileAlreadyExists:
        pass
    fm.MakeDirectoryInGuest(vm, auth, "/var/tmp/a/b", True)
    files = fm.ListFilesInGuest(vm, auth, "/var/tmp/a")
    assert [f.path for f in files.files] == ["b"] and files.files[0].type == "directory", files
    # a sleeping process is listed running, then ended
    spec = vim.vm.guest.ProcessManager.ProgramSpec(programPath="/bin/bash", arguments="-c 'sleep 1'")
    pid = pm.StartProgramInGuest(vm, auth, spec)
    procs = {x.pid: x for x in pm.ListProcessesInGuest(vm, auth)}
    assert pid in procs and procs[pid].endTime is None and 1 in procs, procs
    time.sleep(1.1)
    assert pm.ListProcessesInGuest(vm, auth, [pid])[0].exitCode == 0
    # wrong guest password
    try:
        pm.StartProgramInGuest(vm, vim.vm.guest.NamePasswordAuthentication(username=user, password="wrong"), spec)
        raise AssertionError("a wrong guest password was accepted")
    except vim.fault.InvalidGuestLogin:
        pass
    counts = control("GET", "/vsphere/counts")
    assert counts.get("StartProgramInGuest", 0) >= 6 and counts.get("guestFile GET", 0) >= 4, counts
    # the files are in the disk: they survive a power cycle; off, there is no guest to ask
    WaitForTask(vm.PowerOffVM_Task())
    assert vm.guest.toolsRunningStatus == "guestToolsNotRunning"
    try:
        pm.StartProgramInGuest(vm, auth, spec)
        raise AssertionError("Guest Operations on a VM that is off")
    except vim.fault.InvalidPowerState:
        pass
    WaitForTask(vm.PowerOnVM_Task())
    try:
        pm.StartProgramInGuest(vm, auth, spec)  # tools not up yet
        raise AssertionError("Guest Operations before the tools run")
    except vim.fault.GuestOperationsUnavailable:
        pass
    deadline = time.time() + 10
    while vm.guest.toolsRunningStatus != "guestToolsRunning" and time.time() < deadline:
        time.sleep(0.1)
    got, _ = guest_download(fm, vm, auth, "/opt/mtv_data_integrity/marker.txt")
    assert got == (marker + "\n").encode(), got
    WaitForTask(vm.PowerOffVM_Task())


@test("cleanup: destroy every clone; the template is unchanged and the inventory equals the start")
def t_cleanup():
    global si, content
    si = connect()
    content = si.RetrieveContent()
    for name in ("lab-thin", "lab-lazy", "lab-eager", "lab-second", "lab-boot", "lab-slow", "lab-rdmsnap", "lab-guest"):
        vm = find_vm(name)
        if vm is None:
            continue
        if vm.runtime.powerState != "poweredOff":
            WaitForTask(vm.PowerOffVM_Task())
        WaitForTask(vm.Destroy_Task())
    dc = by_moid(vim.Datacenter, INV["datacenter"])
    WaitForTask(content.fileManager.DeleteDatastoreFile_Task(name="[xcopy-ds] shared_disks", datacenter=dc))
    tmpl = find_vm("xcopy-template-test")
    d = disks(tmpl)
    assert len(d) == 1 and d[0].backing.fileName == state["tmpl_file"] and d[0].backing.thinProvisioned
    diff = control("GET", "/vsphere/inventory/diff")
    assert diff["equal"], json.dumps(diff)[:3000]


def main():
    print("1..%d" % len(results))
    failed = 0
    only = os.environ.get("LAB_TEST_ONLY")
    for n, (desc, fn) in enumerate(results, 1):
        if only and only not in desc:
            print("ok %d - %s # SKIP not selected" % (n, desc))
            continue
        t0 = time.time()
        try:
            fn()
            print("ok %d - %s (%.0f ms)" % (n, desc, (time.time() - t0) * 1000))
        except Exception:
            failed += 1
            print("not ok %d - %s" % (n, desc))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
