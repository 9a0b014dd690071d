#!/bin/bash
# bench-run-jobs.sh [MTV_SCENARIO MTV_LAB]: a 7-scenario suite run one
# after the other and with -j 4 against the lab, with copy rates scaled
# from real arrays (XCOPY 3x the host-based fallback, the ratio of the
# lab's and mtv-scenario's defaults): both wall times, the ideal schedule
# max(longest scenario, sum / 4) from the sequential durations, and the
# -j 4 wall time as a multiple of it (goal: within 1.25). Prints figures;
# asserts nothing.
set -u
. "${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/bench/lib.sh"
lab_start || exit 1
# the vib clone method: no ESXi key steps (not what is measured here)
bench_vib
# 6 GiB/s XCOPY, 2 GiB/s fallback: a real array's 600 and 200 MiB/s ten
# times faster; the tool is told the same rates (its start order)
XCOPY=6144 FALLBACK=2048
lab_control POST /forklift/rates "{\"xcopy_mib_s\": $XCOPY, \"fallback_mib_s\": $FALLBACK}" >/dev/null
export COPYOFFLOAD_XCOPY_MIB_S=$XCOPY COPYOFFLOAD_FALLBACK_MIB_S=$FALLBACK
SUITE="fallback-large scale 10-mixed-disks mixed-datastore multi-disk multi-datastore thin"
files() { for s in $SUITE; do echo "$srcdir/scenarios.d/$s.yaml"; done; }
run() {
	"$MTV_SCENARIO" run -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
		--progress=none "$@" $(files)
}
now() { date +%s.%N; }

start=$(now)
run --report "$T/seq.json" >"$T/seq.out" 2>"$T/seq.err" || echo "(sequential run failed: exit $?)"
seq_wall=$(echo "$(now) - $start" | bc)
start=$(now)
run -j 4 --report "$T/par.json" >"$T/par.out" 2>"$T/par.err" || echo "(-j 4 run failed: exit $?)"
par_wall=$(echo "$(now) - $start" | bc)

"$PYTHON3" - "$T/seq.json" "$T/par.json" "$seq_wall" "$par_wall" <<'PY'
import json, sys
seq = json.load(open(sys.argv[1]))["scenarios"]
par = {s["name"]: s for s in json.load(open(sys.argv[2]))["scenarios"]}
seq_wall, par_wall = float(sys.argv[3]), float(sys.argv[4])
print("%-22s %10s %10s %8s" % ("scenario", "seq_s", "j4_s", "verdict"))
for s in seq:
    p = par.get(s["name"], {})
    same = "same" if p.get("status") == s["status"] else "DIFFERS"
    print("%-22s %10.1f %10.1f %8s" % (s["name"], s["duration_seconds"],
          p.get("duration_seconds", 0.0), s["status"] + "/" + same))
d = [s["duration_seconds"] for s in seq]
ideal = max(max(d), sum(d) / 4)
print("sequential wall %.1f s (sum of scenarios %.1f s, longest %.1f s)" % (seq_wall, sum(d), max(d)))
print("-j 4 wall %.1f s; ideal max(longest, sum/4) = %.1f s; ratio %.2f (goal <= 1.25); speed-up %.2fx"
      % (par_wall, ideal, par_wall / ideal, seq_wall / par_wall))
# what the schedule adds beyond the scenarios' own (slower, side by side)
# durations: max(longest, sum/4) of the -j 4 durations
pd = [p["duration_seconds"] for p in par.values()]
own = max(max(pd), sum(pd) / 4)
print("-j 4 against its own durations' ideal %.1f s: ratio %.2f (the rest is scenarios slowed by running side by side)"
      % (own, par_wall / own))
PY
echo "leak check after both runs: $(lab_control GET /vsphere/inventory/diff | "$PYTHON3" -c 'import json,sys; print("no VM or file left" if json.load(sys.stdin)["equal"] else "SOMETHING LEFT")')"
