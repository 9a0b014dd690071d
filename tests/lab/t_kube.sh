#!/bin/bash
# Conformance of the lab's Kubernetes/OpenShift API server with clients
# nobody here wrote: kubectl (against the generated kubeconfig) and Debian's
# python3-kubernetes (test_kube_client.py).
# The kubectl block runs once per client of lab_kubectls (tests/lab/lab.sh:
# the oldest and the newest found, e.g. Debian's 1.20 and 1.33).
# Environment: MTV_LAB (default $builddir/mtv-lab), KUBECTL (default kubectl),
# MTV_KUBECTLS (kubectl paths, space-separated: run the block with each).
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${builddir:=$srcdir}"
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"
: "${KUBECTL:=kubectl}"

if [ ! -x "${MTV_LAB:-$builddir/mtv-lab}" ]; then
	skip_all "mtv-lab is not built"
fi
if ! lab_start; then
	not_ok "mtv-lab starts"
	exit 1
fi
ok "mtv-lab starts with the Kubernetes API server"

export KUBECONFIG=$LAB_KUBECONFIG KUBECTL LAB_PYTHON
export -f lab_get
K() { "$KUBECTL" --request-timeout=20s "$@"; }
viewer=$(lab_get kube.viewer_token)

# ---------------------------------------------------------------- contract
check "ready line has kube.server/token/ca_file/kubeconfig/username/password and storage_class" \
	bash -c 'for k in kube.server kube.token kube.ca_file kube.kubeconfig kube.username kube.password kube.viewer_token; do
		v=$(lab_get $k) && [ -n "$v" ] || { echo "missing $k"; exit 1; }; done
		[ "$(lab_get storage_class)" = lab-block ]'
check "kubeconfig names the CA file and the token" \
	bash -c 'grep -q "certificate-authority: " "$KUBECONFIG" && grep -q "token: " "$KUBECONFIG" && grep -q "^current-context: " "$KUBECONFIG"'

# ---------------------------------------------------------------- content types, OpenAPI (curl)
# kapi ARGS...: curl the API server as kube:admin
kapi() { curl -sS --cacert "$(lab_get kube.ca_file)" -H "Authorization: Bearer $(lab_get kube.token)" "$@"; }
export -f kapi
srv=$(lab_get kube.server)
# a ConfigMap "pbcap" {k: v} in namespace default, encoded as kubectl 1.32+ does
printf 'k8s\0\n\x0f\n\x02v1\x12\x09ConfigMap\x12\x1a\n\x10\n\x05pbcap\x1a\x07default\x12\x06\n\x01k\x12\x01v' >"$T/cm.pb"
check "protobuf body of a built-in kind (ConfigMap) is decoded: 201, stored as sent" \
	bash -c '[ "$(kapi -o "$1" -w "%{http_code}" -X POST -H "Content-Type: application/vnd.kubernetes.protobuf" \
			-H "Accept: application/vnd.kubernetes.protobuf,application/json" --data-binary @"$2" "$3/api/v1/namespaces/default/configmaps")" = 201 ] &&
		grep -q "\"data\":{\"k\":\"v\"}" "$1" && grep -q "\"name\":\"pbcap\"" "$1"' _ "$T/pb.out" "$T/cm.pb" "$srv"
check "protobuf body of a custom resource: 415 UnsupportedMediaType naming JSON and YAML" \
	bash -c '[ "$(kapi -o "$1" -w "%{http_code}" -X POST -H "Content-Type: application/vnd.kubernetes.protobuf" \
			--data-binary @"$2" "$3/apis/forklift.konveyor.io/v1beta1/namespaces/default/hooks")" = 415 ] &&
		grep -q "UnsupportedMediaType" "$1" && grep -q "accepted media types include: application/json, application/yaml" "$1"' _ "$T/pb.out" "$T/cm.pb" "$srv"
check "Accept without JSON: 406 NotAcceptable" \
	bash -c '[ "$(kapi -o "$1" -w "%{http_code}" -H "Accept: application/vnd.kubernetes.protobuf" "$2/api/v1/namespaces/default/configmaps/pbcap")" = 406 ] &&
		grep -q NotAcceptable "$1"' _ "$T/pb.out" "$srv"
check "/openapi/v2: JSON with the Plan definition and its group-version-kind; protobuf on request" \
	bash -c 'kapi -f "$2/openapi/v2" | "$PYTHON3" -c "import json,sys; d=json.load(sys.stdin)[\"definitions\"][\"io.konveyor.forklift.v1beta1.Plan\"]; assert d[\"x-kubernetes-group-version-kind\"]==[{\"group\":\"forklift.konveyor.io\",\"kind\":\"Plan\",\"version\":\"v1beta1\"}]" &&
		kapi -f -D "$1" -o /dev/null -H "Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf" "$2/openapi/v2" &&
		grep -qi "^content-type: application/com.github.proto-openapi.spec.v2.v1.0+protobuf" "$1"' _ "$T/pb.hdr" "$srv"
