# cluster_lib.sh: helpers of the cluster-step tests (t_cluster*.sh,
# t_negative.sh): the plan of a scenario from 'mtv-scenario plan' against
# the lab's providers file (for a negative variant: a providers-file
# variant, or an edit of the plan where no scenario can ask for the
# fault), run with mtv-test-tool cluster, and a check that nothing is left
# behind.

# cluster_dump PREFIX: the lab's cluster objects (no events) and
# authorized_keys in PREFIX.kube and PREFIX.keys; "not ok" with the cause,
# and a non-zero return, when the lab cannot be read.
cluster_dump() {
	lab_state_read "the lab's state is read (${1##*/})" "$1" kube keys
}

# cluster_plan VARIANT RUN: write $T/RUN.json and the providers file it
# runs with to $T/RUN.providers.
cluster_plan() {
	local variant=$1 run=$2 scn=$srcdir/scenarios.d/thin.yaml
	local prov=$T/$run.providers.yaml
	case $variant in
	fallback) scn=$srcdir/tests/neg/fallback.yaml ;;
	concurrent) scn=$srcdir/scenarios.d/simultaneous.yaml ;;
	esac
	case $variant in
	unknown-key) sed "s|^\\(  *esxi_known_hosts:\\).*|\\1 /dev/null|" "$LAB_PROVIDERS" ;;
	nfs) sed "s|^\\(  *datastore_id:\\).*|\\1 \"$(lab_get inventory.nfs_ds)\"|" "$LAB_PROVIDERS" ;;
	*) cat "$LAB_PROVIDERS" ;;
	esac >"$prov"
	printf '%s\n' "$prov" >"$T/$run.providers"
	"$MTV_SCENARIO" plan --format json --run-id "$run" -p "$prov" \
		--storage-class "$(lab_get storage_class)" "$scn" >"$T/$run.json" || return 1
	# the faults no scenario asks for: a StorageMap entry for a datastore
	# the VM does not use, a wrong vCenter password in the provider
	# secret, a storage secret without the vendor's key, and (nfs) no
	# source preflight, which would refuse the NFS datastore
	"$PYTHON3" - "$T/$run.json" "$variant" "$(lab_get inventory.secondary_ds)" <<'PY'
import json, sys
path, variant, secondary = sys.argv[1:4]
p = json.load(open(path))
steps = p["steps"]
for s in steps:
    pa, kind = s["params"], s["kind"]
    m = pa.get("manifest", {})
    if variant == "missing-entry" and kind == "map" and m["kind"] == "StorageMap":
        m["spec"]["map"][0]["source"] = {"id": secondary}
    if variant == "badpass" and kind == "secret" and pa["role"] == "provider":
        m["stringData"]["password"] = "wrong-password"
    if variant == "missing-vendor-key" and kind == "secret" and pa["role"] == "storage":
        del m["stringData"]["ONTAP_SVM"]
if variant == "nfs":
    gone = {s["id"] for s in steps if (s["kind"], s["side"]) == ("preflight", "source")}
    p["steps"] = [s for s in steps if s["id"] not in gone]
    for s in p["steps"]:  # nor does any step wait for it
        if "after" in s:
            s["after"] = [a for a in s["after"] if a not in gone]
json.dump(p, open(path, "w"), indent=1)
PY
}

# cluster_run VARIANT RUN: plan (run id RUN, 6 characters) and run; exit
# status in $rc, output in $T/RUN.out and $T/RUN.err. The plan's own
# source steps make the clones and destroy them in the teardown.
cluster_run() {
	local variant=$1 run=$2
	if ! cluster_plan "$variant" "$run" 2>"$T/$run.gen"; then
		rc=99
		sed -n '1,20p' "$T/$run.gen" | diag_stdin
		return
	fi
	"$MTV_TEST_TOOL" cluster run "$LAB_KUBECONFIG" "$T/$run.json" "$(cat "$T/$run.providers")" \
		>"$T/$run.out" 2>"$T/$run.err"
	rc=$?
}

# cluster_clean DESC BEFORE: the cluster and authorized_keys are as in BEFORE.
cluster_clean() {
	lab_state_read "$1: the lab's state is read" "$T/after.$$" kube keys || return
	same_file "$1: no cluster object left" "$2.kube" "$T/after.$$.kube"
	same_file "$1: authorized_keys as before" "$2.keys" "$T/after.$$.keys"
}
