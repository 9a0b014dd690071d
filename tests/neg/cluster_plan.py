"""cluster_plan.py: clone VMs in the lab (pyVmomi) and write a plan value
(doc/plan-format.md) holding only the cluster-side steps, for
mtv-test-tool cluster: the cluster steps and their negative variants run
against the lab before and apart from the scenario expansion.

usage: cluster_plan.py LAB_JSON VARIANT RUN_ID >plan.json
       cluster_plan.py LAB_JSON --destroy RUN_ID      (remove the clones)
VARIANT: ok, fallback, concurrent, missing-entry, badpass, missing-vendor-key,
nfs, unknown-key, fail-copy."""
import json
import ssl
import sys
import time

from pyVim.connect import SmartConnect, Disconnect
from pyVmomi import vim

FK = "forklift.konveyor.io/v1beta1"


def connect(lab):
    v = lab["vsphere"]
    hostport = v["url"].split("//")[1].split("/")[0]
    host, port = hostport.rsplit(":", 1)
    ctx = ssl.create_default_context(cafile=v["ca_file"])
    return SmartConnect(host=host, port=int(port), user=v["username"],
                        pwd=v["password"], sslContext=ctx)


def vms_named(si, prefix):
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    return [o for o in view.view if o.name.startswith(prefix)]


def wait(task):
    for _ in range(6000):
        if task.info.state in ("success", "error"):
            break
        time.sleep(0.05)
    if task.info.state != "success":
        raise SystemExit("vSphere task failed: %s" % task.info.error)
    return task.info.result


def clone(si, lab, name, ds_id):
    inv = lab["inventory"]
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    tmpl = [o for o in view.view if o.name == "xcopy-template-test"][0]
    rel = vim.vm.RelocateSpec(datastore=vim.Datastore(ds_id, si._stub),
                              pool=vim.ResourcePool(inv["resource_pool"], si._stub))
    spec = vim.vm.CloneSpec(location=rel, powerOn=False, template=False)
    vm = wait(tmpl.CloneVM_Task(folder=vim.Folder(inv["vm_folder"], si._stub), name=name, spec=spec))
    return vm._moId


def destroy(si, run):
    for vm in vms_named(si, run + "-"):
        if vm.runtime.powerState == "poweredOn":
            wait(vm.PowerOffVM_Task())
        wait(vm.Destroy_Task())


