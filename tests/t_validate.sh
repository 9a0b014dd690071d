#!/bin/sh
# t_validate.sh: validate and list on scenarios.d/: all valid, the table,
# JSON, -m selection and its exit codes.
. "${srcdir:-.}/tests/lib.sh"

PY=/usr/bin/python3
cd "$srcdir" || exit 1
nscn=$(ls scenarios.d/*.yaml | wc -l)
plan 31

expect_exit 0 "validate scenarios.d/" "$MTV_SCENARIO" validate scenarios.d/
echo "$nscn scenarios valid" >"$T/want"
cp "$T/want" "$T/want.count"
same_file "validate counts every file" "$T/want" "$T/out"
expect_exit 0 "validate without arguments reads ./scenarios.d" "$MTV_SCENARIO" validate
expect_exit 0 "validate --format json" "$MTV_SCENARIO" validate --format json scenarios.d
cp "$T/out" "$T/json"
check "validate JSON says valid" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["valid"] is True and d["errors"] == [] and d["files"] == int(sys.argv[2]), d
' "$T/json" "$nscn"

expect_exit 0 "list" "$MTV_SCENARIO" list
cp "$T/out" "$T/list"
head -n 1 "$T/out" | tr -s ' ' >"$T/head"
echo "NAME ID TAGS DESCRIPTION" >"$T/want"
same_file "list: header" "$T/want" "$T/head"
contains "list: fallback-large with its id" "$T/list" "MTV-614"
check "list: one line per scenario" test "$(($(wc -l <"$T/list") - 1))" -eq "$nscn"

expect_exit 0 "list --format json" "$MTV_SCENARIO" list --format json
cp "$T/out" "$T/json"
check "list JSON: every scenario with name, id, file, tags, description" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == int(sys.argv[2]), len(d)
for e in d:
    assert set(e) == {"name", "id", "file", "tags", "description"}, e
    assert e["file"] == "scenarios.d/%s.yaml" % e["name"], e
    assert "copyoffload" in e["tags"], e
ids = {e["name"]: e["id"] for e in d}
assert ids["fallback-large"] == "MTV-614" and ids["thin"] == "MTV-559", ids
' "$T/json" "$nscn"

names() { "$MTV_SCENARIO" list --format json -m "$1" | $PY -c '
import json, sys
print(" ".join(e["name"] for e in json.load(sys.stdin)))'; }
echo "warm-rdm-virtual warm" >"$T/want"
names warm >"$T/got"
same_file "-m warm" "$T/want" "$T/got"
check "-m 'copyoffload and not warm' leaves out the warm ones" \
	test "$(names 'copyoffload and not warm' | wc -w)" -eq $((nscn - 2))
echo "10-mixed-disks mixed-datastore multi-datastore rdm-virtual scale thick-eager-snapshots warm" >"$T/want"
names copyoffload_sanity >"$T/got"
same_file "-m copyoffload_sanity: the pytest marker's 7 classes" "$T/want" "$T/got"
echo "rdm-physical rdm-virtual thick-eager-snapshots thick-lazy-snapshots" >"$T/want"
names '(rdm or thick) and not (warm or 2tb) and (snapshots or not thick)' >"$T/got"
same_file "-m with parentheses" "$T/want" "$T/got"

expect_exit 5 "list -m nothing: exit 5" "$MTV_SCENARIO" list -m nothing
contains "list -m nothing: says so" "$T/err" "no scenario selected"
expect_exit 5 "validate -m nothing: exit 5" "$MTV_SCENARIO" validate -m nothing scenarios.d
expect_exit 4 "list -m 'a and (': exit 4" "$MTV_SCENARIO" list -m 'a and ('
contains "bad -m: names the problem" "$T/err" "expected a tag, 'not' or '(' at the end of the expression"
expect_exit 4 "validate a missing file: exit 4" "$MTV_SCENARIO" validate no/such.yaml
contains "missing file: named" "$T/err" "no/such.yaml: error: cannot open: No such file or directory"
mkdir "$T/empty"
expect_exit 5 "validate an empty directory: exit 5" "$MTV_SCENARIO" validate "$T/empty"

# A JSON scenario (JSON is YAML) keeps positions too.
printf '{"apiVersion": "mtv-scenario/v1alpha1", "kind": "Scenario",\n "name": "j",\n "virtual_machines": [{"name": "a", "snapshots": -1}]}\n' >"$T/s.json"
expect_exit 4 "JSON scenario with an error: exit 4" "$MTV_SCENARIO" validate "$T/s.json"
contains "JSON scenario: file:line:col" "$T/err" "s.json:3:50: error: virtual_machines[0].snapshots: expected an integer >= 0, found -1"

# Secrets never reach the output: a providers file whose password has the
# wrong type is reported without the value (schema keys marked writeOnly).
printf 'lab:\n  type: vsphere\n  password: 7305918264017\n  copyoffload:\n    storage_password: 7305918264018\n' >"$T/prov.yaml"
"$MTV_SCENARIO" validate -p "$T/prov.yaml" scenarios.d/thin.yaml >"$T/out" 2>"$T/err"
lacks "validate -p: the password is not shown" "$T/err" 7305918264017
lacks "validate -p: the storage password is not shown" "$T/err" 7305918264018

# A file named twice is read once; two files with one name are an error.
expect_exit 0 "a file given twice is validated once" "$MTV_SCENARIO" validate scenarios.d scenarios.d/thin.yaml
same_file "... and counted once" "$T/want.count" "$T/out"
cp scenarios.d/thin.yaml "$T/thin2.yaml"
expect_exit 4 "two scenarios named alike: exit 4" "$MTV_SCENARIO" validate scenarios.d "$T/thin2.yaml"
contains "two scenarios named alike: both files named" "$T/err" "thin2.yaml:4:7: error: name: duplicate scenario name 'thin' (also in scenarios.d/thin.yaml)"
