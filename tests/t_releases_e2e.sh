#!/bin/bash
# t_releases_e2e.sh: the release matrix. t_e2e.sh runs every scenarios.d
# file against the lab's default profile (MTV 2.12); this runs the scenarios
# whose outcome depends on the release against mtv-lab --mtv 2.10, 2.11 and
# main, one lab per release, the three at the same time. Each scenario ends
# in PASS, in PASS naming the checks the release gives no evidence for, or
# in a refusal naming the release (../shared/reference/forklift-versions.md:
# xcopyUsed evidence from 2.12, the per-VM Pending condition in main only,
# rdmAsLun and controller_max_populator_inflight from 2.11).
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

[ -x "$MTV_TEST_TOOL" ] || skip_all "tests/mtv-test-tool is not built"

subset="thin warm mixed-datastore rdm-virtual populator-throttling
vm-populator-throttling concurrent-xcopy-vddk"
releases="2.10 2.11 main"

# feature_copy_offload: 'true' on the ForkliftController, rolled out to
# forklift-controller (env FEATURE_COPY_OFFLOAD) within 30 s.
gate_on() {
	local kt=("$MTV_TEST_TOOL" kube --kubeconfig "$LAB_KUBECONFIG") i
	"${kt[@]}" patch ForkliftController openshift-mtv forklift-controller \
		'{"spec":{"feature_copy_offload":"true"}}' || return 1
	for i in $(seq 60); do
		"${kt[@]}" request GET \
			/apis/apps/v1/namespaces/openshift-mtv/deployments/forklift-controller \
			| tr -d ' ' | grep -q '"name":"FEATURE_COPY_OFFLOAD","value":"true"' && return 0
		sleep 0.5
	done
	echo "FEATURE_COPY_OFFLOAD not rolled out to forklift-controller" >&2
	return 1
}

# One release: its lab, then every scenario of the subset in one run
# (each scenario still gets its own namespace, objects and teardown).
run_release() {
	local rel=$1 files= n
	trap - EXIT
	T=$T/$rel
	mkdir -p "$T"
	lab_start --mtv "$rel" >"$T/lab.err" 2>&1 || { echo 99 >"$T/rc"; return; }
	trap lab_stop EXIT
	lab_get mtv >"$T/mtv"
	# up to 2.10 the operator leaves copy-offload off unless asked
	# (defaults/main.yml): the offload plugin would be ignored and the
	# disks copied through VDDK. A 2.10 user turns it on; so do we.
	if [ "$rel" = 2.10 ]; then
		gate_on >"$T/gate.out" 2>&1 || { echo 98 >"$T/rc"; return; }
	fi
	lab_state "$T/before" 2>"$T/state.err"
	# the copies take 50 ms instead of 2.5 s a disk: the matrix stays
	# short (the watched pods show the throttling at any speed)
	lab_control POST /forklift/rates '{"xcopy_mib_s":204800}' >/dev/null
	for n in $subset; do files="$files $srcdir/scenarios.d/$n.yaml"; done
	# warm scenarios: cut over 3 s after the start instead of 5 minutes;
	# -v: the populate pods' last xcopyUsed as the migrate step reads it
	"$MTV_SCENARIO" run -v -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		--set cutover_delay=3 --timeout 600 --report "$T/report.json" \
		$files >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	lab_state "$T/after" 2>>"$T/state.err"
}

start=$(date +%s)
for rel in $releases; do
	(run_release "$rel") &
done
wait
diag "release matrix: $(( $(date +%s) - start )) s for $(echo $releases | wc -w) releases"
for rel in $releases; do
	[ -f "$T/$rel/out" ] && sed "s/^/$rel: /" "$T/$rel/out" | diag_stdin
done

for rel in $releases; do
	if [ "$(cat "$T/$rel/rc" 2>/dev/null)" = 98 ]; then
		not_ok "$rel: feature_copy_offload is turned on"
		diag_stdin <"$T/$rel/gate.out"
		continue
	fi
	if [ "$(cat "$T/$rel/rc" 2>/dev/null)" = 99 ]; then
		not_ok "mtv-lab --mtv $rel starts"
		diag_stdin <"$T/$rel/lab.err"
		continue
	fi
	check "mtv-lab --mtv $rel says which release it behaves as" \
		grep -qx "$rel" "$T/$rel/mtv"
done

# verdict REL NAME PATTERN: the verdict line of scenario NAME against
# release REL matches the extended regular expression PATTERN.
verdict() {
	local rel=$1 name=$2 pat=$3
	if grep -Eq "^$pat" "$T/$rel/out"; then
		ok "$rel: $name: $(printf '%s' "$pat" | sed 's/\\//g')"
	else
		not_ok "$rel: $name: $pat"
		{ grep "$name" "$T/$rel/out"; grep -E "error|FAIL|$name" "$T/$rel/err" | sed -n '1,30p'; } | diag_stdin
	fi
}

