#!/bin/bash
# Conformance of the lab's Kubernetes/OpenShift API server with clients
# nobody here wrote: kubectl (against the generated kubeconfig) and Debian's
# python3-kubernetes (test_kube_client.py).
# Environment: MTV_LAB (default $builddir/mtv-lab), KUBECTL (default kubectl).
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
ns=kt-$$
viewer=$(lab_get kube.viewer_token)

# ---------------------------------------------------------------- contract
check "ready line has kube.server/token/ca_file/kubeconfig/username/password and storage_class" \
	bash -c 'for k in kube.server kube.token kube.ca_file kube.kubeconfig kube.username kube.password kube.viewer_token; do
		v=$(lab_get $k) && [ -n "$v" ] || { echo "missing $k"; exit 1; }; done
		[ "$(lab_get storage_class)" = lab-block ]'
check "kubeconfig names the CA file and the token" \
	bash -c 'grep -q "certificate-authority: " "$KUBECONFIG" && grep -q "token: " "$KUBECONFIG" && grep -q "^current-context: " "$KUBECONFIG"'

if ! command -v "$KUBECTL" >/dev/null 2>&1; then
	diag "kubectl not found: kubectl checks skipped"
else
	# ------------------------------------------------------------ discovery
	check "kubectl api-resources lists forklift, kubevirt and cdi resources" \
		bash -c 'K() { "$KUBECTL" --request-timeout=20s "$@"; }; K api-resources >"$1" &&
			for r in plans migrations providers storagemaps networkmaps hooks hosts forkliftcontrollers \
				vspherexcopyvolumepopulators virtualmachines datavolumes storageclasses persistentvolumeclaims; do
				grep -q "^$r " "$1" || { echo "no $r"; exit 1; }; done && grep -q "vxvp" "$1"' _ "$T/apires"
	check "kubectl api-resources --api-group=forklift.konveyor.io --namespaced -o name" \
		bash -c '"$KUBECTL" api-resources --api-group=forklift.konveyor.io --namespaced -o name | grep -qx plans.forklift.konveyor.io'
	check "pre-created namespaces, storage classes, ForkliftController, CRDs" \
		bash -c 'K() { "$KUBECTL" --request-timeout=20s "$@"; }
			K get ns openshift-mtv default -o name &&
			K get sc lab-block lab-fs -o name &&
			[ "$(K -n openshift-mtv get forkliftcontroller forklift-controller -o jsonpath="{.spec.feature_copy_offload}")" = true ] &&
			K get crd plans.forklift.konveyor.io virtualmachines.kubevirt.io datavolumes.cdi.kubevirt.io -o name'

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
	check "kubectl create -f (namespace)" K create -f "$T/ns.yaml"
	expect_exit 1 "kubectl create -f of an existing object fails with AlreadyExists" K create -f "$T/ns.yaml"
	contains "AlreadyExists message" "$T/err" "already exists"
	check "kubectl apply creates a ConfigMap" K apply -f "$T/cm.yaml"
	sed -i 's/key: first/key: second/' "$T/cm.yaml"
	check "kubectl apply updates it (strategic merge patch on a core type)" \
		bash -c '"$KUBECTL" apply -f "$1" | grep -q configured && [ "$("$KUBECTL" -n "$2" get cm applied -o jsonpath={.data.key})" = second ]' _ "$T/cm.yaml" "$ns"
	check "kubectl apply creates a Provider" K apply -f "$T/prov.yaml"
	sed -i 's/url: ""/url: "https:\/\/other"/' "$T/prov.yaml"
	check "kubectl apply updates a custom resource (merge patch) and bumps generation" \
		bash -c '"$KUBECTL" apply -f "$1" | grep -q configured &&
			[ "$("$KUBECTL" -n "$2" get provider kt-host -o jsonpath="{.spec.url} {.metadata.generation}")" = "https://other 2" ]' _ "$T/prov.yaml" "$ns"

	# ------------------------------------------------------------ patch
	check "kubectl patch --type merge" \
		bash -c '"$KUBECTL" -n "$1" patch provider kt-host --type merge -p "{\"spec\":{\"settings\":{\"sdkEndpoint\":\"vcenter\"}}}" &&
			[ "$("$KUBECTL" -n "$1" get provider kt-host -o jsonpath={.spec.settings.sdkEndpoint})" = vcenter ]' _ "$ns"
	check "kubectl patch --type json" \
		bash -c '"$KUBECTL" -n "$1" patch cm applied --type json -p "[{\"op\":\"add\",\"path\":\"/data/extra\",\"value\":\"x\"},{\"op\":\"remove\",\"path\":\"/data/key\"}]" &&
			[ "$("$KUBECTL" -n "$1" get cm applied -o jsonpath={.data})" = "{\"extra\":\"x\"}" ]' _ "$ns"
	expect_exit 1 "kubectl patch (strategic) on a custom resource is refused" \
		K -n "$ns" patch provider kt-host -p '{"spec":{"url":"x"}}'
	contains "415 message names the accepted media types" "$T/err" "application/merge-patch+json"
	check "kubectl patch (strategic) on a core type" K -n "$ns" patch cm applied -p '{"metadata":{"labels":{"patched":"yes"}}}'

	# ------------------------------------------------------------ status subresource, wait
	cat >"$T/hook.yaml" <<EOF
