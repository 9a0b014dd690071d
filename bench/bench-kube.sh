#!/bin/bash
# bench-kube.sh: what a wait costs in the Kubernetes client (src/kube/).
# One object changes STEPS times, a change every PACE_MS (a long simulated
# change, like a Plan going through its phases); mtv-test-tool kube waits for
# the last value by list + watch. Printed: wall time of the wait, time from
# the last change to the end of the wait, HTTP requests the client sent
# (list pages, watch streams, retries) and what the lab served. A second
# round injects faults (dropped watches, 410, 503, 401) up front.
#
#   bench/bench-kube.sh [STEPS [PACE_MS]]     (defaults 100 and 50)
# Needs a built tree: builddir (default .) with tests/mtv-test-tool and mtv-lab
# (or MTV_LAB=path). Output: one "bench-kube:" line per round.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${builddir:-.}
STEPS=${1:-100}
PACE_MS=${2:-50}
MTV_TEST_TOOL=${MTV_TEST_TOOL:-$builddir/tests/mtv-test-tool}
KT=("$MTV_TEST_TOOL" kube)
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-kube.XXXXXX")
trap 'lab_stop >/dev/null 2>&1; rm -rf "$T"' EXIT
. "$srcdir/tests/lab/lab.sh"
[ -x "$MTV_TEST_TOOL" ] || { echo "bench-kube: $MTV_TEST_TOOL is not built" >&2; exit 1; }
lab_start || exit 1
export LAB_CONTROL
KC=(--kubeconfig "$LAB_KUBECONFIG")
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
pace=$(awk -v m="$PACE_MS" 'BEGIN { printf "%.3f", m / 1000 }')
# bookmarks every second, as a busy API server sends them
lab_control POST /kube/config '{"bookmark_interval_ms":1000}' >/dev/null

round() {
	local name=$1 obj=$2 faults=$3 i args=() t0 t_last t_end waiter stats counts
	"${KT[@]}" "${KC[@]}" create ConfigMap default \
		"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"$obj\"},\"data\":{\"step\":\"0\"}}" >/dev/null || return 1
	lab_control DELETE /kube/fault >/dev/null
	for f in $faults; do lab_control POST /kube/fault "$f" >/dev/null; done
	lab_control POST /kube/counts/reset >/dev/null
	t0=$(now_ms)
	"${KT[@]}" "${KC[@]}" --stats wait ConfigMap default "$obj" "data.step=$STEPS" 600 >"$T/$name.out" 2>"$T/$name.err" &
	waiter=$!
	for i in $(seq 1 "$STEPS"); do
		args+=(sh "sleep $pace" + patch ConfigMap default "$obj" "{\"data\":{\"step\":\"$i\"}}" +)
	done
	unset 'args[${#args[@]}-1]'
	"${KT[@]}" "${KC[@]}" "${args[@]}" >/dev/null || return 1
	t_last=$(now_ms)
	wait $waiter || { echo "bench-kube: $name: the wait failed" >&2; cat "$T/$name.err" >&2; return 1; }
	t_end=$(now_ms)
	stats=$(sed -n 's/^stats //p' "$T/$name.out")
	counts=$(lab_control GET /kube/counts)
	"$PYTHON3" - "$name" "$STEPS" "$PACE_MS" "$((t_end - t0))" "$((t_end - t_last))" "$stats" "$counts" <<'PY'
import json, sys
name, steps, pace, wall, lag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
st, c = json.loads(sys.argv[6]), json.loads(sys.argv[7])
print("bench-kube: %s: %d changes every %d ms: wait %.2f s wall, done %d ms after the last change; "
      "client %d requests (%d watch streams, %d re-lists, %d retries, %d re-auths); "
      "lab served %d lists, %d watches, %d patches"
      % (name, steps, pace, wall / 1000.0, lag, st["requests"], st["watches"], st["relists"],
         st["retries"], st["reauths"], c.get("list configmaps", 0), c.get("watch configmaps", 0),
         c.get("patch configmaps", 0)))
PY
}

PYTHON3=${PYTHON3:-/usr/bin/python3}
round clean bench-a "" || exit 1
round faults bench-b "$(printf '%s ' \
	'{"verb":"watch","resource":"configmaps","kind":"drop-watch","count":3}' \
	'{"verb":"watch","resource":"configmaps","kind":"410-watch"}' \
	'{"verb":"watch","resource":"configmaps","kind":"5xx","status":503,"count":2}' \
	'{"verb":"watch","resource":"configmaps","kind":"expire-token"}')" || exit 1
