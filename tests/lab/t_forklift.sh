#!/bin/bash
# Model tests of the lab's Forklift controller, copy-offload populator and
# KubeVirt model, driven only with kubectl and the hand-written manifests in
# tests/lab/manifests/ (never with our C client); source VMs are cloned with
# python3-pyvmomi (manifests/vmtool.py).
# The whole test runs once per kubectl of lab_kubectls (tests/lab/lab.sh:
# the oldest and the newest found, e.g. Debian's 1.20 and 1.33), each
# against its own lab; test names start with "[VERSION] ".
# Environment: MTV_LAB (default $builddir/mtv-lab), KUBECTL (default kubectl),
# MTV_KUBECTLS (kubectl paths, space-separated: run the test with each).
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${builddir:=$srcdir}"
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"
: "${KUBECTL:=kubectl}"
M=$srcdir/tests/lab/manifests

if [ ! -x "${MTV_LAB:-$builddir/mtv-lab}" ]; then
	skip_all "mtv-lab is not built"
fi

# The driver: run this script once per kubectl (MTV_FK_BLOCK=VERSION) and
# renumber its TAP lines into one stream.
fk_block() {
	local fails=$_tap_fail rc= line
	while IFS= read -r line; do
		case $line in
		"ok "*" # SKIP "*) _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP [$V] ${line#* # SKIP }" ;;
		"ok "*) ok "[$V] ${line#ok * - }" ;;
		"not ok "*) not_ok "[$V] ${line#not ok * - }" ;;
		"1..0 # SKIP"*) diag "[$V] skipped: ${line#1..0 # SKIP }" ;;
		"1.."*) ;;
		"#mtv-fk-exit "*) rc=${line#\#mtv-fk-exit } ;;
		*) echo "$line" ;;
		esac
	done < <(MTV_FK_BLOCK=$V bash "$0"; echo "#mtv-fk-exit $?")
	if [ "$rc" != 0 ] && [ "$fails" = "$_tap_fail" ]; then
		not_ok "[$V] the test ended with exit status $rc"
	fi
}
if [ -z "${MTV_FK_BLOCK:-}" ]; then
	[ -n "$(lab_kubectls)" ] || skip_all "kubectl not found (install Debian's kubernetes-client or set MTV_KUBECTLS)"
	lab_each_kubectl fk_block
	exit 0
fi
if ! command -v "$KUBECTL" >/dev/null 2>&1; then
	skip_all "kubectl not found"
fi
if ! lab_start; then
	not_ok "mtv-lab starts"
	exit 1
fi
ok "mtv-lab starts"

export KUBECONFIG=$LAB_KUBECONFIG
export VSPHERE_URL VSPHERE_USER VSPHERE_PASSWORD NETWORK PRIMARY_DS NON_XCOPY_DS NFS_DS STORAGE_CLASS
VSPHERE_URL=$(lab_get vsphere.url)
VSPHERE_USER=$(lab_get vsphere.username)
VSPHERE_PASSWORD=$(lab_get vsphere.password)
NETWORK=$(lab_get inventory.network)
PRIMARY_DS=$(lab_get inventory.primary_ds)
NON_XCOPY_DS=$(lab_get inventory.non_xcopy_ds)
NFS_DS=$(lab_get inventory.nfs_ds)
STORAGE_CLASS=$(lab_get storage_class)
CA_FILE=$(lab_get vsphere.ca_file)
AUTH_KEYS=$(lab_get esxi.authorized_keys)
(umask 077 && printf '%s' "$VSPHERE_PASSWORD" >"$T/pw")

