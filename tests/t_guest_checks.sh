#!/bin/bash
# t_guest_checks.sh: the checks of the migrated guest against the lab's
# guests. The snapshot scenarios pass with data_integrity, guest_agent and
# ssh_connectivity passed (not skipped) in the JSON report; each of the
# lab's faults (fail-next corrupt-copy, stale-snapshot-copy,
# guest-agent-down, mac-change, no-boot) makes a run of thin-snapshots exit
# 1 naming the check that caught it; the guest passwords appear nowhere;
# and nothing is left behind.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
# the vib clone method: the ESXi key steps are not under test here
sed 's/^\(    esxi_clone_method: \).*/\1"vib"/' "$LAB_PROVIDERS" >"$T/vib.yaml"
lab_state_read "the lab's state is read before the runs" "$T/before" || exit 1

# checks.py REPORT STATUS NAME...: every entry of each check NAME in the
# report has STATUS, and there is one at least
cat >"$T/checks.py" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"][0]
want = sys.argv[2]
bad = 0
for name in sys.argv[3:]:
    cs = [c for c in s["checks"] if c["name"] == name]
    got = [c["status"] for c in cs]
    if not cs or any(g != want for g in got):
        bad += 1
        print(name, got, [c["message"] for c in cs])
    for c in cs:
        if not isinstance(c["evidence"], dict):
            bad += 1
            print(name, "evidence is not an object")
sys.exit(1 if bad else 0)
PY

# run NAME SCENARIO [ARGS...]: a run with a JSON report, exit in $rc
run() {
	local name=$1 f=$2
	shift 2
	"$MTV_SCENARIO" run -p "$T/vib.yaml" --kubeconfig "$LAB_KUBECONFIG" \
		--report "$T/$name.json" "$@" "$f" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
}

for name in thin-snapshots ${MTV_GUEST_ALL:+thick-lazy-snapshots thick-eager-snapshots 2tb-vm-snapshots}; do
	run "$name" "$srcdir/scenarios.d/$name.yaml"
	if [ $rc -eq 0 ]; then ok "$name passes"; else
		not_ok "$name passes (exit $rc)"; sed -n '1,40p' "$T/$name.out" "$T/$name.err" | diag_stdin; fi
	check "$name: data_integrity, guest_agent, ssh_connectivity, vm_identity and ssl_verification passed" \
		"$PYTHON3" "$T/checks.py" "$T/$name.json" passed data_integrity guest_agent \
		ssh_connectivity vm_identity ssl_verification
done
check "thin-snapshots: the data was read back with the source's host key" "$PYTHON3" -c "
import json
s = json.load(open('$T/thin-snapshots.json'))['scenarios'][0]
c = [c for c in s['checks'] if c['name'] == 'ssh_connectivity'][0]['evidence']
d = [c for c in s['checks'] if c['name'] == 'data_integrity'][0]['evidence']
assert c['host_key_verified'] and c['host_key'].startswith('ssh-ed25519 '), c
assert d['marker'] == d['marker_found'] == 'mtv-data-integrity-' + s['run_id'], d
assert d['sha256'] == d['sha256_found'] == d['checksum_file_says'], d"

# a VM that arrives off: the checks start it, and stop it again
run thin "$srcdir/scenarios.d/thin.yaml" -v --set target_power_state=off
if [ $rc -eq 0 ]; then ok "thin passes"; else
	not_ok "thin passes (exit $rc)"; sed -n '1,40p' "$T/thin.out" "$T/thin.err" | diag_stdin; fi
check "thin: guest_agent, ssh_connectivity and vm_identity passed on a VM the checks started" \
	"$PYTHON3" "$T/checks.py" "$T/thin.json" passed guest_agent ssh_connectivity vm_identity
check "thin: the first guest check started the VM, no data_integrity without snapshots" "$PYTHON3" -c "
import json
s = json.load(open('$T/thin.json'))['scenarios'][0]
g = [c for c in s['checks'] if c['name'] == 'guest_agent'][0]['evidence']
assert g['started_by_check'] is True, g
assert not [c for c in s['checks'] if c['name'] == 'data_integrity']"
contains "thin: the VM the checks started is stopped again" "$T/thin.err" \
	"stopped again (the checks started it)"

# each fault, caught by its check; the guest checks wait 5 s, not 301
while read -r fault catcher; do
	# a fault a failed run left armed must not reach the next run
	lab_control POST /forklift/reset >/dev/null
	lab_control POST /forklift/fail-next "{\"kind\":\"$fault\"}" >/dev/null ||
		{ not_ok "$fault: armed"; continue; }
	run "$fault" "$srcdir/scenarios.d/thin-snapshots.yaml" --set guest_agent_timeout=5
	if [ $rc -eq 1 ]; then ok "$fault: the run fails (exit 1)"; else
		not_ok "$fault: the run fails (exit 1), not $rc"; sed -n '1,40p' "$T/$fault.out" "$T/$fault.err" | diag_stdin; fi
	check "$fault: $catcher failed in the report" \
		"$PYTHON3" "$T/checks.py" "$T/$fault.json" failed "$catcher"
	contains "$fault: the verdict names $catcher" "$T/$fault.out" "$catcher"
done <<'EOF'
corrupt-copy data_integrity
stale-snapshot-copy data_integrity
guest-agent-down guest_agent
mac-change vm_identity
no-boot guest_agent
EOF

lab_secret_spellings >"$T/secrets"
if grep -rlFf "$T/secrets" "$T"/*.out "$T"/*.err "$T"/*.json >"$T/leaked" 2>/dev/null; then
	not_ok "no secret (the guest password among them) in any output or report"
	diag_stdin <"$T/leaked"
else
	ok "no secret (the guest password among them) in any output or report"
fi
lab_state_read "the lab's state is read after the runs" "$T/after" || exit 1
same_file "vSphere inventory is as before the runs" "$T/before.vsphere" "$T/after.vsphere"
same_file "no cluster object is left behind" "$T/before.kube" "$T/after.kube"
