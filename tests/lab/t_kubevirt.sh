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
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${builddir:=$srcdir}"
. "$srcdir/tests/lib.sh"
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
		# the faulty VMs' guest checks give up soon (default 301 s)
		printf 'guest_agent_timeout: 10\n'
	} >"$T/$1.yaml"
}

# run ID NAME: mtv-scenario run --keep
run() {
	"$MTV_SCENARIO" run --keep --run-id "$1" -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		"$T/$2.yaml" >"$T/$1.out" 2>"$T/$1.err"
}

# field_lines FILE EXPR: EXPR over each JSON line of FILE
field_lines() { "$PYTHON3" -c 'import json, sys
for l in open(sys.argv[1]):
    j = json.loads(l)
    print(eval(sys.argv[2]))' "$1" "$2"; }

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

# ---------------------------------------------------------------- one run, four VMs
# The three VM faults armed, each goes to one of the four migrated VMs
# (in the order the model creates them); the fourth is the clean one.
for f in guest-agent-down mac-change no-boot; do
	lab_control POST /forklift/fail-next "{\"kind\":\"$f\"}" >/dev/null
done
scenario kv-on 4
run kv0001 kv-on
rc=$?
# the tool may fail a check of a faulty VM (exit 1), never more
if [ $rc -le 1 ]; then ok "a thin scenario of four clones with target power on runs (--keep, exit $rc)"; else
	not_ok "a thin scenario of four clones with target power on runs (--keep, exit $rc)"
	sed -n '1,30p' "$T/kv0001.err" | diag_stdin; fi
# the VMs, their VMIs (python3-kubernetes, one run for all: the faulty
# ones never reach AgentConnected, 3 s is five times the lab's delays)
"$PYTHON3" "$lab/test_kubevirt_client.py" "$LAB_KUBECONFIG" 3 >"$T/vmis.json" 2>"$T/vmi.err" ||
	diag_stdin <"$T/vmi.err"
ocp=$(sed -n 1p "$T/vmis.json")
sed 1d "$T/vmis.json" >"$T/vms.json"
if [ "$(wc -l <"$T/vms.json")" -eq 4 ]; then ok "four migrated VMs are listed"; else
	not_ok "four migrated VMs are listed"; diag_stdin <"$T/vms.json"; fi
"$PYTHON3" "$lab/kv_source.py" $(field_lines "$T/vms.json" 'j["vmid"]') >"$T/srcs.json" 2>"$T/src.err" ||
	diag_stdin <"$T/src.err"
# classify each VM by what its VMI shows: "KIND NS NAME VMID" lines
"$PYTHON3" - "$T/vms.json" "$T/srcs.json" >"$T/kinds" <<'PY'
import json, sys
vms = [json.loads(l) for l in open(sys.argv[1])]
srcs = [json.loads(l) for l in open(sys.argv[2])]
for v, s in zip(vms, srcs):
    vmi, vm = v["vmi"] or {}, v["vm"]
    st = vmi.get("status", {})
    conds = {c["type"]: c for c in st.get("conditions", [])}
    mac = vm["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"][0]["macAddress"].lower()
    smac = s["macs"][0].lower()
    if (st.get("phase") == "Scheduling" and conds.get("PodScheduled", {}).get("reason") == "Unschedulable"
            and vm["status"]["printableStatus"] == "ErrorUnschedulable" and not st.get("interfaces")):
        kind = "no-boot"
    elif st.get("phase") == "Running" and not v["reached"] and st.get("guestOSInfo") == {} and "AgentConnected" not in conds:
        kind = "guest-agent-down"
    elif v["reached"] and mac != smac and st["interfaces"][0]["mac"] == mac:
        kind = "mac-change"
    elif v["reached"] and mac == smac:
        kind = "clean"
    else:
        kind = "unexplained(phase=%s,agent=%s,mac=%s,source=%s)" % (st.get("phase"), v["reached"], mac, smac)
    print(kind, v["ns"], v["name"], v["vmid"])
PY
cut -d' ' -f1 "$T/kinds" >"$T/seen"
sort "$T/seen" >"$T/seen.sorted"
printf '%s\n' clean guest-agent-down mac-change no-boot >"$T/seen.want"
same_file "each armed fault shows in one VMI (no agent, another MAC, unschedulable); one VM is clean" \
	"$T/seen.want" "$T/seen.sorted"
read -r _ ns name vmid <<<"$(grep '^clean ' "$T/kinds")"
[ -n "$name" ] || { not_ok "a clean VM to test"; exit 1; }

# ---------------------------------------------------------------- the clean VM
grep -F "\"name\": \"$name\"" "$T/vms.json" >"$T/clean.json"
v=$T/clean.json
is "python3-kubernetes watches the VMI to AgentConnected" "$v" 'j["reached"]' True
is "VMI Running on a node, launcher image, owned by the VM" "$v" \
	'[j["vmi"]["status"]["phase"], bool(j["vmi"]["status"]["nodeName"]), "virt-launcher" in j["vmi"]["status"]["launcherContainerImageVersion"], j["vmi"]["metadata"]["ownerReferences"][0]["kind"]]' \
	"['Running', True, True, 'VirtualMachine']"
is "VMI conditions Ready and AgentConnected True, guestOSInfo from the guest" "$v" \
	'[[c["status"] for c in j["vmi"]["status"]["conditions"] if c["type"] in ("Ready", "AgentConnected")], bool(j["vmi"]["status"]["guestOSInfo"].get("id"))]' \
	"[['True', 'True'], True]"
is "VM printableStatus Running, ready" "$v" \
	'[j["vm"]["status"]["printableStatus"], j["vm"]["status"]["ready"]]' "['Running', True]"

"$PYTHON3" "$lab/kv_source.py" --guest "$guser" "$vmid" >"$T/src.json" 2>"$T/src.err" || diag_stdin <"$T/src.err"
is "VMI interface: the source NIC's MAC, an IP, eth0 from the agent" "$v" \
	'[[i["mac"], bool(i.get("ipAddress")), i.get("interfaceName"), "guest-agent" in i["infoSource"]] for i in j["vmi"]["status"]["interfaces"]]' \
	"$(field "$T/src.json" '[[m.lower(), True, "eth0", True] for m in j["macs"]]')"
want=$(field "$T/src.json" '"VMware-" + " ".join(j["uuid"].replace("-", "")[i:i+2] for i in range(0, 16, 2)) + "-" + " ".join(j["uuid"].replace("-", "")[i:i+2] for i in range(16, 32, 2))')
case $ocp in
4.2[0-9].*) ok "the ClusterVersion says OpenShift $ocp" ;;
*) not_ok "the ClusterVersion says OpenShift 4.20 or newer (2.12): '$ocp'" ;;
esac
is "firmware.serial is the VMware form of the source UUID (OpenShift >= 4.20)" "$v" \
	'j["vm"]["spec"]["template"]["spec"]["domain"]["firmware"]["serial"]' "$want"

