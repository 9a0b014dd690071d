#!/bin/bash
# t_negative.sh: what must fail does, clearly and cleanly. Each variant of
# tests/neg/expected.txt (a StorageMap entry missing, a wrong vCenter
# password, a missing vendor key, an NFS datastore with copy-offload, an
# unknown ESXi host key, a copy failing mid-way) runs the cluster-side steps
# against the lab: the run fails (exit 1) at the right step with a message
# naming the cause, and leaves nothing in the cluster or authorized_keys.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"
. "$srcdir/tests/neg/cluster_lib.sh"

[ -x "$CLUSTERTOOL" ] || skip_all "tests/clustertool is not built"
lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
cluster_dump "$T/before"

n=0
while IFS=$'\t' read -r variant step text; do
	case $variant in ''|'#'*) continue ;; esac
	n=$((n + 1))
	run=hneg$n
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
