#!/bin/bash
# t_job.sh: `mtv-scenario job` without a cluster: the manifests parse as
# YAML and carry the scenario files byte for byte; the roles follow the
# scenarios' steps (no Deployment rule without in-flight limits); usage
# errors. The lab test t_rbac.sh applies them and runs with them.
. "${srcdir:-.}/tests/lib.sh"
P=$srcdir/tests/plan/providers.yaml

if ! "$PYTHON3" -c 'import yaml' 2>/dev/null; then
	skip_all "python3-yaml is not installed"
fi
# yq FILE EXPR [ARG]: a Python expression over docs and kinds
yq() {
	"$PYTHON3" -c '
import base64, os, sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
kinds = {d["kind"]: d for d in docs}
rules = lambda k: {(r["apiGroups"][0], r["resources"][0]): r["verbs"] for r in kinds[k]["rules"]}
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)
' "$@"
}
expect_exit 0 "job of every scenario" "$MTV_SCENARIO" job -p "$P" "$srcdir/scenarios.d"
cp "$T/out" "$T/all.yaml"
check "the manifests parse; the ConfigMap holds every file byte for byte" \
	yq "$T/all.yaml" 'all(kinds["ConfigMap"]["data"][f] == open(os.path.join(sys.argv[3], f)).read()
		for f in os.listdir(sys.argv[3]) if f.endswith(".yaml")) and len(kinds["ConfigMap"]["data"]) > 20' \
	"$srcdir/scenarios.d"
check "the ClusterRole: run namespaces, cluster resources; pods/log for the populate pods" \
	yq "$T/all.yaml" 'rules("ClusterRole")[("", "namespaces")] == ["create", "delete", "get", "list", "watch"] and
		rules("ClusterRole")[("", "pods/log")] == ["get"] and
		rules("ClusterRole")[("forklift.konveyor.io", "plans")] == ["create", "delete", "get", "list", "patch", "watch"]'
check "the Role in openshift-mtv: ForkliftController list and patch, Deployments (in-flight limits), the operator's CSV" \
	yq "$T/all.yaml" 'kinds["Role"]["metadata"]["namespace"] == "openshift-mtv" and
		rules("Role") == {("forklift.konveyor.io", "forkliftcontrollers"): ["list", "patch"],
		                  ("apps", "deployments"): ["get", "list", "watch"],
		                  ("operators.coreos.com", "clusterserviceversions"): ["list"]}'
expect_exit 0 "job of thin, which sets no in-flight limits" "$MTV_SCENARIO" job -p "$P" "$srcdir/scenarios.d/thin.yaml"
cp "$T/out" "$T/thin.yaml"
check "... its Role only lists ForkliftControllers and the CSV; no event rule (no throttling check)" \
	yq "$T/thin.yaml" 'rules("Role") == {("forklift.konveyor.io", "forkliftcontrollers"): ["list"],
		                  ("operators.coreos.com", "clusterserviceversions"): ["list"]} and
		("", "events") not in rules("ClusterRole")'
expect_exit 0 "... with --set and --timeout" \
	"$MTV_SCENARIO" job -p "$P" --set cutover_delay=3 --timeout 600 "$srcdir/scenarios.d/thin.yaml"
cp "$T/out" "$T/set.yaml"
check "... the Job runs thin.yaml with them and the reports in /reports" yq "$T/set.yaml" 'kinds["Job"]["spec"]["template"]["spec"]["containers"][0]["args"][-9:] ==
	["--timeout", "600", "--report", "/reports/report.json", "--junit", "/reports/junit.xml",
	 "--log-file", "/reports/run.log", "/etc/mtv-scenario/scenarios/thin.yaml"] and
	"cutover_delay=3" in kinds["Job"]["spec"]["template"]["spec"]["containers"][0]["args"]'
check "... the Secret is the providers file (base64), never as text" \
	yq "$T/set.yaml" 'base64.b64decode(kinds["Secret"]["data"]["providers.yaml"]).decode() == open(sys.argv[3]).read()
		and "password: " not in open(sys.argv[1]).read()' "$P"
expect_exit 5 "nothing selected: exit 5" "$MTV_SCENARIO" job -p "$P" -m nosuchtag "$srcdir/scenarios.d"
mkdir -p "$T/a" "$T/b"
cp "$srcdir/scenarios.d/thin.yaml" "$T/a/"
cp "$srcdir/scenarios.d/thin.yaml" "$T/b/"
expect_exit 4 "two files of one name: exit 4" "$MTV_SCENARIO" job -p "$P" "$T/a/thin.yaml" "$T/b/thin.yaml"
contains "... named" "$T/err" "another selected scenario file is also named 'thin.yaml'"
expect_exit 4 "--image is for job only" "$MTV_SCENARIO" plan -p "$P" --image x "$srcdir/scenarios.d/thin.yaml"
