#!/bin/bash
# t_artifacts.sh: a failed or interrupted run leaves its evidence before the
# teardown: a scenario whose disk copy fails (forklift/fail-next) gets an
# artifacts folder with its objects, events, pod logs, the vSphere history
# of its VM and a summary naming the failing step and the message; no
# secret of the providers file, kubeconfig or lab is in it (raw, base64 or
# URL-encoded); the teardown still removes everything. A passing run
# writes no folder; an interrupted one (SIGINT) does, under
# $ARTIFACT_DIR/mtv-scenario.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
lab_state_read "the lab's state is read before the runs" "$T/before" || exit 1
SC=$(lab_get storage_class || echo lab-block)
f="$srcdir/scenarios.d/thin.yaml"

# clean DESC: the lab is as before the runs
clean() {
	lab_state_read "$1: the lab's state is read" "$T/after" || return 1
	same_file "$1: no VM left" "$T/before.vsphere" "$T/after.vsphere"
	same_file "$1: no namespace or cluster object left" "$T/before.kube" "$T/after.kube"
	same_file "$1: no ESXi key line left" "$T/before.keys" "$T/after.keys"
}

# the folder run RUN wrote under DIR (one), in $dir
folder() {
	dir=$(find "$1" -mindepth 1 -maxdepth 1 -type d -name "thin-$2" 2>/dev/null)
	if [ -n "$dir" ] && [ -s "$dir/summary.txt" ]; then
		ok "$3: the folder thin-$2 with summary.txt is written"
	else
		not_ok "$3: the folder thin-$2 with summary.txt is written"
		find "$1" 2>&1 | head -20 | diag_stdin
		return 1
	fi
}

# the vib clone method: the same artifacts without the ESXi key steps,
# whose SSH logins are slow on a loaded machine (the passwords are those of
# the lab's providers file, which the secret grep below reads)
sed 's/^\(    esxi_clone_method: \).*/\1"vib"/' "$LAB_PROVIDERS" >"$T/vib.yaml"

# 1. a disk copy that fails mid-way
lab_control POST /forklift/fail-next \
	'{"kind":"disk-copy","message":"clone task failed: ARTIFACT-42-UNIQUE"}' >/dev/null
"$MTV_SCENARIO" run --storage-class "$SC" -p "$T/vib.yaml" --kubeconfig "$LAB_KUBECONFIG" \
	--run-id artf01 --artifacts "$T/art" "$f" >"$T/fail.out" 2>"$T/fail.err"
rc=$?
if [ $rc -eq 1 ]; then ok "failed copy: exit 1"; else
	not_ok "failed copy: exit 1 (got $rc)"; tail -20 "$T/fail.err" | diag_stdin; fi
if folder "$T/art" artf01 "failed copy"; then
	# the collection comes before the teardown
	if awk '/collecting artifacts/ { c = NR } /^teardown: / { t = NR } END { exit !(c && t && c < t) }' "$T/fail.err"; then
		ok "failed copy: collected before the teardown"
	else
		not_ok "failed copy: collected before the teardown"; grep -n 'artifacts\|^teardown' "$T/fail.err" | diag_stdin
	fi
	for kind in Provider NetworkMap StorageMap Plan Migration PersistentVolumeClaim \
		VSphereXcopyVolumePopulator Pod; do
		if ls "$dir"/cluster/*/"$kind"/*.yaml >/dev/null 2>&1; then
			ok "failed copy: a $kind is saved"
		else
			not_ok "failed copy: a $kind is saved"
		fi
	done
	if grep -rqF ARTIFACT-42-UNIQUE "$dir/cluster" "$dir/logs"; then
		ok "failed copy: the saved objects, events or logs hold the message"
	else
		not_ok "failed copy: the saved objects, events or logs hold the message"
		find "$dir" -type f | diag_stdin
	fi
	contains "failed copy: the namespace's events are saved" "$dir/cluster/mtv-thin-artf01/events.txt" "PopulatorFailed"
	contains "failed copy: summary.txt names the failing step" "$dir/summary.txt" "failed step: step 13 (migrate)"
	contains "failed copy: summary.txt gives the message" "$dir/summary.txt" "ARTIFACT-42-UNIQUE"
	contains "failed copy: summary.txt gives the Plan's condition" "$dir/summary.txt" \
		"Plan mtv-thin-artf01/artf01-thin: condition Failed"
	contains "failed copy: summary.txt lists the files" "$dir/summary.txt" "cluster/mtv-thin-artf01/Plan/artf01-thin.yaml"
	if cat "$dir"/logs/openshift-mtv/forklift-controller-*.log 2>/dev/null | grep -q "VM migration failed"; then
		ok "failed copy: the Forklift controller's log is saved"
	else
		not_ok "failed copy: the Forklift controller's log is saved"; find "$dir/logs" | diag_stdin
	fi
	if cat "$dir"/logs/openshift-mtv/forklift-volume-populator-controller-*.log 2>/dev/null |
		grep -q "VSphere xcopy populator failed"; then
		ok "failed copy: the populator controller's log is saved"
	else
		not_ok "failed copy: the populator controller's log is saved"
	fi
	contains "failed copy: the VM's vSphere events are saved" "$dir/vsphere/artf01-xcopy-template-test-1/events.txt" "VmPoweredOffEvent"
	contains "failed copy: the VM's vSphere tasks are saved" "$dir/vsphere/artf01-xcopy-template-test-1/tasks.txt" "VirtualMachine.powerOff"
	contains "failed copy: Secrets are named only" "$dir/cluster/secrets.txt" "mtv-thin-artf01/artf01-vsphere-creds"
	if ls "$dir"/cluster/*/Secret >/dev/null 2>&1; then
		not_ok "failed copy: no Secret object is saved"
	else
		ok "failed copy: no Secret object is saved"
	fi
	if "$PYTHON3" -c 'import glob, sys, yaml
