#!/bin/bash
# t_e2e.sh: every scenarios.d file end to end against the offline lab, each
# checked for its expected outcome; then the lab's object dumps prove that
# nothing was left in vSphere, the cluster or the ESXi authorized_keys.
# The runs use only the roles `mtv-scenario job` generates for them (the
# lab enforces RBAC for service-account tokens): they suffice.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"

# the leak check fails, naming the cause, when the control endpoint cannot
# be read: two empty readings never compare equal
if (LAB_CONTROL=$LAB_CONTROL/nowhere; lab_state "$T/broken") 2>"$T/broken.err"; then
	not_ok "the leak check fails when the lab's state cannot be read"
else
	contains "the leak check fails when the lab's state cannot be read" "$T/broken.err" \
		"cannot read the lab's vsphere state from $LAB_CONTROL/nowhere"
fi
lab_job_kubeconfig "$T/job.kubeconfig" mtv-e2e-job "$srcdir"/scenarios.d/*.yaml 2>"$T/job.err" &&
	ok "the job's roles are applied and its ServiceAccount has a token" ||
	{ not_ok "the job's roles are applied and its ServiceAccount has a token"; diag_stdin <"$T/job.err"; exit 1; }
lab_state_read "the lab's state is read before the runs" "$T/before" || exit 1
for f in "$srcdir"/scenarios.d/*.yaml; do
	name=$(basename "$f" .yaml)
	# throttling shows only while copies overlap: 10 GiB take 50 ms
	# instead of 2.5 (a fraction of a second per throttling scenario)
	case $name in *throttling*)
		lab_control POST /forklift/rates '{"xcopy_mib_s":204800}' >/dev/null ;;
	esac
	# warm scenarios: cut over 3 s after the start instead of 5 minutes
	"$MTV_SCENARIO" run -p "$LAB_PROVIDERS" --kubeconfig "$T/job.kubeconfig" \
		--set cutover_delay=3 --report "$T/$name.json" "$f" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	case $name in *throttling*) lab_control POST /forklift/reset >/dev/null ;; esac
	if [ $rc -eq 0 ] && grep -q "^PASS $name" "$T/$name.out"; then
		ok "$name passes end to end"
	else
		not_ok "$name passes end to end (exit $rc)"
		sed -n '1,40p' "$T/$name.out" "$T/$name.err" | diag_stdin
	fi
done
if grep -l "is forbidden" "$T"/*.err >"$T/forbidden" 2>/dev/null; then
	not_ok "with only the job's roles, nothing was refused"
	diag_stdin <"$T/forbidden"
else
	ok "with only the job's roles, nothing was refused"
fi
# the checks that used to be pending: performed, or reported as not done
for name in rdm-virtual rdm-physical; do
	contains "$name: the RDM disk is verified as a LUN" "$T/$name.err" "1 RDM disk attached as lun on bus scsi"
done
# the populator peak comes from the populate pods (upstream never marks a
# DiskTransfer task Running); 2.12 has no per-VM Pending condition, so the
# VMs held by the limit are reported as not checked, not as passed
contains "populator-throttling: the limit is verified from the pods" "$T/populator-throttling.err" \
	"at most 2 of 5 disks copying at once (limit 2, populate pods per host), 3 PVCs throttled"
contains "vm-populator-throttling: the VM limit is verified" "$T/vm-populator-throttling.err" \
	"at most 2 of 6 disks copying at once (limit 2, populate pods per host), 2 PVCs throttled, at most 1 VM in flight (limit 1), all on one host"
contains "vm-populator-throttling: VMs held Pending are not checked on 2.12, and the PASS line says why" \
	"$T/vm-populator-throttling.out" "1 check not performed: vms_held_pending: "
# the checks of the migrated guest: data_integrity in the snapshot
# scenarios; guest_agent, ssh_connectivity and vm_identity by default in
# every scenario that migrates; all passed, none skipped
check "the guest checks passed in every scenario that migrates" "$PYTHON3" - "$T"/*.json <<'PY'
import json, os, sys
bad = 0
for f in sys.argv[1:]:
    for s in json.load(open(f))["scenarios"]:
        if not any(c["name"] == "vm" for c in s["checks"]):
            continue
        want = ["guest_agent", "ssh_connectivity", "vm_identity"]
        if s["name"].endswith("snapshots"):
            want.append("data_integrity")
        for n in want:
            st = [c["status"] for c in s["checks"] if c["name"] == n]
            if not st or set(st) != {"passed"}:
                bad += 1
                print(s["name"], n, st)
sys.exit(1 if bad else 0)
PY

# every run's JSON report is valid against the report schema (Debian's
# python3-jsonschema, and the program's own validator through `report`),
# and carries the environment, the checks and the per-disk copy evidence
check "every report is valid against schema/report.schema.json" "$PYTHON3" - \
	"$srcdir/schema/report.schema.json" "$T"/*.json <<'PY'
import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
bad = 0
for f in sys.argv[2:]:
    r = json.load(open(f))
    for e in v.iter_errors(r):
        bad += 1
        print(f, e.json_path, e.message)
    env = r["environment"]
    for k in ("kubernetes", "vcenter", "storage"):
        if not env.get(k):
            bad += 1
            print(f, "environment lacks", k)
    if not env["esxi"] or not env["vcenter"].get("build"):
        bad += 1
        print(f, "no ESXi host or vCenter build")
    for s in r["scenarios"]:
        if s["status"] == "passed" and not s["checks"]:
            bad += 1
            print(f, s["name"], "passed without checks")
        # a migration the scenario expects to succeed copied every disk
        migrated = s["status"] == "passed" and all(
            c["evidence"].get("expect") == "succeeded"
            for c in s["checks"] if c["name"] == "result")
        if migrated and not s["disks"]:
            bad += 1
            print(f, s["name"], "migrated without disks")
        for d in s["disks"] if migrated else []:
            if None in (d["method"], d["size_bytes"], d["datastore"]["key"],
                        d["duration_seconds"], d["pvc"]):
                bad += 1
                print(f, s["name"], "disk evidence missing", d)
sys.exit(1 if bad else 0)
PY
# the summary per datastore and method, from the evidence of real runs
while read -r name line; do
	check "report reads $name.json" "$MTV_SCENARIO" report --format csv "$T/$name.json"
	contains "report: $name: $line" "$T/out" "$name,$line"
done <<'EOF'
fallback-large plain-ds,non_xcopy_datastore_id,fallback,2,
multi-datastore xcopy-ds-2,secondary_datastore_id,xcopy,1,
concurrent-xcopy-vddk xcopy-ds,datastore_id,vddk,1,
rdm-virtual xcopy-ds,datastore_id,rdm,1,
EOF
lab_state_read "the lab's state is read after the runs" "$T/after" || exit 1
same_file "ForkliftController settings are as before the runs" "$T/before.fc" "$T/after.fc"
same_file "vSphere inventory is as before the runs" "$T/before.vsphere" "$T/after.vsphere"
same_file "no cluster object is left behind" "$T/before.kube" "$T/after.kube"
same_file "ESXi authorized_keys is as before the runs" "$T/before.keys" "$T/after.keys"
