#!/bin/bash
# t_secrets.sh: no secret value (raw, base64 or URL-encoded) appears in
# stdout, stderr, the log file or the reports of a run at trace level (also
# of run -j with its heartbeats), nor in `plan -v` output.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

lab_start || { not_ok "the lab starts"; exit 1; }
export COPYOFFLOAD_STORAGE_PASSWORD="env-Storage-Pa55/word+x"
f="$srcdir/scenarios.d/thin.yaml"
"$MTV_SCENARIO" plan -v -p "$LAB_PROVIDERS" "$f" >"$T/plan.out" 2>"$T/plan.err"
"$MTV_SCENARIO" run --log-level trace -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
	--log-file "$T/run.log" --report "$T/report.json" --junit "$T/junit.xml" \
	"$f" >"$T/run.out" 2>"$T/run.err"
rc=$?
if [ $rc -eq 0 ]; then ok "the traced run passes"; else
	not_ok "the traced run passes (exit $rc)"; tail -20 "$T/run.err" | diag_stdin; fi
for f in run.log report.json junit.xml; do
	if [ -s "$T/$f" ]; then ok "the run wrote $f"; else not_ok "the run wrote $f"; fi
done
# run -j: the children's lines, results and heartbeats (one a second)
MTV_SCENARIO_HEARTBEAT_S=1 "$MTV_SCENARIO" run -j 2 --progress=plain --log-level trace \
	-p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" --log-file "$T/jobs.log" \
	--report "$T/jobs.json" --junit "$T/jobs.xml" \
	"$srcdir/scenarios.d/thin.yaml" "$srcdir/scenarios.d/rdm-virtual.yaml" \
	>"$T/jobs.out" 2>"$T/jobs.err"
rc=$?
if [ $rc -eq 0 ]; then ok "the traced run -j 2 passes"; else
	not_ok "the traced run -j 2 passes (exit $rc)"; tail -20 "$T/jobs.err" | diag_stdin; fi

# every secret the run knows, in the three encodings
lab_secret_spellings "env-Storage-Pa55/word+x" >"$T/secrets"
n=$(wc -l <"$T/secrets")
if [ "$n" -ge 9 ]; then ok "collected $n secret spellings"; else not_ok "collected $n secret spellings (expected >= 9)"; fi
# the report's environment, checks with evidence and per-disk evidence are
# there, so that the search below covers them; and the report command's
# summaries of it
check "the report has the environment, checks and disks" "$PYTHON3" -c "
import json, sys
r = json.load(open(sys.argv[1]))
s = r['scenarios'][0]
assert r['environment']['vcenter'] and r['environment']['storage'], r['environment']
assert s['checks'] and all('evidence' in c for c in s['checks']), s['checks']
assert s['disks'], s" "$T/report.json"
"$MTV_SCENARIO" report "$T/report.json" >"$T/summary.out" 2>&1
"$MTV_SCENARIO" report --format csv "$T/report.json" >"$T/summary.csv" 2>&1
for f in plan.out plan.err run.out run.err run.log report.json junit.xml \
	summary.out summary.csv jobs.out jobs.err jobs.log jobs.json jobs.xml; do
	[ -e "$T/$f" ] || continue
	if grep -qF -f "$T/secrets" "$T/$f"; then
		not_ok "no secret in $f"; grep -nF -f "$T/secrets" "$T/$f" | head -3 | sed 's/./#/g' | diag_stdin
	else
		ok "no secret in $f"
	fi
done
# keys nobody registered: Forklift's generated SSH private keys (PEM, or
# base64 of PEM inside Secret data)
for f in run.err run.log report.json jobs.err jobs.log jobs.json; do
	if grep -q 'PRIVATE KEY\|LS0tLS1CRUdJTi' "$T/$f"; then
		not_ok "no private key material in $f"
	else
		ok "no private key material in $f"
	fi
done

