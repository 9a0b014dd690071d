#!/bin/bash
# t_env.sh: COPYOFFLOAD_<KEY> environment overrides (non-empty wins, empty
# falls through), COPYOFFLOAD_STORAGE_SECRET_EXTRA, MTV_SCENARIO_PROVIDERS,
# --tc/--set, and no secret in the output of plan, even with -v.
. "${srcdir:-.}/tests/lib.sh"

unset MTV_SCENARIO_PROVIDERS
for v in $(env | sed -n 's/^\(COPYOFFLOAD_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
plan 7

P=(-p "$srcdir/tests/plan/providers.yaml" --run-id env001)
S=$srcdir/scenarios.d/thin.yaml
sd() { # print the storage secret's stringData of plan JSON $1
	"$PYTHON3" -c "
import json,sys
p = json.load(open('$1'))
for s in p['steps']:
    if s['kind'] == 'secret' and s['params']['role'] == 'storage':
        print(json.dumps(s['params']['manifest']['stringData'], sort_keys=True))"
}

test_expect_success 'env wins over the file; empty env falls through' '
	COPYOFFLOAD_STORAGE_HOSTNAME=env-array.example.com COPYOFFLOAD_ONTAP_SVM="" \
		"$MTV_SCENARIO" plan --format json "${P[@]}" "$S" >p1 2>err
	sd p1 >sd1
	test_grep "\"STORAGE_HOSTNAME\": \"env-array.example.com\"" sd1
	test_grep "\"ONTAP_SVM\": \"svm0\"" sd1
'
begin_test 'COPYOFFLOAD_STORAGE_SECRET_EXTRA: merged, overrides the file, secret-like values are placeholders'
(
	set -e
	COPYOFFLOAD_STORAGE_SECRET_EXTRA='{"STORAGE_HTTP_TIMEOUT_SECONDS": 60, "STORAGE_SKIP_SSL_VERIFICATION": false, "API_TOKEN": "env-extra-token"}' \
		"$MTV_SCENARIO" plan --format json "${P[@]}" "$S" >p2 2>err
	sd p2 >sd2
	test_grep '"STORAGE_HTTP_TIMEOUT_SECONDS": "60"' sd2
	test_grep '"STORAGE_SKIP_SSL_VERIFICATION": "false"' sd2
	test_grep '"API_TOKEN": "((secret:copyoffload.storage_secret_extra.API_TOKEN))"' sd2
	test_grep ! env-extra-token p2
)
end_test
begin_test 'COPYOFFLOAD_STORAGE_SECRET_EXTRA not an object: exit 4, named'
(
	set -e
	COPYOFFLOAD_STORAGE_SECRET_EXTRA='[1]' test_expect_code 4 \
		"$MTV_SCENARIO" plan "${P[@]}" "$S" >out 2>err
	test_grep "environment variable 'COPYOFFLOAD_STORAGE_SECRET_EXTRA' is not a JSON object" err
)
end_test

# a password from the environment never shows, not even with -v
begin_test 'plan -v: passwords from the environment and the file are hidden, placeholders shown as ***'
(
	set -e
	COPYOFFLOAD_STORAGE_PASSWORD=env-array-secret COPYOFFLOAD_ESXI_PASSWORD=env-esxi-secret \
		"$MTV_SCENARIO" plan -v -v "${P[@]}" "$srcdir/scenarios.d/rdm-virtual.yaml" >v 2>&1
	COPYOFFLOAD_STORAGE_PASSWORD=env-array-secret \
		"$MTV_SCENARIO" plan --format json "${P[@]}" "$srcdir/scenarios.d/rdm-virtual.yaml" >>v 2>&1
	test_grep ! env-array-secret v
	test_grep ! env-esxi-secret v
	test_grep ! golden- v
	test_grep 'password: "***"' v
)
end_test

# the providers file from the environment; --tc picks profile and storage class
test_expect_success 'MTV_SCENARIO_PROVIDERS' '
	MTV_SCENARIO_PROVIDERS=$srcdir/tests/plan/providers.yaml \
		"$MTV_SCENARIO" plan --format json --run-id env001 "$S" >out
'
test_expect_success '--tc source_provider and storage_class' '
	"$MTV_SCENARIO" plan --format json -p "$srcdir/tests/plan/providers.yaml" \
		--run-id env001 --tc source_provider:vsphere-test \
		--tc storage_class:other-sc "$S" >out
	test_grep "\"storage_class\": \"other-sc\"" out
'

# --set overrides a scenario key
test_expect_success '--set warm_migration=true gives a warm plan' '
	"$MTV_SCENARIO" plan --format json "${P[@]}" --set warm_migration=true "$S" >w 2>&1
	test_grep "\"type\": \"warm\"" w
'
