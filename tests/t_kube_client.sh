#!/bin/bash
# t_kube_client.sh: the C Kubernetes client (src/kube/) against the lab
# through mtv-test-tool kube: CRUD, paged lists, adopt-or-conflict, waits by
# list+watch through injected faults (dropped watch, 410, 429 with
# Retry-After, 503, 401), OpenShift OAuth login and token revocation,
# kubeconfig token rotation, the in-cluster service account, and no secret
# in any output.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

KT=("$MTV_TEST_TOOL" kube)
[ -x "$MTV_TEST_TOOL" ] || skip_all "tests/mtv-test-tool is not built"
lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
unset KUBECONFIG CLUSTER_HOST CLUSTER_USERNAME CLUSTER_PASSWORD CLUSTER_CA_FILE \
	KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT
export HOME=$T/home LAB_CONTROL
mkdir -p "$HOME"
NS=default
ALL=$T/all-output	# every output of every run, checked for secrets at the end
: >"$ALL"

# kt DESC ARGS...: run mtv-test-tool kube (trace level) on the lab's kubeconfig, ok on exit 0
kt() {
	local desc=$1; shift
	"${KT[@]}" --log-level trace --kubeconfig "$LAB_KUBECONFIG" "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	cat "$T/out" "$T/err" >>"$ALL"
	if [ $rc -eq 0 ]; then ok "$desc"; else
		not_ok "$desc (exit $rc)"; grep -v '^trace' "$T/err" | tail -5 | diag_stdin; fi
	return $rc
}
# kt_fail DESC TEXT ARGS...: mtv-test-tool kube must fail with TEXT in its error
kt_fail() {
	local desc=$1 text=$2; shift 2
	"${KT[@]}" --kubeconfig "$LAB_KUBECONFIG" "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	cat "$T/out" "$T/err" >>"$ALL"
	if [ $rc -ne 0 ] && grep -qF -- "$text" "$T/err"; then ok "$desc"; else
		not_ok "$desc (exit $rc)"; diag "expected '$text' in:"; tail -5 "$T/err" | diag_stdin; fi
}
stat_of() { sed -n 's/^stats //p' "$T/out" | "$PYTHON3" -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
cm() { printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","labels":{"owner":"%s","app":"kt"}},"data":{"step":"0"}}' "$1" "${2:-kt}"; }

# ---- CRUD, paging, adoption
kt "create a ConfigMap" create ConfigMap $NS "$(cm kt-a)"
contains "create prints the name" "$T/out" "created kt-a"
kt_fail "a second create is a conflict" "already exists" create ConfigMap $NS "$(cm kt-a)"
kt "adopt an existing object that is ours" adopt ConfigMap $NS "$(cm kt-a)" owner kt
contains "adopt says we have it" "$T/out" "have kt-a"
kt_fail "an existing object that is not ours is refused" "is not ours" \
	adopt ConfigMap $NS "$(cm kt-a)" owner somebody-else
for i in 1 2 3 4 5 6; do args+=(create ConfigMap $NS "$(cm kt-p$i)" +); done
kt "create six more" "${args[@]}" list ConfigMap $NS app=kt
kt "list with a label selector over pages of 2" --page-size 2 --stats list ConfigMap $NS app=kt
contains "all seven found across pages" "$T/out" "7 kt-a kt-p1"
[ "$(stat_of requests)" = 4 ] && ok "four page requests" || not_ok "four page requests ($(stat_of requests))"
kt "get" get ConfigMap $NS kt-a
contains "get returns the object" "$T/out" '"name":"kt-a"'
kt "merge patch" patch ConfigMap $NS kt-a '{"data":{"step":"1","extra":"x"}}' + get ConfigMap $NS kt-a
contains "the patch is merged" "$T/out" '"data":{"extra":"x","step":"1"}'
kt "delete with foreground propagation" delete ConfigMap $NS kt-p6 Foreground
kt_fail "get after delete is not found" "not found" get ConfigMap $NS kt-p6
kt "deleting what is gone succeeds" delete ConfigMap $NS kt-p6
kt_fail "an invalid object is refused with the server's reason" "Invalid" \
	create ConfigMap $NS '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}'

# ---- retries of plain requests
kt "503 twice then success" --stats ctl POST /kube/fault '{"verb":"get","resource":"configmaps","kind":"5xx","status":503,"count":2}' \
	+ get ConfigMap $NS kt-a
[ "$(stat_of retries)" = 2 ] && ok "two retries after 503" || not_ok "two retries after 503 ($(stat_of retries))"
t0=$(date +%s%N)
kt "429 with Retry-After then success" --stats ctl POST /kube/fault '{"verb":"create","resource":"configmaps","kind":"429","retry_after":1}' \
	+ create ConfigMap $NS "$(cm kt-r)"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $ms -ge 1000 ] && ok "Retry-After honoured (${ms} ms)" || not_ok "Retry-After honoured (${ms} ms)"

# ---- waits: list + watch through every fault; the change comes only after
# the faults are used up (the lab's fault list is empty), so nothing depends
# on timing
faults_used() {
	local i
	for i in $(seq 200); do
		lab_control GET /kube/fault | grep -q '"faults":\[\]' && return 0
		# the waiter is still working through them; check again shortly
		sleep 0.05
	done
	return 1
}
lab_control DELETE /kube/fault >/dev/null
for f in '{"verb":"list","resource":"configmaps","kind":"429","retry_after":1}' \
	'{"verb":"watch","resource":"configmaps","kind":"drop-watch"}' \
	'{"verb":"watch","resource":"configmaps","kind":"410-watch"}' \
	'{"verb":"watch","resource":"configmaps","kind":"5xx","status":503,"count":2}' \
	'{"verb":"watch","resource":"configmaps","kind":"expire-token"}' \
	'{"verb":"watch","resource":"configmaps","kind":"429","retry_after":1}' \
	'{"verb":"watch","resource":"configmaps","kind":"expire-token"}'; do
	lab_control POST /kube/fault "$f" >/dev/null
done
"${KT[@]}" --log-level trace --kubeconfig "$LAB_KUBECONFIG" --stats wait ConfigMap $NS kt-a data.step=5 60 \
	>"$T/wait.out" 2>"$T/wait.err" &
waiter=$!
if faults_used; then ok "the waiter used up every fault"; else not_ok "the waiter used up every fault"; fi
"${KT[@]}" --kubeconfig "$LAB_KUBECONFIG" patch ConfigMap $NS kt-a '{"data":{"step":"2"}}' \
	+ patch ConfigMap $NS kt-a '{"data":{"step":"3"}}' + patch ConfigMap $NS kt-a '{"data":{"step":"4"}}' \
	+ patch ConfigMap $NS kt-a '{"data":{"step":"5"}}' >>"$ALL" 2>&1
wait $waiter
rc=$?
cat "$T/wait.out" "$T/wait.err" >>"$ALL"
cp "$T/wait.out" "$T/out"
if [ $rc -eq 0 ]; then ok "the wait succeeds through the faults"; else
	not_ok "the wait succeeds through the faults (exit $rc)"; grep -v '^trace' "$T/wait.err" | tail -5 | diag_stdin; fi
contains "every change seen in order" "$T/out" "event MODIFIED kt-a"
[ "$(grep -c 'event MODIFIED kt-a' "$T/out")" = 4 ] && ok "four MODIFIED events, none lost" || \
	not_ok "four MODIFIED events, none lost"; 
[ "$(stat_of relists)" -ge 1 ] && ok "re-listed after 410" || not_ok "re-listed after 410"
[ "$(stat_of reauths)" -ge 2 ] && ok "re-authenticated after each 401" || not_ok "re-authenticated after each 401"
[ "$(stat_of retries)" -ge 4 ] && ok "retried 429 and 503s" || not_ok "retried 429 and 503s ($(stat_of retries))"
kt "waiting for a deletion that happened is immediate" delete ConfigMap $NS kt-r + wait-gone ConfigMap $NS kt-r 5
# a finalizer holds the object: the waiter cannot be done before it is removed
kt "an object held by a finalizer" create ConfigMap $NS \
	'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kt-g","finalizers":["mtv.test/hold"]}}' \
	+ delete ConfigMap $NS kt-g
"${KT[@]}" --kubeconfig "$LAB_KUBECONFIG" wait-gone ConfigMap $NS kt-g 60 >"$T/gone.out" 2>"$T/gone.err" &
waiter=$!
kt "it is still there after the delete" get ConfigMap $NS kt-g
contains "with a deletionTimestamp" "$T/out" deletionTimestamp
if kill -0 $waiter 2>/dev/null; then ok "the waiter waits while the finalizer holds"; else
	not_ok "the waiter waits while the finalizer holds"; cat "$T/gone.err" | diag_stdin; fi
kt "removing the finalizer" patch ConfigMap $NS kt-g '{"metadata":{"finalizers":null}}'
wait $waiter && ok "the wait for the deletion ends" || { not_ok "the wait for the deletion ends"; diag_stdin <"$T/gone.err"; }
kt_fail "a wait that never holds times out" "timed out after 2 s" wait ConfigMap $NS kt-a data.step=never 2

# an interrupt ends a wait at once (the waiter says when its list is done)
mkfifo "$T/fifo"
"${KT[@]}" --kubeconfig "$LAB_KUBECONFIG" wait ConfigMap $NS kt-a data.step=never 120 >"$T/fifo" 2>"$T/int.err" &
waiter=$!
exec {fd}<"$T/fifo"
read -r -t 20 -u $fd line
t0=$(date +%s%N)
kill -TERM $waiter
wait $waiter
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
exec {fd}<&-
if [ $rc -eq 1 ] && grep -q interrupted "$T/int.err" && [ $ms -lt 3000 ]; then
	ok "SIGTERM ends a wait within ${ms} ms"; else
	not_ok "SIGTERM ends a wait (exit $rc after $ms ms, first line '$line')"; diag_stdin <"$T/int.err"; fi

# ---- kubeconfig token rotated: the client re-reads the kubeconfig
kt "a rotated kubeconfig token is picked up" --stats get Namespace - default \
	+ ctl POST /kube/expire-token '{"which":"admin"}' + get Namespace - default
[ "$(stat_of reauths)" = 1 ] && ok "one re-authentication" || not_ok "one re-authentication"

# ---- kubeconfig variants: tls-server-name, CA data, a merged list, a wrong CA
"$PYTHON3" - "$LAB_KUBECONFIG" "$T" <<'PY'
import base64, copy, sys, yaml
kc = yaml.safe_load(open(sys.argv[1]))
d = sys.argv[2]
cl = kc["clusters"][0]["cluster"]
def write(name, mod):
    k = copy.deepcopy(kc)
    mod(k["clusters"][0]["cluster"], k)
    yaml.safe_dump(k, open("%s/%s" % (d, name), "w"))
write("kc-sni", lambda c, k: c.update({"tls-server-name": "localhost"}))
write("kc-badsni", lambda c, k: c.update({"tls-server-name": "wrong.example"}))
def data(c, k):
    c["certificate-authority-data"] = base64.b64encode(open(c.pop("certificate-authority"), "rb").read()).decode()
write("kc-data", data)
write("kc-noca", lambda c, k: c.pop("certificate-authority"))
# a list: the first file only sets another current context
yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "current-context": "other",
                "contexts": [{"name": "other", "context": {"cluster": kc["clusters"][0]["name"],
                                                          "user": kc["users"][0]["name"]}}]},
               open(d + "/kc-first", "w"))
