#!/bin/bash
# t_release_lab.sh: the MTV release a run finds on the cluster, against
# mtv-lab --mtv VERSION (tests/lab/mtv_release.go): the cluster preflight
# prints it; a scenario that needs a field the release lacks is refused
# there, naming the release, with exit 4 and nothing created; run --mtv
# refuses it before contacting anything.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

plan 7

# run SCENARIO [options]: mtv-scenario run against the lab; $rc, $T/run.out,
# $T/run.err
run() {
	local scn=$1
	shift
	"$MTV_SCENARIO" run --storage-class "$(lab_get storage_class)" \
		-p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" "$@" \
		"$srcdir/scenarios.d/$scn.yaml" >"$T/run.out" 2>"$T/run.err"
	rc=$?
}

# --- 2.10: no Plan.spec.rdmAsLun
lab_start --mtv 2.10 || { not_ok "the lab starts as MTV 2.10"; exit 1; }
ok "the lab starts as MTV 2.10"
lab_state_read "the lab's state is read" "$T/before" kube || exit 1

run rdm-virtual
[ "$rc" -eq 4 ] && ok "rdm-virtual on 2.10: refused by the cluster preflight, exit 4" ||
	{ not_ok "rdm-virtual on 2.10: exit 4 (exit $rc)"; sed -n '1,30p' "$T/run.err" | diag_stdin; }
contains "the refusal names the cluster's version and the first release with the field" "$T/run.err" \
	"scenarios.d/rdm-virtual.yaml: rdm_as_lun needs MTV 2.11 or newer; the cluster runs MTV 2.10.6"
lab_state_read "the lab's state is read again" "$T/after" kube || exit 1
same_file "nothing was created on the cluster" "$T/before.kube" "$T/after.kube"

# run --mtv: the release is named; the plan is refused before anything
run rdm-virtual --mtv 2.9
[ "$rc" -eq 4 ] && ok "run --mtv 2.9 rdm-virtual: refused before anything, exit 4" ||
	{ not_ok "run --mtv 2.9: exit 4 (exit $rc)"; sed -n '1,30p' "$T/run.err" | diag_stdin; }
contains "run --mtv: the refusal names the release" "$T/run.err" \
	"rdm_as_lun needs MTV 2.11 or newer (Plan.spec.rdmAsLun); the plan is for MTV 2.9"
lab_stop

# --- 2.11: the preflight line names the release found (the cluster
# preflight alone, through mtv-test-tool)
lab_start --mtv 2.11 || { not_ok "the lab starts as MTV 2.11"; exit 1; }
"$MTV_SCENARIO" plan --format json --storage-class "$(lab_get storage_class)" \
	-p "$LAB_PROVIDERS" "$srcdir/scenarios.d/thin.yaml" >"$T/thin.json"
"$PYTHON3" -c '
import json, sys
p = json.load(open(sys.argv[1]))
p["steps"] = [s for s in p["steps"] if (s["kind"], s["side"]) == ("preflight", "cluster")]
p["teardown"] = []
json.dump(p, open(sys.argv[1], "w"))' "$T/thin.json"
"$MTV_TEST_TOOL" cluster run "$LAB_KUBECONFIG" "$T/thin.json" "$LAB_PROVIDERS" \
	>"$T/pf.out" 2>"$T/pf.err"
contains "the preflight prints the release found" "$T/pf.err" \
	"cluster preflight: MTV 2.11.7 (release 2.11) installed"
