#!/bin/bash
# t_e2e.sh: every scenarios.d file end to end against the offline lab, each
# checked for its expected outcome; then the lab's object dumps prove that
# nothing was left in vSphere, the cluster or the ESXi authorized_keys.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"

dump() {
	lab_control GET /vsphere/inventory >"$1.vsphere" 2>/dev/null
	lab_control GET /kube/objects | "$PYTHON3" -c '
import json, sys
objs = json.load(sys.stdin)
items = objs.get("items", objs) if isinstance(objs, dict) else objs
out = []
for o in items if isinstance(items, list) else []:
    m = o.get("metadata", {})
    # objects the lab itself keeps (events are history, not leaks)
    if o.get("kind") in ("Event",):
        continue
    out.append("%s %s/%s" % (o.get("kind"), m.get("namespace", ""), m.get("name")))
print("\n".join(sorted(out)))' >"$1.kube" 2>/dev/null
	cp "$(lab_get esxi.authorized_keys)" "$1.keys" 2>/dev/null || : >"$1.keys"
}

# the ForkliftController settings (the throttling scenarios change and
# restore them)
fc_spec() {
	lab_control GET /kube/objects | "$PYTHON3" -c '
import json, sys
objs = json.load(sys.stdin)
items = objs.get("items", objs) if isinstance(objs, dict) else objs
print(json.dumps([o.get("spec") for o in items if o.get("kind") == "ForkliftController"], sort_keys=True))'
}

dump "$T/before"
fc_spec >"$T/before.fc"
for f in "$srcdir"/scenarios.d/*.yaml; do
	name=$(basename "$f" .yaml)
	# throttling shows only while copies overlap: 10 GiB take 50 ms
	# instead of 2.5 (a fraction of a second per throttling scenario)
	case $name in *throttling*)
		lab_control POST /forklift/rates '{"xcopy_mib_s":204800}' >/dev/null ;;
	esac
	# warm scenarios: cut over 3 s after the start instead of 5 minutes
	"$MTV_SCENARIO" run -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		--set cutover_delay=3 --report "$T/$name.json" "$f" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	case $name in *throttling*) lab_control POST /forklift/reset >/dev/null ;; esac
	if [ $rc -eq 0 ] && grep -q "^PASS $name" "$T/$name.out"; then
		ok "$name passes end to end"
	else
		not_ok "$name passes end to end (exit $rc)"
		sed -n '1,40p' "$T/$name.out" "$T/$name.err" | diag_stdin
	fi
done
# the checks that used to be pending: performed, or reported as not done
for name in rdm-virtual rdm-physical; do
	contains "$name: the RDM disk is verified as a LUN" "$T/$name.err" "1 RDM disk attached as lun on bus scsi"
done
contains "populator-throttling: the limit is verified" "$T/populator-throttling.err" "at most 2 of 5 disks copying at once (limit 2), 3 PVCs throttled"
contains "vm-populator-throttling: the VM limit is verified" "$T/vm-populator-throttling.err" "at most 1 VM in flight (limit 1), 1 held Pending"
for name in thin-snapshots thick-lazy-snapshots thick-eager-snapshots 2tb-vm-snapshots; do
	contains "$name: data_integrity is said not to be checked" "$T/$name.err" \
		"verify: data_integrity not checked: needs guest access (not implemented)"
	check "$name: the report lists data_integrity as skipped, not passed" "$PYTHON3" -c "
import json
s = json.load(open('$T/$name.json'))['scenarios'][0]
d = [t for t in s['steps'] if t['title'].startswith('data_integrity')]
assert s['status'] == 'passed' and len(d) == 1 and d[0]['status'] == 'skipped', d
assert 'needs guest access' in d[0]['message']"
done

dump "$T/after"
fc_spec >"$T/after.fc"
same_file "ForkliftController settings are as before the runs" "$T/before.fc" "$T/after.fc"
same_file "vSphere inventory is as before the runs" "$T/before.vsphere" "$T/after.vsphere"
same_file "no cluster object is left behind" "$T/before.kube" "$T/after.kube"
same_file "ESXi authorized_keys is as before the runs" "$T/before.keys" "$T/after.keys"