PY
kt "tls-server-name names the certificate's host" --kubeconfig "$T/kc-sni" get Namespace - default
kt_fail "a wrong tls-server-name fails verification" "TLS verification" --kubeconfig "$T/kc-badsni" get Namespace - default
kt "certificate-authority-data" --kubeconfig "$T/kc-data" get Namespace - default
kt_fail "no CA: the lab's certificate is not trusted" "TLS verification" --kubeconfig "$T/kc-noca" get Namespace - default
KUBECONFIG="$T/kc-first::$T/kc-data" "${KT[@]}" --log-level verbose request GET /api/v1/namespaces/default >"$T/out" 2>"$T/err"
contains "KUBECONFIG list merged (context of the first, cluster of the second)" "$T/out" "200 "

# ---- exec credential plugin: run at connect and again after a 401
cat >"$T/plugin.sh" <<PLUGIN
#!/bin/sh
echo run >>"$T/plugin.runs"
tok=\$($PYTHON3 -c 'import sys,yaml; print(yaml.safe_load(open(sys.argv[1]))["users"][0]["user"]["token"])' "$LAB_KUBECONFIG")
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\n' "\$tok"
PLUGIN
chmod 700 "$T/plugin.sh"
"$PYTHON3" - "$LAB_KUBECONFIG" "$T" <<'PY'
import sys, yaml
kc = yaml.safe_load(open(sys.argv[1]))
kc["users"][0]["user"] = {"exec": {"apiVersion": "client.authentication.k8s.io/v1",
                                   "command": "./plugin.sh", "interactiveMode": "Never"}}
