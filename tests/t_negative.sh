#!/bin/bash
# t_negative.sh: what must fail does, clearly and cleanly. Each variant of
# tests/neg/expected.txt (a StorageMap entry missing, a wrong vCenter
# password, a missing vendor key, an NFS datastore with copy-offload, an
# unknown ESXi host key, a copy failing mid-way) runs the cluster-side steps
# against the lab: the run fails (exit 1) at the right step with a message
# naming the cause, and leaves nothing in the cluster or authorized_keys.
# A negative scenario's preflight finding refuses the run without its
# expectation, and a migration failing another way than expected fails.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"
. "$srcdir/tests/neg/cluster_lib.sh"

[ -x "$MTV_TEST_TOOL" ] || skip_all "tests/mtv-test-tool is not built"
lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
cluster_dump "$T/before" || exit 1

n=0
while IFS=$'\t' read -r variant step text; do
	case $variant in ''|'#'*) continue ;; esac
	n=$((n + 1))
	run=hneg0$n
	if [ "$variant" = fail-copy ]; then
		lab_control POST /forklift/fail-next '{"kind":"disk-copy","message":"clone task failed: simulated storage error"}' >/dev/null
	fi
	cluster_run "$variant" "$run"
	if [ $rc -eq 1 ]; then ok "$variant: the run fails"; else not_ok "$variant: the run fails (exit $rc)"; sed -n '1,30p' "$T/$run.err" | diag_stdin; fi
	if grep -q "^step [0-9]* $step FAIL: .*$text" "$T/$run.out"; then
		ok "$variant: step '$step' fails naming the cause ($text)"
	else
		not_ok "$variant: step '$step' fails naming the cause ($text)"
		grep FAIL "$T/$run.out" | diag_stdin
	fi
	contains "$variant: the teardown leaks nothing" "$T/$run.out" "leaks 0"
	cluster_clean "$variant" "$T/before"
done <"$srcdir/tests/neg/expected.txt"
lab_control POST /forklift/reset >/dev/null