apiVersion: forklift.konveyor.io/v1beta1
kind: Hook
metadata: {name: kt-hook, namespace: $ns}
spec: {image: quay.io/kubev2v/hook-runner, playbook: ""}
EOF
	K create -f "$T/hook.yaml" >/dev/null
	check "kubectl patch --subresource=status, then kubectl wait --for=condition" \
		bash -c '"$KUBECTL" -n "$1" patch hook kt-hook --subresource=status --type merge \
				-p "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"category\":\"Required\"}]}}" &&
			"$KUBECTL" -n "$1" wait --for=condition=Ready hook/kt-hook --timeout=10s &&
			[ "$("$KUBECTL" -n "$1" get hook kt-hook -o jsonpath={.metadata.generation})" = 1 ]' _ "$ns"
	check "kubectl get --raw users/~ names the token's user" \
		bash -c '"$KUBECTL" get --raw /apis/user.openshift.io/v1/users/~ | grep -q "\"name\":\"kube:admin\""'
	check "kubectl create --dry-run=server stores nothing" \
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
	expect_exit 1 "kubectl create of a StorageMap violating the CRD schema fails" K create -f "$T/badmap.yaml"
	contains "422 names storageVendorProduct and its enum" "$T/err" 'spec.map[0].offloadPlugin.vsphereXcopyConfig.storageVendorProduct: Unsupported value: "netapp"'
	contains "422 names volumeMode" "$T/err" 'spec.map[0].destination.volumeMode: Unsupported value: "Raw"'

	sed 's/storageVendorProduct: netapp/storageVendorProduct: ontap, storageVendor: x/; s/volumeMode: Raw/volumeMode: Block/' "$T/badmap.yaml" >"$T/typomap.yaml"
	expect_exit 1 "kubectl create (strict field validation) refuses an unknown field of a forklift CR" K create -f "$T/typomap.yaml"
	contains "strict decoding error names the field" "$T/err" 'unknown field "spec.map[0].offloadPlugin.vsphereXcopyConfig.storageVendor"'
	check "kubectl create --validate=false: the unknown field is pruned" \
		bash -c '"$KUBECTL" create --validate=false -f "$1" &&
			[ "$("$KUBECTL" -n "$2" get storagemap bad-map -o jsonpath={.spec.map[0].offloadPlugin.vsphereXcopyConfig})" = "{\"secretRef\":\"s\",\"storageVendorProduct\":\"ontap\"}" ]' _ "$T/typomap.yaml" "$ns"

	# ------------------------------------------------------------ selectors, watch
	K -n "$ns" create cm sel-a >/dev/null && K -n "$ns" label cm sel-a env=prod >/dev/null
	K -n "$ns" create cm sel-b >/dev/null && K -n "$ns" label cm sel-b env=dev >/dev/null
	check "kubectl get --selector (=, in, notin, exists)" \
		bash -c 'g() { "$KUBECTL" -n "$1" get cm --selector "$2" -o name | tr "\n" " "; }
			[ "$(g "$1" env=prod)" = "configmap/sel-a " ] &&
			[ "$(g "$1" "env in (dev,qa)")" = "configmap/sel-b " ] &&
			[ "$(g "$1" "env,env notin (dev)")" = "configmap/sel-a " ] &&
			[ "$(g "$1" env)" = "configmap/sel-a configmap/sel-b " ] &&
			[ "$(g "$1" "!env" | grep -c applied)" = 1 ]' _ "$ns"
	timeout 10 "$KUBECTL" -n "$ns" get cm -w --watch-only -o name >"$T/watch.out" 2>"$T/watch.err" &
	wpid=$!
	# wait (bounded) until the watch is registered, seen through the request counters
	for _ in $(seq 50); do
		lab_control GET /kube/counts | grep -q '"watch configmaps"' && break
		sleep 0.1
	done
	K -n "$ns" create cm watched >/dev/null
	for _ in $(seq 50); do grep -q watched "$T/watch.out" && break; sleep 0.1; done
	kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null
	contains "kubectl get -w sees a new object" "$T/watch.out" "configmap/watched"

	# ------------------------------------------------------------ auth
	expect_exit 1 "kubectl with a bad token: Unauthorized" K --token=bad-token get ns
	contains "401 message" "$T/err" "Unauthorized"
	check "viewer token can read" K --token="$viewer" -n "$ns" get cm -o name
	expect_exit 1 "viewer token cannot write" K --token="$viewer" -n "$ns" create cm nope
	contains "403 message" "$T/err" 'User "viewer" cannot create resource "configmaps"'
	check "kubectl auth can-i (SelfSubjectAccessReview) and auth whoami" \
		bash -c '[ "$("$KUBECTL" auth can-i create plans.forklift.konveyor.io -n default)" = yes ] &&
			[ "$("$KUBECTL" --token="$1" auth can-i create plans.forklift.konveyor.io -n default)" = no ] &&
			[ "$("$KUBECTL" --token="$1" auth can-i list plans.forklift.konveyor.io -n default)" = yes ] &&
			"$KUBECTL" --token="$1" auth whoami | grep -q "Username *viewer"' _ "$viewer"

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
	check "kubectl delete of an owner garbage-collects its dependents" \
		bash -c '"$KUBECTL" -n "$1" delete cm sel-a --wait=true && "$KUBECTL" -n "$1" wait --for=delete cm/child --timeout=10s' _ "$ns"
	check "kubectl delete namespace removes it and its content" \
		bash -c '"$KUBECTL" delete ns "$1" --timeout=20s && ! "$KUBECTL" get ns "$1" 2>/dev/null &&
			[ "$(curl -sf "$LAB_CONTROL/kube/objects?namespace=$1" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)[\"count\"])")" = 0 ]' _ "$ns"
fi

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
