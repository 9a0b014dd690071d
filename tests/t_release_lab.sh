#!/bin/bash
# t_release_lab.sh: the MTV release a run finds on the cluster, against
# mtv-lab --mtv VERSION (tests/lab/mtv_release.go): the cluster preflight
# prints it; a scenario that needs a field the release lacks is refused
# there, naming the release, with exit 4 and nothing created; run --mtv
# refuses it before contacting anything.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

plan 15

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

# 2.10's operator leaves copy-offload off unless feature_copy_offload is
# set (operator/roles/forkliftcontroller/defaults/main.yml): a copy-offload
# scenario stops at the cluster preflight instead of copying through VDDK
run thin
[ "$rc" -ne 0 ] && ok "thin on 2.10 without feature_copy_offload: stopped (exit $rc)" ||
	not_ok "thin on 2.10 without feature_copy_offload: stopped (exit 0)"
contains "the preflight names the gate and the release" "$T/run.err" \
	'copy-offload is off in MTV 2.10: the ForkliftController in '"'"'openshift-mtv'"'"' needs feature_copy_offload: "true" (this release leaves it off unless it is set)'
lab_state_read "the lab's state is read after thin" "$T/after2" kube || exit 1
same_file "thin on 2.10 created nothing either" "$T/before.kube" "$T/after2.kube"

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

# --- every release: what plan --mtv VERSION prints for every scenario is
# kept whole by that release's CRDs (the structural schemas its API server
# prunes with, read from the lab), or the scenario is refused
cat >"$T/kept.py" <<'PY'
import glob, json, os, sys
crds_file, plans_dir, release = sys.argv[1:4]
text = open(crds_file).read()
crds = json.loads(text[text.index(' ') + 1:])['items']
schemas = {}
for c in crds:
    for v in c['spec'].get('versions', []):
        if v['name'] == 'v1beta1' and c['spec']['group'] == 'forklift.konveyor.io':
            schemas[c['spec']['names']['kind']] = \
                v['schema']['openAPIV3Schema']['properties']['spec']


def walk(s, v, path, bad):
    """the members of v that schema s would prune"""
    if s is None:
        return
    props = s.get('properties')
    ap = s.get('additionalProperties')
    if isinstance(v, dict):
        for k, x in v.items():
            if props is not None and k in props:
                walk(props[k], x, path + '.' + k, bad)
            elif isinstance(ap, dict):
                walk(ap, x, path + '.' + k, bad)
            elif not (ap is True or s.get('x-kubernetes-preserve-unknown-fields')):
                bad.append(path + '.' + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(s.get('items'), x, '%s[%d]' % (path, i), bad)


bad, n = [], 0
for f in sorted(glob.glob(plans_dir + '/*.json')):
    if os.path.getsize(f) == 0:
        continue
    ps = json.load(open(f))
    for p in ps if isinstance(ps, list) else [ps]:
        for st in p['steps']:
            pa = st['params']
            ms = [pa['manifest']] if 'manifest' in pa else []
            ms += [m['manifest'] for m in pa.get('migrations', [])]
            if 'forklift_settings' in pa:
                ms.append({'kind': 'ForkliftController',
                           'spec': pa['forklift_settings']['spec']})
            for m in ms:
                if m.get('apiVersion', 'forklift.konveyor.io/v1beta1') != \
                        'forklift.konveyor.io/v1beta1':
                    continue
                n += 1
                b = []
                walk(schemas[m['kind']], m['spec'], m['kind'] + '.spec', b)
                bad += ['%s: %s' % (p['scenario']['file'], x) for x in b]
if bad or n == 0:
    sys.exit('%s: %d objects; pruned: %s' % (release, n, '; '.join(bad)))
PY
kept_whole() {
	local r=$1 f
	mkdir -p "$T/k$r"
	"$MTV_TEST_TOOL" kube --kubeconfig "$LAB_KUBECONFIG" request GET \
		/apis/apiextensions.k8s.io/v1/customresourcedefinitions >"$T/k$r/crds"
	# one plan call: the files this release does not refuse (t_release.sh
	# checks the refusals)
	# shellcheck disable=SC2046
	"$MTV_SCENARIO" plan --format json --mtv "$r" --storage-class "$(lab_get storage_class)" \
		-p "$LAB_PROVIDERS" $(case $r in 2.9|2.10) grep -L -E \
			'^rdm_as_lun: *true|max_populator_inflight' "$srcdir"/scenarios.d/*.yaml ;;
			*) echo "$srcdir/scenarios.d/" ;; esac) >"$T/k$r/all.json" 2>"$T/k$r/err" ||
		echo "plan --mtv $r failed: $(cat "$T/k$r/err")" >"$T/k$r/fail"
	check "$r: every object a plan for MTV $r sends is kept whole by its CRDs" \
		sh -c "! cat '$T/k$r/fail' 2>/dev/null && '$PYTHON3' '$T/kept.py' '$T/k$r/crds' '$T/k$r' '$r'"
}
kept_whole 2.11
lab_stop
for r in 2.9 2.10 2.12 main; do
	lab_start --mtv "$r" || { not_ok "the lab starts as MTV $r"; continue; }
	kept_whole "$r"
	lab_stop
done
