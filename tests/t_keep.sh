#!/bin/bash
# t_keep.sh: the teardown lists what undoes something and nothing else, in
# its console lines, the JSON report and JUnit alike, each entry named by
# the step it undoes, as the plan's teardown says; --keep lists the same
# entries and prints the exact cleanup command, with the options the run
# used. A lab of its own: what --keep leaves goes with it.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
lab_state_read "the lab's state is read before the runs" "$T/before" || exit 1
f=$srcdir/scenarios.d/thin.yaml

# the plan's teardown for run id $1 in $T/$1.plan: "ID TITLE" lines,
# newest first; $T/$1.junit: the JUnit lines of its steps
plan_teardown() {
	"$MTV_SCENARIO" plan --format json --run-id "$1" -p "$LAB_PROVIDERS" "$f" |
		"$PYTHON3" -c '
import json, sys
td = json.load(sys.stdin)["teardown"]
with open(sys.argv[1] + ".plan", "w") as o:
    for e in td:
        o.write("%d %s\n" % (e["undoes"], e["title"]))
with open(sys.argv[1] + ".junit", "w") as o:
    for e in td:
        o.write("teardown of step %02d (%s): %s\n" % (e["undoes"], e["kind"], e["title"]))' "$T/$1"
}

plan_teardown kp0001
if [ -s "$T/kp0001.plan" ]; then ok "the plan has a teardown"; else not_ok "the plan has a teardown"; fi
"$MTV_SCENARIO" run --run-id kp0001 -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
	--report "$T/run.json" --junit "$T/run.xml" "$f" >"$T/run.out" 2>"$T/run.err"
rc=$?
if [ $rc -eq 0 ]; then ok "thin passes"; else
	not_ok "thin passes (exit $rc)"; sed -n '1,30p' "$T/run.err" | diag_stdin; fi
n=$(wc -l <"$T/kp0001.plan")
contains "the console counts the plan's teardown steps" "$T/run.err" "teardown: $n steps"
sed -n 's/^  \[ *[0-9]*\/[0-9]*\] step  *\([0-9]*\) [a-z-]*  *\(.*\)$/\1 \2/p' \
	"$T/run.err" >"$T/console.td"
same_file "the console lists the plan's teardown, in its order" "$T/kp0001.plan" "$T/console.td"
"$PYTHON3" -c '
import json, sys
for s in json.load(open(sys.argv[1]))["scenarios"][0]["steps"]:
    if s["phase"] == "teardown":
        print(s["undoes"], s["title"])' "$T/run.json" >"$T/json.td"
same_file "the JSON report's teardown is the plan's" "$T/kp0001.plan" "$T/json.td"
"$PYTHON3" -c '
import sys, xml.etree.ElementTree as ET
for c in ET.parse(sys.argv[1]).iter("testcase"):
    for l in c.findtext("system-out").splitlines():
        if l.startswith("teardown"):
            print(l.split(" ... ")[0])' "$T/run.xml" >"$T/junit.td"
same_file "JUnit names each teardown line by the step it undoes" "$T/kp0001.junit" "$T/junit.td"
lacks "nothing that undoes nothing is in the teardown (power on)" "$T/junit.td" "power on"

# --keep: the same list, then the cleanup command with the run's options
plan_teardown kp0002
"$MTV_SCENARIO" run --keep --run-id kp0002 -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
	"$f" >"$T/keep.out" 2>"$T/keep.err"
rc=$?
if [ $rc -eq 0 ]; then ok "thin --keep passes"; else
	not_ok "thin --keep passes (exit $rc)"; sed -n '1,30p' "$T/keep.err" | diag_stdin; fi
contains "--keep says what it left" "$T/keep.err" \
	"--keep: left in place (the teardown would undo, in this order):"
sed -n 's/^  step  *\([0-9]*\) [a-z-]*  *\(.*\)$/\1 \2/p' "$T/keep.err" >"$T/keep.td"
same_file "--keep lists the plan's teardown, in its order" "$T/kp0002.plan" "$T/keep.td"
contains "--keep lists the ESXi key" "$T/keep.td" "remove the key of kp0002-vsphere from ESXi"
lacks "--keep lists no power on" "$T/keep.td" "power on"
contains "--keep prints the exact cleanup command" "$T/keep.err" \
	"to remove everything: mtv-scenario cleanup --run-id kp0002 -p $LAB_PROVIDERS --kubeconfig $LAB_KUBECONFIG"
lacks "--keep prints no hand-written recipe" "$T/keep.err" "kubectl delete"

# the printed command removes everything (once the cleanup command exists)
if "$MTV_SCENARIO" cleanup --help >/dev/null 2>&1; then
	cmd=$(sed -n 's/^to remove everything: mtv-scenario //p' "$T/keep.err")
	eval "\"\$MTV_SCENARIO\" $cmd" >"$T/clean.out" 2>"$T/clean.err"
	rc=$?
	if [ $rc -eq 0 ]; then ok "the printed cleanup command succeeds"; else
		not_ok "the printed cleanup command succeeds (exit $rc)"
		sed -n '1,20p' "$T/clean.out" "$T/clean.err" | diag_stdin; fi
	if lab_state_read "the lab's state is read after the cleanup" "$T/after"; then
		same_file "after the cleanup: vSphere as before" "$T/before.vsphere" "$T/after.vsphere"
		same_file "after the cleanup: no cluster object left" "$T/before.kube" "$T/after.kube"
		same_file "after the cleanup: authorized_keys as before" "$T/before.keys" "$T/after.keys"
	fi
else
	ok "# SKIP the printed cleanup command: no 'cleanup' command in this build"
fi
