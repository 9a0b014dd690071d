#!/usr/bin/python3
"""Reads the lab's KubeVirt objects with Debian's python3-kubernetes only.

usage: test_kubevirt_client.py KUBECONFIG NAMESPACE NAME WAIT_S [until]
  until: "agent" (default; AgentConnected True), "running" (phase Running),
         "none" (no wait)
Watches the namespace's VirtualMachineInstances (a real watch stream) until
NAME reaches the state or WAIT_S pass, then prints one JSON object:
  {"reached": bool, "vmi": {...VMI...}, "vm": {...VirtualMachine...}}
"""
import json
import sys
import time

from kubernetes import client, config, watch

G, V = "kubevirt.io", "v1"


def reached(vmi, until):
    st = (vmi or {}).get("status", {})
    if until == "running":
        return st.get("phase") == "Running"
    if until == "agent":
        return any(c.get("type") == "AgentConnected" and c.get("status") == "True"
                   for c in st.get("conditions", []))
    return True


def main():
    kubeconfig, ns, name, wait_s = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    until = sys.argv[5] if len(sys.argv) > 5 else "agent"
    config.load_kube_config(config_file=kubeconfig)
    api = client.CustomObjectsApi()
    deadline = time.time() + wait_s
    vmi = None
    ok = False
    while not ok and time.time() < deadline:
        lst = api.list_namespaced_custom_object(G, V, ns, "virtualmachineinstances")
        for o in lst.get("items", []):
            if o["metadata"]["name"] == name:
                vmi = o
        ok = reached(vmi, until)
        if ok or until == "none":
            break
        w = watch.Watch()
        left = max(1, int(deadline - time.time()))
        for ev in w.stream(api.list_namespaced_custom_object, G, V, ns, "virtualmachineinstances",
                           resource_version=lst["metadata"]["resourceVersion"], timeout_seconds=left):
            o = ev["object"]
            if o["metadata"]["name"] != name:
                continue
            vmi = None if ev["type"] == "DELETED" else o
            if reached(vmi, until):
                ok = True
                w.stop()
                break
    vm = api.get_namespaced_custom_object(G, V, ns, "virtualmachines", name)
    print(json.dumps({"reached": ok, "vmi": vmi, "vm": vm}))


if __name__ == "__main__":
    main()