yaml.safe_dump(kc, open(sys.argv[2] + "/kc-exec", "w"))
PY
kt "exec plugin credentials, run again after the token is rotated" --kubeconfig "$T/kc-exec" --stats \
	get Namespace - default + ctl POST /kube/expire-token '{"which":"admin"}' + get Namespace - default
[ "$(wc -l <"$T/plugin.runs")" = 2 ] && ok "the plugin ran twice" || not_ok "the plugin ran twice ($(wc -l <"$T/plugin.runs"))"

# ---- OpenShift OAuth login with username and password
export CLUSTER_HOST=$(lab_get kube.server) CLUSTER_USERNAME=$(lab_get kube.username) \
	CLUSTER_CA_FILE=$(lab_get kube.ca_file)
lab_control POST /kube/counts/reset >/dev/null
CLUSTER_PASSWORD=$(lab_get kube.password) "${KT[@]}" --log-level trace --stats \
	request GET /apis/user.openshift.io/v1/users/~ \
	+ ctl POST /kube/expire-token '{"which":"oauth"}' \
	+ list Namespace - >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out" "$T/err" >>"$ALL"
[ $rc -eq 0 ] && ok "OAuth login works" || { not_ok "OAuth login works (exit $rc)"; grep -v ^trace "$T/err" | tail -5 | diag_stdin; }
contains "logged in as kube:admin" "$T/out" '"name": "kube:admin"'
[ "$(stat_of reauths)" = 1 ] && ok "a revoked OAuth token means one new login" || not_ok "a revoked OAuth token means one new login"
lab_control GET /kube/counts >"$T/counts"
contains "two logins" "$T/counts" '"create oauthaccesstokens":2'
contains "the token was revoked at exit" "$T/counts" '"delete oauthaccesstokens":1'
"${KT[@]}" --kubeconfig "$LAB_KUBECONFIG" request GET /apis/oauth.openshift.io/v1/oauthaccesstokens >"$T/out" 2>&1
contains "no OAuth token left on the server" "$T/out" '"items": [ ]'
CLUSTER_PASSWORD=not-the-Passw0rd "${KT[@]}" request GET /api/v1/namespaces >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out" "$T/err" >>"$ALL"
[ $rc -ne 0 ] && grep -q 'wrong username or password' "$T/err" && ok "a wrong password is a clear error" || \
	not_ok "a wrong password is a clear error"