check "/openapi/v3 index points to per group-version documents with the CRD schemas" \
	bash -c 'u=$(kapi -f "$1/openapi/v3" | "$PYTHON3" -c "import json,sys; print(json.load(sys.stdin)[\"paths\"][\"apis/forklift.konveyor.io/v1beta1\"][\"serverRelativeURL\"])") &&
		kapi -f "$1$u" | "$PYTHON3" -c "import json,sys; s=json.load(sys.stdin)[\"components\"][\"schemas\"]; assert \"storageVendorProduct\" in json.dumps(s[\"io.konveyor.forklift.v1beta1.StorageMap\"])"' _ "$srv"

# skip_test REASON: a test this kubectl cannot run (reported as SKIP).
skip_test() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $*"; }

# kubectl_tests: the kubectl conformance block, run once per kubectl
# (KUBECTL, its version V and minor number KMINOR; test names start with
# "[V] "); old clients get the equivalent checks of their era.
kubectl_tests() {
	local P="[$V] " ns=kt-$$-$KMINOR
	# ------------------------------------------------------------ discovery
	check "${P}kubectl api-resources lists forklift, kubevirt and cdi resources" \
		bash -c 'K() { "$KUBECTL" --request-timeout=20s "$@"; }; K api-resources >"$1" &&
			for r in plans migrations providers storagemaps networkmaps hooks hosts forkliftcontrollers \
				vspherexcopyvolumepopulators virtualmachines datavolumes storageclasses persistentvolumeclaims; do
				grep -q "^$r " "$1" || { echo "no $r"; exit 1; }; done && grep -q "vxvp" "$1"' _ "$T/apires"
	check "${P}kubectl api-resources --api-group=forklift.konveyor.io --namespaced -o name" \
		bash -c '"$KUBECTL" api-resources --api-group=forklift.konveyor.io --namespaced -o name | grep -qx plans.forklift.konveyor.io'
	check "${P}pre-created namespaces, storage classes, ForkliftController, CRDs" \
		bash -c 'K() { "$KUBECTL" --request-timeout=20s "$@"; }
			K get ns openshift-mtv default -o name &&
			K get sc lab-block lab-fs -o name &&
			[ "$(K -n openshift-mtv get forkliftcontroller forklift-controller -o jsonpath="{.spec.feature_volume_populator}")" = true ] &&
			K -n openshift-mtv get deploy forklift-controller -o jsonpath="{.spec.template.spec.containers[0].env}" | grep -q FEATURE_COPY_OFFLOAD &&
			K get crd plans.forklift.konveyor.io virtualmachines.kubevirt.io datavolumes.cdi.kubevirt.io -o name'
	check "${P}kubectl explain storagemaps.spec.map.offloadPlugin.vsphereXcopyConfig lists its fields" \
		bash -c '"$KUBECTL" explain storagemaps.spec.map.offloadPlugin.vsphereXcopyConfig >"$1" &&
			grep -q "StorageMap" "$1" && grep -q "storageVendorProduct" "$1" && grep -q "secretRef" "$1"' _ "$T/explain"
	if [ "$KMINOR" -ge 27 ]; then
		check "${P}kubectl explain plans.spec (OpenAPI v3) lists targetNamespace and vms" \
			bash -c '"$KUBECTL" explain plans.spec >"$1" && grep -q "targetNamespace" "$1" && grep -q "vms" "$1"' _ "$T/explain"
	else
		check "${P}kubectl explain plans.spec (OpenAPI v2)" \
			bash -c '"$KUBECTL" explain plans.spec >"$1" && grep -q "KIND: *Plan" "$1"' _ "$T/explain"
	fi
	printf '%s\n' "apiVersion: v1" "kind: ConfigMap" "metadata: {name: typo, namespace: default, lables: {a: b}}" >"$T/typo.yaml"
	expect_exit 1 "${P}kubectl create of an object with an unknown metadata field fails" K create -f "$T/typo.yaml"
	if [ "$KMINOR" -ge 25 ]; then
		contains "${P}the server's strict decoding error names the field" "$T/err" 'strict decoding error: unknown field "metadata.lables"'
	else
		contains "${P}client-side validation names the field and ObjectMeta" "$T/err" 'unknown field "lables" in io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'
	fi

	# ------------------------------------------------------------ create / apply
	cat >"$T/ns.yaml" <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $ns
EOF
	cat >"$T/cm.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: applied
  namespace: $ns
  labels: {app: lab, tier: one}
data:
  key: first
EOF
	cat >"$T/prov.yaml" <<EOF
apiVersion: forklift.konveyor.io/v1beta1
kind: Provider
metadata:
  name: kt-host
  namespace: $ns
spec:
  type: openshift
  url: ""
  secret: {}
EOF
	check "${P}kubectl create -f (namespace)" K create -f "$T/ns.yaml"
	expect_exit 1 "${P}kubectl create -f of an existing object fails with AlreadyExists" K create -f "$T/ns.yaml"
	contains "${P}AlreadyExists message" "$T/err" "already exists"
	check "${P}kubectl apply creates a ConfigMap" K apply -f "$T/cm.yaml"
	sed -i 's/key: first/key: second/' "$T/cm.yaml"
	check "${P}kubectl apply updates it (strategic merge patch on a core type)" \
		bash -c '"$KUBECTL" apply -f "$1" | grep -q configured && [ "$("$KUBECTL" -n "$2" get cm applied -o jsonpath={.data.key})" = second ]' _ "$T/cm.yaml" "$ns"
	check "${P}kubectl apply creates a Provider" K apply -f "$T/prov.yaml"
	sed -i 's/url: ""/url: "https:\/\/other"/' "$T/prov.yaml"
	check "${P}kubectl apply updates a custom resource (merge patch) and bumps generation" \
		bash -c '"$KUBECTL" apply -f "$1" | grep -q configured &&
			[ "$("$KUBECTL" -n "$2" get provider kt-host -o jsonpath="{.spec.url} {.metadata.generation}")" = "https://other 2" ]' _ "$T/prov.yaml" "$ns"

	# ------------------------------------------------------------ patch
	check "${P}kubectl patch --type merge" \
		bash -c '"$KUBECTL" -n "$1" patch provider kt-host --type merge -p "{\"spec\":{\"settings\":{\"sdkEndpoint\":\"vcenter\"}}}" &&
			[ "$("$KUBECTL" -n "$1" get provider kt-host -o jsonpath={.spec.settings.sdkEndpoint})" = vcenter ]' _ "$ns"
	check "${P}kubectl patch --type json" \
		bash -c '"$KUBECTL" -n "$1" patch cm applied --type json -p "[{\"op\":\"add\",\"path\":\"/data/extra\",\"value\":\"x\"},{\"op\":\"remove\",\"path\":\"/data/key\"}]" &&
			[ "$("$KUBECTL" -n "$1" get cm applied -o jsonpath={.data})" = "{\"extra\":\"x\"}" ]' _ "$ns"
	expect_exit 1 "${P}kubectl patch (strategic) on a custom resource is refused" \
		K -n "$ns" patch provider kt-host -p '{"spec":{"url":"x"}}'
	contains "${P}415 message names the accepted media types" "$T/err" "application/merge-patch+json"
	check "${P}kubectl patch (strategic) on a core type" K -n "$ns" patch cm applied -p '{"metadata":{"labels":{"patched":"yes"}}}'

	# ------------------------------------------------------------ status subresource, wait
	cat >"$T/hook.yaml" <<EOF
apiVersion: forklift.konveyor.io/v1beta1
kind: Hook
metadata: {name: kt-hook, namespace: $ns}
spec: {image: quay.io/kubev2v/hook-runner, playbook: ""}
EOF
	K create -f "$T/hook.yaml" >/dev/null
	if [ "$KMINOR" -ge 24 ]; then
		check "${P}kubectl patch --subresource=status, then kubectl wait --for=condition" \
			bash -c '"$KUBECTL" -n "$1" patch hook kt-hook --subresource=status --type merge \
					-p "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"category\":\"Required\"}]}}" &&
				"$KUBECTL" -n "$1" wait --for=condition=Ready hook/kt-hook --timeout=10s &&
				[ "$("$KUBECTL" -n "$1" get hook kt-hook -o jsonpath={.metadata.generation})" = 1 ]' _ "$ns"
	else
		# kubectl before 1.24 has no --subresource: the status is patched with curl
		check "${P}status patched with curl (no kubectl patch --subresource before 1.24), then kubectl wait --for=condition" \
			bash -c 'curl -sSf --cacert "$(lab_get kube.ca_file)" -H "Authorization: Bearer $(lab_get kube.token)" -X PATCH \
					-H "Content-Type: application/merge-patch+json" \
					--data "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"category\":\"Required\"}]}}" \
					"$(lab_get kube.server)/apis/forklift.konveyor.io/v1beta1/namespaces/$1/hooks/kt-hook/status" >/dev/null &&
				"$KUBECTL" -n "$1" wait --for=condition=Ready hook/kt-hook --timeout=10s &&
				[ "$("$KUBECTL" -n "$1" get hook kt-hook -o jsonpath={.metadata.generation})" = 1 ]' _ "$ns"
	fi
	check "${P}kubectl get --raw users/~ names the token's user" \
		bash -c '"$KUBECTL" get --raw /apis/user.openshift.io/v1/users/~ | grep -q "\"name\":\"kube:admin\""'
	check "${P}kubectl create secret generic: the bytes of data round-trip" \
		bash -c '"$KUBECTL" -n "$1" create secret generic kt-sec --from-literal=pw="p w:é" >/dev/null &&
			[ "$("$KUBECTL" -n "$1" get secret kt-sec -o jsonpath={.data.pw} | base64 -d)" = "p w:é" ]' _ "$ns"
	check "${P}kubectl create serviceaccount" K -n "$ns" create serviceaccount kt-sa
	check "${P}kubectl create --dry-run=server stores nothing" \
		bash -c '"$KUBECTL" -n "$1" create cm dry --dry-run=server -o name && ! "$KUBECTL" -n "$1" get cm dry 2>/dev/null' _ "$ns"

	# ------------------------------------------------------------ validation
	cat >"$T/badmap.yaml" <<EOF
apiVersion: forklift.konveyor.io/v1beta1
kind: StorageMap
metadata: {name: bad-map, namespace: $ns}
spec:
  provider:
    source: {name: vsphere, namespace: $ns}
    destination: {name: kt-host, namespace: $ns}
  map:
  - source: {id: datastore-1}
    destination: {storageClass: lab-block, volumeMode: Raw}
    offloadPlugin: {vsphereXcopyConfig: {secretRef: s, storageVendorProduct: netapp}}
EOF
	expect_exit 1 "${P}kubectl create of a StorageMap violating the CRD schema fails" K create -f "$T/badmap.yaml"
	contains "${P}422 names storageVendorProduct and its enum" "$T/err" 'spec.map[0].offloadPlugin.vsphereXcopyConfig.storageVendorProduct: Unsupported value: "netapp"'
	contains "${P}422 names volumeMode" "$T/err" 'spec.map[0].destination.volumeMode: Unsupported value: "Raw"'

	sed 's/storageVendorProduct: netapp/storageVendorProduct: ontap, storageVendor: x/; s/volumeMode: Raw/volumeMode: Block/' "$T/badmap.yaml" >"$T/typomap.yaml"
	expect_exit 1 "${P}kubectl create (strict field validation) refuses an unknown field of a forklift CR" K create -f "$T/typomap.yaml"
	if [ "$KMINOR" -ge 25 ]; then
		contains "${P}strict decoding error names the field" "$T/err" 'unknown field "spec.map[0].offloadPlugin.vsphereXcopyConfig.storageVendor"'
	else
		# before server-side field validation kubectl checks with /openapi/v2
		contains "${P}client-side validation (from /openapi/v2) names the field and the schema" "$T/err" \
			'unknown field "storageVendor" in io.konveyor.forklift.v1beta1.StorageMap.spec.map.offloadPlugin.vsphereXcopyConfig'
	fi
	check "${P}kubectl create --validate=false: the unknown field is pruned" \
		bash -c '"$KUBECTL" create --validate=false -f "$1" &&
			[ "$("$KUBECTL" -n "$2" get storagemap bad-map -o jsonpath={.spec.map[0].offloadPlugin.vsphereXcopyConfig})" = "{\"secretRef\":\"s\",\"storageVendorProduct\":\"ontap\"}" ]' _ "$T/typomap.yaml" "$ns"

	# ------------------------------------------------------------ selectors, watch
	K -n "$ns" create cm sel-a >/dev/null && K -n "$ns" label cm sel-a env=prod >/dev/null
	K -n "$ns" create cm sel-b >/dev/null && K -n "$ns" label cm sel-b env=dev >/dev/null
	check "${P}kubectl get --selector (=, in, notin, exists)" \
		bash -c 'g() { "$KUBECTL" -n "$1" get cm --selector "$2" -o name | tr "\n" " "; }
			[ "$(g "$1" env=prod)" = "configmap/sel-a " ] &&
			[ "$(g "$1" "env in (dev,qa)")" = "configmap/sel-b " ] &&
			[ "$(g "$1" "env,env notin (dev)")" = "configmap/sel-a " ] &&
			[ "$(g "$1" env)" = "configmap/sel-a configmap/sel-b " ] &&
			[ "$(g "$1" "!env" | grep -c applied)" = 1 ]' _ "$ns"
	timeout 10 "$KUBECTL" -n "$ns" get cm -w --watch-only -o name >"$T/watch.out" 2>"$T/watch.err" &
	wpid=$!
	# wait (bounded) until the watch is registered, seen through the request counters
	lab_control POST /kube/counts/reset >/dev/null
	for _ in $(seq 50); do
		lab_control GET /kube/counts | grep -q '"watch configmaps"' && break
		sleep 0.1
	done
	K -n "$ns" create cm watched >/dev/null
	for _ in $(seq 50); do grep -q watched "$T/watch.out" && break; sleep 0.1; done
	kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null
	contains "${P}kubectl get -w sees a new object" "$T/watch.out" "configmap/watched"

	# ------------------------------------------------------------ auth
	expect_exit 1 "${P}kubectl with a bad token: Unauthorized" K --token=bad-token get ns
	contains "${P}401 message" "$T/err" "Unauthorized"
	check "${P}viewer token can read" K --token="$viewer" -n "$ns" get cm -o name
	expect_exit 1 "${P}viewer token cannot write" K --token="$viewer" -n "$ns" create cm nope
	contains "${P}403 message" "$T/err" 'User "viewer" cannot create resource "configmaps"'
	check "${P}kubectl auth can-i (SelfSubjectAccessReview)" \
		bash -c '[ "$("$KUBECTL" auth can-i create plans.forklift.konveyor.io -n default)" = yes ] &&
			[ "$("$KUBECTL" --token="$1" auth can-i create plans.forklift.konveyor.io -n default)" = no ] &&
			[ "$("$KUBECTL" --token="$1" auth can-i list plans.forklift.konveyor.io -n default)" = yes ]' _ "$viewer"
	if [ "$KMINOR" -ge 28 ]; then
		check "${P}kubectl auth whoami (SelfSubjectReview)" \
			bash -c '"$KUBECTL" --token="$1" auth whoami | grep -q "Username *viewer"' _ "$viewer"
	else
		skip_test "${P}kubectl auth whoami: authentication.k8s.io/v1 SelfSubjectReview needs kubectl 1.28"
	fi

	# ------------------------------------------------------------ delete, GC
	uid=$(K -n "$ns" get cm sel-a -o jsonpath={.metadata.uid})
	cat >"$T/child.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: child
  namespace: $ns
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: sel-a, uid: "$uid"}
EOF
	K create -f "$T/child.yaml" >/dev/null
	if [ "$KMINOR" -ge 27 ]; then
		check "${P}kubectl delete of an owner garbage-collects its dependents" \
			bash -c '"$KUBECTL" -n "$1" delete cm sel-a --wait=true && "$KUBECTL" -n "$1" wait --for=delete cm/child --timeout=10s' _ "$ns"
	else
		# old kubectl wait --for=delete fails on an object already gone: poll
		check "${P}kubectl delete of an owner garbage-collects its dependents (polled with kubectl get)" \
			bash -c '"$KUBECTL" -n "$1" delete cm sel-a --wait=true &&
				for i in $(seq 100); do "$KUBECTL" -n "$1" get cm child 2>&1 | grep -q NotFound && exit 0; sleep 0.1; done; exit 1' _ "$ns"
	fi
	check "${P}kubectl delete namespace removes it and its content" \
		bash -c '"$KUBECTL" delete ns "$1" --timeout=20s && ! "$KUBECTL" get ns "$1" 2>/dev/null &&
			[ "$(curl -sf "$LAB_CONTROL/kube/objects?namespace=$1" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)[\"count\"])")" = 0 ]' _ "$ns"
}

lab_each_kubectl kubectl_tests

# ---------------------------------------------------------------- python3-kubernetes
printf '%s\n' "$LAB_JSON" >"$T/ready.json"
if ! "$PYTHON3" -c 'import kubernetes' 2>/dev/null; then
	diag "python3-kubernetes not installed in $PYTHON3: python checks skipped"
else
	"$PYTHON3" "$srcdir/tests/lab/test_kube_client.py" "$T/ready.json" >"$T/py.out" 2>&1
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done <"$T/py.out"
fi

# ---------------------------------------------------------------- secrets
check "lab.log carries no token or password" \
	bash -c '! grep -qF -e "$(lab_get kube.token)" -e "$(lab_get kube.password)" -e "$(lab_get kube.viewer_token)" "$LAB_DIR/lab.log"'
