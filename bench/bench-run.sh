#!/bin/bash
# bench-run.sh [MTV_SCENARIO MTV_LAB]: figures of whole runs against the lab:
# SOAP and Kubernetes requests per scenario (the lab's counters), wall time,
# the delay between the lab marking a Plan Succeeded and the tool reporting
# it, and the tool's CPU time and peak memory while it waits on a long
# simulated migration. Prints a table; asserts nothing.
set -u
. "${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/bench/lib.sh"
lab_start || exit 1
run() { "$MTV_SCENARIO" run -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" --set cutover_delay=3 "$@"; }
total() { "$PYTHON3" -c 'import json,sys; d=json.load(sys.stdin); d=d.get("counts",d); print(sum(v for v in d.values() if isinstance(v,(int,float))))'; }

printf '%-22s %8s %8s %8s\n' scenario wall_s soap kube
for s in thin fallback-large 10-mixed-disks scale simultaneous warm; do
	lab_control POST /vsphere/counts/reset >/dev/null
	lab_control POST /kube/counts/reset >/dev/null
	start=$(date +%s.%N)
	run "$srcdir/scenarios.d/$s.yaml" >/dev/null 2>"$T/$s.err" || echo "($s failed)"
	end=$(date +%s.%N)
	soap=$(lab_control GET /vsphere/counts | total)
	kube=$(lab_control GET /kube/counts | total)
	printf '%-22s %8.2f %8s %8s\n' "$s" "$(echo "$end - $start" | bc)" "$soap" "$kube"
	lab_control GET /kube/counts >"$T/$s.kube.json"
done
echo "kube requests by verb and resource for scale:"
"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); d=d.get("counts",d)
for k in sorted(d, key=lambda k: -d[k])[:12]: print("  %-40s %s" % (k, d[k]))' "$T/scale.kube.json"

# A long migration: large-vm's 1 TiB disk at 20 GiB/s (about 50 s).
lab_control POST /forklift/rates '{"xcopy_mib_s": 20480, "fallback_mib_s": 20480}' >/dev/null
# the lab's view: when does the Plan get Succeeded?
"$PYTHON3" - "$LAB_KUBECONFIG" >"$T/watch.out" 2>/dev/null <<'PY' &
import sys, time
from kubernetes import client, config, watch
config.load_kube_config(sys.argv[1])
api = client.CustomObjectsApi()
w = watch.Watch()
for ev in w.stream(api.list_cluster_custom_object, "forklift.konveyor.io", "v1beta1", "plans", timeout_seconds=300):
    conds = (ev["object"].get("status") or {}).get("conditions") or []
    if any(c.get("type") == "Succeeded" and c.get("status") == "True" for c in conds):
        print("%.3f" % time.time(), flush=True)
        break
PY
watcher=$!
sleep 1
/usr/bin/time -f '%e %U %S %M' -o "$T/time" \
	"$MTV_SCENARIO" run -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
	"$srcdir/scenarios.d/large-vm.yaml" 2>&1 >/dev/null |
	while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done >"$T/large.err"
wait $watcher
read -r wall user sys rss <"$T/time"
lab_ok=$(cat "$T/watch.out")
tool_ok=$(grep -m1 "Succeeded" "$T/large.err" | cut -d' ' -f1)
echo "large-vm (1 TiB at 20 GiB/s): wall ${wall}s, tool CPU $(echo "$user + $sys" | bc)s, peak RSS ${rss} KiB"
if [ -n "$lab_ok" ] && [ -n "$tool_ok" ]; then
	echo "plan Succeeded in the lab -> reported by the tool: $(echo "($tool_ok - $lab_ok) * 1000" | bc | cut -d. -f1) ms"
fi
