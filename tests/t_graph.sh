#!/bin/bash
# t_graph.sh: a scenario's steps run as a graph. From the JSON report's
# step start and end times, with `run --only source` of scale (5 VMs),
# 0.5 s clones and 1 s guest boots: with --vsphere-parallel 2 at most two
# vSphere steps overlap (and two do; guest waits, long polls, take no
# slot, and more of them do overlap), steps of different VMs' chains
# overlap beyond the clones; a power-on failing in one VM's chain stops
# every other chain (nothing starts after it), the failed VM's guest wait
# never starts, and the teardown removes every clone.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

lab_start --guest-boot-ms 1000 || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
lab_control POST /vsphere/clone-duration '{"ms": 500}' >/dev/null
f=$srcdir/scenarios.d/scale.yaml

# facts NAME: figures of the run steps of report $T/NAME.json, one
# "key value" a line (see the comments below)
facts() {
	"$PYTHON3" - "$T/$1.json" <<'PY'
import json, re, sys
from datetime import datetime
SOURCE = {"clone", "disk", "rdm", "power", "guest-ready", "snapshot"}
WAITS = {"guest-ready"}
def t(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
steps = [s for s in json.load(open(sys.argv[1]))["scenarios"][0]["steps"]
         if s["phase"] == "run" and s["status"] != "skipped"]
src = [s for s in steps if s["kind"] in SOURCE or s["id"] == 1]
def vm(s):
    m = re.search(r"-(\d+)(?:\s|$)", s["title"])
    return m.group(1) if m else None
# most steps of a set running at one instant
def peak(ss):
    ev = sorted([(t(s["start"]), 1) for s in ss] + [(t(s["end"]), -1) for s in ss],
                key=lambda e: (e[0], e[1]))
    n = p = 0
    for _, d in ev:
        n += d
        p = max(p, n)
    return p
print("peak", peak([s for s in src if s["kind"] not in WAITS]))
print("peak_waits", peak([s for s in src if s["kind"] in WAITS]))
# pairs of steps of different VMs that overlap, one of them not a clone
pairs = 0
for a in src:
    for b in src:
        if (vm(a) and vm(b) and vm(a) < vm(b) and "clone" not in (a["kind"], b["kind"])
                and t(a["start"]) < t(b["end"]) and t(b["start"]) < t(a["end"])):
            pairs += 1
print("chain_overlaps", pairs)
failed = [s for s in steps if s["status"] == "failed"]
if failed:
    f = failed[0]
    print("failed_kind", f["kind"])
    # how long after the failure the last step started (ms)
    print("late_start_ms", int(max(0, max(t(s["start"]) for s in steps) - t(f["end"])) * 1000))
    print("failed_vm_waited", sum(1 for s in steps if s["kind"] == "guest-ready" and vm(s) == vm(f)))
    print("clones", sum(1 for s in steps if s["kind"] == "clone"))
    td = json.load(open(sys.argv[1]))["scenarios"][0]["steps"]
    print("destroyed", sum(1 for s in td if s["phase"] == "teardown" and s["kind"] == "clone" and s["status"] == "passed"))
PY
}

# fact NAME KEY
fact() { sed -n "s/^$2 //p" "$T/$1.facts"; }

"$MTV_SCENARIO" run --only source --vsphere-parallel 2 -p "$LAB_PROVIDERS" \
	--report "$T/p2.json" "$f" >"$T/p2.out" 2>"$T/p2.err"
rc=$?
if [ $rc -eq 0 ]; then ok "scale --only source --vsphere-parallel 2 passes"; else
	not_ok "scale --only source --vsphere-parallel 2 passes (exit $rc)"
	sed -n '1,30p' "$T/p2.err" | diag_stdin; fi
facts p2 >"$T/p2.facts"
check "at most two vSphere steps at a time, and two do overlap ($(fact p2 peak))" \
	[ "$(fact p2 peak)" = 2 ]
check "guest waits overlap beyond the bound ($(fact p2 peak_waits))" \
	[ "$(fact p2 peak_waits)" -gt 2 ]
check "steps of different VMs overlap beyond the clones ($(fact p2 chain_overlaps) pairs)" \
	[ "$(fact p2 chain_overlaps)" -gt 0 ]
if d=$(lab_vsphere_unchanged); then ok "vSphere is as before"; else
	not_ok "vSphere is as before"; printf '%s\n' "$d" | diag_stdin; fi

# the first power-on fails: the other chains stop, everything is undone
lab_control POST /vsphere/fault \
	'{"method":"PowerOnVM_Task","count":1,"kind":"taskerror","message":"lab says no"}' >/dev/null
"$MTV_SCENARIO" run --only source -p "$LAB_PROVIDERS" --report "$T/fail.json" \
	"$f" >"$T/fail.out" 2>"$T/fail.err"
rc=$?
if [ $rc -eq 1 ]; then ok "a failing power-on fails the run (exit 1)"; else
	not_ok "a failing power-on fails the run (exit 1, got $rc)"
	sed -n '1,30p' "$T/fail.err" | diag_stdin; fi
facts fail >"$T/fail.facts"
check "the failed step is the power-on ($(fact fail failed_kind))" \
	[ "$(fact fail failed_kind)" = power ]
check "the failed VM's guest wait never starts" [ "$(fact fail failed_vm_waited)" = 0 ]
# running steps end, nothing starts after the failure (a step starting
# as it is seen would be within a few ms; 400 ms allows a loaded machine)
check "nothing starts after the failure ($(fact fail late_start_ms) ms)" \
	[ "$(fact fail late_start_ms)" -lt 400 ]
check "the teardown destroys every clone made ($(fact fail destroyed) of $(fact fail clones))" \
	[ "$(fact fail destroyed)" = "$(fact fail clones)" -a "$(fact fail clones)" -gt 0 ]
if d=$(lab_vsphere_unchanged); then ok "vSphere is as before after the failure"; else
	not_ok "vSphere is as before after the failure"; printf '%s\n' "$d" | diag_stdin; fi
