#!/bin/bash
# t_validate.sh: validate and list on scenarios.d/: all valid, the table,
# JSON, -m selection and its exit codes.
. "${srcdir:-.}/tests/lib.sh"

PY=/usr/bin/python3
nscn=$(ls "$srcdir"/scenarios.d/*.yaml | wc -l)
# ms ARGS...: mtv-scenario run in the source tree (./scenarios.d), output
# where the caller says
ms() { (cd "$srcdir" && "$MTV_SCENARIO" "$@"); }
# names EXPR: the names list -m EXPR selects, on one line
names() { ms list --format json -m "$1" | $PY -c '
import json, sys
print(" ".join(e["name"] for e in json.load(sys.stdin)))'; }
plan 16

test_expect_success 'validate scenarios.d/ counts every file; so does validate without arguments' '
	ms validate scenarios.d/ >out
	echo "$nscn scenarios valid" >want
	test_cmp want out
	ms validate >out
	test_cmp want out
'
test_expect_success 'validate --format json says valid' '
	ms validate --format json scenarios.d >json
	$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"valid\"] is True and d[\"errors\"] == [] and d[\"files\"] == int(sys.argv[2]), d
" json "$nscn"
'
test_expect_success 'list: header, fallback-large with its id, one line per scenario' '
	ms list >list
	head -n 1 list | tr -s " " >head
	echo "NAME ID TAGS DESCRIPTION" >want
	test_cmp want head
	test_grep MTV-614 list
	test "$(($(wc -l <list) - 1))" -eq "$nscn"
'
begin_test 'list JSON: every scenario with name, id, file, tags, description'
(
	set -e
	ms list --format json >json
	$PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == int(sys.argv[2]), len(d)
for e in d:
    assert set(e) == {"name", "id", "file", "tags", "description"}, e
    assert e["file"] == "scenarios.d/%s.yaml" % e["name"], e
    assert "copyoffload" in e["tags"], e
ids = {e["name"]: e["id"] for e in d}
assert ids["fallback-large"] == "MTV-614" and ids["thin"] == "MTV-559", ids
' json "$nscn"
)
end_test

test_expect_success '-m warm' '
	echo "warm-rdm-virtual warm" >want
	names warm >got
	test_cmp want got
'
test_expect_success "-m 'copyoffload and not warm' leaves out the warm ones" '
	names "copyoffload and not warm" >got
	test "$(wc -w <got)" -eq $((nscn - 2))
'
test_expect_success "-m copyoffload_sanity: the pytest marker's 7 classes" '
	echo "10-mixed-disks mixed-datastore multi-datastore rdm-virtual scale thick-eager-snapshots warm" >want
	names copyoffload_sanity >got
	test_cmp want got
'
test_expect_success '-m with parentheses' '
	echo "rdm-physical rdm-virtual thick-eager-snapshots thick-lazy-snapshots" >want
	names "(rdm or thick) and not (warm or 2tb) and (snapshots or not thick)" >got
	test_cmp want got
'

test_expect_success 'list -m nothing: exit 5, says so; validate -m nothing: exit 5' '
	test_expect_code 5 ms list -m nothing 2>err
	test_grep "no scenario selected" err
	test_expect_code 5 ms validate -m nothing scenarios.d 2>err
'
begin_test "list -m 'a and (': exit 4, names the problem"
(
	set -e
	test_expect_code 4 ms list -m 'a and (' 2>err
	test_grep "expected a tag, 'not' or '(' at the end of the expression" err
)
end_test
test_expect_success 'validate a missing file: exit 4, named' '
	test_expect_code 4 ms validate no/such.yaml 2>err
	test_grep "no/such.yaml: error: cannot open: No such file or directory" err
'
test_expect_success 'validate an empty directory: exit 5' '
	mkdir empty
	test_expect_code 5 "$MTV_SCENARIO" validate empty
'

# A JSON scenario (JSON is YAML) keeps positions too.
begin_test 'JSON scenario with an error: exit 4, file:line:col'
(
	set -e
	printf '{"apiVersion": "mtv-scenario/v1alpha1", "kind": "Scenario",\n "name": "j",\n "virtual_machines": [{"name": "a", "snapshots": -1}]}\n' >s.json
	test_expect_code 4 "$MTV_SCENARIO" validate s.json 2>err
	test_grep "s.json:3:50: error: virtual_machines[0].snapshots: expected an integer >= 0, found -1" err
)
end_test

# Secrets never reach the output: a providers file whose password has the
# wrong type is reported without the value (schema keys marked writeOnly).
begin_test 'validate -p: neither the password nor the storage password is shown'
(
	set -e
	printf 'lab:\n  type: vsphere\n  password: 7305918264017\n  copyoffload:\n    storage_password: 7305918264018\n' >prov.yaml
	test_must_fail ms validate -p "$PWD/prov.yaml" scenarios.d/thin.yaml >out 2>err
	test -s err
	test_grep ! 7305918264017 err
	test_grep ! 7305918264018 err
	test_grep ! 7305918264017 out
	test_grep ! 7305918264018 out
)
end_test

# A file named twice is read once; two files with one name are an error.
test_expect_success 'a file given twice is validated once, and counted once' '
	ms validate scenarios.d scenarios.d/thin.yaml >out
	echo "$nscn scenarios valid" >want
	test_cmp want out
'
test_expect_success 'two scenarios named alike: exit 4, both files named' '
	cp "$srcdir/scenarios.d/thin.yaml" thin2.yaml
	test_expect_code 4 ms validate scenarios.d "$PWD/thin2.yaml" 2>err
	test_grep "thin2.yaml:4:7: error: name: duplicate scenario name '\''thin'\'' (also in scenarios.d/thin.yaml)" err
'
