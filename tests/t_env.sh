#!/bin/sh
# t_env.sh: COPYOFFLOAD_<KEY> environment overrides (non-empty wins, empty
# falls through), COPYOFFLOAD_STORAGE_SECRET_EXTRA, MTV_SCENARIO_PROVIDERS,
# --tc/--set, and no secret in the output of plan, even with -v.
. "${srcdir:-.}/tests/lib.sh"

cd "$srcdir" || exit 1
unset MTV_SCENARIO_PROVIDERS
for v in $(env | sed -n 's/^\(COPYOFFLOAD_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
plan 16

P="-p tests/plan/providers.yaml --run-id env001"
S=scenarios.d/thin.yaml
sd() { # print the storage secret's stringData of plan JSON $1
	"$PYTHON3" -c "
import json,sys
p = json.load(open('$1'))
for s in p['steps']:
    if s['kind'] == 'secret' and s['params']['role'] == 'storage':
        print(json.dumps(s['params']['manifest']['stringData'], sort_keys=True))"
}

# shellcheck disable=SC2086
COPYOFFLOAD_STORAGE_HOSTNAME=env-array.example.com COPYOFFLOAD_ONTAP_SVM="" \
	"$MTV_SCENARIO" plan --format json $P $S >"$T/p1" 2>"$T/err"
sd "$T/p1" >"$T/sd1"
contains "env wins over the file" "$T/sd1" '"STORAGE_HOSTNAME": "env-array.example.com"'
contains "empty env falls through" "$T/sd1" '"ONTAP_SVM": "svm0"'

# shellcheck disable=SC2086
COPYOFFLOAD_STORAGE_SECRET_EXTRA='{"STORAGE_HTTP_TIMEOUT_SECONDS": 60, "STORAGE_SKIP_SSL_VERIFICATION": false, "API_TOKEN": "env-extra-token"}' \
	"$MTV_SCENARIO" plan --format json $P $S >"$T/p2" 2>"$T/err"
sd "$T/p2" >"$T/sd2"
contains "extra from env merged" "$T/sd2" '"STORAGE_HTTP_TIMEOUT_SECONDS": "60"'
contains "env extra overrides the file's" "$T/sd2" '"STORAGE_SKIP_SSL_VERIFICATION": "false"'
contains "secret-like extra is a placeholder" "$T/sd2" '"API_TOKEN": "((secret:copyoffload.storage_secret_extra.API_TOKEN))"'
lacks "extra token value not printed" "$T/p2" "env-extra-token"

# shellcheck disable=SC2086
COPYOFFLOAD_STORAGE_SECRET_EXTRA='[1]' expect_exit 4 "extra not an object: exit 4" \
	"$MTV_SCENARIO" plan $P $S
contains "extra not an object: message" "$T/err" "environment variable 'COPYOFFLOAD_STORAGE_SECRET_EXTRA' is not a JSON object"

# a password from the environment never shows, not even with -v
# shellcheck disable=SC2086
COPYOFFLOAD_STORAGE_PASSWORD=env-array-secret COPYOFFLOAD_ESXI_PASSWORD=env-esxi-secret \
	"$MTV_SCENARIO" plan -v -v $P scenarios.d/rdm-virtual.yaml >"$T/v" 2>&1
# shellcheck disable=SC2086
COPYOFFLOAD_STORAGE_PASSWORD=env-array-secret \
	"$MTV_SCENARIO" plan --format json $P scenarios.d/rdm-virtual.yaml >>"$T/v" 2>&1
lacks "-v: env storage password hidden" "$T/v" "env-array-secret"
lacks "-v: env esxi password hidden" "$T/v" "env-esxi-secret"
lacks "-v: file passwords hidden" "$T/v" "golden-"
contains "-v: placeholders shown as ***" "$T/v" 'password: "***"'

# the providers file from the environment; --tc picks profile and storage class
MTV_SCENARIO_PROVIDERS=tests/plan/providers.yaml expect_exit 0 "MTV_SCENARIO_PROVIDERS" \
	"$MTV_SCENARIO" plan --format json --run-id env001 $S
expect_exit 0 "--tc source_provider and storage_class" "$MTV_SCENARIO" plan --format json \
	-p tests/plan/providers.yaml --run-id env001 --tc source_provider:vsphere-test \
	--tc storage_class:other-sc $S
contains "--tc storage_class used" "$T/out" '"storage_class": "other-sc"'

# --set overrides a scenario key
# shellcheck disable=SC2086
"$MTV_SCENARIO" plan --format json $P --set warm_migration=true $S >"$T/w" 2>&1
contains "--set warm_migration=true gives a warm plan" "$T/w" '"type": "warm"'
