# cluster_lib.sh: helpers of the cluster-step tests (t_cluster*.sh,
# t_negative.sh): generate a plan of cluster-side steps against the lab
# (cluster_plan.py), run it with mtv-test-tool cluster, and check that nothing
# is left behind.

# cluster_dump FILE: the lab's cluster objects (no events), one per line.
cluster_dump() {
	lab_control GET /kube/objects | "$PYTHON3" -c '
import json, sys
objs = json.load(sys.stdin)
items = objs.get("items", objs) if isinstance(objs, dict) else objs
out = []
for o in items if isinstance(items, list) else []:
    m = o.get("metadata", {})
    if o.get("kind") in ("Event",):
        continue
    out.append("%s %s/%s" % (o.get("kind"), m.get("namespace", ""), m.get("name")))
print("\n".join(sorted(out)))' >"$1"
	cp "$(lab_get esxi.authorized_keys)" "$1.keys" 2>/dev/null || : >"$1.keys"
}

# cluster_run VARIANT RUN: generate and run; exit status in $rc, output in
# $T/RUN.out and $T/RUN.err; the clones are destroyed afterwards.
cluster_run() {
	local variant=$1 run=$2
	if ! "$PYTHON3" "$srcdir/tests/neg/cluster_plan.py" <(printf '%s' "$LAB_JSON") \
		"$variant" "$run" >"$T/$run.json" 2>"$T/$run.gen"; then
		rc=99
		sed -n '1,20p' "$T/$run.gen" | diag_stdin
		return
	fi
	"$MTV_TEST_TOOL" cluster run "$LAB_KUBECONFIG" "$T/$run.json" >"$T/$run.out" 2>"$T/$run.err"
	rc=$?
	"$PYTHON3" "$srcdir/tests/neg/cluster_plan.py" <(printf '%s' "$LAB_JSON") --destroy "$run" \
		>/dev/null 2>&1
}

# cluster_clean DESC BEFORE: the cluster and authorized_keys are as in BEFORE.
cluster_clean() {
	cluster_dump "$T/after.$$"
	same_file "$1: no cluster object left" "$2" "$T/after.$$"
	same_file "$1: authorized_keys as before" "$2.keys" "$T/after.$$.keys"
}