K() { "$KUBECTL" --request-timeout=20s "$@"; }
# apply NAME [VAR=VALUE...]: kubectl apply a manifest after substitution
# of ${VAR} from the environment (as envsubst would; Perl is in every Debian).
apply() {
	local f=$1; shift
	env "$@" perl -pe 's/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/$ENV{$1} \/\/ ""/ge' "$M/$f.yaml" | K apply -f - >/dev/null
}
# vmtool ARGS...: the pyvmomi helper against the lab's vCenter.
vmtool() { VMTOOL_PASSWORD=$VSPHERE_PASSWORD "$PYTHON3" "$M/vmtool.py" "$VSPHERE_URL" "$VSPHERE_USER" - "$CA_FILE" "$@"; }
# q NS KIND NAME EXPR: evaluate a Python expression on the object (o),
# with cond(type) returning the condition or {} and task(o) the tasks.
q() {
	K -n "$1" get "$2" ${3:+"$3"} -o json | "$PYTHON3" -c '
import json, sys
o = json.load(sys.stdin)
def cond(t, obj=None):
    for c in ((obj or o).get("status") or {}).get("conditions") or []:
        if c.get("type") == t:
            return c
    return {}
def vm(i=0):
    return o["status"]["migration"]["vms"][i]
def step(name, i=0):
    return [s for s in vm(i)["pipeline"] if s["name"] == name][0]
def tasks(i=0):
    return step("DiskTransfer", i).get("tasks", [])
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
' "$4"
}
# is DESC NS KIND NAME EXPR WANT: ok when q prints WANT.
is() {
	local desc=$1 got; shift
	got=$(q "$1" "$2" "$3" "$4" 2>"$T/err")
	if [ "$got" = "$5" ]; then ok "$desc"; else
		not_ok "$desc"; diag "expected: $5" "got:      $got"; sed -n '1,5p' "$T/err" | diag_stdin; fi
}
# setup NS [CLONE_METHOD]: namespace, providers, network map; wait for Ready.
setup() {
	K create namespace "$1" >/dev/null &&
		apply providers NS="$1" CLONE_METHOD="${2:-vib}" &&
		apply networkmap NS="$1" &&
		K -n "$1" wait --for=condition=Ready provider/vsphere provider/host networkmap/net-map --timeout=15s >/dev/null
}
# migrate NS PLAN VM_ID [MAP] [TYPE]: storage map, plan, wait Ready, migration.
plan_for() {
	apply "storagemap-${4:-xcopy}" NS="$1" STORAGE_CLASS="${6:-$STORAGE_CLASS}" &&
		K -n "$1" wait --for=condition=Ready storagemap/xcopy-map --timeout=15s >/dev/null &&
		apply plan NS="$1" PLAN="$2" VM_ID="$3" PLAN_TYPE="${5:-cold}" PVC_TEMPLATE="${PVC_TEMPLATE:-pvc}"
}
migrate() {
	plan_for "$@" && K -n "$1" wait --for=condition=Ready "plan/$2" --timeout=15s >/dev/null &&
		apply migration NS="$1" PLAN="$2"
}
# finished NS PLAN: wait until the Plan has Succeeded or Failed.
finished() {
	local i
	for i in $(seq 1 150); do
		case $(q "$1" plan "$2" '",".join(c["type"] for c in o.get("status",{}).get("conditions",[]) if c["category"]=="Advisory")') in
		*Succeeded* | *Failed* | *Canceled*) return 0 ;;
		esac
		K -n "$1" wait --for=condition=Succeeded "plan/$2" --timeout=0.2s >/dev/null 2>&1 && return 0
	done
	return 1
}

# Keep populate pods for log inspection (ForkliftController knob).
K -n openshift-mtv patch forkliftcontroller forklift-controller --type merge \
	-p '{"spec":{"controller_retain_populator_pods":"true"}}' >/dev/null

# ------------------------------------------------------------------ clones
caps=$(vmtool clone xcopy-template-test XCopy_Test_VM_CAPS --on) &&
	plain=$(vmtool clone xcopy-template-test plain-vm "$NON_XCOPY_DS") &&
	nfs=$(vmtool clone xcopy-template-test nfs-vm "$NFS_DS") &&
	snap=$(vmtool clone xcopy-template-test snap-vm --snapshot) &&
	warm=$(vmtool clone xcopy-template-test warm-vm --on) &&
	fsvm=$(vmtool clone xcopy-template-test fs-vm) &&
	gcvm=$(vmtool clone xcopy-template-test gc-vm) &&
	cbtvm=$(vmtool clone xcopy-template-test cbt-vm --on --cbt) &&
	failvm=$(vmtool clone xcopy-template-test fail-vm) &&
	cancelvm=$(vmtool clone xcopy-template-test cancel-vm) &&
	lim1=$(vmtool clone xcopy-template-test limit-vm-1) &&
	lim2=$(vmtool clone xcopy-template-test limit-vm-2) &&
	bigvm=$(vmtool clone xcopy-template-test big-vm --disk-gib=2048) &&
	sshvm=$(vmtool clone xcopy-template-test ssh-vm) &&
	vddkvm=$(vmtool clone xcopy-template-test vddk-vm) &&
	nosecvm=$(vmtool clone xcopy-template-test nosecret-vm) &&
	delvm=$(vmtool clone xcopy-template-test del-vm) &&
	rdmvm=$(vmtool clone xcopy-template-test rdm-vm --rdm="$(lab_get inventory.rdm_lun_uuid)") &&
	ok "source VMs cloned with pyvmomi" || { not_ok "source VMs cloned with pyvmomi"; exit 1; }

# ------------------------------------------------------------- providers
ns=fk-prov
if setup $ns; then ok "vSphere and host providers become Ready"; else not_ok "vSphere and host providers become Ready"; fi
is "provider conditions" $ns provider vsphere \
	'sorted(c["type"]+"/"+c["category"] for c in o["status"]["conditions"])' \
	'["ConnectionInsecure/Warn", "ConnectionTestSucceeded/Required", "InventoryCreated/Required", "Ready/Required", "Validated/Advisory"]'
is "provider phase Ready, fingerprint is the vCenter SHA-1" $ns provider vsphere \
	'o["status"]["phase"]+" "+o["status"]["fingerprint"]' "Ready $(lab_get vsphere.thumbprint)"
is "offload-ssh-keys-vsphere-public holds an OpenSSH RSA key" $ns secret offload-ssh-keys-vsphere-public \
	'__import__("base64").b64decode(o["data"]["public-key"]).decode().split()[0] + " " + o["metadata"]["labels"]["app.kubernetes.io/component"]' \
	"ssh-rsa ssh-keys"
