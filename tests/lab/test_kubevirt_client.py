#!/usr/bin/python3
"""Reads the lab's KubeVirt objects with Debian's python3-kubernetes only.

usage: test_kubevirt_client.py KUBECONFIG WAIT_S
Lists the VirtualMachines of all namespaces and their
VirtualMachineInstances, then watches the VMIs (a real watch stream, all
namespaces) until every VM's VMI has condition AgentConnected True or
WAIT_S pass. Prints the ClusterVersion's completed version on the first
line, then one JSON object per VM, one a line:
  {"ns": .., "name": .., "vmid": label vmID, "reached": bool,
   "vmi": {...VMI or null...}, "vm": {...VirtualMachine...}}
"""
import json
import sys
import time

from kubernetes import client, config, watch

G, V = "kubevirt.io", "v1"


def reached(vmi):
    st = (vmi or {}).get("status", {})
    return any(c.get("type") == "AgentConnected" and c.get("status") == "True"
               for c in st.get("conditions", []))


def key(o):
    return o["metadata"]["namespace"] + "/" + o["metadata"]["name"]


def main():
    kubeconfig, wait_s = sys.argv[1], float(sys.argv[2])
    config.load_kube_config(config_file=kubeconfig)
    api = client.CustomObjectsApi()
    deadline = time.time() + wait_s
    cv = api.get_cluster_custom_object("config.openshift.io", "v1", "clusterversions", "version")
    print([h["version"] for h in cv["status"]["history"] if h["state"] == "Completed"][0])
    vms = api.list_cluster_custom_object(G, V, "virtualmachines")["items"]
    names = [key(o) for o in vms]
    vmis = {}
    lst = api.list_cluster_custom_object(G, V, "virtualmachineinstances")
    for o in lst.get("items", []):
        vmis[key(o)] = o
    rv = lst["metadata"]["resourceVersion"]
    while not all(reached(vmis.get(n)) for n in names) and time.time() < deadline:
        w = watch.Watch()
        left = max(1, int(deadline - time.time() + 0.999))
        for ev in w.stream(api.list_cluster_custom_object, G, V, "virtualmachineinstances",
                           resource_version=rv, timeout_seconds=left):
            o = ev["object"]
            rv = o["metadata"]["resourceVersion"]
            if ev["type"] == "DELETED":
                vmis.pop(key(o), None)
            else:
                vmis[key(o)] = o
            if all(reached(vmis.get(n)) for n in names) or time.time() >= deadline:
                w.stop()
                break
    for n in names:
        ns, name = n.split("/", 1)
        vm = api.get_namespaced_custom_object(G, V, ns, "virtualmachines", name)
        print(json.dumps({"ns": ns, "name": name, "vmid": vm["metadata"]["labels"].get("vmID"),
                          "reached": reached(vmis.get(n)), "vmi": vmis.get(n), "vm": vm}))


if __name__ == "__main__":
    main()
