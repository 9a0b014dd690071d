#!/usr/bin/python3
"""t_source_plans.py: source-side plans (doc/plan-format.md) of the disk
shapes of scenarios.d, for tests/t_source.sh while `mtv-scenario run --only
source` cannot expand scenarios yet. Usage: t_source_plans.py LAB_JSON OUTDIR
Writes OUTDIR/<shape>.json."""
import json
import sys

lab = json.load(open(sys.argv[1]))
inv = lab["inventory"]
out = sys.argv[2]
P, S, N = inv["primary_ds"], inv["secondary_ds"], inv["non_xcopy_ds"]
KEY = {P: "datastore_id", S: "secondary_datastore_id", N: "non_xcopy_datastore_id"}
T = inv["templates"][0]


def disk(i, gb, prov="thin", mode="persistent", ds=P, path=None, ctrl=0, unit=None):
    if unit is None:
        unit = i if i < 7 else i + 1
        ctrl, unit = (ctrl, unit) if unit < 16 else (1, unit - 16)
    return {"index": i, "size_gb": gb, "provision": prov, "mode": mode,
            "datastore": ds, "datastore_key": KEY[ds], "path": path,
            "controller": ctrl, "unit": unit}


def plan(name, vms, snaps=0, power="on", rdm=None, set_mode=None, cbt=False):
    rid = "t%05d" % (abs(hash(name)) % 100000)
    steps, tid = [], 0

    def add(kind, params, batch=0):
        nonlocal tid
        tid += 1
        steps.append({"id": tid, "kind": kind, "side": "source", "batch": batch,
                      "plan": None, "title": kind, "object": None, "undo": None,
                      "params": params})
    dss = sorted({d["datastore"] for v in vms for d in v["disks"]} | {P})
    add("preflight", {"templates": [T], "datastores": [
        {"key": KEY[d], "moid": d, "xcopy": d != N} for d in dss],
        "copyoffload": True, "hosts": [], "rdm_lun_uuid": inv["rdm_lun_naa"] if rdm else None,
        "thick_gb": {}})
    for i, v in enumerate(vms):
        add("clone", {"vm_ref": "vm%d" % i, "vm": "%s-%s-%d" % (rid, name, i + 1),
                      "template": T, "datastore": v.get("ds", P),
                      "datastore_key": KEY[v.get("ds", P)], "host": None,
                      "same_host_as": None, "resource_pool": None,
                      "disk_type": v.get("disk_type"), "cbt": cbt,
                      "disable_drs": False}, batch=1 if len(vms) > 1 else 0)
    for i, v in enumerate(vms):
        ref, vm = "vm%d" % i, "%s-%s-%d" % (rid, name, i + 1)
        if v["disks"]:
            ctrls = sorted({d["controller"] for d in v["disks"]} - {0})
            add("disk", {"vm_ref": ref, "vm": vm, "disks": v["disks"],
                         "new_controllers": ctrls, "set_mode": None})
        if rdm:
            add("rdm", {"vm_ref": ref, "vm": vm, "lun_uuid": inv["rdm_lun_naa"],
                        "compatibility": rdm, "datastore": P, "controller": 0, "unit": 1})
        if snaps:
            add("snapshot", {"vm_ref": ref, "vm": vm, "count": snaps,
                             "names": ["%s-snap-%d" % (rid, k + 1) for k in range(snaps)]})
        add("power", {"vm_ref": ref, "vm": vm, "state": power})
        if power == "on":
            add("guest-ready", {"vm_ref": ref, "vm": vm, "timeout": 60})
        if set_mode:
            add("disk", {"vm_ref": ref, "vm": vm, "disks": [], "new_controllers": [],
                         "set_mode": set_mode})
    return {"format": "mtv-scenario.plan/v1", "run_id": rid, "timeout": 600,
            "namespace": "mtv-" + rid, "steps": steps, "teardown": []}


mixed = [disk(i + 1, 1 + i, ["thin", "thick-lazy", "thick-eager"][i % 3],
              ["persistent", "independent_persistent", "persistent"][i % 3],
              [P, S, P][i % 3], "shared_disks" if i == 4 else None) for i in range(10)]
shapes = {
    "thin": plan("thin", [{"disk_type": "thin", "disks": []}]),
    "thick-lazy": plan("thick-lazy", [{"disk_type": "thick-lazy", "disks": []}]),
    "thick-eager": plan("thick-eager", [{"disk_type": "thick-eager", "disks": []}]),
    "multi-disk": plan("multi-disk", [{"disks": [disk(1, 2), disk(2, 3, "thick-lazy")]}]),
    "different-path": plan("different-path", [{"disks": [disk(1, 2, path="shared_disks")]}]),
    "multi-datastore": plan("multi-datastore", [{"disks": [disk(1, 2, ds=S), disk(2, 2, ds=N)]}]),
    "mixed": plan("mixed", [{"disk_type": "thin", "disks": [disk(1, 4, "thick-eager")]}]),
    "fallback": plan("fallback", [{"ds": N, "disks": [disk(1, 2, ds=N)]}]),
    "rdm-virtual": plan("rdm-virtual", [{"disks": []}], rdm="virtual"),
    "rdm-physical": plan("rdm-physical", [{"disks": []}], rdm="physical"),
    "independent-persistent": plan("ind-p", [{"disks": [disk(1, 2, mode="independent_persistent")]}]),
    "independent-nonpersistent": plan("ind-np", [{"disks": [disk(1, 2)]}],
                                      set_mode=[{"index": 1, "mode": "independent_nonpersistent"}]),
    "10-mixed-disks": plan("mixed10", [{"disks": mixed}]),
    "16-disks": plan("disks16", [{"disks": [disk(i + 1, 1) for i in range(16)]}]),
    "snapshots": plan("snaps", [{"disk_type": "thin", "disks": []}], snaps=2, power="off"),
    "warm": plan("warm", [{"disks": [disk(1, 2)]}], cbt=True),
    "scale": plan("scale", [{"disks": [disk(1, 1)]} for _ in range(10)]),
}
for k, v in shapes.items():
    json.dump(v, open("%s/%s.json" % (out, k), "w"), indent=1)
print(" ".join(shapes))