is "offload-ssh-keys-vsphere-private holds a PEM key owned by the provider" $ns secret offload-ssh-keys-vsphere-private \
	'__import__("base64").b64decode(o["data"]["private-key"]).decode().splitlines()[0] + " " + o["metadata"]["ownerReferences"][0]["kind"]' \
	"-----BEGIN RSA PRIVATE KEY----- Provider"

K -n $ns create secret generic bad-creds --from-literal=user="$VSPHERE_USER" --from-literal=password=wrong \
	--from-literal=insecureSkipVerify=true >/dev/null
K -n $ns create -f - >/dev/null <<EOT
apiVersion: forklift.konveyor.io/v1beta1
kind: Provider
metadata: {name: badpass, namespace: $ns}
spec: {type: vsphere, url: "$VSPHERE_URL", secret: {name: bad-creds, namespace: $ns}}
EOT
K -n $ns wait --for=condition=ConnectionAuthFailed provider/badpass --timeout=10s >/dev/null
is "wrong password: ConnectionAuthFailed (Critical), phase ConnectionFailed, not Ready" $ns provider badpass \
	'cond("ConnectionAuthFailed")["category"]+" "+o["status"]["phase"]+" "+str(bool(cond("Ready")))' "Critical ConnectionFailed False"

logins() { lab_control GET /vsphere/counts | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin).get("Login", 0))'; }
before=$(logins)
# A label change reconciles every provider in name order; "host2" Ready
# proves "badpass" was reconciled again after it.
K -n $ns label provider badpass touched=1 >/dev/null
K -n $ns create -f - >/dev/null <<EOT
apiVersion: forklift.konveyor.io/v1beta1
kind: Provider
metadata: {name: host2, namespace: $ns}
spec: {type: openshift, url: "", secret: {}}
EOT
K -n $ns wait --for=condition=Ready provider/host2 --timeout=10s >/dev/null
# an unreadable count is a failure, never two equal empty readings
after=$(logins)
if [ -n "$before" ] && [ "$after" = "$before" ]; then ok "ConnectionAuthFailed: no new vCenter login until the secret changes"; else
	not_ok "ConnectionAuthFailed: no new vCenter login until the secret changes"; diag "Login count '$before' -> '$after'"; fi
printf '{"stringData":{"password":"%s"}}' "$VSPHERE_PASSWORD" >"$T/fix.json"
K -n $ns patch secret bad-creds --type merge --patch-file "$T/fix.json" >/dev/null
if K -n $ns wait --for=condition=Ready provider/badpass --timeout=10s >/dev/null; then
	ok "fixing the secret retries the connection: Ready"; else not_ok "fixing the secret retries the connection: Ready"; fi

K -n $ns create secret generic secure-creds --from-literal=user="$VSPHERE_USER" --from-file=password="$T/pw" \
	--from-literal=insecureSkipVerify=false >/dev/null
K -n $ns create -f - >/dev/null <<EOT
apiVersion: forklift.konveyor.io/v1beta1
kind: Provider
metadata: {name: secure, namespace: $ns}
spec: {type: vsphere, url: "$VSPHERE_URL", secret: {name: secure-creds, namespace: $ns}}
EOT
K -n $ns wait --for=condition=SecretNotValid provider/secure --timeout=10s >/dev/null
is "secure mode without CA: SecretNotValid DataErr items [ca.crt]" $ns provider secure \
	'[cond("SecretNotValid")[k] for k in ("category","reason","items")]' '["Critical", "DataErr", ["ca.crt"]]'
K -n $ns create secret generic secure-creds2 --from-literal=user="$VSPHERE_USER" --from-file=password="$T/pw" \
	--from-literal=insecureSkipVerify=false --from-file=ca.crt="$CA_FILE" >/dev/null
K -n $ns patch provider secure --type merge -p '{"spec":{"secret":{"name":"secure-creds2"}}}' >/dev/null
if K -n $ns wait --for=condition=Ready provider/secure --timeout=10s >/dev/null; then
	ok "secure mode with ca.crt: Ready"; else not_ok "secure mode with ca.crt: Ready"; fi

# ------------------------------------------------------------ SSH method
ns=fk-ssh
setup $ns ssh
for i in $(seq 1 50); do
	[ "$(q $ns provider vsphere 'cond("SSHNotReady").get("reason","")')" = SSHConnectivityFailed ] && break
	K -n $ns wait --for=condition=SSHReady provider/vsphere --timeout=0.1s >/dev/null 2>&1
done
is "esxiCloneMethod ssh without the key: every host fails the SSH test, SSHNotReady SSHConnectivityFailed (Warn)" $ns provider vsphere \
	'cond("SSHNotReady")["category"]+" "+cond("SSHNotReady")["reason"]+" "+str(len(cond("SSHNotReady")["items"]))+" "+str(bool(cond("SSHReady")))' "Warn SSHConnectivityFailed 2 False"
