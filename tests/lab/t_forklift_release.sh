#!/bin/bash
# Release profiles of the lab's Forklift model (mtv-lab --mtv VERSION),
# driven with kubectl and the manifests of tests/lab/manifests/ as
# t_forklift.sh does, one lab per profile, with the newest kubectl of
# lab_kubectls. What each release does is in
# ../shared/reference/forklift-versions.md (sections 2 to 5):
#   - a DiskTransfer task of a copy-offload plan is never Running, in any
#     release (updatePopulatorCopyProgress);
#   - xcopyUsed evidence (task annotation, populator CR status, populate
#     pod log) only from 2.12; the log repeats xcopyUsed=0 until the clone
#     writes show, then 1;
#   - controller_max_populator_inflight per ESXi host (2.11+, ignored by
#     2.10): populate pods labelled sourceHost, PopulatorThrottled events;
#   - controller_max_vm_inflight per host, the per-VM Pending condition
#     only on main;
#   - the RDM path per storage vendor; VDDK image validation; warm
#     copy-offload precopies through CDI with checkpoints.
# Environment: MTV_LAB (default $builddir/mtv-lab), KUBECTL, MTV_KUBECTLS,
# MTV_RELEASES (profiles to run, default "2.10 2.11 2.12 main").
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${builddir:=$srcdir}"
. "$srcdir/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"
M=$srcdir/tests/lab/manifests

if [ ! -x "${MTV_LAB:-$builddir/mtv-lab}" ]; then
	skip_all "mtv-lab is not built"
