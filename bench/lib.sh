# bench/lib.sh: what the run benchmarks share. Source it with the script's
# arguments (MTV_SCENARIO MTV_LAB): it sets srcdir, MTV_SCENARIO, MTV_LAB,
# PYTHON3 and a temporary folder T, loads the lab helpers, and at exit stops
# the lab and removes T.
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
MTV_SCENARIO=${1:-./mtv-scenario}
MTV_LAB=${2:-./mtv-lab}
PYTHON3=/usr/bin/python3
T=$(mktemp -d /tmp/mtv-bench.XXXXXX)
export T MTV_LAB
. "$srcdir/tests/lab/lab.sh"
trap 'lab_stop; rm -rf "$T"' EXIT

# bench_vib: the lab's providers file takes the vib clone method (no ESXi
# key steps, which the run benchmarks do not measure).
bench_vib() {
	sed -i 's/^\(    esxi_clone_method: \).*/\1"vib"/' "$LAB_PROVIDERS"
}
