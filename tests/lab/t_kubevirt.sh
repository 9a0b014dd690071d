#!/bin/bash
# t_kubevirt.sh: the lab's migrated VMs as KubeVirt runs them, proved with
# clients nobody here wrote: a real `mtv-scenario run --keep` of a
# copy-offload scenario with target power on; Debian's python3-kubernetes
# reads the VirtualMachineInstance (a watch until AgentConnected), the VM
# and the ClusterVersion; OpenSSH's ssh reaches the guest through
# KubeVirt's port-forward WebSocket (ProxyCommand kv_portforward.py, on
# python3-websocket) and runs hostname and cat in the guest, whose host key,
# hostname and machine-id must be the source guest's (python3-pyvmomi,
# Guest Operations, kv_source.py); a wrong password is refused; each VM
# fault of POST /forklift/fail-next shows in the VMI; cleanup leaves no VM.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

if ! command -v ssh >/dev/null; then
	skip_all "OpenSSH's ssh is not installed"
fi
lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
sed -i 's/^\(    esxi_clone_method: \).*/\1"vib"/' "$LAB_PROVIDERS"
KV_TOKEN=$(lab_get kube.token)
server=$(lab_get kube.server)
ca=$(lab_get kube.ca_file)
guser=$(sed -n 's/^ *guest_vm_linux_user: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$LAB_PROVIDERS" | head -n1)
KV_GUEST_PASSWORD=$(sed -n 's/^ *guest_vm_linux_password: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$LAB_PROVIDERS" | head -n1)
export KV_TOKEN KV_GUEST_PASSWORD
lab=$srcdir/tests/lab

# scenario NAME N: a thin copy-offload scenario of N clones, target power on
scenario() {
	{
		printf 'apiVersion: mtv-scenario/v1alpha1\nkind: Scenario\nname: %s\n' "$1"
		printf 'description: KubeVirt model test\nvirtual_machines:\n'
		for _ in $(seq "$2"); do
			printf '  - name: xcopy-template-test\n    clone: true\n    disk_type: thin\n'
		done
		printf 'warm_migration: false\ncopyoffload: true\ntarget_power_state: "on"\n'
	} >"$T/$1.yaml"
}

# run ID NAME: mtv-scenario run --keep
run() {
	"$MTV_SCENARIO" run --keep --run-id "$1" -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		"$T/$2.yaml" >"$T/$1.out" 2>"$T/$1.err"
}

# vms: "NAMESPACE NAME vmID" of every VirtualMachine (python3-kubernetes)
vms() {
	"$PYTHON3" -c '
import sys
from kubernetes import client, config
config.load_kube_config(config_file=sys.argv[1])
for o in client.CustomObjectsApi().list_cluster_custom_object("kubevirt.io", "v1", "virtualmachines")["items"]:
    m = o["metadata"]
    print(m["namespace"], m["name"], m["labels"]["vmID"])' "$LAB_KUBECONFIG"
}

# field FILE EXPR: a Python expression over the JSON in FILE (as j)
field() { "$PYTHON3" -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# is DESC FILE EXPR WANT
is() {
	local got
	got=$(field "$2" "$3" 2>&1)
	if [ "$got" = "$4" ]; then ok "$1"; else not_ok "$1"; diag "$3: got '$got', want '$4'"; fi
}

# gssh NS VMI PASSWORD CMD...: OpenSSH through the port-forward
gssh() {
	local ns=$1 vmi=$2 pw=$3
	shift 3
	printf '#!/bin/sh\necho "%s"\n' "$pw" >"$T/askpass"
	chmod 700 "$T/askpass"
	SSH_ASKPASS=$T/askpass SSH_ASKPASS_REQUIRE=force DISPLAY= timeout 60 ssh -n -F /dev/null \
		-o ProxyCommand="$PYTHON3 $lab/kv_portforward.py $server $ca $ns $vmi 22" \
		-o HostKeyAlias="vmi/$vmi.$ns" -o UserKnownHostsFile="$T/known_hosts" \
		-o StrictHostKeyChecking=yes -o PubkeyAuthentication=no -o PreferredAuthentications=password \
		-o NumberOfPasswordPrompts=1 -o ConnectTimeout=20 -o LogLevel=ERROR \
		"$guser@vmi/$vmi.$ns" "$@"
}

# ---------------------------------------------------------------- a migrated VM
scenario kv-on 1
if run kv0001 kv-on; then ok "a thin scenario with target power on runs (--keep)"; else
	not_ok "a thin scenario with target power on runs (--keep)"; sed -n '1,30p' "$T/kv0001.err" | diag_stdin; fi
vms >"$T/vms" 2>"$T/vms.err"
read -r ns name vmid <"$T/vms"
if [ -n "$name" ]; then ok "the migrated VM is listed ($ns/$name, source $vmid)"; else
	not_ok "the migrated VM is listed"; diag_stdin <"$T/vms.err"; exit 1; fi

"$PYTHON3" "$lab/test_kubevirt_client.py" "$LAB_KUBECONFIG" "$ns" "$name" 20 agent >"$T/vmi.json" 2>"$T/vmi.err" ||
	diag_stdin <"$T/vmi.err"
is "python3-kubernetes watches the VMI to AgentConnected" "$T/vmi.json" 'j["reached"]' True
is "VMI Running on a node, launcher image, owned by the VM" "$T/vmi.json" \
	'[j["vmi"]["status"]["phase"], bool(j["vmi"]["status"]["nodeName"]), "virt-launcher" in j["vmi"]["status"]["launcherContainerImageVersion"], j["vmi"]["metadata"]["ownerReferences"][0]["kind"]]' \
	"['Running', True, True, 'VirtualMachine']"
is "VMI conditions Ready and AgentConnected True, guestOSInfo from the guest" "$T/vmi.json" \
	'[[c["status"] for c in j["vmi"]["status"]["conditions"] if c["type"] in ("Ready", "AgentConnected")], bool(j["vmi"]["status"]["guestOSInfo"].get("id"))]' \
	"[['True', 'True'], True]"
is "VM printableStatus Running, ready" "$T/vmi.json" \
	'[j["vm"]["status"]["printableStatus"], j["vm"]["status"]["ready"]]' "['Running', True]"

"$PYTHON3" "$lab/kv_source.py" "$vmid" --guest "$guser" >"$T/src.json" 2>"$T/src.err" || diag_stdin <"$T/src.err"
is "VMI interface: the source NIC's MAC, an IP, eth0 from the agent" "$T/vmi.json" \
	'[[i["mac"], bool(i.get("ipAddress")), i.get("interfaceName"), "guest-agent" in i["infoSource"]] for i in j["vmi"]["status"]["interfaces"]]' \
	"$(field "$T/src.json" '[[m.lower(), True, "eth0", True] for m in j["macs"]]')"
ocp=$("$PYTHON3" -c '
import sys
from kubernetes import client, config
config.load_kube_config(config_file=sys.argv[1])
cv = client.CustomObjectsApi().get_cluster_custom_object("config.openshift.io", "v1", "clusterversions", "version")
print([h["version"] for h in cv["status"]["history"] if h["state"] == "Completed"][0])' "$LAB_KUBECONFIG")
want=$(field "$T/src.json" '"VMware-" + " ".join(j["uuid"].replace("-", "")[i:i+2] for i in range(0, 16, 2)) + "-" + " ".join(j["uuid"].replace("-", "")[i:i+2] for i in range(16, 32, 2))')
is "firmware.serial is the VMware form of the source UUID on OpenShift $ocp (>= 4.20)" "$T/vmi.json" \
	'j["vm"]["spec"]["template"]["spec"]["domain"]["firmware"]["serial"]' "$want"

printf 'vmi/%s.%s %s\n' "$name" "$ns" "$(field "$T/src.json" 'j["hostkey"]')" >"$T/known_hosts"
if gssh "$ns" "$name" "$KV_GUEST_PASSWORD" hostname >"$T/hostname" 2>"$T/ssh.err"; then
	ok "ssh through the port-forward with the source guest's host key (StrictHostKeyChecking)"
else
	not_ok "ssh through the port-forward with the source guest's host key (StrictHostKeyChecking)"
	diag_stdin <"$T/ssh.err"
fi
check "hostname in the guest is the source guest's" test "$(cat "$T/hostname")" = "$(field "$T/src.json" 'j["hostname"]')"
gssh "$ns" "$name" "$KV_GUEST_PASSWORD" cat /etc/machine-id >"$T/mid" 2>"$T/ssh.err"
check "cat /etc/machine-id in the guest is the source guest's file" test "$(cat "$T/mid")" = "$(field "$T/src.json" 'j["machine_id"]')"
gssh "$ns" "$name" "not-$KV_GUEST_PASSWORD" hostname >"$T/out" 2>"$T/ssh.err"
rc=$?
if [ $rc -eq 255 ] && grep -q 'Permission denied' "$T/ssh.err"; then ok "a wrong password is refused"; else
	not_ok "a wrong password is refused (exit $rc)"; diag_stdin <"$T/ssh.err"; fi
"$PYTHON3" "$lab/kv_portforward.py" "$server" "$ca" "$ns" "$name" 80 </dev/null >"$T/out" 2>"$T/pf.err"
contains "port 80 of the guest: 500 as virt-api's dial fails" "$T/pf.err" "connection refused"

# ---------------------------------------------------------------- faults
for f in guest-agent-down mac-change no-boot; do
	lab_control POST /forklift/fail-next "{\"kind\":\"$f\"}" >/dev/null
done
scenario kv-faults 3
run kv0002 kv-faults
vms | grep -v " $name " >"$T/fvms"
: >"$T/seen"
while read -r fns fname fvmid; do
	"$PYTHON3" "$lab/test_kubevirt_client.py" "$LAB_KUBECONFIG" "$fns" "$fname" 3 agent >"$T/f.json" 2>/dev/null
	"$PYTHON3" "$lab/kv_source.py" "$fvmid" >"$T/fsrc.json" 2>/dev/null
	phase=$(field "$T/f.json" 'j["vmi"]["status"]["phase"]')
	agent=$(field "$T/f.json" 'j["reached"]')
	mac=$(field "$T/f.json" 'j["vmi"]["status"].get("interfaces", [{}])[0].get("mac") or j["vm"]["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"][0]["macAddress"].lower()')
	smac=$(field "$T/fsrc.json" 'j["macs"][0].lower()')
	if [ "$phase" = Scheduling ] &&
		[ "$(field "$T/f.json" '[c["reason"] for c in j["vmi"]["status"]["conditions"] if c["type"] == "PodScheduled"]')" = "['Unschedulable']" ] &&
		[ "$(field "$T/f.json" 'j["vm"]["status"]["printableStatus"]')" = ErrorUnschedulable ]; then
		echo no-boot >>"$T/seen"
	elif [ "$phase" = Running ] && [ "$agent" = False ]; then
		echo guest-agent-down >>"$T/seen"
	elif [ "$agent" = True ] && [ "$mac" != "$smac" ]; then
		echo mac-change >>"$T/seen"
	else
		echo "none: $fns/$fname phase=$phase agent=$agent mac=$mac source=$smac" >>"$T/seen"
	fi
done <"$T/fvms"
sort "$T/seen" >"$T/seen.sorted"
printf '%s\n' guest-agent-down mac-change no-boot >"$T/seen.want"
same_file "each armed fault shows in one migrated VM's VMI (no agent, another MAC, unschedulable)" \
	"$T/seen.want" "$T/seen.sorted"

# ---------------------------------------------------------------- cleanup
for id in kv0001 kv0002; do
	"$MTV_SCENARIO" cleanup --run-id "$id" -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		>"$T/clean.out" 2>"$T/clean.err" || { diag "cleanup $id:"; sed -n '1,10p' "$T/clean.err" | diag_stdin; }
done
vms >"$T/left"
check "cleanup leaves no VirtualMachine" test ! -s "$T/left"
