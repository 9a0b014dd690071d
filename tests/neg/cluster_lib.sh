# cluster_lib.sh: helpers of the cluster-step tests (t_cluster*.sh,
# t_negative.sh): generate a plan of cluster-side steps against the lab
# (cluster_plan.py), run it with mtv-test-tool cluster, and check that nothing
# is left behind.

# cluster_dump PREFIX: the lab's cluster objects (no events) and
# authorized_keys in PREFIX.kube and PREFIX.keys; "not ok" with the cause,
# and a non-zero return, when the lab cannot be read.
cluster_dump() {
	lab_state_read "the lab's state is read (${1##*/})" "$1" kube keys
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
	lab_state_read "$1: the lab's state is read" "$T/after.$$" kube keys || return
	same_file "$1: no cluster object left" "$2.kube" "$T/after.$$.kube"
	same_file "$1: authorized_keys as before" "$2.keys" "$T/after.$$.keys"
}
