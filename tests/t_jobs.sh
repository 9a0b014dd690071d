#!/bin/bash
# t_jobs.sh: run -j. Three at a time over three scenarios, one of which sets
# the ForkliftController's throttling knobs: the lab's history shows no
# other Migration while the knobs were set, and the tool's report no other
# scenario while it ran; the verdicts are those of a sequential run; every
# output line is whole and names its scenario; nothing is left behind. A
# SIGINT during -j reaches every scenario, each tears down.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
sed -i 's/^\(    esxi_clone_method: \).*/\1"vib"/' "$LAB_PROVIDERS"
lab_state_read "the lab's state is read before the runs" "$T/before" || exit 1
# XCOPY at 16 GiB/s: thin's 16 GiB disk copies in 1 s, so its task spans a
# second boundary of Forklift's timestamps and the run measures a rate
lab_control POST /forklift/rates '{"xcopy_mib_s": 16384, "fallback_mib_s": 1048576}' >/dev/null
SC=$(lab_get storage_class || echo lab-block)
SCN="thin populator-throttling rdm-virtual"
files() { for s in $SCN; do echo "$srcdir/scenarios.d/$s.yaml"; done; }
run() {
	"$MTV_SCENARIO" run --storage-class "$SC" -p "$LAB_PROVIDERS" \
		--kubeconfig "$LAB_KUBECONFIG" --progress=plain "$@"
}
# verdicts FILE: the verdict lines without their times, sorted
verdicts() { sed -E 's/ \([0-9.]+ s/ (/' "$1" | sort; }

# clean DESC: the lab is as before the runs
clean() {
	lab_state_read "$1: the lab's state is read" "$T/after" || return 1
	same_file "$1: no VM left" "$T/before.vsphere" "$T/after.vsphere"
	same_file "$1: no namespace or cluster object left" "$T/before.kube" "$T/after.kube"
	same_file "$1: ForkliftController as before" "$T/before.fc" "$T/after.fc"
}

run $(files) >"$T/seq.out" 2>"$T/seq.err"
echo $? >"$T/seq.rc"
lab_control POST /forklift/history/reset >/dev/null
run -j 3 --report "$T/report.json" $(files) >"$T/par.out" 2>"$T/par.err"
rc=$?
[ "$rc" = "$(cat "$T/seq.rc")" ] && ok "-j 3 exits as the sequential run ($rc)" ||
	{ not_ok "-j 3 exits as the sequential run ($(cat "$T/seq.rc"), got $rc)"; diag_stdin <"$T/par.err"; }
verdicts "$T/seq.out" >"$T/seq.v"
verdicts "$T/par.out" >"$T/par.v"
same_file "-j 3: the verdicts of the sequential run" "$T/seq.v" "$T/par.v"
grep -v '^[0-9]* passed' "$T/par.out" | cut -d' ' -f2 >"$T/par.order"
files | sed 's,.*/,,; s,\.yaml$,,' >"$T/want.order"
same_file "-j 3: verdicts in the scenarios' order" "$T/want.order" "$T/par.order"
contains "-j 3: the summary line" "$T/par.out" "3 passed, 0 failed"
pat="^\\[($(echo $SCN | tr ' ' '|'))\\] "
if grep -vE "$pat" "$T/par.err" >"$T/unprefixed"; then
	not_ok "-j 3: every line on stderr names its scenario"
	diag_stdin <"$T/unprefixed"
else
	ok "-j 3: every line on stderr names its scenario"
fi
# whole lines: a prefix inside a line means two lines were mixed
if grep -E ".\\[($(echo $SCN | tr ' ' '|'))\\] " "$T/par.err" |
	grep -vE "$pat.*(==>|\\[ ?[0-9]+/)" >"$T/mixed"; [ -s "$T/mixed" ]; then
	not_ok "-j 3: no line holds part of another"
	diag_stdin <"$T/mixed"
else
	ok "-j 3: no line holds part of another"
fi
lab_control GET /forklift/history >"$T/history.json"
check "the lab's history: nothing ran beside the throttling knobs; -j ran scenarios side by side" \
	"$PYTHON3" - "$T/history.json" "$T/report.json" <<'PY'