for f in glob.glob(sys.argv[1] + "/**/*.yaml", recursive=True):
    yaml.safe_load(open(f))' "$dir" 2>"$T/yaml.err"; then
		ok "failed copy: every saved .yaml file is YAML"
	else
		not_ok "failed copy: every saved .yaml file is YAML"; diag_stdin <"$T/yaml.err"
	fi
fi
lacks "failed copy: the teardown leaves nothing" "$T/fail.err" "left behind by run"
clean "failed copy"

# 2. a passing run (its source side) writes nothing, also with ARTIFACT_DIR
ARTIFACT_DIR=$T/ci "$MTV_SCENARIO" run --only source --storage-class "$SC" -p "$T/vib.yaml" \
	--kubeconfig "$LAB_KUBECONFIG" --run-id artf02 "$f" >"$T/pass.out" 2>"$T/pass.err"
rc=$?
if [ $rc -eq 0 ]; then ok "passing run: exit 0"; else
	not_ok "passing run: exit 0 (got $rc)"; tail -20 "$T/pass.err" | diag_stdin; fi
if [ -e "$T/ci/mtv-scenario/thin-artf02" ]; then
	not_ok "passing run: no artifacts folder"
else
	ok "passing run: no artifacts folder"
fi

# 3. SIGINT during the first provider step: the folder goes to
# $ARTIFACT_DIR/mtv-scenario
ARTIFACT_DIR=$T/ci "$MTV_SCENARIO" run --storage-class "$SC" -p "$T/vib.yaml" \
	--kubeconfig "$LAB_KUBECONFIG" --run-id artf03 "$f" >"$T/int.out" 2>"$T/int.err" &
pid=$!
if timeout 120 grep -q -m1 -E '\] provider ' <(tail -n +1 -F "$T/int.err" 2>/dev/null); then
	kill -INT $pid
fi
wait $pid
rc=$?
if [ $rc -eq 2 ]; then ok "interrupted run: exit 2"; else
	not_ok "interrupted run: exit 2 (got $rc)"; tail -20 "$T/int.err" | diag_stdin; fi
if folder "$T/ci/mtv-scenario" artf03 "interrupted run"; then
	contains "interrupted run: summary.txt says so" "$dir/summary.txt" "result: interrupted"
	contains "interrupted run: its Secret is named" "$dir/cluster/secrets.txt" "mtv-thin-artf03/artf03-vsphere-creds"
fi
clean "interrupted run"

# no secret anywhere in the folders, in any encoding
lab_secret_spellings >"$T/secrets"
n=$(wc -l <"$T/secrets")
if [ "$n" -ge 9 ]; then ok "collected $n secret spellings"; else not_ok "collected $n secret spellings (expected >= 9)"; fi
for d in "$T/art" "$T/ci"; do
	if grep -rqF -f "$T/secrets" "$d"; then
		not_ok "no secret in ${d#"$T"/}"; grep -rlF -f "$T/secrets" "$d" | head -5 | diag_stdin
	else
		ok "no secret in ${d#"$T"/}"
	fi
	if grep -rq 'PRIVATE KEY\|LS0tLS1CRUdJTi' "$d"; then
		not_ok "no private key material in ${d#"$T"/}"
	else
		ok "no private key material in ${d#"$T"/}"
	fi
done