# The same causes through 'mtv-scenario run' on a real scenario, with a
# providers-file variant or a lab fault: exit status and message.
if [ -x "$MTV_SCENARIO" ]; then
	sc=$(lab_get storage_class || echo lab-block)
	: >"$T/empty_known_hosts"
	sed "s|^\\(  *esxi_known_hosts:\\).*|\\1 \"$T/empty_known_hosts\"|" "$LAB_PROVIDERS" >"$T/p-unknown-key.yaml"
	sed "s|^\\(  *datastore_id:\\).*|\\1 \"$(lab_get inventory.nfs_ds)\"|" "$LAB_PROVIDERS" >"$T/p-nfs.yaml"
	grep -v '^ *ontap_svm:' "$LAB_PROVIDERS" >"$T/p-missing-vendor-key.yaml"
	cp "$LAB_PROVIDERS" "$T/p-fail-copy.yaml"
	# variant, exit status, text of the message
	while IFS='|' read -r variant want text; do
		[ "$variant" = fail-copy ] &&
			lab_control POST /forklift/fail-next '{"kind":"disk-copy","message":"clone task failed: simulated storage error"}' >/dev/null
		"$MTV_SCENARIO" run --storage-class "$sc" -p "$T/p-$variant.yaml" --kubeconfig "$LAB_KUBECONFIG" \
			"$srcdir/scenarios.d/thin.yaml" >"$T/s-$variant.out" 2>"$T/s-$variant.err"
		rc=$?
		if [ $rc -eq "$want" ]; then ok "run $variant: exit $want"; else not_ok "run $variant: exit $want (got $rc)"; sed -n '1,20p' "$T/s-$variant.err" | diag_stdin; fi
		cat "$T/s-$variant.out" "$T/s-$variant.err" >"$T/s-$variant.all"
		contains "run $variant: the message names the cause" "$T/s-$variant.all" "$text"
		cluster_clean "run $variant" "$T/before"
	done <<-'LIST'
	unknown-key|1|unknown host key SHA256:
	nfs|1|is NFS: copy-offload needs VMFS
	missing-vendor-key|4|needs copyoffload.ontap_svm
	fail-copy|1|simulated storage error
	LIST

	# a negative scenario (scenarios.d/nfs-negative.yaml passes in
	# t_e2e.sh): without its expectation, or with one naming another
	# failure, the same preflight finding still refuses the run
	neg=$srcdir/scenarios.d/nfs-negative.yaml
	sed '/^expect:/,$d' "$neg" >"$T/nfs-no-expect.yaml"
	sed 's/^\(  message:\).*/\1 some other error/' "$neg" >"$T/nfs-other-message.yaml"
	for variant in no-expect other-message; do
		"$MTV_SCENARIO" run --storage-class "$sc" -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
			"$T/nfs-$variant.yaml" >"$T/nfs-$variant.out" 2>"$T/nfs-$variant.err"
		rc=$?
		if [ $rc -eq 1 ]; then ok "nfs-negative, $variant: exit 1"; else
			not_ok "nfs-negative, $variant: exit 1 (got $rc)"; sed -n '1,20p' "$T/nfs-$variant.err" | diag_stdin; fi
		contains "nfs-negative, $variant: the source preflight refuses the NFS datastore" \
			"$T/nfs-$variant.out" "source preflight found 1 problem:"
		contains "nfs-negative, $variant: naming it" "$T/nfs-$variant.out" "is NFS: copy-offload needs VMFS"
		lacks "nfs-negative, $variant: not as expected" "$T/nfs-$variant.err" "the scenario expects this failure"
		cluster_clean "nfs-negative, $variant" "$T/before"
	done
	# expecting the VMFS error, a migration failing another way fails verify
	sed 's/nfs_datastore_id/datastore_id/' "$neg" >"$T/vmfs-expects-nfs-error.yaml"
	lab_control POST /forklift/fail-next '{"kind":"disk-copy","message":"clone task failed: simulated storage error"}' >/dev/null
	"$MTV_SCENARIO" run --storage-class "$sc" -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		"$T/vmfs-expects-nfs-error.yaml" >"$T/other-failure.out" 2>"$T/other-failure.err"
	rc=$?
	lab_control POST /forklift/reset >/dev/null
	if [ $rc -eq 1 ]; then ok "a failure other than the expected one: exit 1"; else
		not_ok "a failure other than the expected one: exit 1 (got $rc)"; sed -n '1,20p' "$T/other-failure.err" | diag_stdin; fi
	contains "a failure other than the expected one: verify names both" "$T/other-failure.out" \
		"failed, but not with 'likely not VMFS': "
	contains "a failure other than the expected one: and the actual cause" "$T/other-failure.out" \
		"simulated storage error"
	cluster_clean "a failure other than the expected one" "$T/before"

	# throttling: a ForkliftController knob the cluster does not honour
	# (the lab ignores it), and an expectation no run can meet, fail the
	# verify step naming the cause; the knobs are restored either way
	lab_state_read "ForkliftController settings are read" "$T/thr.before" fc || exit 1
	lab_control POST /forklift/ignore-settings '{"keys":["controller_max_populator_inflight"]}' >/dev/null
	"$MTV_SCENARIO" run --storage-class "$sc" -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		"$srcdir/scenarios.d/populator-throttling.yaml" >"$T/thr.out" 2>"$T/thr.err"
	rc=$?
	lab_control POST /forklift/reset >/dev/null
	if [ $rc -eq 1 ]; then ok "throttling knob not honoured: exit 1"; else not_ok "throttling knob not honoured: exit 1 (got $rc)"; sed -n '1,20p' "$T/thr.err" | diag_stdin; fi
	contains "throttling knob not honoured: verify names it" "$T/thr.out" "populator in-flight limit 2 not honoured"
	contains "throttling knob not honoured: no PopulatorThrottled events" "$T/thr.out" "0 PVCs with a PopulatorThrottled event, expected at least 3"
	"$MTV_SCENARIO" run --storage-class "$sc" -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		"$srcdir/tests/neg/throttling-impossible.yaml" >"$T/thr2.out" 2>"$T/thr2.err"
	rc=$?
	if [ $rc -eq 1 ]; then ok "impossible throttling expectation: exit 1"; else not_ok "impossible throttling expectation: exit 1 (got $rc)"; sed -n '1,20p' "$T/thr2.err" | diag_stdin; fi
	contains "impossible throttling expectation: verify names it" "$T/thr2.out" "1 PVC with a PopulatorThrottled event, expected at least 99"
	if lab_state_read "ForkliftController settings are read again" "$T/thr.after" fc; then
		same_file "throttling runs: ForkliftController settings restored" "$T/thr.before.fc" "$T/thr.after.fc"
	fi
	cluster_clean "throttling runs" "$T/before"

	if lab_vsphere_unchanged >"$T/vs.diff"; then ok "vSphere inventory as at start"; else not_ok "vSphere inventory as at start"; sed -n '1,20p' "$T/vs.diff" | diag_stdin; fi
fi
