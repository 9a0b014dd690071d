#!/bin/bash
# t_interrupt.sh: every way a run ends tears down. Three SIGINTs in 0.4 s,
# SIGHUP, SIGTERM and a closed output pipe during the migrate step each leave
# no VM, cluster object, ForkliftController change or ESXi key line, and exit
# 2; Ctrl-C in a long vSphere clone is acknowledged at once and the clone is
# gone after the teardown; SIGQUIT abandons the teardown, lists what is left
# with the cleanup command and exits 1.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
lab_state_read "the lab's state is read before the runs" "$T/before" || exit 1
SC=$(lab_get storage_class || echo lab-block)

# start NAME SCENARIO [ARGS...]: run in the background, $T/NAME.{out,err}
start() {
	local name=$1 f=$2
	shift 2
	"$MTV_SCENARIO" run --storage-class "$SC" -p "$LAB_PROVIDERS" \
		--kubeconfig "$LAB_KUBECONFIG" "$@" "$srcdir/scenarios.d/$f" \
		>"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
}

# await FILE REGEX: until a line of FILE matches (120 s at most)
await() {
	timeout 120 grep -q -m1 -E "$2" <(tail -n +1 -F "$1" 2>/dev/null)
}

# finish NAME WANT DESC: wait for the run; its exit code is WANT
finish() {
	wait $pid
	rc=$?
	if [ $rc -eq "$2" ]; then
		ok "$3: exit $2"
	else
		not_ok "$3: exit $2 (got $rc)"
		sed -n '1,40p' "$T/$1.err" | diag_stdin
	fi
}

# clean DESC: the lab is as before the runs
clean() {
	lab_state_read "$1: the lab's state is read" "$T/after" || return 1
	same_file "$1: no VM left" "$T/before.vsphere" "$T/after.vsphere"
	same_file "$1: no namespace or cluster object left" "$T/before.kube" "$T/after.kube"
	same_file "$1: ForkliftController as before" "$T/before.fc" "$T/after.fc"
	same_file "$1: no ESXi key line left" "$T/before.keys" "$T/after.keys"
}

# teardown errors the second Ctrl-C used to cause
no_teardown_error() {
	lacks "$1: no teardown step failed" "$T/$2.err" "teardown of step"
	lacks "$1: nothing is left" "$T/$2.err" "left behind by run"
}

# the migrate step lasts: slow copies, a late cutover
lab_control POST /forklift/rates '{"fallback_mib_s": 200, "xcopy_mib_s": 200}' >/dev/null
MIGRATE='\] migrate '

# three SIGINTs within 0.4 s during the migrate step, more in the teardown
start int3 warm.yaml --set cutover_delay=60
if await "$T/int3.err" "$MIGRATE"; then
	sleep 1
	kill -INT $pid; sleep 0.2; kill -INT $pid; sleep 0.2; kill -INT $pid
	# then one every 0.1 s through the teardown (its SSH and HTTP
	# steps), until it reaches the clone, its last step
	if await "$T/int3.err" "^teardown: "; then
		while ! grep -qE "step +[0-9]+ clone " "$T/int3.err" &&
			kill -INT $pid 2>/dev/null; do
			sleep 0.1
		done
	fi
fi
finish int3 2 "three SIGINTs in 0.4 s during migrate"
contains "the first SIGINT is acknowledged" "$T/int3.err" "interrupted: tearing down ..."
contains "later ones say how to abandon" "$T/int3.err" \
	"steps left; Ctrl-\\ abandons (then run: mtv-scenario cleanup --run-id "
contains "the running Migration is canceled" "$T/int3.err" "canceling migration"
no_teardown_error "three SIGINTs" int3
clean "three SIGINTs"

for sig in HUP TERM; do
	start "$sig" thin.yaml
	if await "$T/$sig.err" "$MIGRATE"; then
		sleep 1
		kill -$sig $pid
	fi
	finish "$sig" 2 "SIG$sig during migrate"
	contains "SIG$sig is acknowledged" "$T/$sig.err" "interrupted: tearing down ..."
	no_teardown_error "SIG$sig" "$sig"
	clean "SIG$sig"
