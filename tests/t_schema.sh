#!/bin/bash
# t_schema.sh: the schemas are correct JSON Schema 2020-12 (checked by
# Debian's python3-jsonschema, which editors' validators agree with), every
# scenarios.d file is valid for it too, and a JSON dump of a pytest-suite
# test entry wrapped in our header is a valid scenario for both validators.
. "${srcdir:-.}/tests/lib.sh"

PY=/usr/bin/python3
$PY -c 'import jsonschema, yaml' 2>/dev/null ||
	skip_all "python3-jsonschema or python3-yaml missing"

nscn=$(ls "$srcdir"/scenarios.d/*.yaml | wc -l)
nent=$(ls "$srcdir"/tests/pytest-entries/*.json | wc -l)
plan $((2 + nscn + nent))

for s in scenario providers; do
	test_expect_success "schema/$s.schema.json is a valid 2020-12 schema" '
		$PY -c "
import json, sys, jsonschema
jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))
" "$srcdir/schema/$s.schema.json"
	'
done

# check.py SCHEMA DOC: the jsonschema errors of DOC (YAML or JSON), exit 1 if any
cat >"$T/check.py" <<'PYEOF'
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
doc = yaml.safe_load(open(sys.argv[2]))
errs = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=str)
for e in errs:
    print("%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message))
sys.exit(1 if errs else 0)
PYEOF
for f in "$srcdir"/scenarios.d/*.yaml; do
	test_expect_success "jsonschema accepts scenarios.d/${f##*/}" '
		$PY "$T/check.py" "$srcdir/schema/scenario.schema.json" "$f"
	'
done

for f in "$srcdir"/tests/pytest-entries/*.json; do
	b=$(basename "$f" .json)
	test_expect_success "pytest entry $b: jsonschema and mtv-scenario validate accept it" '
		$PY -c "
import json, sys
entry = json.load(open(sys.argv[1]))
doc = {\"apiVersion\": \"mtv-scenario/v1alpha1\", \"kind\": \"Scenario\", \"name\": sys.argv[2]}
doc.update(entry)
json.dump(doc, open(sys.argv[3], \"w\"), indent=2)
" "$f" "$(echo "$b" | tr _ -)" "$b.json"
		$PY "$T/check.py" "$srcdir/schema/scenario.schema.json" "$b.json"
		"$MTV_SCENARIO" validate "$b.json"
	'
done
