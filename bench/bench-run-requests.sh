#!/bin/bash
# bench-run-requests.sh [MTV_SCENARIO MTV_LAB [SECONDS...]]: Kubernetes
# requests (the lab's counters, per verb and resource) of fallback-large
# with a simulated copy of each SECONDS (default 60 and 120), side by side.
# The copy time is set by the lab's fallback rate: the scenario's largest
# disk (100 GiB, every disk falls back) copies in SECONDS. Prints a table;
# asserts nothing (tests/t_watch_requests.sh does, on short copies).
set -u
. "${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/bench/lib.sh"
shift 2 2>/dev/null || shift $#
[ $# -gt 0 ] || set -- 60 120
lab_start || exit 1
bench_vib

for secs in "$@"; do
	lab_control POST /forklift/rates \
		"{\"fallback_mib_s\": $(echo "scale=3; 102400 / $secs" | bc)}" >/dev/null
	lab_control POST /kube/counts/reset >/dev/null
	start=$(date +%s.%N)
	"$MTV_SCENARIO" run -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		"$srcdir/scenarios.d/fallback-large.yaml" >"$T/$secs.out" 2>&1 ||
		echo "(fallback-large with a ${secs} s copy failed: $T/$secs.out)"
	end=$(date +%s.%N)
	lab_control GET /kube/counts >"$T/$secs.json"
	echo "$secs $(echo "$end - $start" | bc)" >>"$T/walls"
done
"$PYTHON3" - "$T" "$@" <<'PY'
import json, sys
d, secs = sys.argv[1], sys.argv[2:]
counts = {}
for s in secs:
    c = json.load(open("%s/%s.json" % (d, s)))
    counts[s] = c.get("counts", c)
walls = dict(l.split() for l in open(d + "/walls"))
keys = sorted(set(k for c in counts.values() for k in c),
              key=lambda k: (-max(c.get(k, 0) for c in counts.values()), k))
print("fallback-large: Kubernetes requests by simulated copy time")
print("%-46s" % "verb resource" + "".join("%9s" % (s + " s") for s in secs))
for k in keys:
    print("  %-44s" % k + "".join("%9d" % counts[s].get(k, 0) for s in secs))
tot = {s: sum(v for v in counts[s].values() if isinstance(v, int)) for s in secs}
print("  %-44s" % "total" + "".join("%9d" % tot[s] for s in secs))
print("  %-44s" % "wall s" + "".join("%9.1f" % float(walls[s]) for s in secs))
if len(secs) > 1:
    a, b = secs[0], secs[-1]
    extra = tot[b] - tot[a]
    hours = (float(b) - float(a)) / 3600
    print("%d more requests for %s s than for %s s: %.0f per simulated hour "
          "of copying" % (extra, b, a, extra / hours))
PY
