#!/bin/bash
# t_cleanup.sh: a run killed with -9 at the clone, map, plan and migrate
# steps leaves its journal; cleanup --run-id then leaves nothing in vSphere,
# the cluster, the ForkliftController or the ESXi authorized_keys, and a
# second cleanup has nothing to do. Also: the journal never holds a secret,
# cleanup without the journal sweeps, cleanup --all skips a live run, and a
# run that tore down removes its journal.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
J=$XDG_STATE_HOME/mtv-scenario
MS=("$MTV_SCENARIO")
CONN=(-p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG")

# every secret value of the lab's providers file (and the lab's own)
"$PYTHON3" - "$LAB_PROVIDERS" >"$T/secrets" <<'PY'
import re, sys
for line in open(sys.argv[1]):
    m = re.match(r'\s*([A-Za-z0-9_]+)\s*:\s*"?([^"#\n]*?)"?\s*$', line)
    if m and re.search(r'password|token|secret', m.group(1), re.I) and len(m.group(2)) >= 4:
        print(m.group(2))
PY
for k in vsphere.password kube.token kube.password esxi.password; do
	v=$(lab_get "$k" 2>/dev/null) && [ ${#v} -ge 4 ] && printf '%s\n' "$v" >>"$T/secrets"
done
sort -u -o "$T/secrets" "$T/secrets"
if [ -s "$T/secrets" ]; then ok "the providers file holds secrets to look for"
else not_ok "the providers file holds secrets to look for"; fi

lab_state_read "the lab's state is read before the runs" "$T/before" || exit 1

# leaves_nothing DESC: the lab's state equals the one before the runs
leaves_nothing() {
	lab_state_read "$1: the lab's state is read" "$T/after" || return
	same_file "$1: vSphere inventory as before" "$T/before.vsphere" "$T/after.vsphere"
	same_file "$1: no cluster object left" "$T/before.kube" "$T/after.kube"
	same_file "$1: ForkliftController as before" "$T/before.fc" "$T/after.fc"
	same_file "$1: ESXi authorized_keys as before" "$T/before.keys" "$T/after.keys"
}

# no_secret DESC FILE: FILE holds none of the secret values
no_secret() {
	if grep -qF -f "$T/secrets" "$2"; then
		not_ok "$1"; diag "a secret value is in $2"
	else ok "$1"; fi
}

# kill_at STEP ID SCENARIO: run SCENARIO as ID, kill -9 once the -v output
# shows STEP started (and DELAY seconds more), then clean up twice
kill_at() {
	local step=$1 id=$2 scn=$3 pid i
	"${MS[@]}" run -v --run-id "$id" "${CONN[@]}" --set cutover_delay=3 \
		"$srcdir/scenarios.d/$scn.yaml" >"$T/$id.out" 2>"$T/$id.err" &
	pid=$!
	for i in $(seq 1 600); do
		grep -qE "^.*\[ *[0-9]+/[0-9]+\] $step " "$T/$id.err" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	sleep "${DELAY:-0.5}"
	if kill -9 "$pid" 2>/dev/null; then ok "$step: the run is killed during the $step step"
	else not_ok "$step: the run is killed during the $step step (it had ended)"
		sed -n '1,30p' "$T/$id.err" | diag_stdin; fi
	wait "$pid" 2>/dev/null
	check "$step: the run left its journal" test -s "$J/$id.journal"
	no_secret "$step: the journal holds no secret value" "$J/$id.journal"
	cp "$J/$id.journal" "$T/$id.journal" 2>/dev/null
	lab_control POST /vsphere/clone-duration '{"ms":0}' >/dev/null
	lab_control POST /forklift/reset >/dev/null
	expect_exit 0 "$step: cleanup --run-id exits 0" "${MS[@]}" cleanup --run-id "$id" "${CONN[@]}"
	cp "$T/out" "$T/$id.cleanup"
	contains "$step: cleanup says what it removed" "$T/$id.cleanup" "run $id: removed: from the journal: "
	leaves_nothing "$step: cleanup"
	check "$step: the journal is gone" test ! -e "$J/$id.journal"
	expect_exit 0 "$step: a second cleanup exits 0" "${MS[@]}" cleanup --run-id "$id" "${CONN[@]}"
	contains "$step: a second cleanup has nothing to do" "$T/out" "run $id: nothing to do"
}

# clone: the clone task lasts 30 s
lab_control POST /vsphere/clone-duration '{"ms":30000}' >/dev/null
kill_at clone aaaa01 thin
DELAY=0.3 kill_at map aaaa02 thin
DELAY=0.2 kill_at plan aaaa03 thin
# migrate: copies at 20 MiB/s take seconds; the throttling scenario
# changes the ForkliftController too
lab_control POST /forklift/rates '{"xcopy_mib_s":20,"fallback_mib_s":20}' >/dev/null
DELAY=3 kill_at migrate aaaa04 populator-throttling
contains "migrate: the journal recorded the ForkliftController values" \
	"$T/aaaa04.journal" '"forklift_controller"'
contains "migrate: the journal recorded the ESXi key line" "$T/aaaa04.journal" '"line"'

# the journal lost: the sweeps alone find the VM, namespace and key line
lab_control POST /forklift/rates '{"xcopy_mib_s":20,"fallback_mib_s":20}' >/dev/null
"${MS[@]}" run -v --run-id bbbb01 "${CONN[@]}" "$srcdir/scenarios.d/thin.yaml" \
	>"$T/bbbb01.out" 2>"$T/bbbb01.err" &
pid=$!
for i in $(seq 1 600); do
	grep -qE "\] migrate " "$T/bbbb01.err" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
sleep 1
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
lab_control POST /forklift/reset >/dev/null
rm -f "$J/bbbb01.journal" "$J/bbbb01.lock"
expect_exit 0 "no journal: cleanup --run-id exits 0" "${MS[@]}" cleanup --run-id bbbb01 "${CONN[@]}"
cp "$T/out" "$T/bbbb01.cleanup"
contains "no journal: the sweep removes the clone" "$T/bbbb01.cleanup" "removed: vSphere VM bbbb01-"
contains "no journal: the sweep removes the namespace" "$T/bbbb01.cleanup" "removed: Namespace mtv-thin-bbbb01"
contains "no journal: the sweep removes the ESXi key line" "$T/bbbb01.cleanup" "removed: ESXi"
leaves_nothing "no journal"
expect_exit 0 "no journal: a second cleanup exits 0" "${MS[@]}" cleanup --run-id bbbb01 "${CONN[@]}"
contains "no journal: a second cleanup has nothing to do" "$T/out" "run bbbb01: nothing to do"

# cleanup --all: a dead run is cleaned, a live one (its lock held) skipped
"${MS[@]}" run --keep --run-id cccc01 "${CONN[@]}" "$srcdir/scenarios.d/thin.yaml" \
	>"$T/cccc01.out" 2>"$T/cccc01.err"
check "--keep: the run keeps its journal" test -s "$J/cccc01.journal"
no_secret "--keep: the journal holds no secret value" "$J/cccc01.journal"
printf '{"op":"run","run_id":"cccc02"}\n' >"$J/cccc02.journal"
exec {lockfd}>"$J/cccc02.lock"
flock -n "$lockfd"
expect_exit 0 "cleanup --all exits 0" "${MS[@]}" cleanup --all "${CONN[@]}"
contains "cleanup --all cleans the dead run" "$T/out" "run cccc01: nothing left"
contains "cleanup --all skips the live run" "$T/out" "run cccc02: still running: skipped"
check "cleanup --all leaves the live run's journal" test -s "$J/cccc02.journal"
expect_exit 1 "cleanup --run-id of a live run exits 1" "${MS[@]}" cleanup --run-id cccc02 "${CONN[@]}"
exec {lockfd}>&-
rm -f "$J/cccc02.journal" "$J/cccc02.lock"
leaves_nothing "cleanup --all"

# a run that tore down leaves no journal; several scenarios with one id
expect_exit 0 "a passing run" "${MS[@]}" run --run-id dddd01 "${CONN[@]}" "$srcdir/scenarios.d/thin.yaml"
check "a run that tore down removes its journal" test ! -e "$J/dddd01.journal"
expect_exit 4 "run --run-id with two scenarios exits 4" "${MS[@]}" run --run-id dddd02 "${CONN[@]}" \
	"$srcdir/scenarios.d/thin.yaml" "$srcdir/scenarios.d/thick-lazy.yaml"
contains "run --run-id with two scenarios says why" "$T/err" "--run-id names one run"
expect_exit 4 "cleanup without --run-id or --all exits 4" "${MS[@]}" cleanup "${CONN[@]}"
leaves_nothing "at the end"

# an id whose earlier run left a journal: a new run adds to it and keeps
# it for cleanup; cleanup then finds nothing left
printf '{"op":"run","run_id":"eeee01"}\n' >"$J/eeee01.journal"
expect_exit 0 "run --run-id of an id with a journal runs" "${MS[@]}" run --run-id eeee01 "${CONN[@]}" "$srcdir/scenarios.d/thin.yaml"
contains "it warns and names the cleanup command" "$T/err" "check with: mtv-scenario cleanup --run-id eeee01"
check "the journal stays" test -s "$J/eeee01.journal"
expect_exit 0 "cleanup of that id" "${MS[@]}" cleanup --run-id eeee01 "${CONN[@]}"
contains "cleanup finds nothing to do" "$T/out" "run eeee01: nothing to do"
check "its journal is gone" test ! -e "$J/eeee01.journal"
leaves_nothing "an id with a journal"