printf 'vmi/%s.%s %s\n' "$name" "$ns" "$(field "$T/src.json" 'j["hostkey"]')" >"$T/known_hosts"
if gssh "$ns" "$name" "$KV_GUEST_PASSWORD" hostname >"$T/hostname" 2>"$T/ssh.err"; then
	ok "ssh through the port-forward with the source guest's host key (StrictHostKeyChecking)"
else
	not_ok "ssh through the port-forward with the source guest's host key (StrictHostKeyChecking)"
	diag_stdin <"$T/ssh.err"
	ls "$LAB_DIR/pvc/$ns/"*.img >/dev/null 2>&1 ||
		diag "no PVC bytes under $LAB_DIR/pvc/$ns: the copy did not write the boot PVC (forklift_bytes.go)"
	grep 'guest sshd' "$LAB_DIR/lab.log" | tail -n 3 | diag_stdin
fi
check "hostname in the guest is the source guest's" test "$(cat "$T/hostname")" = "$(field "$T/src.json" 'j["hostname"]')"
gssh "$ns" "$name" "$KV_GUEST_PASSWORD" cat /etc/machine-id >"$T/mid" 2>"$T/ssh.err"
check "cat /etc/machine-id in the guest is the source guest's file" test "$(cat "$T/mid")" = "$(field "$T/src.json" 'j["machine_id"]')"
gssh "$ns" "$name" "not-$KV_GUEST_PASSWORD" hostname >"$T/out" 2>"$T/ssh.err"
rc=$?
if [ $rc -eq 255 ] && grep -q 'Permission denied' "$T/ssh.err"; then ok "a wrong password is refused"; else
	not_ok "a wrong password is refused (exit $rc)"; diag_stdin <"$T/ssh.err"; fi
"$PYTHON3" "$lab/kv_portforward.py" "$server" "$ca" "$ns" "$name" 80 </dev/null >"$T/out" 2>"$T/pf.err"
contains "port 80 of the guest: 500, virt-api's dial is refused" "$T/pf.err" ":80: connect: connection refused"

# ---------------------------------------------------------------- cleanup
for id in kv0001; do
	"$MTV_SCENARIO" cleanup --run-id "$id" -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		>"$T/clean.out" 2>"$T/clean.err" || { diag "cleanup $id:"; sed -n '1,10p' "$T/clean.err" | diag_stdin; }
done
"$PYTHON3" "$lab/test_kubevirt_client.py" "$LAB_KUBECONFIG" 0 | sed 1d >"$T/left"
check "cleanup leaves no VirtualMachine" test ! -s "$T/left"
