#!/bin/bash
# t_cluster_faults.sh: the cluster-side steps ride out API faults injected
# by the lab: dropped watches, 410 on re-watch, 429 bursts with
# Retry-After, 503s and an expired token mid-run; the run still succeeds
# and leaves nothing behind.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"
. "$srcdir/tests/neg/cluster_lib.sh"

[ -x "$MTV_TEST_TOOL" ] || skip_all "tests/mtv-test-tool is not built"
lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
cluster_dump "$T/before" || exit 1
# a migration long enough for watches to be cut under it
lab_control POST /forklift/rates '{"xcopy_mib_s": 4096}' >/dev/null

n=0
for fault in \
	'{"verb":"watch","resource":"plans","count":3,"kind":"drop-watch"}' \
	'{"verb":"watch","resource":"plans","count":2,"kind":"410-watch"}' \
	'{"verb":"*","resource":"*","count":5,"kind":"429","retry_after":1}' \
	'{"verb":"*","resource":"*","count":4,"kind":"5xx","status":503}' \
	'{"verb":"*","resource":"*","count":1,"kind":"expire-token"}'; do
	n=$((n + 1))
	kind=$(printf '%s' "$fault" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["kind"])')
	lab_control POST /kube/fault "$fault" >/dev/null || { not_ok "$kind: fault armed"; continue; }
	cluster_run ok hflt0$n
	if [ $rc -eq 0 ]; then ok "$kind: the run still succeeds"; else not_ok "$kind: the run still succeeds (exit $rc)"; sed -n '1,40p' "$T/hflt0$n.err" | diag_stdin; fi
	lab_control DELETE /kube/fault >/dev/null
	cluster_clean "$kind" "$T/before"
done

# every fault at once during a whole scenario through mtv-scenario run
if [ -x "$MTV_SCENARIO" ]; then
	for fault in \
		'{"verb":"watch","resource":"plans","count":2,"kind":"drop-watch"}' \
		'{"verb":"watch","resource":"*","count":2,"kind":"410-watch"}' \
		'{"verb":"*","resource":"*","count":4,"kind":"429","retry_after":1}' \
		'{"verb":"*","resource":"*","count":3,"kind":"5xx","status":503}' \
		'{"verb":"*","resource":"*","count":1,"kind":"expire-token"}'; do
		lab_control POST /kube/fault "$fault" >/dev/null
	done
	"$MTV_SCENARIO" run --storage-class "$(lab_get storage_class || echo lab-block)" \
		-p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" "$srcdir/scenarios.d/thin.yaml" \
		>"$T/all.out" 2>"$T/all.err"
	rc=$?
	[ $rc -eq 0 ] && ok "all faults during a scenario run: it still passes" || { not_ok "all faults during a scenario run: it still passes (exit $rc)"; sed -n '1,40p' "$T/all.err" | diag_stdin; }
	lab_control DELETE /kube/fault >/dev/null
	cluster_clean "all faults" "$T/before"
fi