import json, sys
from datetime import datetime
def t(s):
    s = s.rstrip("Z")
    if "." in s:
        a, b = s.split(".")
        s = a + "." + b[:6]
    return datetime.fromisoformat(s).timestamp()
h = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
ctl = h["controller"]
# windows in which a controller_* knob differed from the first state seen
windows, since = [], None
for c in ctl:
    knobs = any(k.startswith("controller_") for k in c["spec"])
    if knobs and since is None:
        since = t(c["time"])
    elif not knobs and since is not None:
        windows.append((since, t(c["time"])))
        since = None
assert since is None, "knobs still set at the end: %r" % ctl
assert windows, "no knob change recorded: %r" % ctl
mine = [r for r in h["runs"] if "populator-throttling" in r["namespace"]]
others = [r for r in h["runs"] if "populator-throttling" not in r["namespace"]]
assert mine and len(others) == 2, h["runs"]
for a, b in windows:
    for r in others:
        s, e = t(r["start"]), t(r["end"])
        assert e < a or s > b, "%s ran %s..%s while the knobs were set %s..%s" % (r["migration"], r["start"], r["end"], a, b)
# the tool's report: the throttling scenario ran alone, the others side by side
span = {}
for s in rep["scenarios"]:
    st = [x for x in s["steps"] if x.get("start")]
    span[s["name"]] = (t(min(x["start"] for x in st)), t(max(x["end"] for x in st)))
a, b = span.pop("populator-throttling")
for n, (s, e) in span.items():
    assert e <= a or s >= b, "%s overlapped populator-throttling" % n
v = sorted(span.values())
assert any(v[i + 1][0] < v[i][1] for i in range(len(v) - 1)), "nothing ran side by side: %r" % span
PY
[ $? -eq 0 ] || diag_stdin <"$T/history.json"
clean "-j 3"
check "the runs kept the copy rates they measured for -j's start order" \
	"$PYTHON3" -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert any(v.get("xcopy_mib_s", 0) > 0 for v in r.values()), r' \
	"$XDG_STATE_HOME/mtv-scenario/rates.json"

# SIGINT during -j: every running scenario tears down; thin, expected
# shortest, has not started and never does
# (the tool itself in the background: a shell function's subshell would
# ignore SIGINT)
lab_control POST /forklift/rates '{"fallback_mib_s": 1024, "xcopy_mib_s": 1024}' >/dev/null
"$MTV_SCENARIO" run --storage-class "$SC" -p "$LAB_PROVIDERS" \
	--kubeconfig "$LAB_KUBECONFIG" --progress=plain -j 2 \
	"$srcdir/scenarios.d/thin.yaml" "$srcdir/scenarios.d/multi-disk.yaml" \
	"$srcdir/scenarios.d/multi-datastore.yaml" >"$T/int.out" 2>"$T/int.err" &
pid=$!
for i in $(seq 1 600); do
	[ "$(grep -c '\] migrate ' "$T/int.err")" -ge 2 ] && break
	sleep 0.1
done
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 2 ] && ok "SIGINT during -j 2: exit 2" ||
	{ not_ok "SIGINT during -j 2: exit 2 (got $rc)"; tail -n 30 "$T/int.err" | diag_stdin; }
n=$(grep -c '^\[[a-z-]*\] interrupted: tearing down' "$T/int.err")
[ "$n" -ge 2 ] && ok "SIGINT during -j 2: each running scenario tears down ($n)" ||
	{ not_ok "SIGINT during -j 2: each running scenario tears down (got $n)"; diag_stdin <"$T/int.err"; }
lacks "SIGINT during -j 2: no scenario starts after it" "$T/int.err" "[thin] ==>"
lacks "SIGINT during -j 2: nothing is left" "$T/int.err" "left behind by run"
contains "SIGINT during -j 2: interrupted scenarios say so" "$T/int.out" "INTERRUPTED "
lab_control POST /forklift/reset >/dev/null
clean "SIGINT during -j 2"