fi
KUBECTL=$(lab_kubectls | grep -v '^missing ' | tail -n 1)
diag "kubectl ${KUBECTL%% *} (${KUBECTL#* })"
KUBECTL=${KUBECTL#* }
if [ -z "$KUBECTL" ]; then
	skip_all "kubectl not found (install Debian's kubernetes-client or set MTV_KUBECTLS)"
fi

K() { "$KUBECTL" --request-timeout=20s "$@"; }
apply() {
	local f=$1; shift
	env "$@" perl -pe 's/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/$ENV{$1} \/\/ ""/ge' "$M/$f.yaml" | K apply -f - >/dev/null
}
vmtool() { VMTOOL_PASSWORD=$VSPHERE_PASSWORD "$PYTHON3" "$M/vmtool.py" "$VSPHERE_URL" "$VSPHERE_USER" - "$CA_FILE" "$@"; }
# q NS KIND NAME EXPR: a Python expression on the object o (as t_forklift.sh).
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
def tasks(i=0):
    return [s for s in vm(i)["pipeline"] if s["name"] == "DiskTransfer"][0].get("tasks", [])
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
' "$4"
}
is() {
	local desc=$1 got; shift
	got=$(q "$1" "$2" "$3" "$4" 2>"$T/err")
	if [ "$got" = "$5" ]; then ok "$desc"; else
		not_ok "$desc"; diag "expected: $5" "got:      $got"; sed -n '1,5p' "$T/err" | diag_stdin; fi
}
# rec NAME NS KIND: record every version of the objects (kubectl get -w)
# into $T/rec.NAME until rec_stop; hist NAME EXPR WANT [DESC] evaluates
# EXPR over objs, the list of every version seen, in order.
REC_PIDS=
rec() {
	K -n "$2" get "$3" -w -o json >"$T/rec.$1" 2>/dev/null &
	REC_PIDS="$REC_PIDS $!"
}
rec_stop() {
	local p
	sleep 0.3
	for p in $REC_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	REC_PIDS=
}
hist() {
	local got
	got=$("$PYTHON3" -c '
import json, re, sys
text = open(sys.argv[1]).read()
dec, i, objs = json.JSONDecoder(), 0, []
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    o, i = dec.raw_decode(text, i)
    objs.extend(o["items"] if o.get("kind", "").endswith("List") else [o])
def tasks(o):
    return [t for v in ((o.get("status") or {}).get("migration") or {}).get("vms") or []
            for s in v.get("pipeline") or [] if s["name"] == "DiskTransfer" for t in s.get("tasks") or []]
def vms(o):
    return ((o.get("status") or {}).get("migration") or {}).get("vms") or []
def peak(key):
    # most pods at once in phase Pending or Running, per value of key(pod)
    state, best = {}, {}
    for p in objs:
        if not p["metadata"]["name"].startswith("populate-"):
            continue
        state[p["metadata"]["name"]] = p
        now = {}
        for x in state.values():
            if (x.get("status") or {}).get("phase") in ("Pending", "Running"):
                k = key(x)
                now[k] = now.get(k, 0) + 1
        for k, n in now.items():
            best[k] = max(best.get(k, 0), n)
    return best
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
' "$T/rec.$1" "$2" 2>"$T/err")
	if [ "$got" = "$3" ]; then ok "${4:-$2}"; else
		not_ok "${4:-$2}"; diag "expected: $3" "got:      $got"; sed -n '1,5p' "$T/err" | diag_stdin; fi
}
finished() {
	K -n "$1" wait --for=condition=Succeeded "plan/$2" --timeout=30s >/dev/null 2>&1
}
fc_patch() { K -n openshift-mtv patch forkliftcontroller forklift-controller --type merge -p "$1" >/dev/null; }
# pod_logs NS: "pvcName: xcopyUsed values" of every populate pod
pod_logs() {
	local p
	for p in $(K -n "$1" get pods -o name | grep populate-); do
		printf '%s:' "$(K -n "$1" get "$p" -o jsonpath='{.metadata.labels.pvcName}')"
		K -n "$1" logs "$p" | sed -n 's/.*"xcopy" xcopyUsed=\([01]\).*/\1/p' | tr -d '\n'
		echo
	done | sort
}

profile() {
	local P=$1 ns tri duo1 duo2 rdmvm logs
	if ! lab_start --mtv "$P"; then
		not_ok "[$P] mtv-lab --mtv $P starts"
		return
	fi
	ok "[$P] mtv-lab --mtv $P starts"
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
	ns=fk-rel
	tri=$(vmtool clone xcopy-template-test tri-vm --disks=3) &&
		case $P in 2.10 | 2.11) ;; *)
			duo1=$(vmtool clone xcopy-template-test duo-vm-1) &&
			duo2=$(vmtool clone xcopy-template-test duo-vm-2) &&
			rdmvm=$(vmtool clone xcopy-template-test RDM_VM --rdm="$(lab_get inventory.rdm_lun_uuid)") ;; esac ||
		{ not_ok "[$P] source VMs cloned"; lab_stop; return; }
	K create namespace $ns >/dev/null &&
		apply providers NS=$ns CLONE_METHOD=vib && apply networkmap NS=$ns &&
		apply storagemap-xcopy NS=$ns STORAGE_CLASS="$STORAGE_CLASS" &&
		K -n $ns wait --for=condition=Ready provider/vsphere provider/host networkmap/net-map storagemap/xcopy-map \
			--timeout=15s >/dev/null || { not_ok "[$P] providers and maps Ready"; lab_stop; return; }
	# each 16 GiB disk copies in about half a second
	lab_control POST /forklift/rates '{"xcopy_mib_s":32768,"fallback_mib_s":32768}' >/dev/null
	# copy-offload on, as its users set it (2.10's operator leaves it off); the
	# knobs as integers, which every release's CRD takes (main's only those)
	fc_patch '{"spec":{"controller_max_populator_inflight":1,"controller_retain_populator_pods":"true","feature_copy_offload":"true"}}'

	# ---- one VM, three disks on one ESXi host, populator limit 1
	apply plan NS=$ns PLAN=tri VM_ID="$tri" PLAN_TYPE=cold PVC_TEMPLATE=pvc
	K -n $ns wait --for=condition=Ready plan/tri --timeout=15s >/dev/null
	rec tri-plan $ns plan/tri
	rec tri-pods $ns pods
	rec tri-cr $ns vspherexcopyvolumepopulators
	apply migration NS=$ns PLAN=tri
	if finished $ns tri; then ok "[$P] three-disk copy-offload plan runs to an end"; else not_ok "[$P] three-disk copy-offload plan runs to an end"; fi
	rec_stop
	is "[$P] three-disk plan Succeeded" $ns plan tri 'str(bool(cond("Succeeded")))' True
	hist tri-plan 'sorted(set(t.get("phase", "") for o in objs for t in tasks(o)))' '["Completed", "Pending"]' \
		"[$P] DiskTransfer tasks are Pending then Completed, never Running (every version of the Plan)"
	hist tri-plan 'any(t.get("phase") == "Pending" and t["progress"]["completed"] > 0 for o in objs for t in tasks(o))' true \
		"[$P] a Pending task shows the populator's progress before its PVC is Bound"
	logs=$(pod_logs $ns | sed 's/^[^:]*://' | sort | uniq -c | awk '{print $1 "x" $2}' | tr '\n' ' ')
	case $P in
	2.10 | 2.11)
		hist tri-plan 'sorted(set(k for o in objs for t in tasks(o) for k in t.get("annotations", {})))' '["unit"]' \
			"[$P] no xcopyUsed task annotation (PopulatorOffloadInfo comes in 2.12)"
		hist tri-cr 'sorted(set(k for o in objs for k in o.get("status", {})))' '["progress"]' \
			"[$P] populator CR status carries progress only, no xcopyUsed"
		if [ "$logs" = "3x " ]; then ok "[$P] populate pod logs have no xcopyUsed line"; else
			not_ok "[$P] populate pod logs have no xcopyUsed line"; diag "got: $logs"; fi
		;;
	*)
		is "[$P] task annotation xcopyUsed=1 on every disk" $ns plan tri '[t["annotations"]["xcopyUsed"] for t in tasks()]' '["1", "1", "1"]'
		hist tri-cr 'sorted(set(o.get("status", {}).get("xcopyUsed", "-") for o in objs))' '["-", "0", "1"]' \
			"[$P] populator CR status.xcopyUsed: absent, then 0 while polling, then 1"
		if [ "$logs" = "3x0000011111 " ]; then ok "[$P] each populate pod log: xcopyUsed=0 on every poll, then 1 (the last line)"; else
			not_ok "[$P] each populate pod log: xcopyUsed=0 on every poll, then 1 (the last line)"; diag "got: $logs"; fi
		;;
	esac
	if [ "$P" = main ]; then
		is "[main] task annotations carry the offload details" $ns plan tri \
			'[tasks()[0]["annotations"].get(k) for k in ("cloneMethod", "storageVendor", "result")]' '["vib", "ontap", "success"]'
	else
		is "[$P] no cloneMethod/result task annotations (main only)" $ns plan tri \
			'[k for k in tasks()[0]["annotations"] if k in ("cloneMethod", "result", "storageVendor")]' '[]'
	fi
	case $P in
	2.10)
		hist tri-pods 'sorted(set(",".join(sorted(p["metadata"]["labels"])) for p in objs if p["metadata"]["name"].startswith("populate-")))' \
			'["migration,pvcName"]' "[2.10] populate pods labelled pvcName and migration only (no sourceHost)"
		hist tri-pods 'peak(lambda p: "all")' '{"all": 3}' "[2.10] controller_max_populator_inflight ignored: three populate pods at once"
		is "[2.10] no PopulatorThrottled event" $ns events "" 'len([e for e in o["items"] if e["reason"] == "PopulatorThrottled"])' 0
		;;
	*)
		hist tri-pods 'sorted(set(",".join(sorted(p["metadata"]["labels"])) for p in objs if p["metadata"]["name"].startswith("populate-")))' \
			"$(if [ "$P" = 2.11 ]; then echo '["migration,pvcName,sourceHost"]'; else echo '["migration,plan,pvcName,sourceHost,vmID"]'; fi)" \
			"[$P] populate pods labelled with sourceHost (and vmID, plan from 2.12)"
		hist tri-pods 'list(peak(lambda p: p["metadata"]["labels"]["sourceHost"]).values())' '[1]' \
			"[$P] populator limit 1: never more than one populate pod Pending or Running on the ESXi host"
		is "[$P] the two held PVCs got PopulatorThrottled (Normal) with upstream's message" $ns events "" \
			'sorted(set((e["involvedObject"]["kind"], e["type"], bool(__import__("re").fullmatch(r"Waiting for available populator slot on host host-\d+ \(1/1 in-flight\)", e["message"]))) for e in o["items"] if e["reason"] == "PopulatorThrottled")) + [len(set(e["involvedObject"]["name"] for e in o["items"] if e["reason"] == "PopulatorThrottled"))]' \
			'[["PersistentVolumeClaim", "Normal", true], 2]'
		;;
	esac

	# ---- two VMs on one host, VM limit 1 (the scheduler is the same
	# before main, which adds the Pending condition)
	case $P in 2.10 | 2.11) lab_stop; return ;; esac
	fc_patch '{"spec":{"controller_max_populator_inflight":20,"controller_max_vm_inflight":1}}'
	apply plan-two NS=$ns PLAN=duo VM_ID="$duo1" VM_ID2="$duo2" PLAN_TYPE=cold PVC_TEMPLATE=pvc
	K -n $ns wait --for=condition=Ready plan/duo --timeout=15s >/dev/null
	rec duo-plan $ns plan/duo
	apply migration NS=$ns PLAN=duo
	if finished $ns duo; then ok "[$P] two-VM plan under a VM limit of 1 runs to an end"; else not_ok "[$P] two-VM plan under a VM limit of 1 runs to an end"; fi
	rec_stop
	hist duo-plan 'max(len([v for v in vms(o) if v.get("started") and v["phase"] not in ("CreateGuestConversionPod", "ConvertGuest", "CreateVM", "Completed")]) for o in objs)' 1 \
		"[$P] VM limit 1 on the host: one VM copies at a time"
	if [ "$P" = main ]; then
		hist duo-plan 'sorted(set((c["type"], c["category"], c["message"]) for o in objs for v in vms(o) for c in v.get("conditions", []) if c["type"] == "Pending"))' \
			'[["Pending", "Advisory", "Waiting to start migration: in-flight limit reached (max 1)."]]' \
			"[main] the queued VM has the condition Pending"
		is "[main] Pending removed once the VM started" $ns plan duo '[c["type"] for i in (0, 1) for c in vm(i)["conditions"]]' '["Succeeded", "Succeeded"]'
	else
		hist duo-plan 'len([c for o in objs for v in vms(o) for c in v.get("conditions", []) if c["type"] == "Pending"])' 0 \
			"[$P] no per-VM Pending condition (main only)"
	fi
	fc_patch '{"spec":{"controller_max_vm_inflight":20}}'

	rdm_vendors $P "$rdmvm"
	if [ "$P" = 2.12 ]; then
		vddk_validation
		warm_cbt fk-vddkv
	fi
	lab_stop
}

