#!/usr/bin/python3
"""What a source VM is, read with Debian's python3-pyvmomi only; prints one
JSON object: {"uuid": config.uuid, "macs": [NIC MACs]} and, with --guest,
the files of its guest read through vSphere Guest Operations
(InitiateFileTransferFromGuest, then an HTTPS GET): "hostkey"
(/etc/ssh/ssh_host_ed25519_key.pub), "machine_id", "hostname". For that it
powers the VM on when it is off (and off again).

usage: kv_source.py [--guest USER] VM_MOREF...   (one JSON line per VM;
the lab's ready line in $LAB_JSON, the guest password in
$KV_GUEST_PASSWORD)
"""
import json
import os
import ssl
import sys
import time
import urllib.request

from pyVim.connect import SmartConnect, Disconnect
from pyVim.task import WaitForTask
from pyVmomi import vim

LAB = json.loads(os.environ["LAB_JSON"])


def guest_files(si, vm, host, ctx, user, paths):
    was_off = vm.runtime.powerState != "poweredOn"
    if was_off:
        WaitForTask(vm.PowerOnVM_Task())
    deadline = time.time() + 30
    while vm.guest.toolsRunningStatus != "guestToolsRunning" and time.time() < deadline:
        time.sleep(0.1)
    auth = vim.vm.guest.NamePasswordAuthentication(username=user, password=os.environ["KV_GUEST_PASSWORD"])
    fm = si.content.guestOperationsManager.fileManager
    out = {}
    for key, path in paths.items():
        info = fm.InitiateFileTransferFromGuest(vm, auth, path)
        url = info.url.replace("://*", "://" + host)
        with urllib.request.urlopen(url, context=ctx, timeout=10) as r:
            out[key] = r.read().decode().strip()
    if was_off:
        WaitForTask(vm.PowerOffVM_Task())
    return out


def main():
    args = sys.argv[1:]
    user = None
    if args[:1] == ["--guest"]:
        user, args = args[1], args[2:]
    ctx = ssl.create_default_context(cafile=LAB["vsphere"]["ca_file"])
    hp = LAB["vsphere"]["url"].split("//", 1)[1].split("/", 1)[0]
    h, p = hp.rsplit(":", 1)
    si = SmartConnect(host=h, port=int(p), user=LAB["vsphere"]["username"],
                      pwd=LAB["vsphere"]["password"], sslContext=ctx)
    try:
        for moref in args:
            vm = vim.VirtualMachine(moref, si._stub)
            res = {"uuid": vm.config.uuid,
                   "macs": [d.macAddress for d in vm.config.hardware.device
                            if isinstance(d, vim.vm.device.VirtualEthernetCard)]}
            if user:
                res.update(guest_files(si, vm, h, ctx, user, {
                    "hostkey": "/etc/ssh/ssh_host_ed25519_key.pub",
                    "machine_id": "/etc/machine-id", "hostname": "/etc/hostname"}))
            print(json.dumps(res))
    finally:
        Disconnect(si)


if __name__ == "__main__":
    main()
