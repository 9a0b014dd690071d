#!/bin/bash
# bench-run-graph.sh [MTV_SCENARIO MTV_LAB]: the steps of a scenario as a
# graph. `run --only source` of scale (5 VMs) and of thin (1 VM) with 1 s
# clones and 2 s guest boots: each VM's chain (clone, disk, power,
# guest-ready) runs beside the others', so scale should take little more
# than thin (goal: at most 1.5x). With $MTV_SCENARIO_BASE (another build,
# e.g. of main) the same runs of that build are printed beside. Also
# scale with --vsphere-parallel 1 and 8 (guest waits take no slot). Prints
# a table; asserts nothing.
set -u
. "${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/bench/lib.sh"
ROUNDS=${ROUNDS:-3}
lab_start --guest-boot-ms 2000 || exit 1
lab_control POST /vsphere/clone-duration '{"ms": 1000}' >/dev/null

# wall seconds of one run: BIN SCENARIO [OPTIONS]
wall() {
	local bin=$1 s=$2 start end
	shift 2
	start=$(date +%s.%N)
	"$bin" run -p "$LAB_PROVIDERS" --only source "$@" \
		"$srcdir/scenarios.d/$s.yaml" >/dev/null 2>"$T/$s.err" ||
		echo "($s failed: $(tail -1 "$T/$s.err"))" >&2
	end=$(date +%s.%N)
	echo "$end - $start" | bc
}

# the median of ROUNDS runs: BIN SCENARIO [OPTIONS]
median() {
	local i
	for i in $(seq "$ROUNDS"); do
		wall "$@"
	done | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"
}

echo "run --only source, 1 s clones, 2 s guest boots (median of $ROUNDS)"
printf '%-28s %8s %8s %8s\n' build thin_s scale_s ratio
row() {
	local name=$1 thin scale
	shift
	thin=$(median "$@" thin)
	scale=$(median "$@" scale)
	printf '%-28s %8.2f %8.2f %8.2f\n' "$name" "$thin" "$scale" \
		"$(echo "scale=3; $scale / $thin" | bc)"
}
median_opt() { local bin=$1 s=$2; shift 2; median "$bin" "$s" "$@"; }
row "this build" "$MTV_SCENARIO"
if [ -n "${MTV_SCENARIO_BASE:-}" ]; then
	row "base ($MTV_SCENARIO_BASE)" "$MTV_SCENARIO_BASE"
fi
printf '%-28s %8s %8.2f\n' "this, --vsphere-parallel 1" "" \
	"$(median_opt "$MTV_SCENARIO" scale --vsphere-parallel 1)"
printf '%-28s %8s %8.2f\n' "this, --vsphere-parallel 8" "" \
	"$(median_opt "$MTV_SCENARIO" scale --vsphere-parallel 8)"