# rdm_vendors P VM: the rdm path only for pureFlashArray, primera3par,
# flashsystem and vantara; ontap copies the RDM through vmkfstools.
rdm_vendors() {
	local P=$1 vm=$2 ns=fk-rdm
	K create namespace $ns >/dev/null
	apply providers NS=$ns CLONE_METHOD=vib && apply networkmap NS=$ns
	K -n $ns create secret generic pure-creds --from-literal=STORAGE_HOSTNAME=pure.lab.invalid \
		--from-literal=STORAGE_TOKEN=lab-token --from-literal=PURE_CLUSTER_PREFIX=px_0123abcd >/dev/null
	sed 's/secretRef: ontap-creds, storageVendorProduct: ontap/secretRef: pure-creds, storageVendorProduct: pureFlashArray/' \
		"$M/storagemap-xcopy.yaml" >"$T/storagemap-pure.yaml"
	M=$T apply storagemap-pure NS=$ns STORAGE_CLASS="$STORAGE_CLASS"
	K -n $ns wait --for=condition=Ready provider/vsphere networkmap/net-map storagemap/xcopy-map --timeout=15s >/dev/null
	apply plan NS=$ns PLAN=rdm VM_ID="$vm" PLAN_TYPE=cold PVC_TEMPLATE=pvc
	K -n $ns wait --for=condition=Ready plan/rdm --timeout=15s >/dev/null
	rec rdm-plan $ns plan/rdm
	apply migration NS=$ns PLAN=rdm
	finished $ns rdm
	rec_stop
	# the first version that shows newName shows a phase before CreateVM
	# (Started, unless a loaded machine coalesced the status writes)
	hist rdm-plan '[p in ("Started", "CreateDataVolumes", "CopyDisks", "CreateGuestConversionPod",
		"ConvertGuest") for p in [v["phase"] for o in objs for v in vms(o) if v.get("newName")][:1]]' '[true]' \
		"[$P] target VM name (newName rdm-vm) set when the VM starts, not at CreateVM"
	if [ "$P" = main ]; then
		is "[main] pureFlashArray: VMDK disk by vib with XCOPY, RDM disk by the rdm path, xcopyUsed 0" $ns plan rdm \
			'[bool(cond("Succeeded"))]+[t["annotations"]["cloneMethod"]+":"+t["annotations"]["xcopyUsed"] for t in tasks()]' \
			'[true, "vib:1", "rdm:0"]'
	else
		is "[$P] pureFlashArray: the RDM disk reports xcopyUsed 0 (rdm path)" $ns plan rdm \
			'[bool(cond("Succeeded"))]+[t["annotations"]["xcopyUsed"] for t in tasks()]' '[true, "1", "0"]'
	fi
}