is "SSHNotReady suggestion carries the restricted key line" $ns provider vsphere \
	'str("secure-vmkfstools-wrapper" in cond("SSHNotReady")["suggestion"] and "no-port-forwarding" in cond("SSHNotReady")["suggestion"])' True
is "the first pass had no keys yet: SSHNotReady SSHKeysNotFound was recorded" $ns events "" \
	'str(any("SSH keys are being generated" in e["message"] for e in o["items"] if e["reason"]=="SSHNotReady"))' True
lines=$(curl -sSf "$LAB_CONTROL/forklift/ssh-key-line?namespace=$ns&provider=vsphere")
printf '%s' "$lines" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["legacy_line"])' >>"$AUTH_KEYS"
sleep 0.5
is "legacy Python wrapper key line: the probe does not answer SSH_OK, still SSHConnectivityFailed" $ns provider vsphere \
	'cond("SSHNotReady").get("reason")' SSHConnectivityFailed
# sshd uses the first line holding the key: the legacy line must go
sed -i '/secure-vmkfstools-wrapper.py/d' "$AUTH_KEYS"
printf '%s' "$lines" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["line"])' >>"$AUTH_KEYS"
for i in $(seq 1 50); do
	[ "$(q $ns provider vsphere 'str(bool(cond("SSHNotReady")))')" = False ] && break
	K -n $ns wait --for=condition=SSHReady provider/vsphere --timeout=0.1s >/dev/null 2>&1
done
is "restricted key line installed: every host answers SSH_OK, SSHReady and SSHNotReady both removed" $ns provider vsphere \
	'str(bool(cond("SSHReady")))+" "+str(bool(cond("SSHNotReady")))+" "+str(bool(cond("Ready")))' "False False True"
if migrate $ns ssh1 "$sshvm" && finished $ns ssh1; then ok "ssh clone-method plan runs"; else not_ok "ssh clone-method plan runs"; fi
is "ssh clone method with the key installed: xcopyUsed=1" $ns plan ssh1 \
	'[bool(cond("Succeeded")), tasks()[0]["annotations"]["xcopyUsed"]]' '[true, "1"]'
is "per-disk secret carries ESXI_CLONE_METHOD=ssh and the provider's SSH key" $ns secrets "" \
	'[__import__("base64").b64decode(x["data"]["ESXI_CLONE_METHOD"]).decode()+" "+str("SSH_PRIVATE_KEY" in x["data"]) for x in o["items"] if x["metadata"]["name"].startswith("ssh1-")]' \
	'["ssh True"]'

# ----------------------------------------------------- cold copy offload
ns=fk-cold
setup $ns
if migrate $ns cold1 "$caps" && finished $ns cold1; then ok "cold copy-offload plan runs to an end"; else not_ok "cold copy-offload plan runs to an end"; fi
is "plan Succeeded (Advisory, durable), Executing gone" $ns plan cold1 \
	'[cond("Succeeded")["category"], cond("Succeeded")["durable"], cond("Succeeded")["message"], bool(cond("Executing"))]' \
	'["Advisory", true, "The plan execution has SUCCEEDED.", false]'
is "pipeline Initialize, DiskTransfer, ImageConversion, VirtualMachineCreation all Completed" $ns plan cold1 \
	'[s["name"]+":"+s["phase"] for s in vm()["pipeline"]]' \
	'["Initialize:Completed", "DiskTransfer:Completed", "ImageConversion:Completed", "VirtualMachineCreation:Completed"]'
is "DiskTransfer task (2.12): annotations unit=MB and xcopyUsed=1 only, Completed" $ns plan cold1 \
	'[sorted(tasks()[0]["annotations"].items()), tasks()[0]["phase"]]' \
	'[[["unit", "MB"], ["xcopyUsed", "1"]], "Completed"]'
is "VM renamed XCopy_Test_VM_CAPS -> xcopy-test-vm-caps (newName)" $ns plan cold1 'vm()["newName"]' xcopy-test-vm-caps
is "history[0] carries the Migration uid" $ns plan cold1 \
	'o["status"]["migration"]["history"][0]["migration"]["uid"]' "$(K -n $ns get migration cold1-run1 -o jsonpath='{.metadata.uid}')"
mig=$(K -n $ns get migration cold1-run1 -o jsonpath='{.metadata.uid}')
is "KubeVirt VM labels, runStrategy, volumes" $ns vm xcopy-test-vm-caps \
	'[o["metadata"]["labels"][k] for k in ("plan-name","vmID","migration")]+[o["spec"]["runStrategy"], o["status"]["printableStatus"], o["metadata"]["annotations"]["openshift.io/display-name"], len(o["spec"]["template"]["spec"]["volumes"])]' \
	"[\"cold1\", \"$caps\", \"$mig\", \"Halted\", \"Stopped\", \"XCopy_Test_VM_CAPS\", 1]"
