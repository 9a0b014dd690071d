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

dump "$T/before"
for f in "$srcdir"/scenarios.d/*.yaml; do
	name=$(basename "$f" .yaml)
	# warm scenarios: cut over 3 s after the start instead of 5 minutes
	"$MTV_SCENARIO" run -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		--set cutover_delay=3 --report "$T/$name.json" "$f" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	if [ $rc -eq 0 ] && grep -q "^PASS $name" "$T/$name.out"; then
		ok "$name passes end to end"
	else
		not_ok "$name passes end to end (exit $rc)"
		sed -n '1,40p' "$T/$name.out" "$T/$name.err" | diag_stdin
	fi
done
dump "$T/after"
same_file "vSphere inventory is as before the runs" "$T/before.vsphere" "$T/after.vsphere"
same_file "no cluster object is left behind" "$T/before.kube" "$T/after.kube"
same_file "ESXi authorized_keys is as before the runs" "$T/before.keys" "$T/after.keys"
