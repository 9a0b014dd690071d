#!/usr/bin/python3
"""Prepare source VMs in the lab's vCenter for the Forklift model tests.

usage: vmtool.py URL USER PASSWORD CAFILE COMMAND ...
  list                                  print "moid name power cbt snapshots datastores" per VM
  clone TEMPLATE NAME [DS_MOID] [--cbt] [--snapshot] [--on] [--disk-gib=N] [--rdm=LUN_UUID] [--disks=N]
                                        clone a template (first disk grown to N GiB,
                                        plus a virtual-mode RDM disk of that LUN; N thin disks in all),
                                        print the new VM's MoID
Reads the password from $VMTOOL_PASSWORD when PASSWORD is "-".
"""
import os
import ssl
import sys
from urllib.parse import urlparse

from pyVim.connect import SmartConnect, Disconnect
from pyVim.task import WaitForTask
from pyVmomi import vim


def connect(url, user, password, cafile):
    u = urlparse(url)
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = False
    return SmartConnect(host=u.hostname, port=u.port or 443, user=user, pwd=password, sslContext=ctx)


def all_of(si, kind):
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    try:
        return list(view.view)
    finally:
        view.Destroy()


def find(si, kind, name=None, moid=None):
    for o in all_of(si, kind):
        if (name is not None and o.name == name) or (moid is not None and o._moId == moid):
            return o
    raise SystemExit("vmtool: %s %s not found" % (kind.__name__, name or moid))


def main(argv):
    if len(argv) < 6:
        raise SystemExit(__doc__)
    url, user, password, cafile, cmd = argv[1:6]
    if password == "-":
        password = os.environ["VMTOOL_PASSWORD"]
    args = argv[6:]
    si = connect(url, user, password, cafile)
    try:
        if cmd == "list":
            for vm in all_of(si, vim.VirtualMachine):
                cfg = vm.config
                snaps = 0
                if vm.snapshot is not None:
                    stack = list(vm.snapshot.rootSnapshotList)
                    while stack:
                        t = stack.pop()
                        snaps += 1
                        stack.extend(t.childSnapshotList)
                print(vm._moId, vm.name, vm.runtime.powerState,
                      bool(cfg and cfg.changeTrackingEnabled), snaps,
                      ",".join(d._moId for d in vm.datastore))
        elif cmd == "clone":
            flags = [a for a in args if a.startswith("--")]
            pos = [a for a in args if not a.startswith("--")]
            tmpl = find(si, vim.VirtualMachine, name=pos[0])
            name = pos[1]
            reloc = vim.vm.RelocateSpec()
            if len(pos) > 2:
                reloc.datastore = find(si, vim.Datastore, moid=pos[2])
            reloc.pool = all_of(si, vim.ResourcePool)[0]
            spec = vim.vm.CloneSpec(location=reloc, powerOn="--on" in flags, template=False)
            if "--cbt" in flags:
                spec.config = vim.vm.ConfigSpec(changeTrackingEnabled=True)
            WaitForTask(tmpl.CloneVM_Task(folder=tmpl.parent, name=name, spec=spec))
            vm = find(si, vim.VirtualMachine, name=name)
            for f in flags:
                if f.startswith("--disk-gib="):
                    disk = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)][0]
                    disk.capacityInKB = int(f.split("=", 1)[1]) * 1024 * 1024
                    disk.capacityInBytes = disk.capacityInKB * 1024
                    change = vim.vm.device.VirtualDeviceSpec(operation="edit", device=disk)
                    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[change])))
            for f in flags:
                if f.startswith("--disks="):
                    # more thin disks like the first, on the VM's datastore
                    disks = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
                    changes = []
                    for i in range(int(f.split("=", 1)[1]) - len(disks)):
                        backing = vim.vm.device.VirtualDisk.FlatVer2BackingInfo(
                            fileName="", diskMode="persistent", thinProvisioned=True)
                        disk = vim.vm.device.VirtualDisk(key=-201 - i, controllerKey=disks[0].controllerKey,
                                                         unitNumber=max(d.unitNumber for d in disks) + 1 + i,
                                                         capacityInKB=disks[0].capacityInKB, backing=backing)
                        changes.append(vim.vm.device.VirtualDeviceSpec(operation="add", fileOperation="create",
                                                                       device=disk))
                    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=changes)))
            for f in flags:
                if f.startswith("--rdm="):
                    disks = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
                    backing = vim.vm.device.VirtualDisk.RawDiskMappingVer1BackingInfo(
                        lunUuid=f.split("=", 1)[1], compatibilityMode="virtualMode", diskMode="persistent",
                        fileName="", deviceName="")
                    rdm = vim.vm.device.VirtualDisk(key=-101, controllerKey=disks[0].controllerKey,
                                                    unitNumber=max(d.unitNumber for d in disks) + 1,
                                                    capacityInKB=disks[0].capacityInKB, backing=backing)
                    change = vim.vm.device.VirtualDeviceSpec(operation="add", fileOperation="create", device=rdm)
                    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[change])))
            if "--snapshot" in flags:
                WaitForTask(vm.CreateSnapshot_Task(name=name + "-snap", description="pre-existing",
                                                   memory=False, quiesce=False))
            print(vm._moId)
        else:
            raise SystemExit(__doc__)
    finally:
        Disconnect(si)


if __name__ == "__main__":
    main(sys.argv)
