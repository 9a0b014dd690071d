#!/bin/bash
# t_watch_requests.sh: a migration's Kubernetes requests do not grow with
# its length: fallback-large with a 1 s and an 11 s simulated copy (the
# lab's fallback rate) sends the same requests but for at most 2 watch
# renewals (the lab's counters, per verb and resource; counts, not times).
# The verify lines of the runs count and name things right.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
sed -i 's/^\(    esxi_clone_method: \).*/\1"vib"/' "$LAB_PROVIDERS"

# copy: the 100 GiB disk copies in $1 seconds; counts in $T/$1.json
copy_run() {
	lab_control POST /forklift/rates \
		"{\"fallback_mib_s\": $((102400 / $1))}" >/dev/null &&
	lab_control POST /kube/counts/reset >/dev/null &&
	"$MTV_SCENARIO" run -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		"$srcdir/scenarios.d/fallback-large.yaml" >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
	lab_control GET /kube/counts >"$T/$1.json"
	return $rc
}

test_expect_success 'fallback-large passes with a 1 s copy' 'copy_run 1'
test_expect_success 'fallback-large passes with an 11 s copy' 'copy_run 11'

# the requests about the migration's objects but watches must be the
# same; the whole run's total may differ by 2 (what a wait renews, or
# saves by listing an object already in the state it waits for)
test_expect_success 'requests do not grow with the copy time' '
	"$PYTHON3" - "$T/1.json" "$T/11.json" <<-\PY
	import json, sys
	a, b = (json.load(open(f)) for f in sys.argv[1:3])
	bad = 0
	mig = ("plans", "migrations", "pods", "pods/log", "secrets",
	       "vspherexcopyvolumepopulators", "persistentvolumeclaims",
	       "datavolumes", "events")
	for k in sorted(set(a) | set(b)):
	    verb, res = k.split()
	    if verb != "watch" and res in mig and a.get(k, 0) != b.get(k, 0):
	        print("%s: %d with a 1 s copy, %d with an 11 s copy"
	              % (k, a.get(k, 0), b.get(k, 0)))
	        bad = 1
	ta, tb = sum(a.values()), sum(b.values())
	print("total: %d with a 1 s copy, %d with an 11 s copy" % (ta, tb))
	sys.exit(1 if bad or tb - ta > 2 else 0)
	PY
'

# the PVC line names the VM, not its MoID
test_expect_success 'the PVC check names the VM, not its MoID' '
	test_grep "PVCs of vm '"'"'" "$T/11.err" &&
	test_must_fail grep -E "PVCs? of vm '"'"'vm-[0-9]+'"'"'" "$T/11.err"
'