done

# a closed output pipe during the migrate step: the reader quits on the
# migrate line; the run tears down although nobody reads
"$MTV_SCENARIO" run --storage-class "$SC" -p "$LAB_PROVIDERS" \
	--kubeconfig "$LAB_KUBECONFIG" "$srcdir/scenarios.d/thin.yaml" 2>&1 |
	sed "/$MIGRATE/q" >"$T/pipe.head"
rc=${PIPESTATUS[0]}
[ $rc -eq 2 ] && ok "closed pipe during migrate: exit 2" ||
	{ not_ok "closed pipe during migrate: exit 2 (got $rc)"; diag_stdin <"$T/pipe.head"; }
contains "the reader saw the migrate step" "$T/pipe.head" "] migrate "
clean "closed pipe"

# the case: | head -12 (the pipe closes early in the run)
"$MTV_SCENARIO" run --storage-class "$SC" -p "$LAB_PROVIDERS" \
	--kubeconfig "$LAB_KUBECONFIG" "$srcdir/scenarios.d/thin.yaml" 2>&1 |
	head -3 >"$T/head3"
rc=${PIPESTATUS[0]}
[ $rc -eq 2 ] && ok "| head -3: exit 2, not 141" || not_ok "| head -3: exit 2, not 141 (got $rc)"
clean "| head -3"
lab_control POST /forklift/reset >/dev/null

# SIGINT 2 s into an 8 s clone: acknowledged within 1 s (1.5 s allowed), the
# task is canceled, the clone is gone after the teardown
lab_control POST /vsphere/clone-duration '{"ms": 8000}' >/dev/null
start clone thin.yaml
if await "$T/clone.err" '\] clone '; then
	sleep 2
	t0=$(date +%s%N)
	kill -INT $pid
	await "$T/clone.err" "interrupted: tearing down"
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ $ms -le 1500 ] && ok "SIGINT in a clone is acknowledged in $ms ms" ||
		not_ok "SIGINT in a clone is acknowledged within 1.5 s (took $ms ms)"
	await "$T/clone.err" "canceling CloneVM_Task"
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ $ms -le 1500 ] && ok "the clone task is canceled within 1.5 s ($ms ms)" ||
		not_ok "the clone task is canceled within 1.5 s (took $ms ms)"
fi
finish clone 2 "SIGINT during a clone"
no_teardown_error "SIGINT during a clone" clone
clean "SIGINT during a clone"
lab_control POST /vsphere/clone-duration '{"ms": 0}' >/dev/null

# SIGQUIT abandons the teardown at once: what is left and the command
lab_control POST /vsphere/task-duration '{"method": "Destroy_Task", "ms": 20000}' >/dev/null
start quit thin.yaml
if await "$T/quit.err" "$MIGRATE"; then
	kill -INT $pid
	await "$T/quit.err" "step +[0-9]+ clone " && sleep 1
	t0=$(date +%s%N)
	kill -QUIT $pid
fi
finish quit 1 "SIGQUIT during the teardown"
ms=$((($(date +%s%N) - t0) / 1000000))
[ $ms -le 3000 ] && ok "SIGQUIT stops the teardown at once ($ms ms)" ||
	not_ok "SIGQUIT stops the teardown at once (took $ms ms)"
rid=$(sed -n 's/.*: run \([a-z0-9]*\), namespace.*/\1/p' "$T/quit.err" | head -1)
contains "SIGQUIT lists what is left" "$T/quit.err" "left behind by run $rid:"
contains "SIGQUIT prints the cleanup command" "$T/quit.err" \
	"to remove it, run: mtv-scenario cleanup --run-id $rid"
contains "the clone is listed" "$T/quit.err" "(clone)"
lab_control POST /vsphere/task-duration '{"method": "Destroy_Task", "ms": 0}' >/dev/null
exit 0
