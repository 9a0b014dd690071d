#!/bin/sh
# t_plan.sh: golden plans. For every scenarios.d file, "plan --format json
# --run-id test01 -p tests/plan/providers.yaml" must print exactly
# tests/plan/NAME.json. MTV_UPDATE_GOLDEN=1 rewrites the golden files.
# Also: the text form, determinism, JSON arrays for several files.
. "${srcdir:-.}/tests/lib.sh"

cd "$srcdir" || exit 1
unset MTV_SCENARIO_PROVIDERS
for v in $(env | sed -n 's/^\(COPYOFFLOAD_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
files=$(ls scenarios.d/*.yaml)
n=$(printf '%s\n' $files | wc -l)
plan $((n + 12))

P="-p tests/plan/providers.yaml --run-id test01"
for f in $files; do
	name=$(basename "$f" .yaml)
	# shellcheck disable=SC2086
	"$MTV_SCENARIO" plan --format json $P "$f" >"$T/$name.json" 2>"$T/err"
	if [ -n "$MTV_UPDATE_GOLDEN" ]; then
		cp "$T/$name.json" "tests/plan/$name.json"
	fi
	same_file "$f: golden plan" "tests/plan/$name.json" "$T/$name.json"
done

# the same inputs give the same plan, run id included
"$MTV_SCENARIO" plan --format json -p tests/plan/providers.yaml scenarios.d/thin.yaml >"$T/a"
"$MTV_SCENARIO" plan --format json -p tests/plan/providers.yaml scenarios.d/thin.yaml >"$T/b"
same_file "deterministic without --run-id" "$T/a" "$T/b"

# several files: one JSON array, in file order
# shellcheck disable=SC2086
"$MTV_SCENARIO" plan --format json $P scenarios.d/thin.yaml scenarios.d/warm.yaml >"$T/arr"
check "two files: a JSON array of two plans" "$PYTHON3" -c "
import json,sys
a = json.load(open('$T/arr'))
assert isinstance(a, list) and [p['scenario']['name'] for p in a] == ['thin', 'warm']"

# text: numbered steps, teardown; -v shows params with secrets masked
# shellcheck disable=SC2086
expect_exit 0 "text plan" "$MTV_SCENARIO" plan $P scenarios.d/rdm-virtual.yaml
contains "text: numbered clone step" "$T/out" "  3. clone       clone test01-rhel9-template-1 from rhel9-template to datastore-11"
contains "text: teardown" "$T/out" "teardown:"
# shellcheck disable=SC2086
"$MTV_SCENARIO" plan -v $P scenarios.d/rdm-virtual.yaml >"$T/v" 2>&1
contains "-v: parameters" "$T/v" "lun_uuid: \"naa.600a0980383030523424457a4a695a31\""
lacks "-v: no vCenter password" "$T/v" "golden-vcenter-pw"
lacks "-v: no array password" "$T/v" "golden-array-pw"

# -m selects by tag; nothing selected is exit 5
# shellcheck disable=SC2086
expect_exit 5 "-m selecting nothing: exit 5" "$MTV_SCENARIO" plan -m nosuchtag $P scenarios.d/

# a VDDK image goes only where VDDK copies: warm plans and plans without
# offload; a cold copy-offload provider is marked as having none
sed 's/^\(  api_url: .*\)$/\1\n  vddk_init_image: "registry.example.com\/vddk:8"/' tests/plan/providers.yaml >"$T/vddk.yaml"
for s in thin warm concurrent-xcopy-vddk; do
	"$MTV_SCENARIO" plan --format json --run-id test01 -p "$T/vddk.yaml" "scenarios.d/$s.yaml" >"$T/$s.vddk" 2>"$T/err"
done
check "cold copy-offload: annotation, no VDDK image" "$PYTHON3" -c "
import json
p = json.load(open('$T/thin.vddk'))
m = [s['params']['manifest'] for s in p['steps'] if s['kind'] == 'provider' and s['params']['role'] == 'source'][0]
assert m['metadata']['annotations']['forklift.konveyor.io/empty-vddk-init-image'] == 'yes'
assert 'vddkInitImage' not in m['spec']['settings']"
for s in warm concurrent-xcopy-vddk; do
	check "$s: the profile's VDDK image, no annotation" "$PYTHON3" -c "
import json
p = json.load(open('$T/$s.vddk'))
m = [s['params']['manifest'] for s in p['steps'] if s['kind'] == 'provider' and s['params']['role'] == 'source'][0]
assert m['spec']['settings']['vddkInitImage'] == 'registry.example.com/vddk:8'
assert 'forklift.konveyor.io/empty-vddk-init-image' not in m['metadata'].get('annotations', {})"
done
