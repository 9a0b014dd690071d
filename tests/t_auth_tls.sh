#!/bin/bash
# t_auth_tls.sh: against the lab: a refused vCenter login stops the whole
# run after ONE Login call (no account lockout), naming the endpoint and the
# user but not the password; the provider Secret skips TLS verification only
# with insecure: true, a thumbprint-only profile gives Forklift the pinned
# certificate, and with neither the error names the keys that fix it.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

lab_start || { not_ok "the lab starts"; exit 1; }
url=$(lab_get vsphere.url)
user=$(lab_get vsphere.username)
K=(--kubeconfig "$LAB_KUBECONFIG")
S=$srcdir/scenarios.d/thin.yaml

# the Secret of role provider left by a --keep run, as JSON {key: value}
provider_secret() {
	"$PYTHON3" - "$(lab_get kube.server)" "$(lab_get kube.token)" "$(lab_get kube.ca_file)" <<'PY'
import base64, json, ssl, sys, urllib.request
server, token, ca = sys.argv[1:4]
req = urllib.request.Request(server + "/api/v1/secrets?labelSelector=mtv-scenario/run",
                             headers={"Authorization": "Bearer " + token})
items = json.load(urllib.request.urlopen(req, context=ssl.create_default_context(cafile=ca)))["items"]
for it in items:
    d = {k: base64.b64decode(v).decode() for k, v in (it.get("data") or {}).items()}
    if "url" in d and "user" in d:
        d.pop("password", None)
        print(json.dumps(d, sort_keys=True))
PY
}

# 1. a wrong vCenter password with all of scenarios.d: one Login
sed 's/^\(  password: \).*/\1"Wr0ng-vc-Pa55"/' "$LAB_PROVIDERS" >"$T/bad.yaml"
lab_control POST /vsphere/counts/reset >/dev/null
expect_exit 4 "a refused vCenter login stops the run: exit 4" \
	"$MTV_SCENARIO" run -p "$T/bad.yaml" "${K[@]}" "$srcdir/scenarios.d"
cp "$T/out" "$T/bad.out"; cp "$T/err" "$T/bad.err"
n=$(lab_control GET /vsphere/counts | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin).get("Login", 0))')
if [ "$n" = 1 ]; then ok "exactly one Login call for all of scenarios.d"; else
	not_ok "exactly one Login call for all of scenarios.d (got $n)"; fi
contains "the failure names the vCenter URL and the user" "$T/bad.out" \
	"vSphere login to '$url' as '$user' failed: wrong user name or password"
nsc=$(ls "$srcdir"/scenarios.d/*.yaml | wc -l)
if [ "$(grep -c '^SKIP ' "$T/bad.out")" -eq $((nsc - 1)) ]; then
	ok "the other $((nsc - 1)) scenarios are not run"; else
	not_ok "the other scenarios are not run"; sed -n '1,5p' "$T/bad.out" | diag_stdin; fi
contains "the summary counts them" "$T/bad.out" "0 passed, 1 failed, $((nsc - 1)) not run"
for f in bad.out bad.err; do lacks "no password in $f" "$T/$f" "Wr0ng-vc-Pa55"; done

# 2. thumbprint without ca_file: Forklift gets the pinned certificate
grep -v '^  ca_file:' "$LAB_PROVIDERS" >"$T/tp.yaml"
expect_exit 0 "a thumbprint-only profile runs" \
	"$MTV_SCENARIO" run --keep -p "$T/tp.yaml" "${K[@]}" "$S"
provider_secret >"$T/tp.secret" 2>&1
contains "its provider Secret verifies TLS" "$T/tp.secret" '"insecureSkipVerify": "false"'
lacks "never insecureSkipVerify true" "$T/tp.secret" '"insecureSkipVerify": "true"'
contains "its provider Secret carries the certificate" "$T/tp.secret" '"ca.crt": "-----BEGIN CERTIFICATE-----'

# 3. neither ca_file, thumbprint nor insecure: the error names the keys
grep -v '^  ca_file:\|^  thumbprint:' "$LAB_PROVIDERS" >"$T/neither.yaml"
expect_exit 1 "a profile without ca_file, thumbprint or insecure fails" \
	"$MTV_SCENARIO" run -p "$T/neither.yaml" "${K[@]}" "$S"
contains "the TLS error names the keys that fix it" "$T/out" \
	"set ca_file (the PEM of vCenter's CA), thumbprint (SHA-1 or SHA-256 of its certificate) or insecure: true in profile '$(lab_get provider)'"
