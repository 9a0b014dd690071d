#!/bin/bash
# t_rbac.sh: `mtv-scenario job` against the lab, whose API server enforces
# RBAC for service-account tokens: the manifests apply with every kubectl
# of lab_kubectls; the lab answers 401 and 403 as a real server; every
# scenarios.d file passes with only the generated roles (in t_e2e.sh); and
# removing any one rule makes the cheapest scenario that needs it fail
# with the server's 403 message naming the verb and the resource.
# MTV_RBAC_PARALLEL (default 4): removal runs at once.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

if ! "$PYTHON3" -c 'import yaml' 2>/dev/null; then
	skip_all "python3-yaml is not installed"
fi
KUBECTL_NEW=
while read -r v path; do
	[ "$v" = missing ] || KUBECTL_NEW=$path
done < <(lab_kubectls)
if [ -z "$KUBECTL_NEW" ]; then
	skip_all "no kubectl"
fi
lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
export KUBECONFIG=$LAB_KUBECONFIG
NS=mtv-rbac-job
SA=system:serviceaccount:$NS:mtv-scenario
SRV=$(lab_get kube.server)
CA=$(lab_get kube.ca_file)

# ---------------------------------------------------------------- manifests
expect_exit 0 "job prints the manifests for every scenario" \
	"$MTV_SCENARIO" job -p "$LAB_PROVIDERS" --namespace "$NS" "$srcdir/scenarios.d"
cp "$T/out" "$T/job.yaml"
# yq FILE EXPR: a Python expression over docs (the manifests) and kinds
yq() {
	"$PYTHON3" -c '
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
kinds = {d["kind"]: d for d in docs}
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)
' "$@"
}
check "ServiceAccount, ClusterRole, ClusterRoleBinding, Role, RoleBinding, ConfigMap, Secret, Job" \
	yq "$T/job.yaml" '[d["kind"] for d in docs] == ["Namespace", "ServiceAccount", "ClusterRole",
		"ClusterRoleBinding", "Role", "RoleBinding", "ConfigMap", "Secret", "Job"]'
check "no wildcard and no cluster-admin in the roles" \
	yq "$T/job.yaml" 'all("*" not in r[f] for d in docs if d["kind"] in ("ClusterRole", "Role")
		for r in d["rules"] for f in ("verbs", "resources", "apiGroups"))
		and all(d["roleRef"]["name"] != "cluster-admin" for d in docs if "roleRef" in d)'
check "the ForkliftController and Deployment rules are in a Role in openshift-mtv" \
	yq "$T/job.yaml" 'kinds["Role"]["metadata"]["namespace"] == "openshift-mtv" and
		sorted(r["resources"][0] for r in kinds["Role"]["rules"]) == ["clusterserviceversions", "deployments", "forkliftcontrollers"]'
check "the ConfigMap holds every scenario file as it is" \
	yq "$T/job.yaml" 'all(kinds["ConfigMap"]["data"][f] == open(sys.argv[3] + "/" + f).read()
		for f in __import__("os").listdir(sys.argv[3]) if f.endswith(".yaml"))' "$srcdir/scenarios.d"
check "the Secret is the providers file; the Job runs every file with the service account" \
	yq "$T/job.yaml" '__import__("base64").b64decode(kinds["Secret"]["data"]["providers.yaml"]).decode()
		== open(sys.argv[3]).read() and
		kinds["Job"]["spec"]["template"]["spec"]["serviceAccountName"] == "mtv-scenario" and
		len([a for a in kinds["Job"]["spec"]["template"]["spec"]["containers"][0]["args"]
		     if a.startswith("/etc/mtv-scenario/scenarios/")]) == len(kinds["ConfigMap"]["data"])' "$LAB_PROVIDERS"
pw=$(grep -m1 '^  password:' "$LAB_PROVIDERS" | sed 's/.*: *"\{0,1\}\([^"]*\)"\{0,1\}/\1/')
lacks "the providers file's password is not in the manifests as text" "$T/job.yaml" "$pw"
expect_exit 0 "--providers-secret and --reports-pvc: no Secret of ours, the reports on the claim" \
	"$MTV_SCENARIO" job -p "$LAB_PROVIDERS" --providers-secret mine/p.json --reports-pvc rep \
	--image reg/x:1 "$srcdir/scenarios.d/thin.yaml"
cp "$T/out" "$T/ps.yaml"
check "... the Job mounts key p.json of Secret mine and claim rep" \
	yq "$T/ps.yaml" '"Secret" not in kinds and sys.argv[3] not in open(sys.argv[1]).read() and
		kinds["Job"]["spec"]["template"]["spec"]["volumes"][1]["secret"] == {"secretName": "mine",
			"items": [{"key": "p.json", "path": "p.json"}]} and
		kinds["Job"]["spec"]["template"]["spec"]["volumes"][2]["persistentVolumeClaim"] == {"claimName": "rep"} and
		kinds["Job"]["spec"]["template"]["spec"]["containers"][0]["image"] == "reg/x:1"' \
	"$(printf %s "$pw" | base64)"

