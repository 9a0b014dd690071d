#!/bin/bash
# t_source.sh: the source side (src/vsphere/, the clone, disk, rdm, snapshot,
# power, guest-ready and preflight steps) against the lab through
# mtv-test-tool vs: every disk shape runs and leaves the inventory as it was;
# with --keep each shape is checked independently with pyVmomi
# (tests/t_source_check.py); faults through the control endpoint (expired
# session, failing and dropped CloneVM_Task, preflight problems); TLS
# (CA file, SHA-1 and SHA-256 pins, wrong pin); no secret in any output.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

VT=("$MTV_TEST_TOOL" vs)
[ -x "$MTV_TEST_TOOL" ] || skip_all "tests/mtv-test-tool is not built"
/usr/bin/python3 -c 'import pyVmomi' 2>/dev/null || skip_all "python3-pyvmomi missing"
lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
export GOVC_URL=$(lab_get vsphere.url) GOVC_USERNAME=$(lab_get vsphere.username) \
	GOVC_PASSWORD=$(lab_get vsphere.password) GOVC_TLS_CA_CERTS=$(lab_get vsphere.ca_file)
# the guest account the guest-data step logs in with (the plan runs without
# a profile here): the lab's providers file's
export GUEST_VM_LINUX_USER=$(sed -n 's/^ *guest_vm_linux_user: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$LAB_PROVIDERS" | head -1)
export GUEST_VM_LINUX_PASSWORD=$(sed -n 's/^ *guest_vm_linux_password: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$LAB_PROVIDERS" | head -1)
unset GOVC_INSECURE GOVC_TLS_KNOWN_HOSTS_THUMBPRINT
PW=$GOVC_PASSWORD
ALL=$T/all-output
: >"$ALL"
mkdir -p "$T/plans"
printf '%s\n' "$LAB_JSON" >"$T/lab.json"
MS=${MTV_SCENARIO:-$builddir/mtv-scenario}
PROV="-p $LAB_PROVIDERS --storage-class $(lab_get storage_class)"
# the disk shapes: the plans of scenarios.d files, and of tests/source/ for
# shapes no scenario has (16 disks, ten clones, snapshots left off);
# mtv-test-tool vs runs their source side
SHAPES=
n=0
while read -r s f; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	if "$MS" plan --format json --run-id "$(printf 'shap%02d' $n)" \
		$PROV "$srcdir/$f" >"$T/plans/$s.json" 2>"$T/err"; then
		SHAPES="$SHAPES $s"
	else
		not_ok "$s: plan of $f"; diag_stdin <"$T/err"
	fi
done <<'LIST'
thin scenarios.d/thin.yaml
thick-lazy scenarios.d/thick-lazy.yaml
thick-eager scenarios.d/thick-eager.yaml
multi-disk scenarios.d/multi-disk.yaml
different-path scenarios.d/multi-disk-different-path.yaml
multi-datastore scenarios.d/multi-datastore.yaml
mixed tests/source/mixed.yaml
fallback scenarios.d/fallback-large.yaml
rdm-virtual scenarios.d/rdm-virtual.yaml
rdm-physical scenarios.d/rdm-physical.yaml
independent-persistent scenarios.d/independent-persistent.yaml
independent-nonpersistent scenarios.d/independent-nonpersistent.yaml
10-mixed-disks scenarios.d/10-mixed-disks.yaml
16-disks tests/source/16-disks.yaml
snapshots tests/source/snapshots.yaml
warm scenarios.d/warm.yaml
scale tests/source/scale.yaml
LIST

# vt DESC ARGS...: run mtv-test-tool vs, ok on exit 0
vt() {
	local desc=$1; shift
	MTV_LOG_LEVEL=${LEVEL:-info} "${VT[@]}" "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	cat "$T/out" "$T/err" >>"$ALL"
	if [ $rc -eq 0 ]; then ok "$desc"; else
		not_ok "$desc (exit $rc)"; grep -v '^trace' "$T/out" "$T/err" | tail -8 | diag_stdin; fi
	return $rc
}
unchanged() {
	if lab_vsphere_unchanged >"$T/diff"; then ok "$1: inventory as at start"; else
		not_ok "$1: inventory as at start"; head -40 "$T/diff" | diag_stdin; fi
}

for s in $SHAPES; do
	vt "$s: source steps and teardown" run "$T/plans/$s.json" --only source
	unchanged "$s"
done

# --keep, then an independent check with pyVmomi, then its own cleanup
for s in thin thick-lazy thick-eager multi-disk different-path multi-datastore \
	mixed fallback rdm-virtual rdm-physical independent-persistent \
	independent-nonpersistent 10-mixed-disks snapshots warm; do
	vt "$s --keep" run "$T/plans/$s.json" --keep --only source
	if /usr/bin/python3 "$srcdir/tests/t_source_check.py" "$T/lab.json" \
		"$T/plans/$s.json" --cleanup >"$T/check" 2>&1; then
		ok "$s: pyVmomi finds what the plan asked ($(grep -c '^ok' "$T/check") checks)"
	else
		not_ok "$s: pyVmomi finds what the plan asked"; grep -v '^ok' "$T/check" | diag_stdin
	fi
	unchanged "$s after cleanup"
done

# placement on a named host with a DRS override; an RDM mapping file on NFS
# is refused with a clear message
/usr/bin/python3 - "$T/plans" <<'PY'
import json, sys
d = sys.argv[1]
p = json.load(open(d + "/thin.json"))
for s in p["steps"]:
    if s["kind"] == "clone":
        s["params"].update(disable_drs=True, host="127.0.0.2")
json.dump(p, open(d + "/drs.json", "w"))
p = json.load(open(d + "/rdm-virtual.json"))
for s in p["steps"]:
    if s["kind"] == "rdm":
        s["params"]["datastore"] = "datastore-1004"
json.dump(p, open(d + "/rdm-nfs.json", "w"))
PY
vt "clone on a named host with DRS off --keep" run "$T/plans/drs.json" --keep --only source
if /usr/bin/python3 "$srcdir/tests/t_source_check.py" "$T/lab.json" \
	"$T/plans/drs.json" --cleanup >"$T/check" 2>&1; then
	ok "named host: pyVmomi finds the clone on it"
else
	not_ok "named host: pyVmomi finds the clone on it"; grep -v '^ok' "$T/check" | diag_stdin
fi
unchanged "named host after cleanup"
MTV_LOG_LEVEL=info "${VT[@]}" run "$T/plans/rdm-nfs.json" --only source >"$T/o" 2>&1
cat "$T/o" >>"$ALL"
contains "RDM on NFS refused" "$T/o" "RDM needs a VMFS datastore for its mapping file: 'nfs-ds' is NFS"
unchanged "RDM on NFS"

# a disk another VM uses too is detached before destroy, so it stays
vt "different-path --keep for a shared disk" run "$T/plans/different-path.json" --keep --only source
SVM=$(/usr/bin/python3 -c 'import json,sys; print([s["params"]["vm"] for s in json.load(open(sys.argv[1]))["steps"] if s["kind"] == "clone"][0])' "$T/plans/different-path.json")
check "shared disk: a second VM attaches it" /usr/bin/python3 "$srcdir/tests/t_source_shared.py" "$T/lab.json" attach "$SVM" shared-holder
LEVEL=verbose vt "shared disk: the clone's undo destroys the VM" destroy "$SVM"
contains "shared disk: detached first" "$T/err" "detaching shared disk"
check "shared disk: its file is still there" /usr/bin/python3 "$srcdir/tests/t_source_shared.py" "$T/lab.json" check shared-holder
check "shared disk: cleanup" /usr/bin/python3 "$srcdir/tests/t_source_shared.py" "$T/lab.json" cleanup shared-holder
unchanged "shared disk"

# every scenarios.d file's source side through mtv-scenario run --only source
for f in "$srcdir"/scenarios.d/*.yaml; do
	n=$(basename "$f" .yaml)
	"$MS" run --only source $PROV "$f" >"$T/o" 2>&1
	rc=$?; cat "$T/o" >>"$ALL"
	if [ $rc -eq 0 ]; then ok "scenarios.d/$n: source side passes"; else
		not_ok "scenarios.d/$n: source side passes (exit $rc)"; tail -5 "$T/o" | diag_stdin; fi
	unchanged "scenarios.d/$n"
done
# the disk shapes kept and checked with pyVmomi, from the real plans
for n in thin thick-lazy thick-eager multi-disk multi-disk-different-path \
	multi-disk-different-datastore-path multi-datastore mixed-datastore \
	dual-disk-mixed-thin-thick fallback-large rdm-virtual rdm-physical \
	independent-persistent independent-nonpersistent 10-mixed-disks \
	thin-snapshots thick-lazy-snapshots thick-eager-snapshots warm; do
	f=$srcdir/scenarios.d/$n.yaml
	"$MS" plan --run-id kept01 $PROV --format json "$f" >"$T/plan.json" 2>"$T/o"
	"$MS" run --run-id kept01 --keep --only source $PROV "$f" >"$T/o" 2>&1
	rc=$?; cat "$T/o" >>"$ALL"
	check "scenarios.d/$n --keep passes" [ $rc -eq 0 ]
	if /usr/bin/python3 "$srcdir/tests/t_source_check.py" "$T/lab.json" \
		"$T/plan.json" --cleanup >"$T/check" 2>&1; then
		ok "scenarios.d/$n: pyVmomi finds what the scenario asked ($(grep -c '^ok' "$T/check") checks)"
	else
		not_ok "scenarios.d/$n: pyVmomi finds what the scenario asked"; grep -v '^ok' "$T/check" | diag_stdin
	fi
	unchanged "scenarios.d/$n after cleanup"
done

# faults: an expired session in the middle of a run (NotAuthenticated on the
# clone) means one more Login and success
lab_control POST /vsphere/counts/reset >/dev/null
lab_control POST /vsphere/fault '{"method":"CloneVM_Task","count":1,"kind":"notauthenticated"}' >/dev/null
vt "expired session: logged in again, run succeeds" run "$T/plans/multi-disk.json" --only source
logins=$(lab_control GET /vsphere/counts | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("Login", 0))')
check "expired session: two logins ($logins)" [ "$logins" = 2 ]
unchanged "expired session"

# sessions idle for a second expire; the guest boot wait outlasts it
lab_control POST /vsphere/session-timeout '{"seconds":1}' >/dev/null
lab_control POST /vsphere/guest-boot-delay '{"ms":2500}' >/dev/null
vt "idle session timeout during the run: run succeeds" run "$T/plans/thin.json" --only source
lab_control POST /vsphere/session-timeout '{"seconds":0}' >/dev/null
lab_control POST /vsphere/guest-boot-delay '{"ms":200}' >/dev/null
unchanged "idle session timeout"

# a failing clone task: clear error, nothing left behind
lab_control POST /vsphere/fault '{"method":"CloneVM_Task","count":1,"kind":"taskerror","message":"lab says no"}' >/dev/null
MTV_LOG_LEVEL=info "${VT[@]}" run "$T/plans/multi-disk.json" --only source >"$T/o" 2>&1
rc=$?; cat "$T/o" >>"$ALL"
check "failing CloneVM_Task: the run fails" [ $rc -ne 0 ]
if grep -q "CloneVM_Task of 'xcopy-template-test' failed: SystemError: lab says no" "$T/o"; then
	ok "failing CloneVM_Task: message names the call, the template and the fault"
else
	not_ok "failing CloneVM_Task: message names the call, the template and the fault"; diag_stdin <"$T/o"
fi
unchanged "failing CloneVM_Task"
lab_control POST /vsphere/fault '{"method":"CloneVM_Task","count":1,"kind":"fault","message":"soap says no"}' >/dev/null
MTV_LOG_LEVEL=info "${VT[@]}" run "$T/plans/thin.json" --only source >"$T/o" 2>&1
rc=$?; cat "$T/o" >>"$ALL"
check "SOAP fault on CloneVM_Task: the run fails" [ $rc -ne 0 ]
contains "SOAP fault: vSphere's text in the message" "$T/o" "soap says no"
unchanged "SOAP fault on CloneVM_Task"

# a dropped connection is retried once, and the clone is made once
lab_control POST /vsphere/fault '{"method":"CloneVM_Task","count":1,"kind":"drop"}' >/dev/null
vt "dropped connection on CloneVM_Task: retried, run succeeds" run "$T/plans/thin.json" --only source
unchanged "dropped connection"
lab_control POST /vsphere/fault '{"method":"ReconfigVM_Task","count":1,"kind":"drop"}' >/dev/null
lab_control POST /vsphere/fault '{"method":"PowerOnVM_Task","count":1,"kind":"drop"}' >/dev/null
vt "dropped connections on ReconfigVM_Task and PowerOnVM_Task: run succeeds" run "$T/plans/multi-disk.json" --only source
unchanged "dropped reconfigure and power-on"
lab_control POST /vsphere/fault '{"method":"RetrievePropertiesEx","count":1,"kind":"drop"}' >/dev/null
vt "dropped connection on RetrievePropertiesEx: retried" info xcopy-template-test

# preflight reports every problem at once, before anything is made
/usr/bin/python3 - "$T/plans/thin.json" "$T/plans/bad.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
pf = p["steps"][0]["params"]
pf["templates"].append("no-such-template")
pf["datastores"] += [{"key": "datastore_id", "moid": "datastore-1003", "xcopy": True},
                     {"key": "non_xcopy_datastore_id", "moid": "datastore-1001", "xcopy": False},
                     {"key": "secondary_datastore_id", "moid": "datastore-1004", "xcopy": True},
                     {"key": "literal", "moid": "datastore-9999", "xcopy": None}]
pf["hosts"] = ["no-such-host"]
pf["rdm_lun_uuid"] = "naa.0000"
json.dump(p, open(sys.argv[2], "w"))
PY
lab_control POST /vsphere/counts/reset >/dev/null
MTV_LOG_LEVEL=info "${VT[@]}" run "$T/plans/bad.json" --only source >"$T/o" 2>&1
cat "$T/o" >>"$ALL"
contains "preflight: 7 problems in one message" "$T/o" "source preflight found 7 problems"
for m in "template 'no-such-template' not found" "'plain-ds' (datastore_id) does not report XCOPY" \
	"'xcopy-ds' (non_xcopy_datastore_id) supports XCOPY" "'nfs-ds' (secondary_datastore_id) is NFS" \
	"datastore 'datastore-9999' (literal) not found" "ESXi host 'no-such-host' not found" \
	"RDM LUN 'naa.0000' not found"; do
	contains "preflight: $m" "$T/o" "$m"
done
clones=$(lab_control GET /vsphere/counts | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("CloneVM_Task", 0))')
check "preflight: nothing cloned" [ "$clones" = 0 ]

# TLS: pins (SHA-1 from the lab, SHA-256 computed), a wrong pin, no CA
TP=$(lab_get vsphere.thumbprint)
GOVC_TLS_CA_CERTS= GOVC_TLS_KNOWN_HOSTS_THUMBPRINT=$TP vt "SHA-1 thumbprint pin" info xcopy-template-test
hp=${GOVC_URL#https://}; hp=${hp%%/*}
TP256=$(openssl s_client -connect "$hp" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 | cut -d= -f2)
GOVC_TLS_CA_CERTS= GOVC_TLS_KNOWN_HOSTS_THUMBPRINT=$TP256 vt "SHA-256 thumbprint pin" info xcopy-template-test
GOVC_TLS_CA_CERTS= GOVC_TLS_KNOWN_HOSTS_THUMBPRINT=00:${TP#??:} "${VT[@]}" info xcopy-template-test >"$T/o" 2>&1
rc=$?; cat "$T/o" >>"$ALL"
check "wrong pin refused" [ $rc -ne 0 ]
contains "wrong pin: says so" "$T/o" "does not match the thumbprint"
lacks "wrong pin: no login attempted" "$T/o" "login"
GOVC_TLS_CA_CERTS= "${VT[@]}" info xcopy-template-test >"$T/o" 2>&1
rc=$?; cat "$T/o" >>"$ALL"
check "no CA file: certificate refused" [ $rc -ne 0 ]
GOVC_TLS_CA_CERTS= GOVC_INSECURE=1 vt "GOVC_INSECURE=1 connects" info xcopy-template-test
contains "GOVC_INSECURE: warned" "$T/err" "not verified"
GOVC_PASSWORD=wrong-password "${VT[@]}" info xcopy-template-test >"$T/o" 2>&1
check "wrong password refused" [ $? -ne 0 ]
contains "wrong password: clear message" "$T/o" "wrong user name or password"

# secrets: a trace-level run shows SOAP bodies and headers, never the
# password or the session cookie
LEVEL=trace vt "trace-level run" run "$T/plans/thin.json" --only source
contains "trace level shows SOAP" "$T/err" "RetrieveServiceContent"
lacks "no password in any output" "$ALL" "$PW"
cookie=$(grep -o 'vmware_soap_session=[^;" ]*' "$ALL" | grep -v '=\*\*\*$' | head -1)
check "no session cookie in any output" [ -z "$cookie" ]
key=$(grep -o '<key>[0-9a-f-]\{36\}</key>' "$ALL" | head -1)
check "no session key in any output" [ -z "$key" ]
unchanged "at the end"