pvc=$(K -n $ns get pvc -l "migration=$mig" -o jsonpath='{.items[0].metadata.name}')
if [[ $pvc =~ ^pvc-[0-9a-f]{8}$ ]]; then ok "PVC named from template 'pvc' + 8-hex suffix ($pvc)"; else not_ok "PVC name $pvc"; fi
is "PVC Block, Bound, disk-source, vmdkKey, owned by the VM" $ns pvc "$pvc" \
	'[o["spec"]["volumeMode"], o["status"]["phase"], o["metadata"]["annotations"]["forklift.konveyor.io/disk-source"], "vmdkKey" in o["metadata"]["labels"], o["metadata"]["ownerReferences"][0]["kind"]]' \
	'["Block", "Bound", "[xcopy-ds] XCopy_Test_VM_CAPS/XCopy_Test_VM_CAPS.vmdk", true, "VirtualMachine"]'
uid=$(K -n $ns get pvc "$pvc" -o jsonpath='{.metadata.uid}')
K -n $ns logs "populate-$uid" >"$T/log" 2>&1
contains "populate pod log: copy-offload started" "$T/log" '"copy-offload started"'
contains 'populate pod log: "xcopy" xcopyUsed=1' "$T/log" '"xcopy" xcopyUsed=1'
contains "populate pod log: copy-offload finished" "$T/log" '"copy-offload finished"'
is "populator CRs deleted after success" $ns vspherexcopyvolumepopulators "" 'len(o["items"])' 0
check "base secret deleted, per-disk secret with credentials survives" bash -c '
	K() { "$0" --request-timeout=20s "$@"; }
	[ -z "$(K -n '$ns' get secret -l isPopulator=true -o name)" ] &&
	K -n '$ns' get secret -l "migration='$mig'" -o name | grep -q "secret/cold1-'$caps'-.....-0"' "$KUBECTL"
is "PVC events PopulatorCreated and PopulatorFinished" $ns events "" \
	'sorted(e["reason"] for e in o["items"] if e["involvedObject"]["name"]=="'"$pvc"'" and e["reason"].startswith("Populator"))' \
	'["PopulatorCreated", "PopulatorFinished"]'
vmtool list >"$T/vms"
contains "source VM powered off through vSphere" "$T/vms" "$caps XCopy_Test_VM_CAPS poweredOff "
is "Plan events for Ready and Succeeded" $ns events "" \
	'sorted(set(e["reason"] for e in o["items"] if e["involvedObject"]["name"]=="cold1" and e["involvedObject"]["kind"]=="Plan") & {"Ready","Succeeded","Executing"})' \
	'["Executing", "Ready", "Succeeded"]'

# ------------------------------------------------- validation: mixed usage
ns=fk-mixed
setup $ns
plan_for $ns mixed1 "$plain" mixed
K -n $ns wait --for=condition=VDDKAndOffloadMixedUsage plan/mixed1 --timeout=10s >/dev/null
is "StorageMap without offload entry: VDDKAndOffloadMixedUsage (Critical), not Ready" $ns plan mixed1 \
	'[cond("VDDKAndOffloadMixedUsage")["category"], cond("VDDKAndOffloadMixedUsage")["items"], bool(cond("Ready"))]' \
	"[\"Critical\", [\" id:$plain \"], false]"
is "VDDKAndOffloadMixedUsage recorded as a Warning Event on the Plan" $ns events "" \
	'[e["type"] for e in o["items"] if e["reason"]=="VDDKAndOffloadMixedUsage" and e["involvedObject"]["name"]=="mixed1"][:1]' '["Warning"]'
apply migration NS=$ns PLAN=mixed1
K -n $ns wait --for=condition=PlanNotReady migration/mixed1-run1 --timeout=10s >/dev/null
is "Migration of a blocked plan: PlanNotReady (Critical), nothing created" $ns migration mixed1-run1 \
	'[cond("PlanNotReady")["category"], bool(cond("Running"))]' '["Critical", false]'
apply storagemap-xcopy NS=$ns STORAGE_CLASS="$STORAGE_CLASS"
if finished $ns mixed1; then ok "once the map has the offload entry the waiting Migration runs"; else not_ok "once the map has the offload entry the waiting Migration runs"; fi
is "the waiting Migration Succeeded, PlanNotReady gone" $ns migration mixed1-run1 \
	'[bool(cond("Succeeded")), bool(cond("PlanNotReady"))]' '[true, false]'
K -n $ns patch plan mixed1 --type merge -p '{"spec":{"targetPowerState":"on"}}' >/dev/null
for i in $(seq 1 50); do
	[ "$(q $ns plan mixed1 'str(o["status"]["observedGeneration"] == o["metadata"]["generation"])')" = True ] && break
	K -n $ns wait --for=condition=Failed plan/mixed1 --timeout=0.1s >/dev/null 2>&1
done
is "spec edit: observedGeneration follows generation" $ns plan mixed1 \
	'[o["metadata"]["generation"], o["status"]["observedGeneration"]]' '[2, 2]'
K create namespace fk-noprov >/dev/null
if apply plan NS=fk-noprov PLAN=orphan VM_ID="$plain" PLAN_TYPE=cold PVC_TEMPLATE=pvc 2>"$T/adm"; then
	not_ok "Plan whose providers do not exist is rejected at admission"