lacks "the wrong password is not printed" "$T/err" "not-the-Passw0rd"
unset CLUSTER_HOST CLUSTER_USERNAME CLUSTER_CA_FILE

# ---- in-cluster service account (token re-read when it rotates)
sa=$T/sa
mkdir -p "$sa"
cp "$(lab_get kube.ca_file)" "$sa/ca.crt"
echo "$NS" >"$sa/namespace"
lab_token() { "$PYTHON3" -c 'import sys,yaml; print(yaml.safe_load(open(sys.argv[1]))["users"][0]["user"]["token"])' "$LAB_KUBECONFIG"; }
lab_token >"$sa/token"
server=$(lab_get kube.server)
port=${server##*:}
KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=$port "${KT[@]}" --log-level debug --sa-dir "$sa" --stats \
	get Namespace - default \
	+ ctl POST /kube/expire-token '{"which":"admin"}' \
	+ sh "$PYTHON3 -c 'import sys,yaml; print(yaml.safe_load(open(sys.argv[1]))[\"users\"][0][\"user\"][\"token\"])' '$LAB_KUBECONFIG' >'$sa/token.new' && mv '$sa/token.new' '$sa/token'" \
	+ get Namespace - default >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out" "$T/err" >>"$ALL"
[ $rc -eq 0 ] && ok "in-cluster service account with a rotated token" || \
	{ not_ok "in-cluster service account with a rotated token (exit $rc)"; tail -5 "$T/err" | diag_stdin; }
contains "in-cluster is the origin" "$T/err" "(in-cluster)"

# ---- no secret in any output
"$PYTHON3" - "$LAB_JSON" "$LAB_KUBECONFIG" "$ALL" <<'PY' >"$T/leaks"
import base64, json, re, sys, urllib.parse, yaml
lab = json.loads(sys.argv[1])
vals = {lab["kube"]["password"], lab["kube"]["token"], "not-the-Passw0rd",
        yaml.safe_load(open(sys.argv[2]))["users"][0]["user"]["token"]}
text = open(sys.argv[3], errors="replace").read()
for v in vals:
    for enc in (v, base64.b64encode(v.encode()).decode(), urllib.parse.quote(v, safe="")):
        if enc and enc in text:
            print("leak:", enc[:4] + "...")
for m in re.finditer(r"(access_token=|Bearer |Basic )([^*\s&\"]{6,})", text):
    print("leak:", m.group(1))
PY
if [ -s "$T/leaks" ]; then not_ok "no secret in any output"; diag_stdin <"$T/leaks"; else
	ok "no secret in any output ($(wc -l <"$ALL") lines at trace level)"; fi
