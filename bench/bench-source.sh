#!/bin/bash
# bench-source.sh: what preparing the source side costs (src/vsphere/ and
# the source steps): SOAP round trips (the lab's per-method counts) and wall
# time of `mtv-scenario run --only source` for 10-mixed-disks and scale,
# the preparation alone (--keep) and the whole run with its teardown.
#
#   bench/bench-source.sh [ROUNDS]      (default 3; the best wall time shown)
# Needs a built tree: builddir (default .) with mtv-scenario and mtv-lab (or
# MTV_LAB=path). Output: one "bench-source:" line per scenario and mode,
# then the per-method counts of the preparation.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${builddir:-.}
ROUNDS=${1:-3}
MS=${MTV_SCENARIO:-$builddir/mtv-scenario}
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-source.XXXXXX")
trap 'lab_stop >/dev/null 2>&1; rm -rf "$T"' EXIT
. "$srcdir/tests/lab/lab.sh"
[ -x "$MS" ] || { echo "bench-source: $MS is not built" >&2; exit 1; }
lab_start || exit 1
PROV=(-p "$LAB_PROVIDERS" --storage-class "$(lab_get storage_class)")
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
counts() {
	lab_control GET /vsphere/counts | /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin)
c = c.get("counts", c) if isinstance(c, dict) else c
n = sum(v for v in c.values() if isinstance(v, int))
print(n, " ".join("%s=%d" % (k, v) for k, v in sorted(c.items()) if isinstance(v, int)))'
}
for n in 10-mixed-disks scale; do
	f=$srcdir/scenarios.d/$n.yaml
	for mode in prepare full; do
		best=
		for r in $(seq "$ROUNDS"); do
			lab_control POST /vsphere/counts/reset >/dev/null
			t0=$(now_ms)
			if [ $mode = prepare ]; then
				"$MS" run --run-id bench$r --keep --only source "${PROV[@]}" "$f" >"$T/o" 2>&1
			else
				"$MS" run --only source "${PROV[@]}" "$f" >"$T/o" 2>&1
			fi
			rc=$?
			t1=$(now_ms)
			c=$(counts)
			if [ $mode = prepare ]; then
				"$MS" plan --run-id bench$r "${PROV[@]}" --format json "$f" >"$T/plan.json" 2>/dev/null
				printf '%s\n' "$LAB_JSON" >"$T/lab.json"
				/usr/bin/python3 "$srcdir/tests/t_source_check.py" "$T/lab.json" "$T/plan.json" --cleanup >/dev/null
			fi
			[ $rc -eq 0 ] || { echo "bench-source: $n $mode failed" >&2; tail -5 "$T/o" >&2; }
			ms=$((t1 - t0))
			if [ -z "$best" ] || [ $ms -lt $best ]; then best=$ms; bestc=$c; fi
		done
		vms=$(grep -c '^.*clone ' "$T/o")
		echo "bench-source: $n $mode: ${best} ms, ${bestc%% *} SOAP requests (best of $ROUNDS)"
		echo "  ${bestc#* }"
	done
done
lab_vsphere_unchanged >/dev/null && echo "bench-source: inventory as at start" ||
	echo "bench-source: inventory changed" >&2