apply_job() {
	check "[$V] kubectl apply -f of the job manifests" "$KUBECTL" apply -f "$T/job.yaml"
}
lab_each_kubectl apply_job

# ---------------------------------------------------------------- the lab's RBAC
# sa_token NAME: a token of ServiceAccount NAME: kubectl create token
# (TokenRequest, kubectl 1.24+), else a legacy service-account-token Secret
sa_token() {
	local i
	"$KUBECTL_NEW" -n "$NS" create token "$1" --duration=2h 2>/dev/null && return 0
	printf '%s\n' "apiVersion: v1" "kind: Secret" "type: kubernetes.io/service-account-token" \
		"metadata: {name: $1-token, namespace: $NS, annotations: {kubernetes.io/service-account.name: $1}}" |
		"$KUBECTL_NEW" apply -f - >/dev/null || return 1
	for i in 1 2 3 4 5 6 7 8 9 10; do
		"$KUBECTL_NEW" -n "$NS" get secret "$1-token" -o jsonpath='{.data.token}' | base64 -d | grep . && return 0
		sleep 0.2
	done
	return 1
}
sa_token mtv-scenario >"$T/token" 2>"$T/err" &&
	ok "a token for the job's ServiceAccount (kubectl create token, or a token Secret)" ||
	{ not_ok "a token for the job's ServiceAccount"; diag_stdin <"$T/err"; exit 1; }
# kc NAME TOKEN: a kubeconfig with that token
kc() {
	cat >"$T/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: {server: "$SRV", certificate-authority: "$CA"}
users:
- name: sa
  user: {token: "$2"}
contexts:
- name: sa
  context: {cluster: lab, user: sa, namespace: $NS}
current-context: sa
EOF
}
kc job "$(cat "$T/token")"
kapi() { curl -sS --cacert "$CA" -H "Authorization: Bearer $1" -o "$T/body" -w '%{http_code}' "$SRV$2"; }
export -f kapi; export T SRV CA PYTHON3
check "a refused request: 403 with a real server's Status naming user, verb, resource and namespace" \
	bash -c '[ "$(kapi "$1" /api/v1/namespaces/default/configmaps/x)" = 403 ] &&
		"$PYTHON3" -c "import json, sys; b = json.load(open(sys.argv[1])); assert (b[\"kind\"] == \"Status\" and