def main():
    lab = json.load(open(sys.argv[1]))
    si = connect(lab)
    if sys.argv[2] == "--destroy":
        destroy(si, sys.argv[3])
        Disconnect(si)
        return
    variant, run = sys.argv[2], sys.argv[3]
    inv, v, esxi = lab["inventory"], lab["vsphere"], lab["esxi"]
    ns = "mtv-" + run
    prov, host = run + "-vsphere", run + "-host"
    sec_store, sec_prov = run + "-storage", run + "-vsphere-creds"
    ds_id = {"fallback": inv["non_xcopy_ds"], "nfs": inv["nfs_ds"]}.get(variant, inv["primary_ds"])
    nplans = 2 if variant == "concurrent" else 1
    vms = []
    for i in range(nplans):
        name = "%s-vm%d" % (run, i + 1)
        vms.append((name, clone(si, lab, name, ds_id)))
    Disconnect(si)

    def ref(name):
        return {"name": name, "namespace": ns}

    store = {"STORAGE_HOSTNAME": "ontap.lab.local", "STORAGE_USERNAME": "lab-admin",
             "STORAGE_PASSWORD": "lab-array-secret", "ONTAP_SVM": "lab-svm"}
    if variant == "missing-vendor-key":
        del store["ONTAP_SVM"]
    entry_ds = inv["secondary_ds"] if variant == "missing-entry" else ds_id
    steps = [
        {"kind": "preflight", "title": "cluster preflight", "params": {
            "storage_class": lab["storage_class"], "namespace": ns, "mtv_namespace": "openshift-mtv",
            "copyoffload": True, "warm": False}},
        {"kind": "secret", "title": "storage secret", "params": {"role": "storage", "vendor": "ontap", "manifest": {
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": sec_store, "namespace": ns},
            "type": "Opaque", "stringData": store}}},
        {"kind": "secret", "title": "provider secret", "params": {"role": "provider", "manifest": {
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": sec_prov, "namespace": ns},
            "type": "Opaque", "stringData": {
                "user": v["username"], "insecureSkipVerify": "true",
                "password": "wrong-password" if variant == "badpass" else v["password"]}}}},
        {"kind": "provider", "title": "source provider", "params": {
            "role": "source", "wait": "Ready", "timeout": 60, "esxi_clone_method": "ssh", "manifest": {
                "apiVersion": FK, "kind": "Provider",
                "metadata": {"name": prov, "namespace": ns,
                             "annotations": {"forklift.konveyor.io/empty-vddk-init-image": "yes"}},
                "spec": {"type": "vsphere", "url": v["url"], "secret": ref(sec_prov),
                         "settings": {"sdkEndpoint": "vcenter"}}}}},
        {"kind": "provider", "title": "destination provider", "params": {
            "role": "destination", "wait": "Ready", "timeout": 60, "manifest": {
                "apiVersion": FK, "kind": "Provider", "metadata": {"name": host, "namespace": ns},
                "spec": {"type": "openshift", "url": "", "secret": {}}}}},
        {"kind": "esxi-key", "title": "ESXi key", "params": {
            "provider": prov, "namespace": ns, "host": esxi["host"], "port": esxi["port"],
            "user": esxi["user"], "password": None, "private_key_file": esxi["private_key_file"],
            "known_hosts": "/dev/null" if variant == "unknown-key" else esxi["known_hosts"],
            "fingerprint": None, "authorized_keys": esxi["authorized_keys"]}},
        {"kind": "map", "title": "storage map", "params": {"wait": "Ready", "timeout": 60, "manifest": {
            "apiVersion": FK, "kind": "StorageMap", "metadata": {"name": run + "-storage", "namespace": ns},
            "spec": {"provider": {"source": ref(prov), "destination": ref(host)}, "map": [{
                "source": {"id": entry_ds},
                "destination": {"storageClass": lab["storage_class"], "volumeMode": "Block",
                                "accessMode": "ReadWriteOnce"},
                "offloadPlugin": {"vsphereXcopyConfig": {"secretRef": sec_store,
                                                         "storageVendorProduct": "ontap"}}}]}}}},
        {"kind": "map", "title": "network map", "params": {"wait": "Ready", "timeout": 60, "manifest": {
            "apiVersion": FK, "kind": "NetworkMap", "metadata": {"name": run + "-network", "namespace": ns},
            "spec": {"provider": {"source": ref(prov), "destination": ref(host)},
                     "map": [{"source": {"id": inv["network"]}, "destination": {"type": "pod"}}]}}}},
    ]
    plans, migrations, checks = [], [], []
    for i, (vmname, moid) in enumerate(vms):
        pname = "%s-plan%d" % (run, i + 1)
        plans.append(pname)
        steps.append({"kind": "plan", "title": "plan " + pname, "params": {
            "wait": "Ready", "timeout": 60, "manifest": {
                "apiVersion": FK, "kind": "Plan", "metadata": {"name": pname, "namespace": ns},
                "spec": {"provider": {"source": ref(prov), "destination": ref(host)},
                         "map": {"network": ref(run + "-network"), "storage": ref(run + "-storage")},
                         "targetNamespace": ns, "type": "cold", "pvcNameTemplate": "pvc",
                         "targetPowerState": "off", "vms": [{"id": moid, "name": vmname}]}}}})
        migrations.append({"plan": pname, "warm": False, "cutover_delay": 300, "copyoffload": True,
                           "manifest": {"apiVersion": FK, "kind": "Migration",
                                        "metadata": {"name": pname + "-run", "namespace": ns},
                                        "spec": {"plan": ref(pname)}}})
        checks += [{"check": "result", "plan": pname, "expect": "succeeded", "condition": None},
                   {"check": "xcopy_used", "plan": pname, "datastore": None,
                    "expect": 0 if variant == "fallback" else 1}]
    steps.append({"kind": "migrate", "title": "migrate", "params": {"migrations": migrations, "timeout": 300}})
    if variant == "concurrent":
        checks.append({"check": "concurrent", "plans": plans})
    checks.append({"check": "offload_plugin", "map": run + "-storage", "expect": True})
    steps.append({"kind": "verify", "title": "verify", "params": {"checks": checks}})
    for i, s in enumerate(steps):
        s.update({"id": i + 1, "side": "cluster", "batch": 0, "plan": None})
    plan = {"format": "mtv-scenario.plan/v1", "run_id": run, "profile": None, "namespace": ns,
            "timeout": 900, "labels": {"mtv-scenario/run": run}, "steps": steps,
            "expect": {"result": "succeeded"}}
    json.dump(plan, sys.stdout, indent=1)


main()
