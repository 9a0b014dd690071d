#!/bin/bash
# t_report.sh: `mtv-scenario report` on a fixed report (tests/report/, the
# reports of real lab runs with copy times of a real array put in): the
# three formats against their golden output; the fixed report against the
# report schema; bad input is named and exits 4.
. "${srcdir:-.}/tests/lib.sh"

R="$srcdir/tests/report"

for f in table markdown csv; do
	case $f in markdown) g=md ;; *) g=$f ;; esac
	test_expect_success "report --format $f matches copy-offload.$g" '
		"$MTV_SCENARIO" report --format '$f' "$R/copy-offload.json" >out 2>err
		test_cmp "$R/copy-offload.'$g'" out
		test ! -s err
	'
done
test_expect_success 'the table is the default format' '
	"$MTV_SCENARIO" report "$R/copy-offload.json" >out
	test_cmp "$R/copy-offload.table" out
'
test_expect_success 'the fixed report is valid against schema/report.schema.json' '
	$PYTHON3 -c "import jsonschema" 2>/dev/null || exit 0
	$PYTHON3 - "$srcdir/schema/report.schema.json" "$R/copy-offload.json" <<-PY
	import json, sys, jsonschema
	s = json.load(open(sys.argv[1]))
	jsonschema.Draft202012Validator.check_schema(s)
	errs = list(jsonschema.Draft202012Validator(s).iter_errors(json.load(open(sys.argv[2]))))
	for e in errs: print(e.json_path, e.message)
	sys.exit(1 if errs else 0)
	PY
'
test_expect_success 'a missing file: exit 4, named' '
	test_expect_code 4 "$MTV_SCENARIO" report nowhere.json 2>err
	grep -q "cannot open .nowhere.json.: No such file" err
'
test_expect_success 'a file that is not a report (a plan): exit 4, said so' '
	test_expect_code 4 "$MTV_SCENARIO" report "$srcdir/tests/plan/thin.json" 2>err
	test_grep "is not an mtv-scenario JSON report" err
'
test_expect_success 'not JSON at all: exit 4' '
	echo "scenarios: [" >bad.json
	test_expect_code 4 "$MTV_SCENARIO" report bad.json 2>err
	test_grep "is not an mtv-scenario JSON report" err
'
test_expect_success 'a report that breaks the schema: exit 4, the problem at its place' '
	sed "s/\"method\": \"xcopy\"/\"method\": \"teleport\"/" \
		"$R/copy-offload.json" >broken.json
	test_expect_code 4 "$MTV_SCENARIO" report broken.json 2>err
	grep -q "broken.json:[0-9]*:[0-9]*: .*teleport" err
	test_grep "does not match the report schema" err
'
test_expect_success 'an unknown format or no file: exit 4' '
	test_expect_code 4 "$MTV_SCENARIO" report --format html "$R/copy-offload.json" 2>err &&
	test_grep "expected table, markdown or csv" err &&
	test_expect_code 4 "$MTV_SCENARIO" report 2>err &&
	test_grep "expected one FILE.json" err
'
test_expect_success 'a disk whose copy failed is left out, and counted' '
	"$PYTHON3" -c "
import json, sys
r = json.load(open(sys.argv[1]))
r[\"scenarios\"][1][\"disks\"][0][\"error\"] = \"copy-offload failed\"
json.dump(r, open(\"failed.json\", \"w\"))" "$R/copy-offload.json" &&
	"$MTV_SCENARIO" report --format csv failed.json >out 2>err &&
	grep -q "^fallback-large,plain-ds,non_xcopy_datastore_id,fallback,1," out &&
	test_grep "1 disk whose copy failed left out" err
'
test_expect_success 'a report without transferred disks says so' '
	"$PYTHON3" -c "
import json, sys
r = json.load(open(sys.argv[1]))
for s in r[\"scenarios\"]: s[\"disks\"] = []
json.dump(r, open(\"empty.json\", \"w\"))" "$R/copy-offload.json" &&
	"$MTV_SCENARIO" report empty.json >out 2>err &&
	test ! -s out &&
	test_grep "has no per-disk copy evidence" err
'