# skipped_in_report REL NAME CHECK WHY: the JSON report lists CHECK of
# scenario NAME as skipped (not passed) with WHY in its message.
skipped_in_report() {
	check "$1: $2: the JSON report shows $3 skipped, not passed" "$PYTHON3" -c "
import json, sys
r = json.load(open('$T/$1/report.json'))
s = [s for s in r['scenarios'] if s['name'] == '$2'][0]
c = [t for t in s['steps'] if t['title'].startswith('$3 of ')]
assert s['status'] == 'passed', s['status']
assert c and all(t['status'] == 'skipped' for t in c), c
assert all('$4' in t['message'] for t in c), c"
}

xs='xcopy_used: MTV %s exposes no xcopyUsed evidence'
pend='vms_held_pending: MTV 2.11 has no per-VM Pending condition'

# 2.10: no xcopyUsed evidence; rdm_as_lun and the populator limit are
# refused before anything is made, naming the release and the first one
# that has what the scenario needs
for n in thin warm mixed-datastore concurrent-xcopy-vddk; do
	verdict 2.10 $n "PASS $n \[MTV-[0-9]+\] \([0-9.]+ s, 1 check not performed: $(printf "$xs" 2.10)\)"
done
verdict 2.10 rdm-virtual "FAIL rdm-virtual \[MTV-562\] .*rdm_as_lun needs MTV 2.11 or newer.*2\.10"
verdict 2.10 populator-throttling "FAIL populator-throttling \[MTV-696\] .*needs MTV 2.11 or newer.*2\.10"
verdict 2.10 vm-populator-throttling "FAIL vm-populator-throttling \[MTV-777\] .*needs MTV 2.11 or newer.*2\.10"
check "2.10: a run with refused scenarios exits 4" test "$(cat "$T/2.10/rc")" = 4

# 2.11: everything runs; xcopy_used is not performed anywhere, VMs held
# Pending neither; the throttling itself is shown by the populate pods
for n in thin warm mixed-datastore rdm-virtual populator-throttling concurrent-xcopy-vddk; do
	verdict 2.11 $n "PASS $n \[MTV-[0-9]+\] \([0-9.]+ s, 1 check not performed: $(printf "$xs" 2.11)\)"
done
verdict 2.11 vm-populator-throttling "PASS vm-populator-throttling \[MTV-777\] \([0-9.]+ s, 2 checks not performed: ($(printf "$xs" 2.11); $pend|$pend; $(printf "$xs" 2.11))\)"
skipped_in_report 2.11 thin xcopy_used "MTV 2.11 exposes no xcopyUsed evidence"
contains "2.11: populator-throttling: the peak comes from the populate pods" "$T/2.11/err" \
	"at most 2 of 5 disks copying at once (limit 2, populate pods per host), 3 PVCs throttled"
contains "2.11: vm-populator-throttling: one VM at a time" "$T/2.11/err" \
	"at most 1 VM in flight (limit 1), all on one host"
lacks "2.11: no populate pod logs xcopyUsed" "$T/2.11/err" "ended with xcopyUsed="
check "2.11: the run exits 0" test "$(cat "$T/2.11/rc")" = 0

# main: every check performed; VMs held by the VM limit show as Pending
for n in $subset; do
	verdict main $n "PASS $n \[MTV-[0-9]+\] \([0-9.]+ s\)"
done
contains "main: vm-populator-throttling: the held VM is seen Pending" "$T/main/err" \
	"at most 1 VM in flight (limit 1), 1 held Pending, all on one host"
contains "main: xcopyUsed comes from the task annotations" "$T/main/err" \
	"-thin': xcopyUsed=1 on 1 disk (task annotation)"
# the pods log xcopyUsed=0 on every poll until the clone writes show: the
# last value is kept, and it is 1 on the XCOPY datastore
contains "main: each finished populate pod's last xcopyUsed is read" "$T/main/err" \
	"ended with xcopyUsed=1"
check "main: the run exits 0" test "$(cat "$T/main/rc")" = 0

# nothing is left in the lab by any release's runs
for rel in $releases; do
	[ -s "$T/$rel/state.err" ] && diag_stdin <"$T/$rel/state.err"
	for part in vsphere kube fc keys; do
		same_file "$rel: the lab's $part state is as before the runs" \
			"$T/$rel/before.$part" "$T/$rel/after.$part"
	done
done
