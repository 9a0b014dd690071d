#!/bin/bash
# t_cluster.sh: the cluster-side steps (secret, provider, esxi-key, map,
# plan, migrate, verify, cluster preflight) against the lab through
# mtv-test-tool cluster: copy-offload with XCOPY, the fallback copy, two plans
# at the same time; xcopyUsed and concurrency proven, no secret in any
# output, nothing left behind.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"
. "$srcdir/tests/neg/cluster_lib.sh"

[ -x "$MTV_TEST_TOOL" ] || skip_all "tests/mtv-test-tool is not built"
lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
cluster_dump "$T/before" || exit 1
# disk copies slow enough for the two plans to be seen side by side
lab_control POST /forklift/rates '{"xcopy_mib_s": 8192, "fallback_mib_s": 8192}' >/dev/null

cluster_run ok hok001
[ $rc -eq 0 ] && ok "copy-offload plan succeeds" || { not_ok "copy-offload plan succeeds (exit $rc)"; sed -n '1,60p' "$T/hok001.err" | diag_stdin; }
contains "xcopyUsed=1 is shown from the task annotations" "$T/hok001.err" "verify: plan 'hok001-thin': xcopyUsed=1 on 1 disk"
contains "the plan-specific populator secret is seen after the Migration starts" "$T/hok001.err" "populator secret 'hok001-thin-vm-"
contains "progress is reported by phase" "$T/hok001.err" "CopyDisks, step DiskTransfer"
contains "the restricted key is installed" "$T/hok001.err" "restricted copy-offload key of provider 'hok001-vsphere' installed"
contains "the restricted key is removed" "$T/hok001.err" "restricted key removed"
contains "no leak" "$T/hok001.out" "leaks 0"
cluster_clean "copy-offload" "$T/before"

cluster_run fallback hfb001
[ $rc -eq 0 ] && ok "fallback plan (non-XCOPY datastore keeps the plugin) succeeds" || { not_ok "fallback plan succeeds (exit $rc)"; sed -n '1,60p' "$T/hfb001.err" | diag_stdin; }
contains "fallback: xcopyUsed=0" "$T/hfb001.err" "verify: plan 'hfb001-fallback': xcopyUsed=0 on 1 disk"
cluster_clean "fallback" "$T/before"

cluster_run concurrent hcc001
[ $rc -eq 0 ] && ok "two plans migrate at the same time" || { not_ok "two plans migrate at the same time (exit $rc)"; sed -n '1,60p' "$T/hcc001.err" | diag_stdin; }
contains "their DiskTransfer intervals overlap" "$T/hcc001.err" "plans ran at the same time: disk transfers overlap"
cluster_clean "concurrent" "$T/before"

# no secret value (raw, base64, URL-encoded) in any output
leak=
for s in "$(lab_get vsphere.password)" "lab-array-secret" "$(lab_get kube.token)"; do
	b64=$(printf '%s' "$s" | base64 -w0)
	url=$("$PYTHON3" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$s")
	for f in "$T"/h*.out "$T"/h*.err; do
		if grep -qF -e "$s" -e "$b64" -e "$url" "$f"; then leak="$leak $f"; fi
	done
done
[ -z "$leak" ] && ok "no secret value in any output" || not_ok "secret value found in:$leak"
if lab_vsphere_unchanged >"$T/vs.diff"; then ok "vSphere inventory as at start"; else not_ok "vSphere inventory as at start"; sed -n '1,20p' "$T/vs.diff" | diag_stdin; fi

# SIGINT while a migration copies: the Migration is canceled, the teardown
# runs, exit 2, nothing left behind
if [ -x "$MTV_SCENARIO" ]; then
	lab_control POST /forklift/rates '{"fallback_mib_s": 500, "xcopy_mib_s": 500}' >/dev/null
	"$MTV_SCENARIO" run --storage-class "$(lab_get storage_class || echo lab-block)" \
		-p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" "$srcdir/scenarios.d/thin.yaml" \
		>"$T/int.out" 2>"$T/int.err" &
	pid=$!
	if timeout 120 grep -q -m1 'CopyDisks' <(tail -F "$T/int.err" 2>/dev/null); then
		kill -INT $pid
	fi
	wait $pid
	rc=$?
	[ $rc -eq 2 ] && ok "SIGINT during the copy: exit 2" || { not_ok "SIGINT during the copy: exit 2 (got $rc)"; sed -n '1,30p' "$T/int.err" | diag_stdin; }
	contains "the running Migration is canceled" "$T/int.err" "canceling migration"
	cluster_clean "interrupted run" "$T/before"
	lab_control POST /forklift/reset >/dev/null
fi
