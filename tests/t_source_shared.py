#!/usr/bin/python3
"""t_source_shared.py LAB_JSON attach VM HOLDER | check HOLDER | cleanup HOLDER
attach: clone the template to HOLDER and attach (no file operation) the
disks of VM that lie outside VM's own folder; check: every disk file of
HOLDER still exists on its datastore; cleanup: destroy HOLDER and delete the
folders of its extra disks."""
import json
import ssl
import sys
import time
from urllib.parse import urlparse

from pyVim.connect import SmartConnect, Disconnect
from pyVmomi import vim

lab = json.load(open(sys.argv[1]))
cmd = sys.argv[2]
vs = lab["vsphere"]
u = urlparse(vs["url"])
si = SmartConnect(host=u.hostname, port=u.port, user=vs["username"], pwd=vs["password"],
                  sslContext=ssl.create_default_context(cafile=vs["ca_file"]))
content = si.RetrieveContent()
dc = content.rootFolder.childEntity[0]


def find_vm(name):
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        return next((v for v in view.view if v.name == name), None)
    finally:
        view.Destroy()


def wait(task):
    for _ in range(600):
        if task.info.state in ("success", "error"):
            if task.info.state == "error":
                raise SystemExit("task failed: %s" % task.info.error)
            return
        time.sleep(0.05)


def disks(vm):
    return [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]


if cmd == "attach":
    src, holder = sys.argv[3], sys.argv[4]
    vm = find_vm(src)
    tmpl = find_vm(lab["inventory"]["templates"][0])
    pool = content.searchIndex.FindByInventoryPath("DC0/host/DC0_C0/Resources") or \
        tmpl.runtime.host.parent.resourcePool
    wait(tmpl.CloneVM_Task(folder=tmpl.parent, name=holder,
                           spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec(pool=pool))))
    h = find_vm(holder)
    ctrl = next(d for d in h.config.hardware.device if isinstance(d, vim.vm.device.VirtualSCSIController))
    changes, unit = [], 1
    for d in disks(vm):
        if "] %s/" % src in d.backing.fileName:
            continue
        nd = vim.vm.device.VirtualDisk(
            key=-200 - unit, controllerKey=ctrl.key, unitNumber=unit, capacityInKB=d.capacityInKB,
            backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(
                fileName=d.backing.fileName, diskMode="persistent", datastore=d.backing.datastore))
        changes.append(vim.vm.device.VirtualDeviceSpec(operation="add", device=nd))
        unit += 1
    wait(h.ReconfigVM_Task(spec=vim.vm.ConfigSpec(deviceChange=changes)))
    print("attached %d" % len(changes))
elif cmd == "check":
    h = find_vm(sys.argv[3])
    bad = 0
    for d in disks(h):
        ds = d.backing.datastore
        folder, name = d.backing.fileName.split("] ", 1)[1].rsplit("/", 1)
        t = ds.browser.SearchDatastore_Task("[%s] %s" % (ds.name, folder),
                                            vim.host.DatastoreBrowser.SearchSpec(matchPattern=[name]))
        wait(t)
        if not t.info.result.file:
            print("missing %s" % d.backing.fileName)
            bad += 1
    sys.exit(1 if bad else 0)
elif cmd == "cleanup":
    h = find_vm(sys.argv[3])
    folders = {(d.backing.datastore.name, d.backing.fileName.split("] ", 1)[1].rsplit("/", 1)[0])
               for d in disks(h) if "] %s/" % sys.argv[3] not in d.backing.fileName}
    wait(h.Destroy_Task())
    for ds, f in folders:
        wait(content.fileManager.DeleteDatastoreFile_Task("[%s] %s" % (ds, f), dc))
Disconnect(si)