else
	contains "Plan whose providers do not exist is rejected at admission" "$T/adm" 'admission webhook "validate-plans.forklift.konveyor.io" denied the request'
fi

# ------------------------------------------- filesystem-only storage class
ns=fk-fs
setup $ns
if migrate $ns fs1 "$fsvm" xcopy cold "$(lab_get fs_storage_class)" && finished $ns fs1; then ok "plan on the filesystem-only class runs to an end"; else not_ok "plan on the filesystem-only class runs to an end"; fi
is "filesystem-only class: plan Failed, VM error in CopyDisks names the Pending PVC" $ns plan fs1 \
	'[bool(cond("Failed")), vm()["error"]["phase"], "is Pending" in vm()["error"]["reasons"][0], "Block" in vm()["error"]["reasons"][0]]' \
	'[true, "CopyDisks", true, true]'
is "PVC event ProvisioningFailed" $ns events "" \
	'len([e for e in o["items"] if e["reason"]=="ProvisioningFailed"]) > 0' true

# ---------------------------------------------- non-XCOPY / snapshots / NFS
ns=fk-fallback
setup $ns
if migrate $ns plain1 "$plain" && finished $ns plain1; then ok "non-XCOPY datastore plan runs"; else not_ok "non-XCOPY datastore plan runs"; fi
is "non-XCOPY datastore: Succeeded with xcopyUsed=0 (fallback copy)" $ns plan plain1 \
	'[bool(cond("Succeeded")), tasks()[0]["annotations"]["xcopyUsed"]]' '[true, "0"]'
if migrate $ns snap1 "$snap" && finished $ns snap1; then ok "VM with snapshots runs"; else not_ok "VM with snapshots runs"; fi
is "pre-existing snapshots: Succeeded with xcopyUsed=0" $ns plan snap1 \
	'[bool(cond("Succeeded")), tasks()[0]["annotations"]["xcopyUsed"]]' '[true, "0"]'
if migrate $ns nfs1 "$nfs" && finished $ns nfs1; then ok "NFS datastore plan runs to an end"; else not_ok "NFS datastore plan runs to an end"; fi
is "NFS datastore: Failed, populator pod failed for the PVC" $ns plan nfs1 \
	'[bool(cond("Failed")), vm()["error"]["reasons"][0].startswith("populator pod failed for PVC ")]' '[true, true]'
nmig=$(K -n $ns get migration nfs1-run1 -o jsonpath='{.metadata.uid}')
npod=$(K -n $ns get pods -l "migration=$nmig" -o jsonpath='{.items[0].metadata.name}')
K -n $ns logs "$npod" >"$T/nfslog" 2>&1
contains "NFS populate log: likely not VMFS" "$T/nfslog" 'could not determine underlying device for datastore nfs-ds (likely not VMFS)'

if migrate $ns big1 "$bigvm" && finished $ns big1; then ok "2 TiB disk plan runs"; else not_ok "2 TiB disk plan runs"; fi
is "2 TiB disk at the default rates: xcopyUsed=1, 2097152 MB copied" $ns plan big1 \
	'[bool(cond("Succeeded")), tasks()[0]["annotations"]["xcopyUsed"], tasks()[0]["progress"]["completed"]]' \
	'[true, "1", 2097152]'

if migrate $ns rdm1 "$rdmvm" && finished $ns rdm1; then ok "VM with an RDM disk runs"; else not_ok "VM with an RDM disk runs"; fi
is "RDM disk on ontap (no rdm path): copied by vmkfstools, xcopyUsed like any disk" $ns plan rdm1 \
	'[bool(cond("Succeeded"))]+[t["annotations"]["xcopyUsed"] for t in tasks()]' \
	'[true, "1", "1"]'

# ----------------------------------------------------------- warm checks
ns=fk-warm
setup $ns
plan_for $ns warm1 "$warm" xcopy warm
K -n $ns wait --for=condition=VMMissingChangedBlockTracking plan/warm1 --timeout=10s >/dev/null
is "warm plan without CBT: VMMissingChangedBlockTracking (Critical), VDDKInitImageUnavailable, not Ready" $ns plan warm1 \
	'[cond("VMMissingChangedBlockTracking")["category"], cond("VMMissingChangedBlockTracking")["message"], bool(cond("VDDKInitImageUnavailable")), bool(cond("Ready"))]' \
	'["Critical", "Changed Block Tracking (CBT) has not been enabled on some VM. This feature is a prerequisite for VM warm migration.", true, false]'

apply plan NS=$ns PLAN=warm3 VM_ID="$snap" PLAN_TYPE=warm PVC_TEMPLATE=pvc
K -n $ns wait --for=condition=VMHasSnapshots plan/warm3 --timeout=10s >/dev/null
is "warm plan for a VM with snapshots: VMHasSnapshots (Critical)" $ns plan warm3 \
	'[cond("VMHasSnapshots")["category"], cond("VMHasSnapshots")["items"], bool(cond("Ready"))]' "[\"Critical\", [\" id:$snap \"], false]"