# vddk_validation: a Job's pod validates vddkInitImage; while it runs the
# plan has ValidatingVDDK and no Ready; an image without the VDDK library
# (in the lab: a repository name without "vddk") gives VDDKInvalid.
vddk_validation() {
	local ns=fk-vddkv
	K create namespace $ns >/dev/null
	apply providers NS=$ns CLONE_METHOD=vib && apply networkmap NS=$ns &&
		apply storagemap-xcopy NS=$ns STORAGE_CLASS="$STORAGE_CLASS"
	K -n $ns wait --for=condition=Ready provider/vsphere networkmap/net-map storagemap/xcopy-map --timeout=15s >/dev/null
	lab_control POST /forklift/rates '{"vddk_validate_s":0.5}' >/dev/null
	K -n $ns patch provider vsphere --type merge -p '{"spec":{"settings":{"vddkInitImage":"quay.io/lab/vddk:8.0.3"}}}' >/dev/null
	rec vddk-plan $ns plans
	apply plan NS=$ns PLAN=good VM_ID="$(vmtool clone xcopy-template-test vddk-good)" PLAN_TYPE=cold PVC_TEMPLATE=pvc
	K -n $ns wait --for=condition=Ready plan/good --timeout=15s >/dev/null
	rec_stop
	hist vddk-plan '[sorted(c["type"] for c in o["status"]["conditions"] if c["type"] in ("Ready", "ValidatingVDDK")) for o in objs if o.get("status", {}).get("conditions")][-2:]' \
		'[["ValidatingVDDK"], ["Ready"]]' "[2.12] good VDDK image: ValidatingVDDK without Ready while the Job runs, then Ready"
	is "[2.12] the validation Job's pod is labelled job-name=vddk-validator-good-*" $ns pods "" \
		'[p["status"]["phase"] for p in o["items"] if p["metadata"]["labels"].get("job-name", "").startswith("vddk-validator-good-")]' '["Succeeded"]'
	K -n $ns patch provider vsphere --type merge -p '{"spec":{"settings":{"vddkInitImage":"quay.io/lab/busybox:1.36"}}}' >/dev/null
	K -n $ns wait --for=condition=VDDKInvalid plan/good --timeout=15s >/dev/null
	is "[2.12] an image without the VDDK library: the Job fails, VDDKInvalid (Critical), no Ready" $ns plan good \
		'[cond("VDDKInvalid").get("category"), cond("VDDKInvalid").get("message"), bool(cond("Ready"))]' \
		'["Critical", "VDDK init image is invalid", false]'
	lab_control POST /forklift/reset >/dev/null
}

