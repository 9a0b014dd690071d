#!/bin/bash
# t_inputs.sh: one validator for every input: --set and --tc values are
# typed and checked by the schema like file values (exit 4, naming the
# option, did-you-mean for unknown keys); validate -p makes plan's checks.
. "${srcdir:-.}/tests/lib.sh"

unset MTV_SCENARIO_PROVIDERS
for v in $(env | sed -n 's/^\(COPYOFFLOAD_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done

PF=$srcdir/tests/plan/providers.yaml
P=(-p "$PF" --run-id inp001)
S=$srcdir/scenarios.d/thin.yaml

# refused: the exact message on stderr, nothing planned
refused() { # ARGS... -- MESSAGE
	local msg=${!#}
	set -- "${@:1:$#-1}"
	test_expect_code 4 "$MTV_SCENARIO" plan --format json "${P[@]}" "$@" "$S" >out 2>err
	test_grep "error: $msg" err
	test ! -s out
}

test_expect_success '--set warm_migration=maybe: not a boolean' '
	refused --set warm_migration=maybe \
		"--set warm_migration=maybe: expected a boolean (true or false), found '\''maybe'\''"
'
test_expect_success '--set warm_migration=yes: YAML 1.2 booleans only, as in files' '
	refused --set warm_migration=yes \
		"--set warm_migration=yes: expected a boolean (true or false), found '\''yes'\''"
'
test_expect_success '--set foo=1: unknown key' '
	refused --set foo=1 "--set foo=1: unknown key '\''foo'\''"
'
test_expect_success '--set storage_clas=x: did you mean storage_class' '
	refused --set storage_clas=x \
		"--set storage_clas=x: unknown key '\''storage_clas'\'' (did you mean '\''storage_class'\''?)"
'
test_expect_success '--tc storage_clas:x: did you mean storage_class' '
	refused --tc storage_clas:x \
		"--tc storage_clas:x: unknown key '\''storage_clas'\'' (did you mean '\''storage_class'\''?)"
'
test_expect_success '--set timeout=soon: not an integer' '
	refused --set timeout=soon "--set timeout=soon: expected an integer, found '\''soon'\''"
'
test_expect_success 'every bad override is reported at once' '
	test_expect_code 4 "$MTV_SCENARIO" plan "${P[@]}" --set warm_migration=maybe \
		--set foo=1 --tc storage_clas:x "$S" >out 2>err
	test "$(grep -c "^error: " err)" -eq 3
'
test_expect_success 'validate refuses a bad override too' '
	test_expect_code 4 "$MTV_SCENARIO" validate -p "$PF" --set warm_migration=maybe "$S" 2>err
	test_grep "error: --set warm_migration=maybe: expected a boolean" err
'
test_expect_success '--set warm_migration=true plans a warm migration' '
	"$MTV_SCENARIO" plan --format json "${P[@]}" --set warm_migration=true "$S" >w
	test_grep "\"type\": \"warm\"" w
'
test_expect_success '--set warm_migration=false plans a cold migration' '
	"$MTV_SCENARIO" plan --format json "${P[@]}" --set warm_migration=false "$S" >c
	test_grep "\"type\": \"cold\"" c
'
test_expect_success '--tc storage_class:other-sc and --set storage_class=x are taken' '
	"$MTV_SCENARIO" plan --format json "${P[@]}" --tc storage_class:other-sc "$S" >o1
	test_grep "\"storage_class\": \"other-sc\"" o1
	"$MTV_SCENARIO" plan --format json "${P[@]}" --set storage_class=x-sc "$S" >o2
	test_grep "\"storage_class\": \"x-sc\"" o2
'
test_expect_success 'a string key keeps a Go template and digits as text' '
	"$MTV_SCENARIO" plan --format json "${P[@]}" \
		--set "pvc_name_template={{.VmName}}-{{.DiskIndex}}" "$S" >t
	test_grep "{{.VmName}}-{{.DiskIndex}}" t
'

# validate -p: the checks of plan, every problem at once
test_expect_success 'validate -p: a powermax profile without powermax_symmetrix_id' '
	sed "s/storage_vendor_product: ontap/storage_vendor_product: powermax/; /ontap_svm/d" \
		"$PF" >pmax.yaml
	test_expect_code 4 "$MTV_SCENARIO" validate -p pmax.yaml "$S" >out 2>err
	test_grep "pmax.yaml:11:3: error: profile '\''vsphere-test'\'': vendor '\''powermax'\'' needs copyoffload.powermax_symmetrix_id (POWERMAX_SYMMETRIX_ID of the storage secret); set it or the environment variable COPYOFFLOAD_POWERMAX_SYMMETRIX_ID" err
	test_expect_code 4 "$MTV_SCENARIO" plan -p pmax.yaml "$S" >out 2>err.plan
	test_cmp err err.plan
'
test_expect_success 'validate -p: secondary_datastore_id missing for multi-datastore.yaml' '
	grep -v secondary_datastore_id "$PF" >nosec.yaml
	test_expect_code 4 "$MTV_SCENARIO" validate -p nosec.yaml \
		"$srcdir/scenarios.d/multi-datastore.yaml" "$S" >out 2>err
	test_grep "multi-datastore.yaml:19:23: error: virtual_machines[0].add_disks[0].datastore_id needs '\''secondary_datastore_id'\'' but profile '\''vsphere-test'\'' in nosec.yaml does not set it" err
	test_expect_code 0 "$MTV_SCENARIO" validate -p nosec.yaml "$S"
'
test_expect_success 'validate -p: both problems of both profiles reported together' '
	sed "s/storage_vendor_product: ontap/storage_vendor_product: powermax/; /ontap_svm/d; /secondary_datastore_id/d" \
		"$PF" >both.yaml
	test_expect_code 4 "$MTV_SCENARIO" validate -p both.yaml \
		"$srcdir/scenarios.d/multi-datastore.yaml" >out 2>err
	test_grep "powermax_symmetrix_id" err
	test_grep "secondary_datastore_id" err
'
test_expect_success 'validate -p: the golden providers file and all of scenarios.d are valid' '
	"$MTV_SCENARIO" validate -p "$PF" "$srcdir/scenarios.d" >out
	test_grep "providers file valid" out
'