b[\"reason\"] == \"Forbidden\" and b[\"code\"] == 403 and b[\"message\"] == sys.argv[2]), b" "$T/body" \
		"configmaps \"x\" is forbidden: User \"$2\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"default\""' \
	_ "$(cat "$T/token")" "$SA"
check "a resource the server does not serve: 403 without a rule (authorization before routing), 404 with one" \
	bash -c '[ "$(kapi "$1" /apis/example.com/v1/widgets)" = 403 ] &&
		grep -q "widgets.example.com is forbidden: User" "$T/body" &&
		[ "$(kapi "$2" /apis/example.com/v1/widgets)" = 404 ]' _ "$(cat "$T/token")" "$(lab_get kube.token)"
check "a bad token: 401 Unauthorized, also on /version" \
	bash -c '[ "$(kapi bad /api/v1/namespaces)" = 401 ] && [ "$(kapi bad /version)" = 401 ]'
check "discovery and /version for any authenticated user (system:discovery)" \
	bash -c '[ "$(kapi "$1" /apis)" = 200 ] && [ "$(kapi "$1" /version)" = 200 ]' _ "$(cat "$T/token")"
check "kubectl auth can-i: yes for plans in any namespace, no for nodes" \
	bash -c '[ "$("$1" --kubeconfig "$2" auth can-i create plans.forklift.konveyor.io -n x)" = yes ] &&
		! "$1" --kubeconfig "$2" auth can-i list nodes' _ "$KUBECTL_NEW" "$T/job.kubeconfig"

# ---------------------------------------------------------------- sufficiency
# t_e2e.sh runs every scenarios.d file with only the roles job generates
# for them (lab_job_kubeconfig), and fails on any refusal.

# ---------------------------------------------------------------- necessity
# For each rule of the roles: the scenarios whose own job needs it, and of
# those thin (the quickest) when it is one, else the first by name.
for f in "$srcdir"/scenarios.d/*.yaml; do
	"$MTV_SCENARIO" job -p "$LAB_PROVIDERS" --namespace "$NS" "$f" >"$T/one-$(basename "$f" .yaml).yaml" ||
		not_ok "job for $f"
done
"$PYTHON3" - "$T" "$T/job.yaml" >"$T/cases" <<'EOF' || not_ok "the removal cases are derived"
import glob, json, os, sys, yaml
t, full = sys.argv[1:3]
took = {"thin": 0}
need = {}
for p in glob.glob(t + "/one-*.yaml"):
    name = os.path.basename(p)[4:-5]
    for d in yaml.safe_load_all(open(p)):
        if d["kind"] in ("ClusterRole", "Role"):
            for r in d["rules"]:
                need.setdefault((d["kind"], r["apiGroups"][0], r["resources"][0]), []).append(name)
for d in yaml.safe_load_all(open(full)):
    if d["kind"] not in ("ClusterRole", "Role"):
        continue
    # rules a run can do without, warning: job names them
    opt = (d["metadata"].get("annotations") or {}).get("mtv-scenario/optional-rules", "").split(", ")
    for i, r in enumerate(d["rules"]):
        key = (d["kind"], r["apiGroups"][0], r["resources"][0])
        best = sorted(need[key], key=lambda n: (took.get(n, 1e9), n))[0]
        name = r["resources"][0] + ("." + r["apiGroups"][0] if r["apiGroups"][0] else "")
        print(d["kind"], i, r["apiGroups"][0] or '""', r["resources"][0], best,
              "optional" if name in opt else "required")
EOF
# drop KIND I: the manifests without rule I of the ClusterRole or Role,
# every cluster-wide name and the ServiceAccount suffixed with -I
drop() {
	"$PYTHON3" - "$T/job.yaml" "$1" "$2" <<'EOF'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
kind, i = sys.argv[2], int(sys.argv[3])
out = []
for d in docs:
    if d["kind"] not in ("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"):
        continue
    d["metadata"]["name"] += "-r%s%d" % (kind[0].lower(), i)
    if d["kind"] == kind:
        del d["rules"][i]
    if "roleRef" in d:
        d["roleRef"]["name"] += "-r%s%d" % (kind[0].lower(), i)
        d["subjects"][0]["name"] += "-r%s%d" % (kind[0].lower(), i)
    out.append(d)
yaml.safe_dump_all(out, sys.stdout)
EOF
}
# one_case KIND I GROUP RESOURCE SCENARIO: apply, get a token, run
one_case() {
	local kind=$1 i=$2 res=$4 scn=$5 id=r${1:0:1}$2 tok
	id=${id,,}
	drop "$kind" "$i" | "$KUBECTL_NEW" apply -f - >/dev/null 2>"$T/$id.apply" || return 1
	tok=$(sa_token "mtv-scenario-$id" 2>>"$T/$id.apply") || return 1
	kc "$id" "$tok"
	"$MTV_SCENARIO" run -p "$T/vib.yaml" --kubeconfig "$T/$id.kubeconfig" --set cutover_delay=3 \
		"$srcdir/scenarios.d/$scn.yaml" >"$T/$id.out" 2>"$T/$id.err"
	echo $? >"$T/$id.rc"
}
start=$(date +%s)
par=${MTV_RBAC_PARALLEL:-4}
pids=()
# running: how many of the removal runs are still going (the lab is a job too)
running() {
	local p n=0
	for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && n=$((n + 1)); done
	echo $n
}
# side by side: with the vib clone method no run touches the lab's ESXi
# authorized_keys, which the others would share (the rules are per
# resource, the same for either method)
sed 's/^\(    esxi_clone_method: \).*/\1"vib"/' "$LAB_PROVIDERS" >"$T/vib.yaml"
while read -r kind i group res scn need; do
	while [ "$(running)" -ge "$par" ]; do sleep 1; done
	one_case "$kind" "$i" "$group" "$res" "$scn" </dev/null &
	pids+=($!)
done <"$T/cases"
wait "${pids[@]}"
while read -r kind i group res scn need; do
	id=r${kind:0:1}$i
	id=${id,,}
	[ "$group" = '""' ] && group=
	want="User \"$SA-$id\" cannot "
	if [ "$need" = optional ]; then
		# evidence or a check the run does without: a warning, not a failure
		if [ "$(cat "$T/$id.rc" 2>/dev/null)" = 0 ] &&
			grep -Eq "^warning: .*${want}[a-z]+ resource \"$res\" in API group \"$group\"" "$T/$id.err"; then
			ok "without $kind rule $i ($res): $scn passes and warns with the server's 403"
		else
			not_ok "without $kind rule $i ($res): $scn warns with the server's 403"
			sed -n '1,10p' "$T/$id.apply" "$T/$id.out" | diag_stdin
		fi
		continue
	fi
	if [ "$(cat "$T/$id.rc" 2>/dev/null)" = 1 ] &&
		grep -Eq "${want}[a-z]+ resource \"$res\" in API group \"$group\"" "$T/$id.out" "$T/$id.err"; then
		ok "without $kind rule $i ($group/$res): $scn fails with the server's 403 naming verb and resource"
	else
		not_ok "without $kind rule $i ($group/$res): $scn fails with a 403 naming verb and resource (exit $(cat "$T/$id.rc" 2>/dev/null))"
		sed -n '1,10p' "$T/$id.apply" "$T/$id.out" | diag_stdin
		grep -i "forbidden\|error" "$T/$id.err" | sed -n '1,5p' | diag_stdin
	fi
done <"$T/cases"
diag "removal runs: $(wc -l <"$T/cases") in $(( $(date +%s) - start )) s, $par at once"