# warm_cbt NS: warm copy-offload; the populator makes the first full copy,
# then DataVolumes adopt the PVCs and every precopy and the cutover add a
# CBT checkpoint that CDI's VDDK importer copies.
warm_cbt() {
	local ns=$1 vm i
	vm=$(vmtool clone xcopy-template-test warm-vm --on --cbt)
	K -n $ns patch provider vsphere --type merge -p '{"spec":{"settings":{"vddkInitImage":"quay.io/lab/vddk:8.0.3"}}}' >/dev/null
	lab_control POST /forklift/rates '{"precopy_interval_s":0.2}' >/dev/null
	apply plan NS=$ns PLAN=warm VM_ID="$vm" PLAN_TYPE=warm PVC_TEMPLATE=pvc
	K -n $ns wait --for=condition=Ready plan/warm --timeout=15s >/dev/null
	apply migration NS=$ns PLAN=warm
	for i in $(seq 1 100); do
		[ "$(q $ns plan warm 'str(len(vm().get("warm", {}).get("precopies", [])) >= 3)' 2>/dev/null)" = True ] && break
		sleep 0.1
	done
	is "[2.12] warm: the first copy by the populator (PVC dataSourceRef), then a DataVolume adopts the PVC" $ns datavolumes "" \
		'[(d["metadata"]["annotations"]["cdi.kubevirt.io/allowClaimAdoption"], d["metadata"]["annotations"]["cdi.kubevirt.io/storage.import.importPod"], "vddk" in d["spec"]["source"]) for d in o["items"]]' \
		'[["true", "xcopy-initial-offload", true]]'
	K -n $ns get plan warm -o json >"$T/warm-plan.json"
	K -n $ns get datavolumes -o json >"$T/warm-dv.json"
	if "$PYTHON3" - "$T/warm-plan.json" "$T/warm-dv.json" <<'PY'
import json, sys
plan, dvs = (json.load(open(f)) for f in sys.argv[1:3])
pre = plan["status"]["migration"]["vms"][0]["warm"]["precopies"]
cps = dvs["items"][0]["spec"]["checkpoints"]
snaps = [p["snapshot"] for p in pre]
assert cps[0] == {"previous": "", "current": snaps[0]}, cps
assert all(cps[i]["previous"] == cps[i - 1]["current"] for i in range(1, len(cps))), cps
n = min(len(cps), len(snaps))
assert [c["current"] for c in cps[:n]] == snaps[:n], (cps, snaps)
assert len(cps) >= 2
PY
	then ok "[2.12] warm: each precopy (warm.precopies) is a DataVolume CBT checkpoint chained to the previous one"
	else not_ok "[2.12] warm: each precopy (warm.precopies) is a DataVolume CBT checkpoint chained to the previous one"; fi
	K -n $ns patch migration warm-run1 --type merge -p "{\"spec\":{\"cutover\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}}" >/dev/null
	finished $ns warm
	is "[2.12] warm cutover: final checkpoint copied, DataVolume Succeeded, plan Succeeded" $ns datavolumes "" \
		'[(d["spec"]["finalCheckpoint"], d["status"]["phase"]) for d in o["items"]]' '[[true, "Succeeded"]]'
}

for P in ${MTV_RELEASES:-2.10 2.11 2.12 main}; do
	profile "$P"
done
