#!/bin/bash
# The lab's API server per MTV release (mtv-lab --mtv VERSION), driven with
# kubectl on hand-written manifests: CRD pruning and fieldValidation,
# schemas published to kubectl, the release the operator reports, the
# ForkliftController knobs and the feature_copy_offload gate.
# (tests/lab/forklift_crds.go, forklift_operator.go, README.md "MTV releases")
# Runs every release with the newest kubectl of lab_kubectls and 2.9 with
# the others. Environment: MTV_LAB, KUBECTL, MTV_KUBECTLS,
# MTV_RELEASES (releases to run with every kubectl).
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${builddir:=$srcdir}"
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"
: "${KUBECTL:=kubectl}"
: "${MTV_RELEASES:=}"

if [ ! -x "${MTV_LAB:-$builddir/mtv-lab}" ]; then
	skip_all "mtv-lab is not built"
fi
[ -n "$(lab_kubectls)" ] || skip_all "kubectl not found (install Debian's kubernetes-client or set MTV_KUBECTLS)"

# the version each release's operator CSV carries
csv_version() {
	case $1 in
	2.9) echo 2.9.2 ;; 2.10) echo 2.10.6 ;; 2.11) echo 2.11.7 ;; 2.12) echo 2.12.5 ;; main) echo 2.13.0 ;;
	esac
}
# since FIRST: the release under test ($R) knows what came with FIRST
since() {
	local order="2.9 2.10 2.11 2.12 main" x seen=
	for x in $order; do
		[ "$x" = "$1" ] && seen=1
		[ "$x" = "$R" ] && { [ -n "$seen" ]; return; }
	done
	return 1
}
K() { "$KUBECTL" --request-timeout=20s "$@"; }
: "${PYTHON3:=python3}"
# field FILE PATH...: print the value at PATH (dot-separated, [N] for
# list items) of each kubectl JSON List item in FILE, "-" when absent
field() {
	"$PYTHON3" - "$@" <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
items = doc.get("items", [doc])
for path in sys.argv[2:]:
    kind, _, p = path.partition(":")
    v = next(i for i in items if i["kind"] == kind)
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", p):
        if part.startswith("["):
            v = v[int(part[1:-1])] if isinstance(v, list) and len(v) > int(part[1:-1]) else None
        else:
            v = v.get(part) if isinstance(v, dict) else None
    print("-" if v is None else json.dumps(v) if not isinstance(v, str) else v)
PY
}
# envs FILE: "DEPLOYMENT NAME=VALUE ..." for the Deployments in FILE
envs() {
	"$PYTHON3" - "$1" <<'PY'
import json, sys
for d in json.load(open(sys.argv[1]))["items"]:
    if d["kind"] == "Deployment":
        e = d["spec"]["template"]["spec"]["containers"][0].get("env") or []
        print(d["metadata"]["name"], " ".join("%s=%s" % (x["name"], x.get("value", "")) for x in e))
PY
}

objects_yaml() { # a Plan with fields not every release knows, a populator CR with status
	cat <<EOF2
apiVersion: forklift.konveyor.io/v1beta1
kind: VSphereXcopyVolumePopulator
metadata: {name: vx, namespace: openshift-mtv}
spec: {vmId: vm-1, vmdkPath: '[ds] vm/vm.vmdk', secretName: s, storageVendorProduct: ontap}
status: {progress: '100', xcopyUsed: '1'}
EOF2
	plan_yaml p1
}
plan_yaml() { # NAME
	cat <<EOF2
---
apiVersion: forklift.konveyor.io/v1beta1
kind: Plan
metadata: {name: $1, namespace: openshift-mtv}
spec:
  provider:
    source: {name: host, namespace: openshift-mtv}
    destination: {name: host, namespace: openshift-mtv}
  map:
    network: {name: "net", namespace: openshift-mtv}
    storage: {name: "stor", namespace: openshift-mtv}
  targetNamespace: default
  warm: true
  type: warm
  rdmAsLun: true
  foo: bar
  vms: [{id: vm-1, bogus: "1"}]
EOF2
}

# want_env FILE DEPLOYMENT NAME VALUE ("" = absent); FILE.env caches envs FILE
want_env() {
	local line
	[ -s "$1.env" ] || envs "$1" >"$1.env"
	line=$(grep "^$2 " "$1.env")
	if [ -n "$4" ]; then
		case " $line " in *" $3=$4 "*) return 0 ;; esac
	else
		case " $line " in *" $3="*) ;; *) return 0 ;; esac
	fi
	echo "$line (want $3='$4')"
	return 1
}