K -n $ns patch provider vsphere --type merge -p '{"spec":{"settings":{"vddkInitImage":"quay.io/lab/vddk:8"}}}' >/dev/null
curl -sSf -X POST "$LAB_CONTROL/forklift/rates" -d '{"precopy_interval_s":0.2}' >/dev/null
if migrate $ns warm2 "$cbtvm" xcopy warm; then ok "warm plan with CBT and a VDDK image is Ready and starts"; else not_ok "warm plan with CBT and a VDDK image is Ready and starts"; fi
for i in $(seq 1 50); do
	[ "$(q $ns plan warm2 'str(vm().get("warm",{}).get("successes",0) >= 2)' 2>/dev/null)" = True ] && break
	K -n $ns wait --for=condition=Failed plan/warm2 --timeout=0.1s >/dev/null 2>&1 && break
done
is "warm: precopies repeat (CopyingPaused .. CopyDisks) until cutover" $ns plan warm2 \
	'[vm()["phase"] in ("CopyingPaused","RemovePreviousSnapshot","WaitForPreviousSnapshotRemoval","CreateSnapshot","WaitForSnapshot","StoreSnapshotDeltas","AddCheckpoint","CopyDisks"), step("DiskTransfer")["phase"], vm()["warm"]["successes"] >= 2, tasks()[0]["annotations"]["xcopyUsed"]]' '[true, "Running", true, "1"]'
K -n $ns patch migration warm2-run1 --type merge -p "{\"spec\":{\"cutover\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}}" >/dev/null
finished $ns warm2
is "warm: cutover ends in Succeeded with Cutover step, source powered off" $ns plan warm2 \
	'[bool(cond("Succeeded")), step("Cutover")["phase"], vm()["restorePowerState"]]' '[true, "Completed", "On"]'
curl -sSf -X POST "$LAB_CONTROL/forklift/reset" >/dev/null

# ------------------------------------------------------------------- VDDK
ns=fk-vddk
setup $ns
if migrate $ns vddk1 "$vddkvm" vddk && finished $ns vddk1; then ok "VDDK plan (no offload plugin) runs"; else not_ok "VDDK plan (no offload plugin) runs"; fi
vmig=$(K -n $ns get migration vddk1-run1 -o jsonpath='{.metadata.uid}')
is "VDDK plan: Succeeded through a DataVolume, no xcopy annotations" $ns plan vddk1 \
	'[bool(cond("Succeeded")), "xcopyUsed" in tasks()[0].get("annotations",{}), tasks()[0]["phase"]]' '[true, false, "Completed"]'
is "VDDK plan: DataVolume Succeeded, owned by the VM; no populator CRs" $ns datavolumes "" \
	'[(x["status"]["phase"], x["metadata"]["ownerReferences"][0]["kind"]) for x in o["items"] if x["metadata"]["labels"].get("migration")=="'"$vmig"'"]' \
	'[["Succeeded", "VirtualMachine"]]'

# ---------------------------------------------- storage secret not found
ns=fk-nosecret
setup $ns
K -n $ns delete secret ontap-creds >/dev/null
if migrate $ns nosec1 "$nosecvm" && finished $ns nosec1; then ok "plan without the storage secret runs to an end"; else not_ok "plan without the storage secret runs to an end"; fi
is "storage secret missing from the provider namespace: VM fails in CreateDataVolumes" $ns plan nosec1 \
	'[bool(cond("Failed")), vm()["error"]["phase"], vm()["error"]["reasons"][0].startswith("failed to get storage secret '"$ns"'/ontap-creds")]' \
	'[true, "CreateDataVolumes", true]'

# ------------------------------------------------------ PVC name template
ns=fk-tpl
setup $ns
PVC_TEMPLATE='{{.VmName}}-{{.DiskIndex}}' plan_for $ns tpl1 "$caps"
K -n $ns wait --for=condition=NotValid plan/tpl1 --timeout=10s >/dev/null
is "PVC template giving an invalid DNS-1123 label: NotValid (Critical)" $ns plan tpl1 \
	'[cond("NotValid")["category"], cond("NotValid")["message"], bool(cond("Ready"))]' '["Critical", "VM PVC name template is invalid.", false]'

# ------------------------------------------------- fault injection, cancel
ns=fk-fault
setup $ns
curl -sSf -X POST "$LAB_CONTROL/forklift/fail-next" -d '{"kind":"disk-copy","message":"clone task failed: LUN went offline"}' >/dev/null
if migrate $ns fail1 "$failvm" && finished $ns fail1; then ok "plan with an injected copy failure runs to an end"; else not_ok "plan with an injected copy failure runs to an end"; fi
is "injected copy failure: Failed, VM error from the populator, Migration Failed" $ns plan fail1 \
	'[bool(cond("Failed")), vm()["error"]["phase"], vm()["error"]["reasons"][0].startswith("populator pod failed for PVC"), tasks()[0]["error"]["reasons"][0].startswith("populator pod failed")]' \
	'[true, "CopyDisks", true, true]'
