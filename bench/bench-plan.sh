#!/bin/sh
# bench-plan.sh: time and peak memory of the scenario language.
#  1. validate + plan all of scenarios.d in one process (median of runs);
#  2. plan N generated scenario files (1000, 5000, 10000: cost per file).
# Usage: bench/bench-plan.sh [MTV_SCENARIO]   (run from the source tree or
# set srcdir). Needs /usr/bin/time (Debian package "time").
set -eu
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
MTV=${1:-${MTV_SCENARIO:-./mtv-scenario}}
RUNS=${RUNS:-15}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench-plan: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/mtv-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
P="$srcdir/tests/plan/providers.yaml"
unset MTV_SCENARIO_PROVIDERS

# measure LABEL CMD...: prints the median wall time and CPU time (user+sys)
# of RUNS runs and the highest peak RSS. On a busy machine the CPU time is
# the steadier figure.
measure() {
	label=$1; shift
	i=0
	: >"$W/walls"
	: >"$W/cpus"
	rss=0
	while [ $i -lt "$RUNS" ]; do
		"$TIME" -f '%e %U %S %M' -o "$W/t" "$@" >/dev/null 2>"$W/err" || {
			echo "bench-plan: $label failed:" >&2; cat "$W/err" >&2; exit 1; }
		read -r wall usr sys kb <"$W/t"
		echo "$wall" >>"$W/walls"
		echo "$usr + $sys" | bc >>"$W/cpus"
		[ "$kb" -gt "$rss" ] && rss=$kb
		i=$((i + 1))
	done
	med=$(sort -n "$W/walls" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	cpu=$(sort -n "$W/cpus" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf '%-44s wall %8.0f ms  cpu %8.0f ms  %8d KiB peak RSS\n' "$label" \
		"$(echo "$med * 1000" | bc)" "$(echo "$cpu * 1000" | bc)" "$rss"
}

n=$(ls "$srcdir"/scenarios.d/*.yaml | wc -l)
measure "validate scenarios.d ($n files)" "$MTV" validate "$srcdir/scenarios.d"
measure "validate+plan scenarios.d ($n files, json)" "$MTV" plan --format json -p "$P" \
	"$srcdir/scenarios.d"

# generated files: copies of scenarios.d under new names
gen() {
	dir=$W/gen$1
	mkdir -p "$dir"
	i=0
	set -- "$srcdir"/scenarios.d/*.yaml
	while [ $i -lt "$count" ]; do
		for f in "$@"; do
			[ $i -lt "$count" ] || break
			sed "s/^name: .*/name: g$i/" "$f" >"$dir/g$i.yaml"
			i=$((i + 1))
		done
	done
}
RUNS=${GEN_RUNS:-3}
for count in 1000 5000 10000; do
	gen $count
	measure "plan $count generated files (json)" "$MTV" plan --format json -p "$P" "$W/gen$count"
	if [ -x "${INPROC:-./bench/bench-plan-inproc}" ]; then
		"${INPROC:-./bench/bench-plan-inproc}" "$P" 1 "$W/gen$count"/*.yaml
	fi
	rm -rf "$W/gen$count"
done

# in one process, without start-up and output: load + validate + expand
echo "in one process (load, validate, expand; no output):"
if [ -x "${INPROC:-./bench/bench-plan-inproc}" ]; then
	"${INPROC:-./bench/bench-plan-inproc}" "$P" 50 "$srcdir"/scenarios.d/*.yaml
fi