release_tests() {
	local P="[$V] [$R] " v want i
	if ! lab_start --mtv "$R"; then
		not_ok "${P}mtv-lab --mtv $R starts"
		return
	fi
	export KUBECONFIG=$LAB_KUBECONFIG
	check "${P}the ready line names the release" test "$(lab_get mtv)" = "$R"
	v=$(csv_version "$R")
	K -n openshift-mtv get csv >"$T/csv" 2>&1
	check "${P}kubectl get csv: mtv-operator.v$v, VERSION $v, Succeeded" grep -Eq "^mtv-operator\.v$v +.* $v +.*Succeeded" "$T/csv"
	objects_yaml >"$T/objs.yaml"
	plan_yaml p2 >"$T/p2.yaml"
	# --validate=false: the client sends what is written (fieldValidation=Ignore)
	check "${P}a Plan with fields the release does not know is created (--validate=false)" \
		K create --validate=false -f "$T/objs.yaml"
	K get -n openshift-mtv plan/p1 vxvp/vx crd/plans.forklift.konveyor.io deploy/forklift-controller \
		deploy/forklift-volume-populator-controller -o json >"$T/got.json"
	rm -f "$T/got.json.env"
	field "$T/got.json" Plan:spec.foo Plan:spec.warm Plan:spec.type Plan:spec.rdmAsLun 'Plan:spec.vms[0].bogus' \
		VSphereXcopyVolumePopulator:status.progress VSphereXcopyVolumePopulator:status.xcopyUsed | tr '\n' ' ' >"$T/fields"
	want="- true $(since 2.10 && echo warm || echo -) $(since 2.11 && echo true || echo -) - 100 $(since 2.12 && echo 1 || echo -) "
	check "${P}it comes back pruned: foo, vms[].bogus gone; warm kept; type $(since 2.10 && echo kept || echo pruned); rdmAsLun $(since 2.11 && echo kept || echo pruned); populator status.xcopyUsed $(since 2.12 && echo kept || echo pruned)" \
		test "$(cat "$T/fields")" = "$want"
	check "${P}the CRD object publishes the release's Plan schema (spec.type $(since 2.10 || echo "absent")$(since 2.10 && echo "a string"))" \
		test "$(field "$T/got.json" CustomResourceDefinition:spec.versions.[0].schema.openAPIV3Schema.properties.spec.properties.type.type)" \
		= "$(since 2.10 && echo string || echo -)"
	check "${P}feature_copy_offload $(since 2.11 && echo on || echo off) by default (FEATURE_COPY_OFFLOAD of forklift-controller)" \
		want_env "$T/got.json" forklift-controller FEATURE_COPY_OFFLOAD "$(since 2.11 && echo true)"
	if [ "$KMINOR" -ge 25 ]; then
		expect_exit 1 "${P}kubectl create --validate=strict refuses the unknown fields" \
			K create --validate=strict -f "$T/p2.yaml"
		contains "${P}with the API server's strict decoding error" "$T/err" \
			'Plan in version "v1beta1" cannot be handled as a Plan: strict decoding error: unknown field "spec.foo"'
		if since 2.10; then
			lacks "${P}spec.type is a field of this release" "$T/err" 'unknown field "spec.type"'
		else
			contains "${P}spec.type is unknown to this release" "$T/err" 'unknown field "spec.type"'
		fi
	else
		expect_exit 1 "${P}kubectl create --validate=true refuses the unknown field (client side, from /openapi/v2)" \
			K create --validate=true -f "$T/p2.yaml"
		contains "${P}client-side validation names the field" "$T/err" 'unknown field "foo"'
	fi
	# ForkliftController: the knob stays in the CR on every release; the
	# operator renders it from 2.11 only
	K -n openshift-mtv patch forkliftcontroller forklift-controller --type merge \
		-p '{"spec":{"controller_max_populator_inflight":5,"feature_copy_offload":"true"}}' >/dev/null
	for i in $(seq 30); do
		K -n openshift-mtv get forkliftcontroller,deploy -o json >"$T/fc.json"
		rm -f "$T/fc.json.env"
		want_env "$T/fc.json" forklift-controller FEATURE_COPY_OFFLOAD true >/dev/null &&
			want_env "$T/fc.json" forklift-volume-populator-controller MAX_POPULATOR_INFLIGHT "$(since 2.11 && echo 5)" >/dev/null &&
			break
		sleep 0.1
	done
	check "${P}controller_max_populator_inflight is kept in the ForkliftController" \
		test "$(field "$T/fc.json" ForkliftController:spec.controller_max_populator_inflight)" = 5
	check "${P}MAX_POPULATOR_INFLIGHT $(since 2.11 && echo "rolled out" || echo "not rendered by this operator")" \
		want_env "$T/fc.json" forklift-volume-populator-controller MAX_POPULATOR_INFLIGHT "$(since 2.11 && echo 5)"
	check "${P}feature_copy_offload: 'true' turns FEATURE_COPY_OFFLOAD on" \
		want_env "$T/fc.json" forklift-controller FEATURE_COPY_OFFLOAD true
	lab_stop
}

# every release with the newest kubectl, 2.9 with the others
# (MTV_RELEASES overrides)
run_kubectl() {
	local rels=$MTV_RELEASES
	if [ -z "$rels" ]; then
		rels=2.9
		[ "$V" = "$NEWEST" ] && rels="2.9 2.10 2.11 2.12 main"
	fi
	for R in $rels; do
		release_tests
	done
}
NEWEST=$(lab_kubectls | tail -n 1 | cut -d' ' -f1)
lab_each_kubectl run_kubectl