fmig=$(K -n $ns get migration fail1-run1 -o jsonpath='{.metadata.uid}')
K -n $ns logs "$(K -n $ns get pods -l "migration=$fmig" -o jsonpath='{.items[0].metadata.name}')" >"$T/faillog" 2>&1
contains "failed populate log carries the copy-offload failed error" "$T/faillog" '"copy-offload failed" err="clone task failed: LUN went offline"'
curl -sSf -X POST "$LAB_CONTROL/forklift/rates" -d '{"xcopy_mib_s":1024,"fallback_mib_s":1024}' >/dev/null
migrate $ns cancel1 "$cancelvm"
for i in $(seq 1 50); do
	[ "$(q $ns plan cancel1 'str(step("DiskTransfer")["progress"]["completed"] > 0)' 2>/dev/null)" = True ] && break
	K -n $ns wait --for=condition=Failed plan/cancel1 --timeout=0.1s >/dev/null 2>&1
done
K -n $ns patch migration cancel1-run1 --type merge -p "{\"spec\":{\"cancel\":[{\"id\":\"$cancelvm\"}]}}" >/dev/null
K -n $ns wait --for=condition=Canceled plan/cancel1 --timeout=10s >/dev/null
is "spec.cancel mid-copy: VM and plan Canceled" $ns plan cancel1 \
	'[bool(cond("Canceled")), [c["type"] for c in vm()["conditions"]]]' '[true, ["Canceled"]]'
migrate $ns del1 "$delvm"
for i in $(seq 1 50); do
	[ "$(q $ns plan del1 'str(step("DiskTransfer")["progress"]["completed"] > 0)' 2>/dev/null)" = True ] && break
	K -n $ns wait --for=condition=Failed plan/del1 --timeout=0.1s >/dev/null 2>&1
done
dmig=$(K -n $ns get migration del1-run1 -o jsonpath='{.metadata.uid}')
K -n $ns delete migration del1-run1 >/dev/null
K -n $ns wait --for=condition=Canceled plan/del1 --timeout=10s >/dev/null
is "running Migration deleted: plan and VM Canceled" $ns plan del1 \
	'[bool(cond("Canceled")), [c["type"] for c in vm()["conditions"]]]' '[true, ["Canceled"]]'
is "running Migration deleted: its PVCs, populators and pods are cleaned up" $ns pods "" \
	'len([x for x in o["items"] if x["metadata"].get("labels",{}).get("migration")=="'"$dmig"'"])' 0
curl -sSf -X POST "$LAB_CONTROL/forklift/reset" >/dev/null

# ---------------------------------------------------- populator in-flight
ns=fk-limits
setup $ns
K -n openshift-mtv patch forkliftcontroller forklift-controller --type merge \
	-p '{"spec":{"controller_max_populator_inflight":1}}' >/dev/null
curl -sSf -X POST "$LAB_CONTROL/forklift/rates" -d '{"xcopy_mib_s":32768}' >/dev/null
apply storagemap-xcopy NS=$ns STORAGE_CLASS="$STORAGE_CLASS"
K -n $ns wait --for=condition=Ready storagemap/xcopy-map --timeout=15s >/dev/null
apply plan-two NS=$ns PLAN=two VM_ID="$lim1" VM_ID2="$lim2" PLAN_TYPE=cold PVC_TEMPLATE=pvc
K -n $ns wait --for=condition=Ready plan/two --timeout=15s >/dev/null
apply migration NS=$ns PLAN=two
if finished $ns two; then ok "two-VM plan under a populator limit of 1 runs to an end"; else not_ok "two-VM plan under a populator limit of 1 runs to an end"; fi
is "both VMs Succeeded" $ns plan two '[bool(cond("Succeeded"))]+[c["type"] for i in (0,1) for c in vm(i)["conditions"]]' '[true, "Succeeded", "Succeeded"]'
is "the second populator on the ESXi host waited: PVC event PopulatorThrottled" $ns events "" \
	'len([e for e in o["items"] if e["reason"]=="PopulatorThrottled" and e["involvedObject"]["kind"]=="PersistentVolumeClaim"])' 1
K -n openshift-mtv patch forkliftcontroller forklift-controller --type merge \
	-p '{"spec":{"controller_max_populator_inflight":20}}' >/dev/null
curl -sSf -X POST "$LAB_CONTROL/forklift/reset" >/dev/null

# ------------------------------------------------------- garbage collection
ns=fk-gc
setup $ns
if migrate $ns gc1 "$gcvm" && finished $ns gc1; then ok "plan for GC runs"; else not_ok "plan for GC runs"; fi
is "Migration is owned by its Plan" $ns migration gc1-run1 'o["metadata"]["ownerReferences"][0]["kind"]' Plan
K -n $ns delete plan gc1 >/dev/null
for i in $(seq 1 50); do
	[ -z "$(K -n $ns get migrations -o name)" ] && break
	K -n $ns wait --for=delete migration/gc1-run1 --timeout=0.2s >/dev/null 2>&1
done
is "deleting the Plan garbage-collects its Migrations" $ns migrations "" 'len(o["items"])' 0

